"""How records become contacts, orders and conversations in the store."""

from __future__ import annotations

import hashlib
import json
import random
from datetime import UTC, date, datetime, timedelta

import pytest

from banco.connectors import Attachment, Handle, OrderFields, Page, Person, Record
from banco.inbox.collect.ingest import Ingest
from banco.inbox.orders.pipeline import HYPHENS_LOOKED_AT, may_hold_ref, ref_pattern, set_status
from banco.inbox.store import accounts
from banco.inbox.store.database import Store

T0 = datetime(2026, 11, 1, 10, 0, tzinfo=UTC)


@pytest.fixture
def ingest(store: Store) -> Ingest:
    return Ingest(
        store, "mail", T0 + timedelta(days=30), owner={Handle("email", "me@shop.example")}
    )


def email(n: int, sender: str = "ann@example.com", *, hours: int = 0, **kw) -> Record:
    fields = {
        "external_id": f"m{n}",
        "channel": "email",
        "sent_at": T0 + timedelta(hours=hours or n),
        "sender": Person("Ann", [Handle("email", sender)]),
        "subject": f"Mugs {n}",
        # an inquiry: a first mail from a stranger that asks for a price opens an order (triage)
        "text": f"Hello {n}, how much for mugs?",
        "message_key": f"m{n}@example.com",
    }
    fields.update(kw)
    return Record(**fields)


def save(ingest: Ingest, *records: Record, stream: str = "INBOX", cursor: object = 1):
    return ingest.save_page(Page(stream, cursor, list(records)))


def rows(store: Store, sql: str, params=()):
    return store.all(sql, params)


def test_first_message_from_a_stranger_opens_an_inquiry(store: Store, ingest: Ingest) -> None:
    counts = save(ingest, email(1))
    assert (counts.new, counts.orders) == (1, 1)
    [order] = rows(store, "select * from orders")
    assert (order["ref"], order["status"], order["title"]) == ("B-0001", "new", "Mugs 1")
    [contact] = rows(store, "select * from contacts")
    assert contact["name"] == "Ann"
    [message] = rows(store, "select * from messages")
    assert (message["order_id"], message["contact_id"], message["waiting"]) == (1, 1, 1)
    [event] = rows(store, "select * from order_events")
    assert event["to_status"] == "new"


def test_the_same_record_twice_is_stored_once(store: Store, ingest: Ingest) -> None:
    save(ingest, email(1))
    counts = save(ingest, email(1))
    assert (counts.new, counts.unchanged) == (0, 1)
    assert store.scalar("select count(*) from messages") == 1
    assert store.scalar("select count(*) from orders") == 1


def test_later_messages_from_the_same_customer_join_the_open_order(
    store: Store, ingest: Ingest
) -> None:
    save(ingest, email(1), email(2, subject="Something else entirely"))
    assert store.scalar("select count(*) from orders") == 1
    assert store.scalar("select count(distinct order_id) from messages") == 1


def test_a_reply_joins_its_conversation_even_with_a_new_subject(
    store: Store, ingest: Ingest
) -> None:
    save(ingest, email(1))
    # Another address of the same person replying: only the headers link it.
    reply = email(2, "ann.work@example.com", subject="new subject", reply_keys=("m1@example.com",))
    save(ingest, reply)
    assert store.scalar("select count(*) from orders") == 1
    assert store.scalar("select count(distinct thread_id) from messages") == 1


def test_a_quoted_reference_attaches_to_that_order(store: Store, ingest: Ingest) -> None:
    save(ingest, email(1), email(2, "bob@example.com"))
    save(ingest, email(3, "carol@example.com", subject="About [B-0001] from my sister"))
    assert store.one("select order_id from messages where external_id = 'm3'") == {"order_id": 1}
    assert store.scalar("select count(*) from orders") == 2


def test_a_reference_in_a_text_full_of_hyphens_is_found(store: Store, ingest: Ingest) -> None:
    save(ingest, email(1), email(2, "bob@example.com"))
    text = "-- \n" + "- item\n" * (HYPHENS_LOOKED_AT + 5) + "about b-1, thanks"
    save(ingest, email(3, "carol@example.com", subject="More mugs", text=text))
    assert store.one("select order_id from messages where external_id = 'm3'") == {"order_id": 1}


@pytest.mark.parametrize("prefix", ["B", "ab", "K", "I"])
def test_the_quick_reference_test_never_misses_what_the_pattern_finds(prefix: str) -> None:
    rng = random.Random(prefix)
    letters = "Bb-0123 aAK\u212ai\u0130x\n"  # with the Kelvin sign and a dotted capital I
    for _ in range(20_000):
        text = "".join(rng.choice(letters) for _ in range(rng.randint(0, 24)))
        if ref_pattern(prefix).search(text):
            assert may_hold_ref(text, prefix), text
    assert not may_hold_ref("x" * 5_000 + "B 42 -", "B")


def test_a_new_inquiry_after_a_completed_order_opens_a_new_one(
    store: Store, ingest: Ingest
) -> None:
    save(ingest, email(1))
    set_status(store, "B-0001", "completed", T0)
    save(ingest, email(2))
    assert [r["status"] for r in rows(store, "select status from orders order by id")] == [
        "completed",
        "new",
    ]


@pytest.mark.parametrize("kind", ["auto_reply", "bounce", "bulk"])
def test_automatic_mail_never_opens_orders_or_waits(
    store: Store, ingest: Ingest, kind: str
) -> None:
    save(ingest, email(1, "mailer-daemon@example.net", auto=kind))
    assert store.scalar("select count(*) from orders") == 0
    assert store.scalar("select count(*) from contacts") == 0
    assert store.scalar("select waiting from messages") == 0


def test_an_auto_reply_still_joins_the_conversation_it_answers(
    store: Store, ingest: Ingest
) -> None:
    save(ingest, email(1))
    save(ingest, email(2, "ann@example.com", auto="auto_reply", reply_keys=("m1@example.com",)))
    assert store.scalar("select order_id from messages where external_id = 'm2'") == 1


def test_unreadable_messages_are_kept_raw_without_an_order(store: Store, ingest: Ingest) -> None:
    bad = Record(
        "bad1", "email", raw=b"\x00\xff garbage", status="unreadable", problem="no headers"
    )
    save(ingest, bad)
    [m] = rows(store, "select raw, status, problem, order_id from messages")
    assert m == {
        "raw": b"\x00\xff garbage",
        "status": "unreadable",
        "problem": "no headers",
        "order_id": None,
    }


def test_the_makers_reply_answers_what_came_before(store: Store, ingest: Ingest) -> None:
    save(ingest, email(1), email(2))
    mine = email(
        3,
        "me@shop.example",
        direction="out",
        reply_keys=("m2@example.com",),
        recipients=[Person("Ann", [Handle("email", "ann@example.com")])],
    )
    save(ingest, mine, stream="Sent")
    save(ingest, email(4))
    waiting = [
        r["external_id"] for r in rows(store, "select external_id from messages where waiting = 1")
    ]
    assert waiting == ["m4"]
    # A message from the owner's address found in the inbox counts as the owner's.
    save(ingest, email(5, "ME@shop.example"))
    assert store.scalar("select direction from messages where external_id = 'm5'") == "out"


def test_a_reply_collected_before_the_message_it_answers(store: Store, ingest: Ingest) -> None:
    save(ingest, email(1))
    mine = email(
        3,
        "me@shop.example",
        direction="out",
        recipients=[Person("Ann", [Handle("email", "ann@example.com")])],
        reply_keys=("m2@example.com", "m1@example.com"),
    )
    save(ingest, mine)
    save(ingest, email(2, reply_keys=("m1@example.com",)))  # older than the reply, synced later
    assert store.scalar("select count(*) from messages where waiting = 1") == 0


def test_an_edited_record_keeps_its_history(store: Store, ingest: Ingest) -> None:
    save(ingest, email(1, text="6 mugs"))
    counts = save(ingest, email(1, text="8 mugs"))
    assert counts.updated == 1
    assert store.scalar("select text from messages") == "8 mugs"
    assert store.scalar("select text from message_revisions") == "6 mugs"


def form_row(text: str = "20 favours", **order) -> Record:
    fields = OrderFields(
        title="Wedding favours",
        quantity=40,
        deadline=date(2026, 12, 20),
        custom={"Colours": "blue"},
    )
    for key, value in order.items():
        setattr(fields, key, value)
    return Record(
        "ts:01/11/2026 10:00:00",
        "form",
        raw=b"[]",
        raw_type="form-row",
        text=text,
        sender=Person(
            "Ann Rossi",
            [
                Handle("email", "ANN@example.com"),
                Handle("phone", "051 234"),
                Handle("telegram_username", "@annr"),
            ],
        ),
        subject="Order form: Wedding favours",
        order=fields,
    )


def test_a_form_answer_opens_its_own_order_and_links_the_contact(
    store: Store, ingest: Ingest
) -> None:
    save(ingest, email(1))
    save(ingest, form_row())
    orders = rows(store, "select * from orders order by id")
    assert len(orders) == 2
    form = orders[1]
    assert (form["title"], form["quantity"], form["deadline"]) == (
        "Wedding favours",
        40,
        "2026-12-20",
    )
    assert json.loads(form["custom"]) == {"Colours": "blue"}
    assert form["contact_id"] == orders[0]["contact_id"]  # matched by email
    handles = {(h["kind"], h["value"]) for h in rows(store, "select kind, value from handles")}
    assert handles == {
        ("email", "ann@example.com"),
        ("phone", "051234"),
        ("telegram_username", "annr"),
    }


def test_an_edited_form_answer_updates_its_order_and_says_what_changed(
    store: Store, ingest: Ingest
) -> None:
    save(ingest, form_row())
    save(ingest, form_row(quantity=50, deadline=date(2026, 12, 22)))
    order = store.one("select quantity, deadline from orders")
    assert order == {"quantity": 50, "deadline": "2026-12-22"}
    event = store.one("select kind, data from order_events where kind = 'form_edit'")
    assert json.loads(event["data"]) == {
        "quantity": [40, 50],
        "deadline": ["2026-12-20", "2026-12-22"],
    }


def test_attachments_are_stored_once_by_content(store: Store, ingest: Ingest) -> None:
    png = b"\x89PNG fake"
    a = Attachment("sketch.png", "image/png", len(png), png)
    save(ingest, email(1, attachments=[a]), email(2, attachments=[a]))
    paths = {r["path"] for r in rows(store, "select path from attachments")}
    assert len(paths) == 1
    stored = store.home / paths.pop()
    assert stored.read_bytes() == png
    assert stored.stat().st_mode & 0o777 == 0o600


def test_a_page_whose_attachment_cannot_be_written_is_not_saved(
    store: Store, ingest: Ingest
) -> None:
    # A disk error is not the message's fault: the page (and its cursor) is not saved, and the
    # next collect files it again, instead of keeping the mail as unreadable.
    png = b"\x89PNG fake"
    digest = hashlib.sha256(png).hexdigest()
    (store.attachments / digest[:2]).write_text("a file where the folder should be")
    a = Attachment("sketch.png", "image/png", len(png), png)
    save(ingest, email(1), cursor={"uid": 1})
    with pytest.raises(OSError):
        save(ingest, email(2), email(3, attachments=[a]), cursor={"uid": 3})
    assert store.scalar("select count(*) from messages") == 1
    assert store.scalar("select count(*) from attachments") == 0
    assert accounts.cursors(store, "mail") == {"INBOX": {"uid": 1}}


def test_cursor_is_written_with_its_page(store: Store, ingest: Ingest) -> None:
    save(ingest, email(1), cursor={"uid": 7})
    assert accounts.cursors(store, "mail") == {"INBOX": {"uid": 7}}


def test_a_record_that_breaks_filing_is_kept_raw_and_the_page_goes_on(
    store: Store, ingest: Ingest
) -> None:
    broken = email(1, raw=b"raw bytes")
    broken.sender = "not a person"  # type: ignore[assignment]
    counts = save(ingest, broken, email(2))
    assert (counts.new, counts.unreadable) == (1, 1)
    row = store.one("select status, problem, raw from messages where external_id = 'm1'")
    assert row["status"] == "unreadable" and row["raw"] == b"raw bytes"
    assert "Banco could not file this" in row["problem"]
    assert store.scalar("select count(*) from messages") == 2


def test_store_files_are_private(store: Store) -> None:
    assert store.path.stat().st_mode & 0o777 == 0o600
    assert store.attachments.stat().st_mode & 0o777 == 0o700


def test_the_same_message_id_in_the_same_direction_is_one_message(
    store: Store, ingest: Ingest
) -> None:
    mine = email(1, "me@shop.example", direction="out", external_id="outbox:1")
    save(ingest, mine)
    # Found again in the Sent folder under its folder id, and as a copy the maker sent herself.
    save(ingest, email(1, "me@shop.example", direction="out", external_id="Sent/7"), stream="Sent")
    save(ingest, email(1, "me@shop.example", external_id="INBOX/9"))
    assert store.scalar("select count(*) from messages") == 1
    # A customer's message with the same id as one of ours is not ours.
    save(ingest, email(1, "ann@example.com", external_id="INBOX/10"))
    assert store.scalar("select count(*) from messages") == 2


def test_a_deep_link_claims_the_order_for_the_chat(store: Store, ingest: Ingest) -> None:
    save(ingest, form_row())
    token = store.scalar("select token from orders")
    start = Record(
        "tg:1",
        "telegram",
        sender=Person("Ann R", [Handle("telegram", "777")]),
        text=f"/start {token}",
        order_ref=token,
        conversation="chat:777",
    )
    save(ingest, start)
    later = Record(
        "tg:2",
        "telegram",
        sender=Person("Ann R", [Handle("telegram", "777")]),
        text="Here are the colours",
        conversation="chat:777",
    )
    save(ingest, later)
    assert store.scalar("select count(*) from contacts") == 1
    assert store.scalar("select count(*) from orders") == 1
    assert {r["order_id"] for r in rows(store, "select order_id from messages")} == {1}
    assert store.scalar("select contact_id from handles where kind = 'telegram'") == 1


def test_reply_headers_win_over_a_quoted_reference(store: Store, ingest: Ingest) -> None:
    save(ingest, email(1), email(2, "bob@example.com"))
    save(
        ingest,
        email(3, "bob@example.com", text="like Ann's order B-0001", reply_keys=("m2@example.com",)),
    )
    assert store.scalar("select order_id from messages where external_id = 'm3'") == 2


def test_a_records_fingerprint_is_the_one_stores_already_hold() -> None:
    # Stored records carry these: a change here would show every record read again as edited.
    mail = Record("a", "email", subject="Tazze è", text="Ciao\nvorrei 2 tazze")
    assert mail.fingerprint() == "f37938791710b4a4443e2bf22b8cfd213bf7c24cfa00524a10b694aaf68da087"
    answer = Record(
        "f",
        "form",
        order=OrderFields(title="Mugs", deadline=date(2026, 12, 1), quantity=2),
        attachments=[Attachment("a.png", "image/png", 3, b"abc")],
    )
    assert answer.fingerprint() == (
        "43bbaa2b12247463a4d5fd0d3f6fd40363b6bf282b9752bdcfdd38805bfdf8c0"
    )
    assert Record("a", "email", subject="Tazze è", text="Ciao").fingerprint() != mail.fingerprint()
