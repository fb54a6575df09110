"""The merges Banco suggests are shown where the maker answers, not only on the customers'
screens: the reply session's item (terminal: one line with the command; page: a button) when the
item's customer may be someone else, and an order's page when the order may be one job with
another. Real peers: the customers shop's Maildir and form export, `banco reply` through its
prompt, the page of a real `banco serve` over HTTP."""

# Fixtures imported from fixtures_web are parameters of the tests below, by name.
# ruff: noqa: F811

from __future__ import annotations

import re
from pathlib import Path

import httpx
from customer_shop import contact_named, customers_shop
from fixtures_web import visible_text, web_server  # noqa: F401 (fixtures)


def item_blocks(output: str) -> list[str]:
    """The session's output cut at each item's header ("── 1 of 5 ──...")."""
    return re.split(r"\n── \d+ of \d+ ─+\n", output)[1:]


def test_the_terminal_session_says_who_may_be_one_with_the_command(
    write_shop, open_shop, run, tmp_path: Path
) -> None:
    shop = customers_shop(write_shop, tmp_path, open_shop)
    email = contact_named(shop, "chiara.rossi@libero.example")
    form = contact_named(shop, "c.rossi@gmail.com")
    orders = {
        r["contact_id"]: r["ref"] for r in shop.store.all("select contact_id, ref from orders")
    }
    waiting = shop.store.scalar("select count(distinct order_id) from messages where waiting")
    said = run("--home", str(shop.home), "reply", input="s\n" * (waiting + 4) + "q\n")
    assert said.exit_code == 0, said.output
    [chiara] = [b for b in item_blocks(said.output) if "chiara.rossi@libero.example" in b]
    first, second = sorted((email, form))
    assert (
        f"! Chiara Rossi ({first}) and Chiara Rossi ({second}) may be one person"
        f" (the same name, another address: Chiara Rossi): `banco customers merge {first} {second}`"
    ) in chiara
    one, other = sorted((orders[email], orders[form]))
    assert "may be one job (the same job: " in chiara
    assert f"`banco orders merge {one} {other}`" in chiara
    # another customer's item says only who she may be
    [luca] = [b for b in item_blocks(said.output) if "Luca Neri · luca.neri@gmail.com" in b]
    assert "may be one person" in luca and "Chiara" not in luca


def csrf(page: httpx.Response) -> str:
    found = re.search(r'<meta name="csrf-token" content="([^"]+)">', page.text)
    assert found, page.text[:300]
    return found[1]


def test_the_session_page_and_the_order_page_offer_the_merge_as_a_button(
    write_shop, open_shop, web_server, tmp_path: Path
) -> None:
    shop = customers_shop(write_shop, tmp_path, open_shop)
    email = contact_named(shop, "chiara.rossi@libero.example")
    form = contact_named(shop, "c.rossi@gmail.com")
    ref = {r["contact_id"]: r["ref"] for r in shop.store.all("select contact_id, ref from orders")}
    item = shop.store.scalar(
        "select order_id from orders o join messages m on m.order_id = o.id"
        " where o.contact_id = ? and m.waiting limit 1",
        [email],
    )
    server = web_server(shop.home)
    with httpx.Client(base_url=server.url) as browser:
        page = browser.get(f"/session?key=o{item}")
        assert page.status_code == 200
        text = visible_text(page.text)
        assert "Chiara Rossi · Chiara Rossi : may be one person" in text
        assert f'action="/customers/{min(email, form)}/merge"' in page.text
        order_page = browser.get(f"/orders/{ref[email]}")
        assert "may be one job (the same job:" in visible_text(order_page.text)
        assert 'action="/customers/merge-orders"' in order_page.text
        # her press on the session's button merges them and brings her back to the item
        merged = browser.post(
            f"/customers/{min(email, form)}/merge",
            data={
                "csrf": csrf(page),
                "other": str(max(email, form)),
                "next": f"/session?key=o{item}",
            },
        )
        assert merged.status_code == 303 and merged.headers["location"] == f"/session?key=o{item}"
        again = visible_text(browser.get(f"/session?key=o{item}").text)
        assert "may be one person" not in again
    handles = shop.store.all(
        "select value from handles where contact_id = ? order by id", [min(email, form)]
    )
    assert {h["value"] for h in handles} >= {"chiara.rossi@libero.example", "c.rossi@gmail.com"}
