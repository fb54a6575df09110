"""An address mail bounced from works again: a later mail from it clears it by itself (the
customer wrote from it, so it works), and the maker clears it by hand with
`banco customers works-again` or the customer page's button. Replies are routed to it again and
the warning is gone. An older mail, or a form answer typing the address, proves nothing. Real
peers: the Maildir and form export of ``customer_shop``, and the real ``banco serve``."""

# Fixtures imported from fixtures_web are parameters of the tests below, by name.
# ruff: noqa: F811

from __future__ import annotations

import csv
import re
from pathlib import Path

import httpx
from customer_shop import START, contact_named, customers_shop, mail
from fixtures_web import visible_text, web_server  # noqa: F401 (fixtures)

from banco.inbox.collect.sync import collect
from banco.inbox.store.contacts import first_handle

MARTA = "marta.bianchi@gmial.example"  # the quote to it bounced on day 4


def failing(shop) -> list[str]:
    return [r["value"] for r in shop.store.all("select value from failing_addresses order by 1")]


def reply_address(shop) -> str | None:
    """The address a reply to Marta goes to by email (``replies.outbox.route``): none that
    bounced."""
    return first_handle(shop.store, contact_named(shop, MARTA), "email")


def collected(shop) -> None:
    for result in collect(shop):
        assert result.ok, result.error


def deliver_mail(folder: Path, key: str, day: int) -> None:
    """A mail from Marta's bounced address into the shop's Maildir, sent on ``day``."""
    msg = mail(key, f"Marta Bianchi <{MARTA}>", "giulia@shop.example", "Tazze", "Ciao!", day)
    (folder / "Maildir" / "new" / f"{key}.M1P1.test").write_bytes(msg.as_bytes())


def test_a_later_mail_from_a_failing_address_clears_it(write_shop, open_shop, tmp_path) -> None:
    shop = customers_shop(write_shop, tmp_path, open_shop)
    assert MARTA in failing(shop) and reply_address(shop) is None

    deliver_mail(tmp_path, "marta-old", 3)  # sent before the bounce, read only now: proves nothing
    with (tmp_path / "answers.csv").open("a", newline="", encoding="utf-8") as f:
        at = START.replace(day=20).strftime("%d/%m/%Y %H:%M:%S")
        csv.writer(f).writerow([at, "Marta Bianchi", MARTA, "", "6 piatti", "6", "20/12/2026"])
    collected(shop)
    assert MARTA in failing(shop)  # nor does anyone typing the address in the form

    deliver_mail(tmp_path, "marta-new", 6)
    collected(shop)
    assert failing(shop) == ["bob@smiht.example"]  # only hers is cleared
    assert reply_address(shop) == MARTA


def test_the_maker_says_an_address_works_again_with_a_command(
    write_shop, open_shop, run, tmp_path
) -> None:
    shop = customers_shop(write_shop, tmp_path, open_shop)
    home = str(shop.home)
    done = run(
        "--home", home, "customers", "works-again", "Marta Bianchi", "Marta.Bianchi@Gmial.example"
    )
    assert done.exit_code == 0, done.output
    assert done.output == f"{MARTA} works again: replies go to it.\n"
    assert MARTA not in failing(shop) and reply_address(shop) == MARTA
    shown = run("--home", home, "customers", "show", "Marta Bianchi").output
    assert "bounced" not in shown and "another way to reach them" not in shown

    again = run("--home", home, "customers", "works-again", "Marta Bianchi", MARTA)
    assert again.exit_code != 0
    assert again.output.strip().endswith(f"mail to {MARTA} never bounced; nothing changed")
    assert "Traceback" not in again.output and len(again.output.strip().splitlines()) == 1
    other = run("--home", home, "customers", "works-again", "Marta Bianchi", "bob@smiht.example")
    assert other.exit_code != 0 and "has no address, phone or chat bob@smiht.example" in (
        other.output
    )
    assert "bob@smiht.example" in failing(shop)  # another customer's address stays as it was


def test_the_customer_page_has_a_button_saying_it_works_again(
    write_shop, open_shop, web_server, tmp_path
) -> None:
    shop = customers_shop(write_shop, tmp_path, open_shop)
    server = web_server(shop.home)
    marta = contact_named(shop, MARTA)
    with httpx.Client(base_url=server.url) as browser:
        page = browser.get(f"/customers/{marta}")
        assert "It works again" in visible_text(page.text)
        token = re.search(r'<meta name="csrf-token" content="([^"]+)">', page.text)[1]
        refused = browser.post(f"/customers/{marta}/works-again", data={"handle": MARTA})
        assert refused.status_code == 403 and MARTA in failing(shop)  # no token, nothing changed
        done = browser.post(
            f"/customers/{marta}/works-again", data={"csrf": token, "handle": MARTA}
        )
        assert done.status_code == 303
        text = visible_text(browser.get(f"/customers/{marta}").text)
        assert f"{MARTA} works again: replies go to it." in text
        assert "bounced" not in text and "It works again" not in text
    assert MARTA not in failing(shop) and reply_address(shop) == MARTA
