"""Replies go through the outbox: written before sending, marked after, never lost or doubled."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from crashed import crash_while_sending
from listsource import ListConnector

from banco.connectors import Registry
from banco.inbox.collect.sync import collect
from banco.inbox.replies.outbox import OutboxError, deliver, queue_reply


@pytest.fixture
def registry(registry: Registry) -> Registry:
    return Registry(kinds={**registry.kinds, "list": ListConnector})  # type: ignore[dict-item]


ITEMS = [
    {
        "id": "a1",
        "at": "2026-11-18T10:00:00+00:00",
        "from": "ann@example.com",
        "name": "Ann",
        "subject": "Six mugs",
        "text": "Could you make six mugs?",  # an inquiry: it opens an order (triage)
    },
    {
        "id": "a2",
        "at": "2026-11-19T10:00:00+00:00",
        "from": "ann@example.com",
        "subject": "Re: Six mugs",
    },
]


def make(write_shop, open_shop, **settings: object):
    extra = "".join(f"{k} = {json.dumps(v)}\n" for k, v in settings.items())
    home = write_shop(f'\n[[accounts]]\nname = "mail"\nkind = "list"\npath = "items.json"\n{extra}')
    (home / "items.json").write_text(json.dumps(ITEMS))
    shop = open_shop(home)
    collect(shop)
    return shop, home


def peer(home: Path) -> list[dict]:
    path = home / "items.sent.json"
    return json.loads(path.read_text()) if path.exists() else []


def test_a_reply_goes_out_once_and_joins_the_conversation(write_shop, open_shop) -> None:
    shop, home = make(write_shop, open_shop)
    outbox_id = queue_reply(shop, 2, "Yes, six blue mugs by Friday.")
    [result] = deliver(shop)
    assert result.status == "sent"
    [sent] = peer(home)
    assert sent["to"] == "ann@example.com"
    assert sent["subject"] == "Re: Six mugs [B-0001]"
    assert sent["in_reply_to"] == "a2@test" and sent["references"] == ["a2@test"]
    assert sent["key"].startswith("banco.") and sent["key"].endswith("@shop.example")
    row = shop.store.one("select * from outbox where id = ?", [outbox_id])
    assert row["status"] == "sent" and row["attempts"] == 1
    reply = shop.store.one("select * from messages where id = ?", [row["message_id"]])
    assert (reply["direction"], reply["order_id"]) == ("out", 1)
    assert shop.store.scalar("select count(*) from messages where waiting = 1") == 0
    assert deliver(shop) == []  # nothing is sent twice


def test_a_refused_reply_fails_visibly_and_is_not_retried(write_shop, open_shop) -> None:
    shop, home = make(write_shop, open_shop, send_fail="rejected")
    queue_reply(shop, 2, "Hello")
    [result] = deliver(shop)
    assert (result.status, result.error) == ("failed", "the customer blocked this chat")
    assert deliver(shop) == [] and peer(home) == []


@pytest.mark.parametrize(
    ("failure", "prefix"), [("try_later", "will retry"), ("needs_user", "needs you")]
)
def test_a_reply_that_cannot_go_now_stays_queued(write_shop, open_shop, failure, prefix) -> None:
    shop, home = make(write_shop, open_shop, send_fail=failure)
    outbox_id = queue_reply(shop, 2, "Hello")
    for _ in range(3):
        [result] = deliver(shop)
        assert result.status == "queued"
    row = shop.store.one("select status, error, attempts from outbox where id = ?", [outbox_id])
    assert row["status"] == "queued" and row["error"].startswith(prefix) and row["attempts"] == 3
    toml = home / "banco.toml"
    toml.write_text(toml.read_text().replace(f'send_fail = "{failure}"', ""))
    [result] = deliver(open_shop(home))
    assert result.status == "sent" and len(peer(home)) == 1


def test_after_a_crash_a_channel_that_can_tell_never_sends_twice(write_shop, open_shop) -> None:
    shop, home = make(write_shop, open_shop)
    first = queue_reply(shop, 2, "Hello")
    deliver(shop)
    crash_while_sending(shop, first)  # it did go out, but was not marked
    second = queue_reply(shop, 1, "Hello again")
    crash_while_sending(shop, second)  # it never went out
    results = {r.outbox_id: r.status for r in deliver(shop)}
    # Proven by the channel: sent. Not found there: that proves nothing, the maker decides.
    assert results == {first: "sent", second: "may_have_been_sent"}
    assert [s["text"] for s in peer(home)] == ["Hello"]


def test_banco_stopping_while_the_channel_keeps_its_copy_leaves_the_reply_sent(
    write_shop, open_shop
) -> None:
    shop, home = make(write_shop, open_shop, stop_while_keeping_copy=True)
    outbox_id = queue_reply(shop, 2, "Hello")
    with pytest.raises(SystemExit):
        deliver(shop)
    shop = open_shop(home)  # Banco starts again
    assert shop.store.scalar("select status from outbox where id = ?", [outbox_id]) == "sent"
    assert deliver(shop) == []
    assert [s["text"] for s in peer(home)] == ["Hello"]


def test_after_a_crash_a_channel_that_cannot_tell_asks_the_maker(
    write_shop, open_shop, run
) -> None:
    shop, home = make(write_shop, open_shop, knows_sent=False)
    outbox_id = queue_reply(shop, 2, "Hello")
    crash_while_sending(shop, outbox_id)
    [result] = deliver(shop)
    assert result.status == "may_have_been_sent" and peer(home) == []
    listing = run("--home", str(home), "outbox")
    assert "may have been sent" in listing.output and "look at the chat" in listing.output
    assert run("--home", str(home), "outbox", "resend", str(outbox_id)).exit_code == 0
    assert run("--home", str(home), "outbox", "send").exit_code == 0
    assert len(peer(home)) == 1


def test_automatic_replies_are_guarded(write_shop, open_shop) -> None:
    shop, _ = make(write_shop, open_shop)
    queue_reply(shop, 1, "Thanks, I will answer at 17:00.", auto=True)
    with pytest.raises(OutboxError, match="already had an automatic message today"):
        queue_reply(shop, 2, "Thanks again", auto=True)
    shop.store.db.execute("update messages set auto = 'auto_reply' where id = 2")
    with pytest.raises(OutboxError, match="never answers an automatic message"):
        queue_reply(shop, 2, "Thanks", auto=True)


def test_reply_from_the_command_line(write_shop, open_shop, run) -> None:
    _, home = make(write_shop, open_shop)
    result = run("--home", str(home), "messages", "reply", "2", "--text", "On my way")
    assert result.exit_code == 0 and "sent" in result.output
    assert peer(home)[0]["text"] == "On my way"
    queued = run("--home", str(home), "messages", "reply", "1", "--text", "Later", "--queue")
    assert "queued" in queued.output
    assert run("--home", str(home), "outbox", "cancel", "2").exit_code == 0
    assert run("--home", str(home), "outbox", "send").output.strip() == "Nothing to send."
    bad = run("--home", str(home), "messages", "reply", "99", "--text", "x")
    assert bad.exit_code == 1 and "no message 99" in bad.output
    empty = run("--home", str(home), "messages", "reply", "1", "--text", "  ")
    assert empty.exit_code == 1 and "the reply is empty" in empty.output
    again = run("--home", str(home), "outbox", "cancel", "1")
    assert again.exit_code == 1 and "cannot be cancelled" in again.output


def test_a_form_answer_is_answered_by_email(write_shop, open_shop, tmp_path) -> None:
    from sources import CsvSource

    form = CsvSource(tmp_path / "answers.csv", 1)
    shop, home = make(write_shop, open_shop)
    (home / "banco.toml").write_text(
        (home / "banco.toml").read_text() + f'\n[[accounts]]\nname = "form"\n{form.account()}'
    )
    shop = open_shop(home)
    collect(shop)
    form_message = shop.store.scalar("select id from messages where channel = 'form'")
    queue_reply(shop, form_message, "Grazie! Ecco il preventivo.")
    [result] = deliver(shop)
    assert result.status == "sent"
    [sent] = peer(home)
    assert sent["to"] == "c0@example.com" and sent["subject"].startswith("Re: Order form")


def test_automatic_replies_never_go_to_no_reply_addresses(write_shop, open_shop) -> None:
    shop, home = make(write_shop, open_shop)
    shop.store.db.execute(
        "update messages set sender_handle = 'no-reply@shop.example' where id = 1"
    )
    with pytest.raises(OutboxError, match="does not take replies"):
        queue_reply(shop, 1, "Thanks!", auto=True)
