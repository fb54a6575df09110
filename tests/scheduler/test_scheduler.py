"""Slots, catch-up, the single-instance lock, SIGTERM, and the service file."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sources import MaildirSource

from banco.config import Slot
from banco.inbox.store.runs import record_run
from banco.scheduler.lock import ShopLock
from banco.scheduler.runner import MISFIRE_GRACE_SECONDS, build_scheduler, missed_routines
from banco.scheduler.slots import SlotTrigger

BANCO = [sys.executable, "-m", "banco.inbox"]


def fires(slot: str, zone: str, start: datetime, n: int) -> list[str]:
    days, _, hm = slot.rpartition(" ")
    hour, minute = map(int, hm.split(":"))
    trigger = SlotTrigger(Slot(slot, days, hour, minute), ZoneInfo(zone))
    out, fire = [], None
    for _ in range(n):
        fire = trigger.get_next_fire_time(fire, start if fire is None else fire)
        out.append(fire.isoformat())
    return out


@pytest.mark.parametrize(
    ("zone", "fall_back", "spring_forward"),
    [
        ("Europe/Rome", datetime(2026, 10, 24, 12), datetime(2026, 3, 28, 12)),
        ("America/New_York", datetime(2026, 10, 31, 12), datetime(2026, 3, 7, 12)),
    ],
)
def test_slots_fire_once_across_dst_changes(zone, fall_back, spring_forward) -> None:
    tz = ZoneInfo(zone)
    back = fires("01:30", zone, fall_back.replace(tzinfo=tz), 3)
    assert [f[:10] for f in back] == [
        (fall_back + timedelta(days=d)).date().isoformat() for d in (1, 2, 3)
    ]
    forward = fires("02:30", zone, spring_forward.replace(tzinfo=tz), 2)
    # 02:30 does not exist on the day the clocks jump: it fires once, just after the jump.
    assert [f[:10] for f in forward] == [
        (spring_forward + timedelta(days=d)).date().isoformat() for d in (1, 2)
    ]
    nine = fires("09:00", zone, fall_back.replace(tzinfo=tz), 3)
    assert all(f[11:16] == "09:00" for f in nine)


def test_weekday_slots_use_names_not_cron_numbers() -> None:
    [first] = fires("mon 08:45", "Europe/Rome", datetime(2026, 11, 22, 12, tzinfo=UTC), 1)
    assert first.startswith("2026-11-23T08:45")  # a Monday
    weekdays = fires("mon-fri 17:00", "Europe/Rome", datetime(2026, 11, 20, 18, tzinfo=UTC), 2)
    assert [w[:10] for w in weekdays] == ["2026-11-23", "2026-11-24"]  # the weekend skipped


SCHEDULE = """
[schedule]
collect = ["08:00", "12:00", "16:00"]
reply = ["09:00", "17:00"]
status = ["08:30"]
plan = ["mon 08:45"]
digest = ["08:30"]
"""


def test_a_slot_missed_while_off_runs_once_at_start(write_shop, open_shop, clock) -> None:
    shop = open_shop(write_shop(SCHEDULE))
    rome = ZoneInfo("Europe/Rome")
    # Friday 2026-11-20: the laptop was asleep from 07:00 to 10:15.
    now = datetime(2026, 11, 20, 10, 15, tzinfo=rome)
    last = {
        "collect": datetime(2026, 11, 19, 16, 0, tzinfo=rome),
        "reply": datetime(2026, 11, 19, 17, 0, tzinfo=rome),
        "status": datetime(2026, 11, 19, 8, 30, tzinfo=rome),
        "plan": datetime(2026, 11, 16, 8, 45, tzinfo=rome),
        "digest": datetime(2026, 11, 19, 8, 30, tzinfo=rome),
    }
    assert missed_routines(shop.config, last, now) == ["collect", "reply", "status", "digest"]
    last.update({r: now for r in ("collect", "reply", "status", "digest")})
    assert missed_routines(shop.config, last, now + timedelta(minutes=30)) == []
    # The plan runs on Mondays: missed the whole weekend, it still runs once on Monday's start.
    monday = datetime(2026, 11, 23, 11, 0, tzinfo=rome)
    assert "plan" in missed_routines(shop.config, last, monday)
    assert missed_routines(shop.config, {}, now) == ["collect", "reply", "status", "plan", "digest"]


def test_last_runs_come_from_the_runs_table(write_shop, open_shop) -> None:
    from banco.inbox.store.runs import last_run

    shop = open_shop(write_shop())
    t = datetime(2026, 11, 20, 7, 0, tzinfo=UTC)
    record_run(shop.store, "collect", t, t, ok=True, account="telegram-only")
    assert last_run(shop.store, "collect") is None  # a run of some accounts is not the slot's run
    record_run(shop.store, "collect", t, t, ok=False)
    assert last_run(shop.store, "collect") == t


def test_jobs_coalesce_and_tolerate_a_late_wake(write_shop, open_shop) -> None:
    shop = open_shop(write_shop(SCHEDULE))
    scheduler = build_scheduler(shop.config, lambda name: None, collect_frequent=lambda: None)
    scheduler.start(paused=True)
    try:
        jobs = {j.id: j for j in scheduler.get_jobs()}
        slots = [j for j in jobs.values() if j.args]
        assert len(slots) == 8
        assert all(j.misfire_grace_time == MISFIRE_GRACE_SECONDS and j.coalesce for j in slots)
        assert {"frequent collect", "heartbeat"} <= set(jobs)
        plan = jobs["plan mon 08:45"].next_run_time
        assert plan.weekday() == 0 and (plan.hour, plan.minute) == (8, 45)
    finally:
        scheduler.shutdown(wait=True)


def test_the_lock_names_the_process_that_holds_it(tmp_path: Path) -> None:
    first, second = ShopLock(tmp_path), ShopLock(tmp_path)
    import os

    assert first.acquire() is None
    assert second.acquire() == os.getpid()
    first.release()
    assert second.acquire() is None
    second.release()


def start_run(home: Path) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [*BANCO, "--home", str(home), "run"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()  # blocks until Banco says it is running (or exits)
    assert "Banco is running" in line, line + (proc.stderr.read() if proc.stderr else "")
    return proc


def test_one_banco_run_per_shop_and_sigterm_stops_it(write_shop) -> None:
    home = write_shop()
    first = start_run(home)
    try:
        second = subprocess.run(
            [*BANCO, "--home", str(home), "run"], capture_output=True, text=True, timeout=60
        )
        assert second.returncode == 1
        assert f"Banco is already running for {home} (process {first.pid})" in second.stderr
    finally:
        first.send_signal(signal.SIGTERM)
        out, err = first.communicate(timeout=60)
    assert first.returncode == 0 and "Stopped." in out, err


def test_sigterm_at_start_stops_cleanly_every_time(write_shop) -> None:
    """A SIGTERM as Banco starts meets the catch-up run being handed to the worker: it once
    printed APScheduler's JobLookupError traceback (about one start in two) and could hang for
    good when the signal landed while the main thread held its wait's lock."""
    home = write_shop('[schedule]\ncollect = ["00:00"]\nplan = ["00:00"]\n')
    for _ in range(8):
        proc = start_run(home)
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0 and "Traceback" not in err, err


def test_sigterm_lets_the_running_step_finish(tmp_path: Path, write_shop) -> None:
    mail = MaildirSource(tmp_path / "Maildir", 3000)
    home = write_shop(
        f'[schedule]\ncollect = ["00:00"]\n\n[[accounts]]\nname = "mail"\n{mail.account()}'
    )
    proc = start_run(home)  # the missed 00:00 collect starts at once (catch-up)
    import sqlite3

    def stored() -> int:
        try:
            with sqlite3.connect(f"file:{home / 'banco.db'}?mode=ro", uri=True) as db:
                return int(db.execute("select count(*) from messages").fetchone()[0])
        except sqlite3.OperationalError:
            return 0

    deadline = time.monotonic() + 120
    while stored() == 0:
        assert time.monotonic() < deadline and proc.poll() is None
        time.sleep(0.005)  # polling the store for the collect to begin
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert stored() == 3000  # the collect that was running finished before the exit


def test_schedule_and_service_install(write_shop, run, tmp_path: Path, monkeypatch) -> None:
    home = write_shop(SCHEDULE)
    result = run("--home", str(home), "schedule")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    # The clock says Friday 2026-11-20 10:00 in Rome.
    assert lines[0].startswith("collect  next Fri 20 Nov 12:00")
    assert lines[3].startswith("plan     next Mon 23 Nov 08:45")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    installed = run("--home", str(home), "service", "install")
    assert installed.exit_code == 0, installed.output
    [unit] = (tmp_path / "xdg" / "systemd" / "user").glob("banco-*.service")
    text = unit.read_text()
    assert f"-m banco.inbox --home {home} run" in text and "Restart=on-failure" in text
    assert "systemctl --user enable --now" in installed.output


@pytest.mark.parametrize(
    ("lang", "running", "already"),
    [
        ("it", "Banco è in funzione per", "Banco è già in funzione per"),
        ("fr", "Banco tourne pour", "Banco tourne déjà pour"),
    ],
)
def test_banco_run_speaks_her_language(write_shop, lang: str, running: str, already: str) -> None:
    from conftest import SHOP_HEADER

    home = write_shop(header=SHOP_HEADER.replace('languages = ["en"]', f'languages = ["{lang}"]'))
    first = subprocess.Popen(
        [*BANCO, "--home", str(home), "run"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert first.stdout is not None
        line = first.stdout.readline()  # blocks until Banco says it is running
        second = subprocess.run(
            [*BANCO, "--home", str(home), "run"], capture_output=True, text=True, timeout=60
        )
    finally:
        first.send_signal(signal.SIGTERM)
        first.communicate(timeout=60)
    assert line.startswith(running), line
    assert second.returncode == 1 and already in second.stderr, second.stderr
