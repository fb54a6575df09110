"""The maker decides what Banco cannot know: a reply that may have been sent, a message that came
after her reply was written, a reply scheduled for later, a reply no account can send. And over
any run of sends, crashes and lost answers, a reply reaches the customer at most once unless
she chose to send it again."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from crashed import DEAD_CLAIM, outbox_status
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from listsource import ListConnector
from sessions import ITEMS, Script, make, peer

from banco.connectors import Registry
from banco.inbox.clock import FixedClock
from banco.inbox.collect.sync import collect
from banco.inbox.replies.outbox import OutboxError, decide, deliver, queue_reply
from banco.inbox.replies.session import prepare_session
from banco.inbox.replies.when import WhenError, parse_send_time
from banco.inbox.routines import day as routines


@pytest.fixture
def registry(registry: Registry) -> Registry:
    return Registry(kinds={**registry.kinds, "list": ListConnector})  # type: ignore[dict-item]


def set_send_fail(home: Path, failure: str) -> None:
    """How the peer behaves from now on (see ListConnector.send)."""
    toml = home / "banco.toml"
    lines = [line for line in toml.read_text().splitlines() if not line.startswith("send_fail")]
    toml.write_text("\n".join(lines) + (f'\nsend_fail = "{failure}"\n' if failure else "\n"))


# A reply that may have been sent -----------------------------------------------------------------
@pytest.mark.parametrize(("choice", "copies", "state"), [("m", 1, "sent"), ("r", 2, "sent")])
def test_the_session_asks_the_maker_about_a_reply_that_may_have_been_sent(
    write_shop, open_shop, choice: str, copies: int, state: str
) -> None:
    shop, home = make(write_shop, open_shop, send_fail="lost_answer", knows_sent=False)
    outbox_id = queue_reply(shop, 2, "Six blue mugs, yes.")
    [delivery] = deliver(shop)
    assert delivery.status == "may_have_been_sent" and len(peer(home)) == 1
    assert deliver(shop) == [] and len(peer(home)) == 1  # never again by itself
    set_send_fail(home, "")
    shop = open_shop(home)
    maker = Script([choice, "q"])
    summary = maker.run(shop)
    assert "may have been sent: the server did not answer" in maker.output
    assert "    Six blue mugs, yes." in maker.output
    assert len(peer(home)) == copies and outbox_status(shop, outbox_id) == state
    assert summary.count("sent") == (1 if choice == "r" else 0)


def test_a_channel_that_proves_it_went_out_settles_it_by_itself(write_shop, open_shop) -> None:
    shop, home = make(write_shop, open_shop, send_fail="lost_answer")
    outbox_id = queue_reply(shop, 2, "Six blue mugs, yes.")
    assert [d.status for d in deliver(shop, [outbox_id])] == ["may_have_been_sent"]
    assert [d.status for d in deliver(shop)] == ["sent"]  # the peer holds its Message-ID
    assert len(peer(home)) == 1 and outbox_status(shop, outbox_id) == "sent"
    [reply] = shop.store.all("select text from messages where direction = 'out' and id > 6")
    assert reply["text"] == "Six blue mugs, yes."


def test_deciding_later_leaves_it_for_the_maker(write_shop, open_shop, run) -> None:
    shop, home = make(write_shop, open_shop, send_fail="no_answer")
    outbox_id = queue_reply(shop, 2, "Six blue mugs, yes.")
    deliver(shop)
    maker = Script(["k", "q"])
    maker.run(shop)
    assert (
        "Left as it is" in maker.output and outbox_status(shop, outbox_id) == "may_have_been_sent"
    )
    listing = run("--home", str(home), "outbox").output
    assert "may have been sent" in listing and "banco outbox mark-sent ID" in listing
    refused = run("--home", str(home), "outbox", "cancel", "99")
    assert refused.exit_code == 1 and "no reply 99" in refused.output
    again = run("--home", str(home), "outbox", "mark-sent", str(outbox_id))
    assert again.exit_code == 0
    twice = run("--home", str(home), "outbox", "mark-sent", str(outbox_id))
    assert twice.exit_code == 1 and "it cannot be marked sent" in twice.output


# A message that came after the reply was written ---------------------------------------------------
def test_a_message_collected_after_the_reply_was_written_still_waits_and_the_session_says_so(
    write_shop, open_shop, clock: FixedClock
) -> None:
    shop, home = make(write_shop, open_shop)
    queued = queue_reply(shop, 4, "Yes, by Christmas.")  # Ann's a2, on order B-0001
    # Written before the reply (an earlier Date), collected after it: the maker never saw it.
    late = {
        "id": "a3",
        "at": "2026-11-19T08:30:00+00:00",
        "from": "ann@example.com",
        "subject": "Re: Six mugs",
        "text": "Urgent: I need them by Saturday!",
    }
    (home / "items.json").write_text(json.dumps([*ITEMS, late]))
    clock.at += timedelta(minutes=5)
    collect(shop)
    [ann] = [item for item in prepare_session(shop) if item.key == "o1"]
    assert [m["text"] for m in ann.messages] == ["Urgent: I need them by Saturday!"]
    assert [p["id"] for p in ann.pending] == [queued]
    maker = Script(["s", "q"])
    maker.run(shop)
    assert f"! You wrote reply {queued} to this order (queued) before this message came" in (
        maker.output
    )


# Scheduled replies -------------------------------------------------------------------------------
def test_a_scheduled_reply_waits_for_its_time_and_can_be_cancelled(
    write_shop, open_shop, run, clock: FixedClock
) -> None:
    shop, home = make(write_shop, open_shop)
    said = run("--home", str(home), "messages", "reply", "4", "--text", "Yes!", "--at", "domani 9")
    # the fixed clock is 2026-11-20 10:00 in Rome: tomorrow 09:00 is 08:00 UTC
    assert said.exit_code == 0 and "scheduled for 2026-11-21 09:00" in said.output, said.output
    later = run(
        "--home", str(home), "messages", "reply", "6", "--text", "Sì!", "--at", "sabato alle 10"
    )
    assert later.exit_code == 0
    listing = run("--home", str(home), "outbox").output
    assert "scheduled for 2026-11-21 09:00" in listing
    assert run("--home", str(home), "outbox", "send").output.strip() == "Nothing to send."
    assert [item.key for item in prepare_session(shop)] == ["o2"]  # answered, if not yet sent
    assert run("--home", str(home), "outbox", "cancel", "2").exit_code == 0

    clock.at = datetime(2026, 11, 21, 7, 59, tzinfo=UTC)
    routines.each_minute(shop)
    assert peer(home) == []
    clock.at = datetime(2026, 11, 21, 8, 0, tzinfo=UTC)
    routines.each_minute(shop)
    assert [p["text"] for p in peer(home)] == ["Yes!"]
    clock.at = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)  # the cancelled one never goes
    routines.each_minute(shop)
    assert [p["text"] for p in peer(home)] == ["Yes!"]


def test_the_session_schedules_a_reply(write_shop, open_shop) -> None:
    shop, home = make(write_shop, open_shop)
    maker = Script(["l", "25:00", "l", "tomorrow 09:00", "q"])
    summary = maker.run(shop)
    assert "25:00 is not a time of day" in maker.output
    assert "Scheduled for tomorrow 09:00; `banco outbox cancel 1` cancels it" in maker.output
    assert summary.deliveries == [] and peer(home) == []
    assert "Reply 1 scheduled for tomorrow 09:00" in maker.output


def test_a_bad_time_is_one_plain_line(write_shop, open_shop, run) -> None:
    _, home = make(write_shop, open_shop)
    for bad in ('"', "ieri", "tomorrow 25:00", "2020-01-01 10:00"):
        said = run("--home", str(home), "messages", "reply", "4", "--text", "Yes", "--at", bad)
        assert said.exit_code == 1 and len(said.output.strip().splitlines()) == 1, said.output
    assert run("--home", str(home), "outbox", "--json").output.strip() == "[]"  # nothing queued


ZONE_NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_any_text_is_a_time_to_come_or_a_plain_refusal(text: str) -> None:
    from datetime import time
    from zoneinfo import ZoneInfo

    try:
        moment = parse_send_time(text, ZONE_NOW, ZoneInfo("Europe/Rome"), ["it", "fr"], time(9))
    except WhenError as e:
        assert str(e) and "\n" not in str(e)
    else:
        assert moment.tzinfo is not None and moment > ZONE_NOW


# A reply no account can send -----------------------------------------------------------------------
def test_a_reply_no_account_can_send_is_refused_when_written(
    write_shop, open_shop, run, tmp_path: Path
) -> None:
    from sources import CsvSource

    form = CsvSource(tmp_path / "answers.csv", 1)
    home = write_shop(f'\n[[accounts]]\nname = "form"\n{form.account()}')
    shop = open_shop(home)
    collect(shop)
    with pytest.raises(OutboxError, match="no account of yours can send this reply: form"):
        queue_reply(shop, 1, "Grazie!")
    said = run("--home", str(home), "messages", "reply", "1", "--text", "Grazie!")
    assert said.exit_code == 1 and "no account of yours can send this reply" in said.output
    assert shop.store.scalar("select count(*) from outbox") == 0


# At most once, whatever happens ----------------------------------------------------------------------
#: what the peer does at one delivery: takes it; keeps it and its answer is lost; answers
#: nothing and keeps nothing; refuses it; Banco dies once the peer has kept it
STEPS = st.lists(
    st.one_of(
        st.sampled_from(["ok", "lost_answer", "no_answer", "rejected", "try_later", "crash"]),
        st.tuples(st.sampled_from(["resend", "mark_sent", "cancel"]), st.integers(1, 3)),
        st.just("write"),
    ),
    max_size=12,
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps=STEPS)
def test_each_reply_reaches_the_peer_at_most_once_unless_the_maker_resends(
    write_shop, open_shop, steps: list[Any]
) -> None:
    shop, home = make(write_shop, open_shop)
    (home / "items.sent.json").unlink(missing_ok=True)
    shop.store.db.execute("delete from outbox")
    resends: dict[int, int] = {}
    written: list[int] = [queue_reply(shop, 2, "reply 1")]
    for step in steps:
        if step == "write":
            written.append(queue_reply(shop, 4, f"reply {len(written) + 1}"))
            continue
        if isinstance(step, tuple):
            decision, n = step
            if n <= len(written):
                try:
                    decide(shop, written[n - 1], decision)
                    resends[written[n - 1]] = resends.get(written[n - 1], 0) + (
                        decision == "resend"
                    )
                except OutboxError:
                    pass  # a decision that does not fit the reply's state changes nothing
            continue
        set_send_fail(home, {"ok": "", "crash": "crash_after_keeping"}.get(step, step))
        shop = open_shop(home)
        try:
            deliver(shop)
        except SystemExit:  # Banco died mid-send: its process is gone
            shop.store.db.execute(
                "update outbox set claimed_by = ? where status in ('claimed', 'handing_over')",
                [DEAD_CLAIM],
            )
    set_send_fail(home, "")
    deliver(open_shop(home))
    copies: dict[str, int] = {}
    for sent in peer(home):
        copies[sent["key"]] = copies.get(sent["key"], 0) + 1
    keys = {
        row["id"]: row["message_key"]
        for row in shop.store.all("select id, message_key from outbox")
    }
    for outbox_id, key in keys.items():
        assert copies.get(key, 0) <= 1 + resends.get(outbox_id, 0), (outbox_id, steps)


def test_of_two_processes_claiming_one_reply_only_one_wins(write_shop, open_shop) -> None:
    """Both read the reply as queued; the claim is one conditional UPDATE: one gets it."""
    from banco.inbox.replies.outbox import _claim

    shop, home = make(write_shop, open_shop)
    outbox_id = queue_reply(shop, 2, "Yes")
    other = open_shop(home)  # a second connection, as a second process has
    row = shop.store.one("select * from outbox where id = ?", [outbox_id])
    won = [_claim(s, row, s.clock.now()) for s in (shop, other)]
    assert won[0] is not None and won[1] is None
    assert shop.store.scalar("select claimed_by from outbox") == won[0]
