"""The reply session: the batch, the maker's decisions, and `banco reply` driven through its input.

The shop collects from a test connector (tests/listsource.py) that records what it "sent", so each
test can check what the customer received.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import click
import pytest
from click.testing import CliRunner
from listsource import ListConnector
from sessions import ITEMS, Script, make, peer

from banco.connectors import Registry
from banco.inbox.clock import FixedClock
from banco.inbox.collect.sync import collect
from banco.inbox.replies.outbox import OutboxError, deliver
from banco.inbox.replies.session import (
    ReplyError,
    SessionItem,
    answer,
    batch_place,
    change_status,
    load_item,
    no_reply_needed,
    prepare_session,
    session_batch,
    set_price,
    snooze,
    waiting_for,
)
from banco.inbox.replies.templates import templates_dir
from banco.inbox.replies.terminal import run_terminal_session
from banco.inbox.shop import Shop
from banco.inbox.store.messages import waiting_unanswered
from banco.inbox.store.queries import waiting_count


@pytest.fixture
def registry(registry: Registry) -> Registry:
    return Registry(kinds={**registry.kinds, "list": ListConnector})  # type: ignore[dict-item]


def ids(item: SessionItem) -> list[str]:
    return [m["subject"] for m in item.messages]


def waiting(shop: Shop) -> dict[str, int]:
    rows = shop.store.all("select external_id, waiting from messages where direction = 'in'")
    return {row["external_id"]: row["waiting"] for row in rows}


# The batch ----------------------------------------------------------------------------------------
def test_the_batch_is_grouped_by_order_oldest_first(write_shop, open_shop) -> None:
    shop, _ = make(write_shop, open_shop)
    ann, bob, chiara = prepare_session(shop)
    assert [item.key for item in (ann, bob, chiara)] == ["o1", "o2", "o3"]
    assert ids(ann) == ["Six mugs", "Re: Six mugs"] and ann.latest["text"].startswith("And could")
    assert ann.order is not None and ann.order["ref"] == "B-0001"
    assert ann.contact is not None and ann.contact["name"] == "Ann Lee"
    assert ann.context == []
    assert [(m["direction"], m["text"][:6]) for m in bob.context] == [
        ("in", "Hi, I "),
        ("out", "Hi Bob"),
    ]
    assert ann.suggestion.purpose == "ask_details" and ann.suggestion.language == "en"
    assert ann.suggestion.text.startswith("Hi Ann,\n\n") and "B-0001" in ann.suggestion.text
    assert chiara.suggestion.language == "it" and chiara.suggestion.text.startswith("Ciao Chiara")
    assert shop.store.scalar("select language from contacts where name = 'Chiara Bianchi'") == "it"
    again = load_item(shop, "o2")
    assert again is not None and again.messages == bob.messages and again.key == "o2"
    assert load_item(shop, "o9") is None


def test_a_message_without_an_order_is_an_item_of_its_own(write_shop, open_shop) -> None:
    shop, _ = make(write_shop, open_shop)
    shop.store.db.execute("update messages set order_id = null where external_id = 'c1'")
    chiara = prepare_session(shop)[-1]
    assert chiara.key.startswith("m") and chiara.order is None
    assert chiara.suggestion.purpose == "acknowledge"
    with pytest.raises(Exception, match="has no order"):
        change_status(shop, chiara, "quoted")


def test_the_context_is_the_last_ten_earlier_messages(write_shop, open_shop) -> None:
    shop, _ = make(write_shop, open_shop)
    for n in range(12):
        shop.store.insert(
            "messages",
            {
                "account": "mail",
                "channel": "telegram",
                "external_id": f"t{n}",
                "direction": "out",
                "order_id": 1,
                "sent_at": f"2026-11-17T{10 + n:02d}:00:00+00:00",
                "collected_at": "2026-11-17T10:00:00+00:00",
                "text": f"note {n}",
                "status": "ok",
            },
        )
    ann = prepare_session(shop)[0]
    assert [m["text"] for m in ann.context] == [f"note {n}" for n in range(2, 12)]
    assert {m["channel"] for m in ann.context} == {"telegram"}


# The maker's decisions ----------------------------------------------------------------------------
def test_an_answer_goes_back_once_and_settles_the_whole_order(write_shop, open_shop) -> None:
    shop, home = make(write_shop, open_shop)
    ann = prepare_session(shop)[0]
    outbox_id = answer(shop, ann, "Hi Ann, yes: six blue mugs by Christmas.")
    assert [i.key for i in prepare_session(shop)] == ["o2", "o3"]  # in the outbox: not asked again
    assert waiting(shop)["a1"] == 1  # not sent yet: still waiting
    [result] = deliver(shop, [outbox_id])
    assert result.status == "sent"
    [sent] = peer(home)
    assert sent["to"] == "ann@example.com" and sent["subject"] == "Re: Six mugs [B-0001]"
    assert sent["text"].startswith("Hi Ann, yes")
    assert waiting(shop) == {"a1": 0, "a2": 0, "b1": 0, "b2": 1, "c1": 1}
    handled = shop.store.all("select handled_how from messages where external_id in ('a1', 'a2')")
    assert {row["handled_how"] for row in handled} == {"replied"}
    assert deliver(shop, []) == []  # never "everything in the outbox"


def test_a_message_that_arrives_before_the_reply_goes_out_still_waits(
    write_shop, open_shop, clock: FixedClock
) -> None:
    """The maker answered what she saw; Ann's newer message must not count as answered."""
    shop, home = make(write_shop, open_shop)
    outbox_id = answer(shop, prepare_session(shop)[0], "Hi Ann, yes: six blue mugs.")
    more = {"id": "a3", "at": "2026-11-20T08:30:00+00:00", "from": "ann@example.com"}
    (home / "items.json").write_text(json.dumps([*ITEMS, {**more, "text": "Also a jug!"}]))
    clock.at += timedelta(minutes=1)  # it comes after she wrote
    collect(shop)
    deliver(shop, [outbox_id])
    assert waiting(shop) == {"a1": 0, "a2": 0, "a3": 1, "b1": 0, "b2": 1, "c1": 1}
    bob, chiara, ann = prepare_session(shop)  # Ann's waiting message is now the newest
    assert ann.key == "o1" and [m["text"] for m in ann.messages] == ["Also a jug!"]
    assert [m["text"] for m in ann.context][-1] == "Hi Ann, yes: six blue mugs."


def test_an_item_answered_meanwhile_is_not_answered_twice(write_shop, open_shop) -> None:
    shop, home = make(write_shop, open_shop)
    ann = prepare_session(shop)[0]  # the terminal has it on screen...
    elsewhere = load_item(shop, "o1")  # ...and the Telegram chat too
    assert elsewhere is not None
    answer(shop, elsewhere, "Hi Ann, answered from my phone.")
    with pytest.raises(ReplyError, match="answered meanwhile"):
        answer(shop, ann, "Hi Ann, answered from the terminal.")

    def answer_bob_from_the_phone() -> str:
        bob = load_item(shop, "o2")
        assert bob is not None
        answer(shop, bob, "Hi Bob, from my phone.")
        return "a"

    maker = Script([answer_bob_from_the_phone, "q"])  # Bob is on screen; then quit at Chiara
    maker.run(shop)
    assert maker.lines[0] == "2 messages waiting, from 2 customers."  # Ann's is in the outbox
    assert "This message was answered meanwhile, so nothing more is sent." in maker.output
    assert maker.output.count("Queued:") == 0 and peer(home) == []


def test_an_empty_answer_is_refused(write_shop, open_shop) -> None:
    shop, _ = make(write_shop, open_shop)
    with pytest.raises(OutboxError, match="empty"):
        answer(shop, prepare_session(shop)[0], "   ")


def test_snooze_hides_the_item_until_the_next_reply_slot(
    write_shop, open_shop, clock: FixedClock
) -> None:
    shop, _ = make(write_shop, open_shop)
    ann = prepare_session(shop)[0]
    until = snooze(shop, ann)
    assert until == datetime(2026, 11, 20, 16, 0, tzinfo=UTC)  # 17:00 in Rome
    assert [i.key for i in prepare_session(shop)] == ["o2", "o3"]
    clock.at = until - timedelta(minutes=1)
    assert "o1" not in [i.key for i in prepare_session(shop)]
    clock.at = until
    back = prepare_session(shop)
    assert [i.key for i in back] == ["o1", "o2", "o3"] and ids(back[0]) == ids(ann)


def test_a_snoozed_order_comes_back_when_the_customer_writes_again(
    write_shop, open_shop, clock
) -> None:
    shop, home = make(write_shop, open_shop)
    snooze(shop, prepare_session(shop)[0])
    more = {"id": "a3", "at": "2026-11-20T08:30:00+00:00", "from": "ann@example.com"}
    (home / "items.json").write_text(json.dumps([*ITEMS, {**more, "text": "Also a jug!"}]))
    collect(shop)
    ann = prepare_session(shop)[0]
    assert ann.key == "o1" and [m["text"] for m in ann.messages][-1] == "Also a jug!"
    assert len(ann.messages) == 3


def test_the_counted_batch_agrees_with_the_batch_read_whole(
    write_shop, open_shop, clock: FixedClock
) -> None:
    """The page reads only the item it shows and counts the rest from what the store keeps
    (store/batch.py): the same items, in the same order, with the same messages, the same
    counts and places (skipped items aside) as the batch read message by message, through
    snoozes, a message without an order, a new sender and a reply on its way."""
    shop, _ = make(write_shop, open_shop)

    def same() -> list[str]:
        whole = session_batch(shop)
        keys, total = [w.key for w in whole], sum(len(w.messages) for w in whole)
        for waiting in whole:
            found = waiting_for(shop, waiting.key)
            assert found is not None and found.messages == waiting.messages
        # the page's place in the batch, read without the batch, says the same
        for skipped in ([], keys[:1], keys[1:3], keys):
            ahead = [key for key in keys if key not in skipped]
            place = batch_place(shop, [*skipped, "o999", "m999"])
            assert (place.remaining, place.total_messages) == (len(ahead), total)
            assert place.skipped == len(keys) - len(ahead)
            assert (place.shown and place.shown.key, place.position) == (
                (ahead[0], 1) if ahead else (None, None)
            )
            for key in keys:
                chosen = batch_place(shop, skipped, key)
                assert chosen.shown is not None and chosen.shown.key == key
                assert chosen.position == (ahead.index(key) + 1 if key in ahead else None)
        return keys

    assert same() == ["o1", "o2", "o3"]
    shop.store.db.execute("update messages set order_id = null where external_id = 'c1'")
    [chiara] = [k for k in same() if k.startswith("m")]
    shop.store.db.execute("update messages set new_sender = 1 where external_id = 'a2'")
    assert len(same()) == 4  # Ann's second message is answered on its own
    until = snooze(shop, prepare_session(shop)[0])
    assert "o1" not in same() and waiting_for(shop, "o1") is None
    clock.at = until
    assert "o1" in same()
    answer(shop, load_item(shop, "o2"), "Thanks Bob!")  # on its way: no longer in the batch
    assert "o2" not in same() and waiting_for(shop, "o2") is None
    assert waiting_for(shop, "x1") is None and waiting_for(shop, "o") is None
    assert chiara in same()


def test_the_waiting_count_leaves_out_what_the_outbox_answers(write_shop, open_shop) -> None:
    """The digest's count of waiting messages (counted from the outbox's side) agrees with the
    session's (a message with a reply on its way is answered), reply by reply."""
    shop, _ = make(write_shop, open_shop)

    def agree() -> int:
        count = waiting_count(shop.store)
        assert count == len(waiting_unanswered(shop.store))
        return count

    assert agree() == 4
    answer(shop, load_item(shop, "o1"), "Thanks Ann!")  # both of Ann's messages
    assert agree() == 2
    shop.store.db.execute("update outbox set status = 'may_have_been_sent'")
    assert agree() == 2
    shop.store.db.execute("update outbox set status = 'refused'")
    assert agree() == 4


def test_without_reply_slots_snooze_is_four_hours(write_shop, open_shop, clock) -> None:
    shop, _ = make(write_shop, open_shop, schedule="")
    assert snooze(shop, prepare_session(shop)[0]) == clock.now() + timedelta(hours=4)


def test_no_reply_needed(write_shop, open_shop, clock) -> None:
    shop, home = make(write_shop, open_shop)
    ann = prepare_session(shop)[0]
    no_reply_needed(shop, ann)
    rows = shop.store.all(
        "select waiting, handled_at, handled_how from messages where order_id = 1"
    )
    assert {(r["waiting"], r["handled_at"], r["handled_how"]) for r in rows} == {
        (0, "2026-11-20T09:00:00+00:00", "no_reply")
    }
    assert [i.key for i in prepare_session(shop)] == ["o2", "o3"] and peer(home) == []


def test_a_status_change_and_a_price_change_the_suggestion(write_shop, open_shop) -> None:
    shop, _ = make(write_shop, open_shop)
    bob = prepare_session(shop)[1]
    quoted = set_price(shop, change_status(shop, bob, "quoted"), 45)
    assert quoted.order is not None and quoted.order["status"] == "quoted"
    assert quoted.suggestion.purpose == "quote" and "price: €45" in quoted.suggestion.text
    events = shop.store.all("select kind, to_status from order_events where order_id = 2")
    assert ("status", "quoted") in [(e["kind"], e["to_status"]) for e in events]


def test_a_session_accept_edit_and_snooze(write_shop, open_shop) -> None:
    shop, home = make(write_shop, open_shop)
    edited = "Hi Bob,\n\n30 cm is perfect: €45.\n# a note to myself\n\nGiulia\n"
    maker = Script(["a", "e", "a", "z"], edits=[edited])
    summary = maker.run(shop)
    out = maker.output
    assert out.splitlines()[0] == "4 messages waiting, from 3 customers."
    assert "B-0001 · Six mugs · new inquiry" in out and "Ann Lee · ann@example.com · email" in out
    assert "Waiting (2):" in out and "    And could they be ready by Christmas?" in out
    assert "Suggested reply (ask for details, in English):" in out
    assert "(1 quoted line not shown)" in out and "The conversation so far:" in out
    assert "# > About 30 cm please." in maker.editor[0]  # the customer's words, for reference
    ann, bob = peer(home)
    assert (
        ann["text"].startswith("Hi Ann,\n\nThank you for your message") and "B-0001" in ann["text"]
    )
    assert bob["text"] == "Hi Bob,\n\n30 cm is perfect: €45.\n\nGiulia\n"
    assert summary.count("sent") == 2 and len(summary.snoozed) == 1
    assert "2 sent" in out and "1 snoozed to 17:00" in out
    assert waiting(shop) == {"a1": 0, "a2": 0, "b1": 0, "b2": 0, "c1": 1}
    assert [i.key for i in prepare_session(shop)] == []  # Chiara's comes back at 17:00


def test_a_session_template_language_status_and_price(write_shop, open_shop) -> None:
    shop, home = make(write_shop, open_shop)
    maker = Script(["t", "3 it", "o", "3", "180", "a", "q"])
    summary = maker.run(shop)
    [sent] = peer(home)
    assert sent["text"].startswith("Ciao Ann,") and "prezzo: 180\u00a0€" in sent["text"]
    assert shop.store.scalar("select language from contacts where name = 'Ann Lee'") == "it"
    order = shop.store.one("select status, price from orders where id = 1")
    assert order == {"status": "quoted", "price": 180.0}
    assert "B-0001 is now quote sent." in maker.output
    assert summary.status_changes == 1 and summary.not_reached == 2
    assert (
        "1 sent" in maker.output and "2 not reached: they wait for the next session" in maker.output
    )


def test_a_session_skip_no_reply_and_wrong_keys(write_shop, open_shop) -> None:
    shop, home = make(write_shop, open_shop)
    maker = Script(["x", "n", "t", "12", "o", "", "s", "q"])
    summary = maker.run(shop)
    out = maker.output
    assert "[a] accept and send" in out and "Pick a number from 1 to 10" in out  # ten templates
    assert "The status is unchanged." in out
    assert (summary.no_reply, summary.skipped, summary.not_reached) == (1, 1, 1)
    assert "No replies sent." in out and "1 marked as needing no reply" in out
    assert "1 skipped: still waiting" in out and peer(home) == []
    assert [i.key for i in prepare_session(shop)] == ["o2", "o3"]


def test_an_editor_closed_without_saving_keeps_the_suggestion(write_shop, open_shop) -> None:
    shop, home = make(write_shop, open_shop)
    maker = Script(["e", "e", "a", "q"], edits=[None, "# only comments\n"])
    maker.run(shop)
    assert "Nothing changed." in maker.output and "The reply was empty" in maker.output
    assert peer(home)[0]["text"].startswith("Hi Ann,")


def test_replies_are_delivered_even_after_ctrl_c(write_shop, open_shop) -> None:
    shop, home = make(write_shop, open_shop, send_fail="try_later")
    maker = Script(["a", click.Abort()])
    summary = maker.run(shop)
    assert [d.status for d in summary.deliveries] == ["queued"] and peer(home) == []
    assert "1 kept in the outbox: will retry (the server is busy)" in maker.output
    assert "2 not reached" in maker.output
    # Ann's reply is still on its way: the next session does not ask for it again.
    again = Script(["q"])
    again.run(shop)
    assert again.lines[0] == "2 messages waiting, from 2 customers."
    assert "1 earlier reply still in the outbox" in again.output


def test_a_refused_reply_is_said_plainly(write_shop, open_shop) -> None:
    shop, _ = make(write_shop, open_shop, send_fail="rejected")
    maker = Script(["a", "q"])
    maker.run(shop)
    assert "1 refused (the customer blocked this chat)" in maker.output


def test_a_broken_template_of_the_maker_is_reported_in_the_session(write_shop, open_shop) -> None:
    shop, home = make(write_shop, open_shop)
    own = templates_dir(shop) / "en" / "ask_details.txt"
    own.parent.mkdir(parents=True)
    own.write_text("Hi {{ name }}\n")
    maker = Script(["a", "q"])
    maker.run(shop)
    assert "! Your template templates/en/ask_details.txt, line 1:" in maker.output
    assert peer(home)[0]["text"].startswith("Hi Ann,\n\nThank you")


def test_nothing_waiting(write_shop, open_shop) -> None:
    shop, _ = make(write_shop, open_shop)
    shop.store.db.execute("update messages set waiting = 0")
    maker = Script([])
    summary = maker.run(shop)
    assert maker.lines == ["No messages waiting: nothing to answer."] and summary.items == 0


def test_the_session_runs_with_clicks_own_prompt(write_shop, open_shop) -> None:
    """How the CLI wires it: click.echo, click.prompt and click.edit, reading the keyboard."""
    shop, home = make(write_shop, open_shop)

    @click.command()
    def reply() -> None:
        run_terminal_session(shop, click.echo, click.prompt, click.edit)

    result = CliRunner().invoke(reply, input="o\n\ns\na\n")  # then the keyboard closes
    assert result.exit_code == 0, result.output
    assert "Your choice: o" in result.output and "Status number: \n" in result.output
    assert "1 sent" in result.output and "1 skipped" in result.output
    assert "1 not reached" in result.output and len(peer(home)) == 1
