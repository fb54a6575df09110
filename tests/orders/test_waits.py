"""Who waits on whom, truly: a booked order whose last message is the maker's waits on her work,
not on a reminder to the customer (the status check, `banco status` and the digest agree); the
tasks of a stage the order moved past drop away (not done by her) and come back with it; "Answer
the inquiry" ticks itself when her answer is collected; a past client gets one check-in at a
time, at the next point of the cadence, never one for a point missed before it."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from fixtures_imap import Mailbox, SmtpServer, mail, reply_shop
from fixtures_web import web_server  # noqa: F401 (fixture)
from listsource import ListConnector

from banco.connectors import Handle, Page, Person, Record, Registry
from banco.inbox.collect.ingest import Ingest
from banco.inbox.collect.sync import collect
from banco.inbox.orders.status import change_status, check_orders, suggest_checkins
from banco.inbox.replies.outbox import deliver, queue_reply
from banco.inbox.replies.session import checkin_done, checkin_items
from banco.inbox.routines.digest import render_text
from banco.inbox.routines.digest_delivery import daily_digest, today
from banco.inbox.store import export

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


@pytest.fixture
def registry(registry: Registry) -> Registry:
    return Registry(kinds={**registry.kinds, "list": ListConnector})  # type: ignore[dict-item]


def at(days_ago: float) -> str:
    return (NOW - timedelta(days=days_ago)).isoformat()


def inquiry(key: str, who: str, days_ago: float) -> dict[str, str]:
    return {
        "id": key,
        "at": at(days_ago),
        "from": f"{who.lower()}@example.com",
        "name": who,
        "subject": "Mugs",
        "text": "Hello! How much would 6 custom mugs cost?",
    }


def shop_with(write_shop, open_shop, items):
    home = write_shop('\n[[accounts]]\nname = "mail"\nkind = "list"\npath = "items.json"\n')
    (home / "items.json").write_text(json.dumps(items))
    shop = open_shop(home)
    collect(shop)
    return shop


def her_answer(shop, message_id: int, days_ago: float) -> None:
    """Her answer from her own mail program, as the Sent folder shows it."""
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


def test_a_booked_order_with_her_message_last_waits_on_her_work(
    write_shop,
    open_shop,
    run,
    web_server,  # noqa: F811
) -> None:
    shop = shop_with(
        write_shop,
        open_shop,
        [inquiry("a", "Ann", 12), inquiry("b", "Bob", 12), inquiry("c", "Cat", 12)],
    )
    for message_id, ref, status in ((1, "B-0001", "booked"), (2, "B-0002", "in_progress")):
        her_answer(shop, message_id, days_ago=9)
        change_status(shop, ref, status)
    her_answer(shop, 3, days_ago=9)
    change_status(shop, "B-0003", "quoted")  # the control: a quote 9 days unanswered
    states = {s.ref: s for s in check_orders(shop, shop.clock.now())}
    assert [(states[r].waiting_on, states[r].nudge) for r in ("B-0001", "B-0002")] == [
        ("work", False),
        ("work", False),
    ]
    assert (states["B-0003"].waiting_on, states["B-0003"].nudge) == ("customer", True)

    digest = daily_digest(shop)
    assert [s["ref"] for s in digest.waiting_on_customers] == ["B-0003"]
    text = render_text(digest, "en", today(shop))
    waiting = text.split("Customers you are waiting for (1)\n")[1].split("\n\n")[0]
    assert waiting == "  B-0003  Cat: Mugs, for 9 days (quote unanswered)"
    shown = run("--home", str(shop.home), "status").output
    [ann] = [line for line in shown.splitlines() if line.startswith("B-0001")]
    assert "waiting for your work" in ann and "nudge" not in ann
    [cat] = [line for line in shown.splitlines() if line.startswith("B-0003")]
    assert "you wait for the customer" in cat
    page = httpx.get(web_server(shop.home).url + "/").text  # the today page
    [section] = re.findall(r"<section[^>]*h-you-wait.*?</section>", page, re.S)
    assert re.findall(r"B-\d{4}", section) == ["B-0003", "B-0003"]  # its link and its ref
    assert "friendly reminder" not in page


def open_tasks(shop) -> list[tuple[str, str]]:
    return [
        (r["stage"], r["title"])
        for r in shop.store.all(
            "select stage, title from tasks where done_at is null and dropped_at is null"
            " order by id"
        )
    ]


def test_tasks_of_earlier_stages_drop_away_and_come_back(write_shop, open_shop, run) -> None:
    shop = shop_with(write_shop, open_shop, [inquiry("a", "Ann", 2)])
    check_orders(shop, shop.clock.now())
    change_status(shop, "B-0001", "quoted")
    change_status(shop, "B-0001", "booked")
    [deposit] = shop.store.all("select id from tasks where title = 'Confirm the deposit'")
    run("--home", str(shop.home), "tasks", "done", str(deposit["id"]))
    change_status(shop, "B-0001", "in_progress")
    assert open_tasks(shop) == [("in_progress", "Send a progress photo")]
    dropped = shop.store.all("select title, done_at from tasks where dropped_at is not null")
    # dropped, not done by her: the deposit she ticked stays done, the rest were never done
    assert sorted(r["title"] for r in dropped) == [
        "Answer the inquiry",
        "Block the production time",
        "Follow up on the quote if there is no answer",
    ]
    assert all(r["done_at"] is None for r in dropped)
    # `banco export` says which were dropped, apart from those done
    exported = {row["title"]: row for row in export.tasks(shop.store)}
    assert exported["Block the production time"]["dropped_at"] is not None
    assert exported["Confirm the deposit"]["dropped_at"] is None
    listed = run("--home", str(shop.home), "tasks").output
    assert "Answer the inquiry" not in listed and "Send a progress photo" in listed
    shown = run("--home", str(shop.home), "orders", "show", "B-0001").output
    assert "Block the production time" not in shown and "[x] Confirm the deposit" in shown
    change_status(shop, "B-0001", "booked")  # back: booked's open task is open again
    assert open_tasks(shop) == [("booked", "Block the production time")]


def test_answer_the_inquiry_ticks_itself_when_her_answer_is_collected(
    write_shop, open_shop
) -> None:
    shop = shop_with(write_shop, open_shop, [inquiry("a", "Ann", 2), inquiry("b", "Bob", 2)])
    her_answer(shop, 2, days_ago=1)  # Bob's answered before the status check made its task
    check_orders(shop, shop.clock.now())
    answer = "select done_at is not null from tasks where order_id = ? and stage = 'new'"
    assert [shop.store.scalar(answer, [n]) for n in (1, 2)] == [0, 1]
    her_answer(shop, 1, days_ago=0.5)  # Ann's, collected from the Sent folder
    assert [shop.store.scalar(answer, [n]) for n in (1, 2)] == [1, 1]


def test_a_past_client_gets_one_check_in_at_a_time_at_the_next_point(
    write_shop, open_shop, clock
) -> None:
    """Closed on 10 January, Banco first looks on 20 November: the 3- and 6-month points are
    past. One check-in comes (6 months); after "done already" none comes for the missed 3-month
    point, week after week, until the 12-month point."""
    shop = shop_with(write_shop, open_shop, [inquiry("a", "Ann", 400)])
    shop.store.db.execute(
        "update orders set status = 'completed', closed_at = '2026-01-10T10:00:00+00:00'"
    )
    [first] = suggest_checkins(shop, clock.now())
    assert (first.ref, first.months) == ("B-0001", 6)
    [item] = checkin_items(shop)
    checkin_done(shop, item)  # "done already"
    assert suggest_checkins(shop, clock.now()) == []
    while clock.now() + timedelta(days=7) < datetime(2027, 1, 10, tzinfo=UTC):
        clock.at += timedelta(days=7)
        assert suggest_checkins(shop, clock.now()) == [], clock.now()
    clock.at = datetime(2027, 1, 11, 9, 0, tzinfo=UTC)
    [later] = suggest_checkins(shop, clock.now())
    assert later.months == 12
    assert [r["months"] for r in shop.store.all("select months from checkins order by id")] == [
        6,
        12,
    ]


ASKED = "Quanto costano sei tazze blu su misura?"


def answer_task_done(shop) -> bool:
    return bool(
        shop.store.scalar(
            "select done_at is not null from tasks where order_id = 1 and stage = 'new'"
        )
    )


def test_answer_the_inquiry_ticks_itself_on_her_reply_in_dovecots_sent_folder(
    mailbox: Mailbox, imap_shop
) -> None:
    mailbox.append("INBOX", [mail(1, subject="Tazze", body=ASKED)])
    mailbox.append("Sent", [])
    shop, _ = imap_shop(sent_folder="Sent")
    collect(shop)
    check_orders(shop, shop.clock.now())
    assert not answer_task_done(shop)
    reply = mail(
        2,
        sender="Giulia <giulia@shop.example>",
        to="anna@example.com",
        subject="Re: Tazze",
        in_reply_to="m1@example.com",
        date="Mon, 16 Nov 2026 12:00:00 +0100",
        body="Sei tazze costano 90 euro.",
    )
    mailbox.append("Sent", [reply], flags=(b"\\Seen",))
    [result] = collect(shop)
    assert result.ok and result.counts.new == 1
    assert answer_task_done(shop)


def test_answer_the_inquiry_ticks_itself_on_a_reply_banco_sent(
    mailbox: Mailbox, imap_shop, smtp_server: SmtpServer
) -> None:
    shop = reply_shop(imap_shop, mailbox, smtp_server, mail(1, subject="Tazze", body=ASKED))
    check_orders(shop, shop.clock.now())
    assert not answer_task_done(shop)
    queue_reply(shop, 1, "Sei tazze costano 90 euro.")
    [delivery] = deliver(shop)
    assert len(smtp_server.received) == 1, delivery
    assert answer_task_done(shop)
