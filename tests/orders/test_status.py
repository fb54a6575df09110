"""The status check: who waits on whom, stage tasks, stale quotes, past-client check-ins."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from listsource import ListConnector

from banco.connectors import Registry
from banco.inbox.collect.sync import collect
from banco.inbox.orders.status import change_status, check_orders, suggest_checkins


@pytest.fixture
def registry(registry: Registry) -> Registry:
    return Registry(kinds={**registry.kinds, "list": ListConnector})  # type: ignore[dict-item]


def at(days_ago: float) -> str:
    return (datetime(2026, 11, 20, 9, 0, tzinfo=UTC) - timedelta(days=days_ago)).isoformat()


def shop_with(write_shop, open_shop, items, settings: str = ""):
    home = write_shop(
        f'\n[[accounts]]\nname = "mail"\nkind = "list"\npath = "items.json"\n{settings}'
    )
    (home / "items.json").write_text(json.dumps(items))
    shop = open_shop(home)
    collect(shop)
    return shop


def reply_from_maker(shop, message_id: int, days_ago: float) -> None:
    """A reply the maker sent from her own mail program, as the Sent folder shows it."""
    from banco.connectors import Handle, Page, Person, Record
    from banco.inbox.collect.ingest import Ingest

    key = shop.store.scalar("select message_key from messages where id = ?", [message_id])
    sent = Record(
        f"sent{message_id}",
        "email",
        direction="out",
        sent_at=datetime.fromisoformat(at(days_ago)),
        sender=Person("Giulia", [Handle("email", "giulia@shop.example")]),
        text="Here is the quote",
        message_key=f"r{message_id}",
        reply_keys=(key,),
    )
    Ingest(shop.store, "mail", shop.clock.now(), owner=shop.owner_handles).save_page(
        Page("Sent", 1, [sent])
    )


def test_who_waits_on_whom(write_shop, open_shop) -> None:
    shop = shop_with(
        write_shop,
        open_shop,
        [
            {
                "id": "a",
                "at": at(2),
                "from": "ann@example.com",
                "name": "Ann",
                "subject": "Mugs",
                "text": "How much would it cost?",
            },
            {
                "id": "b",
                "at": at(8),
                "from": "bob@example.com",
                "name": "Bob",
                "subject": "Plates",
                "text": "How much would it cost?",
            },
            {
                "id": "c",
                "at": at(1),
                "from": "cat@example.com",
                "name": "Cat",
                "subject": "Vase",
                "text": "How much would it cost?",
            },
        ],
    )
    reply_from_maker(shop, 2, days_ago=6)
    change_status(shop, "B-0002", "quoted")
    reply_from_maker(shop, 3, days_ago=0.5)
    states = {s.ref: s for s in check_orders(shop, shop.clock.now())}
    assert (states["B-0001"].waiting_on, states["B-0001"].since) == ("us", at(2))
    assert (states["B-0002"].waiting_on, states["B-0002"].since) == ("customer", at(6))
    assert states["B-0002"].stale_quote and states["B-0002"].nudge  # 6 days, quote_days = 5
    assert states["B-0003"].waiting_on == "customer" and not states["B-0003"].nudge
    assert states["B-0001"].next_task == "Answer the inquiry"


def test_stage_tasks_are_made_once_and_follow_the_config(write_shop, open_shop) -> None:
    shop = shop_with(
        write_shop,
        open_shop,
        [
            {
                "id": "a",
                "at": at(2),
                "from": "ann@example.com",
                "subject": "Mugs",
                "text": "How much would it cost?",
            }
        ],
        settings="",
    )
    change_status(shop, "B-0001", "booked")
    change_status(shop, "B-0001", "booked")
    check_orders(shop, shop.clock.now())
    titles = [r["title"] for r in shop.store.all("select title from tasks where stage = 'booked'")]
    assert titles == ["Confirm the deposit", "Block the production time"]


def test_configured_tasks_replace_the_defaults(write_shop, open_shop) -> None:
    home = write_shop('\n[status]\ntasks = { booked = ["Order clay", "Book the kiln"] }\n')
    shop = open_shop(home)
    from banco.inbox.orders.pipeline import create_order

    create_order(shop.store, "B", shop.clock.now(), contact_id=None, title="x", account="a")
    change_status(shop, "B-0001", "booked")
    assert [
        r["title"] for r in shop.store.all("select title from tasks where stage = 'booked'")
    ] == ["Order clay", "Book the kiln"]


def test_check_ins_a_few_a_week_never_twice(write_shop, open_shop, clock) -> None:
    items = [
        {
            "id": f"i{k}",
            "at": at(400 + k),
            "from": f"c{k}@example.com",
            "name": f"Client {k}",
            "subject": "Plate",
            "text": "How much would it cost?",
        }
        for k in range(4)
    ]
    shop = shop_with(write_shop, open_shop, items)
    for k in range(1, 5):
        shop.store.db.execute(
            "update orders set status = 'completed', closed_at = ? where id = ?", [at(380 - k), k]
        )
    first = suggest_checkins(shop, clock.now())
    assert len(first) == 2 and {c.months for c in first} == {12}
    again = suggest_checkins(shop, clock.now() + timedelta(days=2))
    assert [c.ref for c in again] == [c.ref for c in first]  # the same two this week, no more
    clock.at += timedelta(days=8)
    later = suggest_checkins(shop, clock.now())
    assert {c.ref for c in later}.isdisjoint(c.ref for c in first) and len(later) == 2
    assert shop.store.scalar("select count(*) from checkins") == 4  # each suggested once
