"""The demo's Etsy sale ("Hai fatto una vendita su Etsy!", two mugs, ship by in two days) is an
order for its buyer, Hannah Schmidt, with its items, total and ship-by day, the Etsy number and
link shown by `banco orders show` and on the order's page; Etsy is nobody's contact."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import httpx
from conftest import NOW
from fixtures_web import RunningServer, demo_home, demo_server, web_server  # noqa: F401 (fixtures)

from banco.inbox.clock import FixedClock
from banco.inbox.demo.days import SHOP_ZONE

LINK = "https://www.etsy.example/your/orders/sold/3187654321"


def test_the_demo_etsy_sale_is_an_order_for_its_buyer(
    demo_home: Path,  # noqa: F811 (the fixture)
    open_shop,
    run,
) -> None:
    shop = open_shop(demo_home)
    order = shop.store.one(
        "select o.ref, c.name, o.title, o.quantity, o.deadline, o.price, o.currency,"
        " o.marketplace, o.marketplace_order, o.marketplace_url"
        " from orders o join contacts c on c.id = o.contact_id where o.marketplace = 'etsy'"
    )
    ship_by = (FixedClock(NOW).now().astimezone(SHOP_ZONE).date() + timedelta(days=2)).isoformat()
    assert order is not None and {k: v for k, v in order.items() if k != "ref"} == {
        "name": "Hannah Schmidt",
        "title": "2 × Tazza «Limoni», 350 ml",
        "quantity": 2,
        "deadline": ship_by,
        "price": 64.0,
        "currency": "EUR",
        "marketplace": "etsy",
        "marketplace_order": "3187654321",
        "marketplace_url": LINK,
    }
    assert shop.store.scalar("select count(*) from contacts where name like 'Etsy%'") == 0
    shown = run("--home", str(demo_home), "orders", "show", order["ref"])
    assert shown.exit_code == 0, shown.output
    assert f"Order 3187654321 on the marketplace: {LINK}" in shown.output
    assert "Ship to: Hannah Schmidt, Bergmannstraße 14, 10961 Berlin, Germania" in shown.output


def test_the_order_page_links_to_the_sale_on_etsy(
    demo_server: RunningServer,  # noqa: F811 (the fixture)
) -> None:
    with httpx.Client(base_url=demo_server.url) as client:
        orders = client.get("/orders").text
        ref = orders.split("Hannah Schmidt")[0].rsplit("/orders/", 1)[1].split('"')[0]
        page = client.get(f"/orders/{ref}").text
    assert f'Order 3187654321 on the marketplace: <a href="{LINK}"' in page
