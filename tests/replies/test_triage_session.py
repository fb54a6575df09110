"""Triage in the reply session: the one-key answer about a sender who is not (yet) a customer
(order / not an order / never a customer / never anyone at the domain), in the terminal, on the
web page and in the owner chat; remembered for the sender's next mail."""

from __future__ import annotations

import json
import re

import httpx
import pytest
from fixtures_telegram import account_toml
from fixtures_web import web_server  # noqa: F401 (a fixture)
from listsource import ListConnector
from owner_chat_shop import HEADER, OWNER
from sessions import SLOTS, Script

from banco.connectors import Registry
from banco.inbox.collect.sync import collect
from banco.inbox.routines import day as routines
from banco.inbox.store.senders import DOMAIN, Answer, all_answers

SUPPLIER = {
    "id": "s1",
    "at": "2026-11-18T09:00:00+00:00",
    "from": "orders@clay-supplier.example",
    "name": "Clay Supplier",
    "subject": "Shipment 4471",
    "text": "Your four bags of stoneware clay left our warehouse today.",
}
SISTER = {
    "id": "f1",
    "at": "2026-11-18T10:00:00+00:00",
    "from": "marta@family.example",
    "name": "Marta",
    "subject": "Saturday",
    "text": "Dinner Saturday? Bring the good wine.",
}
BOB = {
    "id": "b1",
    "at": "2026-11-18T11:00:00+00:00",
    "from": "bob@studio.example",
    "name": "Bob",
    "subject": "Hello from Bob",
    "text": "Hi Giulia, it was lovely to meet you at the fair.",
}


@pytest.fixture
def registry(registry: Registry) -> Registry:
    return Registry(kinds={**registry.kinds, "list": ListConnector})  # type: ignore[dict-item]


def list_shop(write_shop, open_shop, items: list[dict]):
    home = write_shop(f'{SLOTS}\n[[accounts]]\nname = "mail"\nkind = "list"\npath = "items.json"\n')
    (home / "items.json").write_text(json.dumps(items))
    shop = open_shop(home)
    collect(shop)
    return shop, home


def answers(shop) -> set[tuple[str, str, Answer]]:
    return {(a.kind, a.value, a.answer) for a in all_answers(shop.store)}


def test_the_terminal_session_asks_order_not_an_order_or_never(write_shop, open_shop) -> None:
    shop, home = list_shop(write_shop, open_shop, [SUPPLIER, SISTER, BOB])
    assert shop.store.scalar("select count(*) from orders") == 0
    # never anyone at the supplier's domain; the sister: not an order, then skip; Bob: an order
    maker = Script(["4", "2", "s", "1", "s"])
    maker.run(shop)
    out = maker.output
    assert "Is this an order? [1] an order   [2] not an order   [3] never a customer" in out
    assert "[4] never anyone at @clay-supplier.example" in out
    assert "Never a customer: their messages no longer wait for you." in out
    assert "Not an order: it stays a conversation you can answer." in out
    assert "Now an order: B-0001." in out
    assert answers(shop) == {
        (DOMAIN, "clay-supplier.example", Answer.NEVER),
        ("email", "marta@family.example", Answer.NOT_ORDER),
        ("email", "bob@studio.example", Answer.ORDER),
    }
    [order] = shop.store.all("select * from orders")
    assert (order["ref"], order["title"]) == ("B-0001", "Hello from Bob")
    assert shop.store.scalar("select order_id from messages where external_id = 'b1'") == 1
    # Remembered: the supplier's billing office writes later, asking a price: filed, no order,
    # not waiting; the sister writes again: a conversation, waiting.
    later = [
        {
            **SUPPLIER,
            "id": "s2",
            "at": "2026-11-19T09:00:00+00:00",
            "from": "billing@clay-supplier.example",
            "text": "What price would you like for the 2027 list?",
        },
        {
            **SISTER,
            "id": "f2",
            "at": "2026-11-19T10:00:00+00:00",
            "text": "How much is that vase, by the way?",
        },
    ]
    (home / "items.json").write_text(json.dumps([SUPPLIER, SISTER, BOB, *later]))
    collect(shop)
    rows = {r["external_id"]: r for r in shop.store.all("select * from messages")}
    assert (rows["s2"]["order_id"], rows["s2"]["waiting"]) == (None, 0)
    assert (rows["f2"]["order_id"], rows["f2"]["waiting"]) == (None, 1)
    assert shop.store.scalar("select count(*) from orders") == 1
    # answered once: the sister's conversations are not asked about again
    again = Script(["s", "s", "s"])
    again.run(shop)
    assert "Is this an order?" not in again.output and "Marta" in again.output


def test_a_shared_domain_is_not_offered(write_shop, open_shop) -> None:
    shop, _home = list_shop(write_shop, open_shop, [{**SISTER, "from": "marta@gmail.com"}])
    maker = Script(["4", "3"])
    maker.run(shop)
    assert "never anyone at" not in maker.output
    assert answers(shop) == {("email", "marta@gmail.com", Answer.NEVER)}


def test_the_web_session_asks_with_one_button(
    write_shop,
    open_shop,
    web_server,  # noqa: F811 (the fixture)
) -> None:
    shop, home = list_shop(write_shop, open_shop, [SUPPLIER, BOB])
    server = web_server(home)
    with httpx.Client(base_url=server.url, follow_redirects=True) as client:
        page = client.get("/session").text
        assert "Is this an order?" in page and "never anyone at @clay-supplier.example" in page
        token = re.search(r'name="csrf" value="([^"]+)"', page)[1]
        done = client.post("/session/m1/sender", data={"choice": "4", "csrf": token})
        assert "Never a customer" in done.text
        page = done.text
        token = re.search(r'name="csrf" value="([^"]+)"', page)[1]
        done = client.post("/session/m2/sender", data={"choice": "1", "csrf": token})
        assert "Now an order: B-0001." in done.text
        senders = client.get("/senders").text
        assert "@clay-supplier.example" in senders and "bob@studio.example" in senders
        token = re.search(r'name="csrf" value="([^"]+)"', senders)[1]
        changed = client.post(
            "/senders/set",
            data={
                "kind": DOMAIN,
                "value": "clay-supplier.example",
                "answer": "not_order",
                "csrf": token,
            },
        )
        assert "clay-supplier.example: not an order." in changed.text
    assert answers(shop) == {
        (DOMAIN, "clay-supplier.example", Answer.NOT_ORDER),
        ("email", "bob@studio.example", Answer.ORDER),
    }


def test_the_owner_chat_asks_with_buttons(bot_api, write_shop, open_shop) -> None:
    shop = open_shop(write_shop(account_toml(bot_api), header=HEADER))
    friend = bot_api.user(7001, "Marta")
    stranger = bot_api.user(7002, "Bob")
    bot_api.message(friend, "Dinner Saturday?")
    bot_api.message(stranger, "Hi, lovely to meet you at the fair")
    routines.collect(shop)
    assert shop.store.scalar("select count(*) from orders") == 0
    routines.reply(shop)
    first = [m for m in bot_api.sent if m["chat_id"] == OWNER][-1]
    assert "Is this an order?" in first["text"]
    labels = [b["callback_data"] for row in first["buttons"]["inline_keyboard"] for b in row]
    assert labels[-3:] == ["triage:1", "triage:2", "triage:3"]  # a chat has no domain
    giulia = bot_api.user(OWNER, "Giulia")
    bot_api.press(giulia, first, "triage:3")
    routines.owner_poll(shop)
    second = [m for m in bot_api.sent if m["chat_id"] == OWNER][-1]
    assert "fair" in second["text"]
    bot_api.press(giulia, second, "triage:1")
    routines.owner_poll(shop)
    shown = [m for m in bot_api.sent if m["chat_id"] == OWNER][-1]
    assert "B-0001" in shown["text"]
    assert answers(shop) == {("telegram", "7001", Answer.NEVER), ("telegram", "7002", Answer.ORDER)}
    assert shop.store.scalar("select count(*) from messages where waiting = 1") == 1
    # the order's message is answered from the chat as any other
    bot_api.press(giulia, shown, "send")
    routines.owner_poll(shop)
    assert [m for m in bot_api.sent if m["chat_id"] == 7002]
    assert [m for m in bot_api.sent if m["chat_id"] == 7001] == []
