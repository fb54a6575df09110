"""The customers page of the real ``banco serve``, over HTTP: the list a page at a time, a
customer with her addresses (a bounced one marked), her orders and the suggested merges; merging
and splitting with the page's buttons (CSRF-checked like every form); dismissing a suggestion."""

# Fixtures imported from fixtures_web are parameters of the tests below, by name.
# ruff: noqa: F811

from __future__ import annotations

import re
from pathlib import Path

import httpx
from customer_shop import contact_named, customers_shop, who_holds_what
from fixtures_web import visible_text, web_server  # noqa: F401 (fixtures)


def csrf(page: httpx.Response) -> str:
    found = re.search(r'<meta name="csrf-token" content="([^"]+)">', page.text)
    assert found, page.text[:300]
    return found[1]


def test_the_customers_page_lists_shows_merges_and_splits(
    write_shop, open_shop, web_server, tmp_path: Path
) -> None:
    shop = customers_shop(write_shop, tmp_path, open_shop)
    server = web_server(shop.home)
    with httpx.Client(base_url=server.url) as browser:
        listing = browser.get("/customers")
        assert listing.status_code == 200
        text = visible_text(listing.text)
        assert "Customers" in text and "May be one" in text
        assert '<a href="/customers"' in listing.text and 'aria-current="page"' in listing.text
        assert text.rindex("Luca Neri") < text.rindex("Chiara Rossi")  # heard from last first

        marta = contact_named(shop, "marta.bianchi@gmial.example")
        page = browser.get(f"/customers/{marta}")
        assert "Mail to this address bounced on" in visible_text(page.text)
        assert "Ask this customer for another way to reach them" in visible_text(page.text)
        for unknown in ("99999", "9" * 30):
            assert browser.get(f"/customers/{unknown}").status_code == 404

        first = contact_named(shop, "chiara.rossi@libero.example")
        second = contact_named(shop, "c.rossi@gmail.com")
        before = who_holds_what(shop)
        refused = browser.post(f"/customers/{first}/merge", data={"other": str(second)})
        assert refused.status_code == 403
        assert who_holds_what(shop) == before  # no token, nothing merged

        token = csrf(browser.get(f"/customers/{first}"))
        merged = browser.post(
            f"/customers/{first}/merge", data={"csrf": token, "other": str(second)}
        )
        assert merged.status_code == 303
        page = browser.get(f"/customers/{first}")
        assert "c.rossi@gmail.com" in page.text and "now part of this customer" in page.text
        split = browser.post(
            f"/customers/{first}/split", data={"csrf": token, "handle": "c.rossi@gmail.com"}
        )
        assert split.status_code == 303 and split.headers["location"] == f"/customers/{second}"
        assert who_holds_what(shop) == before

        bobs = sorted(
            contact_named(shop, h) for h in ("bob@smith.example", "bob.smith@work.example")
        )
        gone = browser.post(
            "/customers/dismiss",
            data={
                "csrf": token,
                "kind": "customers",
                "first": str(bobs[0]),
                "second": str(bobs[1]),
            },
        )
        assert gone.status_code == 303
        assert "Bob Smith</a> · <a" not in browser.get("/customers").text
