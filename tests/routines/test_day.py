"""A simulated day: every routine fires at its slot, in order, and does its work.

The slots come from the scheduler that `banco run` builds (its real triggers); the clock is moved
to each fire time instead of waiting for it. Mail comes from a real Dovecot and goes out through
aiosmtpd, chats from the local Bot API server, orders from a form export; the maker answers from
her Telegram chat.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from fixtures_telegram import account_toml
from sources import CsvSource, email_bytes

from banco.inbox.routines import day as routines
from banco.scheduler.runner import build_scheduler

ROME = ZoneInfo("Europe/Rome")
OWNER = 4242


def day_of_fires(config, start: datetime, end: datetime) -> list[tuple[datetime, str]]:
    """(time, routine) of every slot job between start and end, in firing order."""
    scheduler = build_scheduler(config, lambda name: None)
    fires = []
    for job in scheduler.get_jobs():
        if not job.args:
            continue
        fire = job.trigger.get_next_fire_time(None, start)
        while fire is not None and fire < end:
            fires.append((fire, job.args[0]))
            fire = job.trigger.get_next_fire_time(fire, fire + timedelta(seconds=1))
    order = list(routines.ROUTINES)
    return sorted(fires, key=lambda f: (f[0], order.index(f[1])))


def test_a_day_with_banco(
    bot_api, mailbox, smtp_server, write_shop, open_shop, clock, tmp_path
) -> None:
    mailbox.append("INBOX", [email_bytes(n, customers=6) for n in range(6)])
    mailbox.append("Sent", [])
    form = CsvSource(tmp_path / "answers.csv", 2)
    header = f"""
[shop]
name = "Bottega"
owner = "Giulia"
addresses = ["giulia@shop.example"]
timezone = "Europe/Rome"
languages = ["en"]
owner_chat = {OWNER}

[schedule]
collect = ["08:00", "12:00", "16:00"]
status = ["08:30"]
digest = ["08:30"]
reply = ["09:00", "17:00"]
plan = ["fri 08:45"]

[digest]
telegram = true
"""
    mail = mailbox.account(
        sent_folder="Sent",
        from_address="giulia@shop.example",
        backfill_days="all",
        **smtp_server.account(),
    )
    body = (
        f'\n[[accounts]]\nname = "mail"\n{mail}'
        f'\n[[accounts]]\nname = "form"\n{form.account()}' + account_toml(bot_api)
    )
    home = write_shop(body, header=header)
    shop = open_shop(home)
    customer = bot_api.user(7001, "Ann", "Smith")
    bot_api.message(customer, "Hi! Do you make teapots?")
    giulia = bot_api.user(OWNER, "Giulia")

    start = datetime(2026, 11, 20, 7, 0, tzinfo=ROME)  # a Friday
    fires = day_of_fires(shop.config, start, start + timedelta(days=1))
    assert [(f.strftime("%H:%M"), r) for f, r in fires] == [
        ("08:00", "collect"),
        ("08:30", "status"),
        ("08:30", "digest"),
        ("08:45", "plan"),
        ("09:00", "reply"),
        ("12:00", "collect"),
        ("16:00", "collect"),
        ("17:00", "reply"),
    ]
    for at, routine in fires:
        clock.at = at
        if at.hour == 12:  # mid-morning: a new chat message and a new form answer
            bot_api.message(customer, "Also a matching cup, please.")
            form.add(1)
        assert routines.run(shop, routine), f"{routine} at {at:%H:%M} failed"
        if routine == "collect" and at.hour == 8:
            assert shop.store.scalar("select count(*) from messages") == 6 + 2 + 1
        if routine == "status":
            assert shop.store.scalar("select count(*) from tasks where stage = 'new'") > 0
        if routine == "digest":
            assert (home / "digest.html").exists()
            digest, whole = [m for m in bot_api.sent if m["chat_id"] == OWNER]
            assert digest["text"].startswith("Bottega: your day, 2026-11-20")
            assert whole["document"]["file_name"] == "digest.html"
        if routine == "plan":
            assert (home / "plan.ics").read_bytes().startswith(b"BEGIN:VCALENDAR")
        if routine == "reply" and at.hour == 9:
            opening = [m for m in bot_api.sent if m["chat_id"] == OWNER][-2]
            assert opening["text"].startswith("9 messages waiting")
            bot_api.press(giulia, bot_api.sent[-1], "send")  # she answers the first, from her phone
            routines.owner_poll(shop)
        if routine == "collect" and at.hour == 12:
            assert shop.store.scalar("select count(*) from messages where channel = 'form'") == 3
    runs = shop.store.all("select routine, status from runs where account is null order by id")
    assert [r["routine"] for r in runs] == [routine for _, routine in fires]
    assert all(r["status"] == "ok" for r in runs)
    # Her answer from the phone went out: the first waiting message was a form answer, so it went
    # by email to the address the form gave, through the shop's mailbox.
    [reply] = shop.store.all("select status, channel, to_handle from outbox")
    assert (reply["status"], reply["channel"]) == ("sent", "email")
    digest_mail, answer = smtp_server.received
    assert digest_mail.rcpt_tos == ["giulia@shop.example"]
    assert answer.rcpt_tos == [json.loads(reply["to_handle"])[1]]


def test_a_collect_routine_while_another_collect_runs_is_skipped_not_failed(
    write_shop, open_shop
) -> None:
    from banco.inbox.collect.lock import collecting

    shop = open_shop(write_shop())
    with collecting(shop):  # another `banco collect` holds the shop
        assert routines.run(shop, "collect") is True
    failed = shop.store.all("select routine from runs where status != 'ok'")
    assert failed == []
