"""Backups: taken while another process writes, put back after the store is damaged with nothing
lost, never counted when stopped halfway, rotated as the README says, taken before a migration
and once a day by the collect routine; a restore refuses while another Banco has the store."""

from __future__ import annotations

import hashlib
import os
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

from crashed import BANCO, stored
from sources import MaildirSource
from sqlite_utils import Database

from banco.inbox.clock import FixedClock
from banco.inbox.store.backup import BACKUPS, backup, backups, kept
from banco.inbox.store.database import DB_NAME, LATEST, Store
from banco.inbox.store.migrations import migrations


def make_shop(home: Path, mail: Path) -> Path:
    home.mkdir(parents=True, exist_ok=True)
    (home / "banco.toml").write_text(
        '[shop]\naddresses = ["giulia@shop.example"]\n'
        f'[[accounts]]\nname = "mail"\nkind = "maildir"\npath = "{mail}"\n'
    )
    return home


def contents(database: Path) -> dict[str, list[tuple[object, ...]]]:
    """Everything a restore must bring back, read straight from the file."""
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as db:

        def q(sql: str) -> list[tuple[object, ...]]:
            return db.execute(sql).fetchall()

        return {
            "messages": q("select id, external_id, subject, text, raw from messages order by id"),
            "orders": q("select id, ref, contact_id, status from orders order by id"),
            "contacts": q("select id, name from contacts order by id"),
            "attachments": q("select message_id, sha256, path from attachments order by id"),
        }


def files_intact(home: Path, database: Path) -> bool:
    """Every attachment the store names is in ``home`` with the bytes its name says."""
    for _msg, sha, path in contents(database)["attachments"]:
        if hashlib.sha256((home / str(path)).read_bytes()).hexdigest() != sha:
            return False
    return True


def quick_check(database: Path) -> str:
    try:
        with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as db:
            return str(db.execute("PRAGMA quick_check").fetchone()[0])
    except sqlite3.DatabaseError as e:
        return str(e)


def banco(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*BANCO, "--home", str(home), *args], capture_output=True, text=True, timeout=300
    )


def test_a_backup_taken_while_collect_writes_restores_a_damaged_store_with_nothing_lost(
    tmp_path: Path,
) -> None:
    mail = MaildirSource(tmp_path / "Maildir", 400)
    home = make_shop(tmp_path / "shop", mail.root)
    collecting = subprocess.Popen(
        [*BANCO, "--home", str(home), "collect"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while stored(home) < 50 and collecting.poll() is None:
        assert time.monotonic() < deadline, "collect made no progress"
        time.sleep(0.005)  # polling the store for progress, not waiting for time to pass
    during = banco(home, "backup")  # a second process, while the first one files mail
    assert collecting.wait(timeout=300) == 0
    assert during.returncode == 0, during.stderr
    [first] = backups(home / BACKUPS)
    assert quick_check(first.database) == "ok"
    taken = contents(first.database)
    assert 50 <= len(taken["messages"]) <= 400
    assert files_intact(first.path, first.database)  # every file its messages name, whole

    before = contents(home / "banco.db")
    assert len(before["messages"]) == 400 and before["attachments"]
    second = banco(home, "backup")
    assert second.returncode == 0, second.stderr
    newest = backups(home / BACKUPS)[0]

    # damage: pages of the store overwritten, one attachment's bytes changed, another deleted
    with sqlite3.connect(home / "banco.db") as db:  # everything in the file, none in the log
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    with (home / "banco.db").open("r+b") as db:
        db.seek(16384 * 3)
        db.write(b"\xde\xad" * 40_000)
    [(_m, _s, damaged), (_m2, _s2, lost), *_] = before["attachments"]
    (home / str(damaged)).write_bytes(b"not the sketch")
    (home / str(lost)).unlink()
    assert quick_check(home / "banco.db") != "ok"

    restored = banco(home, "restore", str(newest.database))
    assert restored.returncode == 0, restored.stderr
    assert "400" in restored.stdout
    assert contents(home / "banco.db") == before
    assert quick_check(home / "banco.db") == "ok"
    assert files_intact(home, home / "banco.db")
    # the damaged store was kept aside, never lost
    [aside] = (home / BACKUPS).glob("before-restore-*")
    assert (aside / "banco.db").read_bytes()[16384 * 3 : 16384 * 3 + 4] == b"\xde\xad\xde\xad"
    assert banco(home, "messages", "--all").stdout.count("Order question") == 400


def test_a_backup_killed_halfway_is_never_counted_and_the_next_one_clears_it(
    tmp_path: Path,
) -> None:
    mail = MaildirSource(tmp_path / "Maildir", 30)
    home = make_shop(tmp_path / "shop", mail.root)
    assert banco(home, "collect").returncode == 0
    # the worst moment: the store is copied, its attachments are being copied. One attachment
    # is a pipe nobody writes to, so the backup stalls on it until it is killed.
    [(_m, _s, rel), *_] = contents(home / "banco.db")["attachments"]
    kept_bytes = (home / str(rel)).read_bytes()
    (home / str(rel)).unlink()
    os.mkfifo(home / str(rel))
    folder = home / BACKUPS
    proc = subprocess.Popen(
        [*BANCO, "--home", str(home), "backup"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    partial: list[Path] = []
    deadline = time.monotonic() + 120  # a bound for a backup that never shows its partial copy
    try:
        while not partial and proc.poll() is None and time.monotonic() < deadline:
            partial = [p for p in folder.glob(".*.partial") if (p / "attachments").exists()]
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    assert partial and (partial[0] / "banco.db").exists()
    assert backups(folder) == []  # nothing half made is counted as a backup
    (home / str(rel)).unlink()
    (home / str(rel)).write_bytes(kept_bytes)
    assert banco(home, "backup").returncode == 0
    [made] = backups(folder)
    assert not list(folder.glob(".*.partial"))  # what the killed one left is cleared
    assert quick_check(made.database) == "ok"
    assert files_intact(made.path, made.database)


def test_rotation_keeps_the_newest_of_seven_days_and_of_four_weeks(tmp_path: Path) -> None:
    store = Store(tmp_path / "shop")
    start = datetime(2026, 10, 1, 7, 0, tzinfo=UTC)  # a Thursday
    try:
        for day in range(40):
            for hour in (0, 9):  # two a day: the later one is the day's
                backup(store, start + timedelta(days=day, hours=hour))
    finally:
        store.close()
    names = sorted(b.path.name for b in backups(tmp_path / "shop" / BACKUPS))
    last = start + timedelta(days=39, hours=9)
    dailies = [f"banco-{(last - timedelta(days=d)):%Y%m%d}-160000" for d in range(7)]
    # the last day is a Monday: its week and the one before are among the dailies; the newest
    # of the two weeks before those are their Sundays
    weeklies = ["banco-20261025-160000", "banco-20261101-160000"]
    assert names == sorted({*dailies, *weeklies}) and len(names) == 9
    assert {b.path.name for b in kept(backups(tmp_path / "shop" / BACKUPS))} == set(names)


def test_a_store_is_backed_up_before_a_migration_changes_it_and_a_new_one_is_not(
    tmp_path: Path,
) -> None:
    Store(tmp_path / "new").close()
    assert backups(tmp_path / "new" / BACKUPS) == []
    home = tmp_path / "old"
    home.mkdir()
    with closing(Database(sqlite3.connect(home / DB_NAME))) as old:  # the Banco before this one
        migrations.apply(old, stop_before=LATEST)
    assert backups(home / BACKUPS) == []
    Store(home).close()  # the newest migration is pending: this Banco changes the store
    [made] = backups(home / BACKUPS)
    assert LATEST not in applied(made.database)  # the store as it was before
    assert LATEST in applied(home / DB_NAME)
    Store(home).close()
    assert len(backups(home / BACKUPS)) == 1


def applied(database: Path) -> set[str]:
    with closing(sqlite3.connect(database)) as db:
        return {n for (n,) in db.execute("select name from _sqlite_migrations")}


def test_the_first_collect_of_each_day_backs_the_store_up(tmp_path: Path, run) -> None:
    from banco.inbox.routines.day import run as run_routine
    from banco.inbox.shop import Shop

    mail = MaildirSource(tmp_path / "Maildir", 3)
    home = make_shop(tmp_path / "shop", mail.root)
    clock = FixedClock(datetime(2026, 11, 20, 7, 0, tzinfo=UTC))
    shop = Shop.open(home, clock=clock)
    try:
        assert run_routine(shop, "collect")
        assert run_routine(shop, "collect")
        assert len(backups(home / BACKUPS)) == 1
        clock.at = datetime(2026, 11, 21, 7, 0, tzinfo=UTC)
        assert run_routine(shop, "collect")
    finally:
        shop.close()
    assert len(backups(home / BACKUPS)) == 2


HOLD = (
    "import sys; from banco.inbox.store.database import Store; s = Store(__import__('pathlib')"
    ".Path(sys.argv[1])); print('open', flush=True); sys.stdin.read()"
)


def test_restore_refuses_while_another_banco_has_the_store_open(tmp_path: Path) -> None:
    mail = MaildirSource(tmp_path / "Maildir", 5)
    home = make_shop(tmp_path / "shop", mail.root)
    assert banco(home, "collect").returncode == 0
    assert banco(home, "backup").returncode == 0
    [made] = backups(home / BACKUPS)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(home)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "open\n"
        refused = banco(home, "restore", str(made.path))
    finally:
        holder.communicate("")
    assert refused.returncode == 1
    assert refused.stderr.strip().splitlines() == [
        "Error: Another Banco has the store open: stop it, then restore again."
    ]
    assert not list((home / BACKUPS).glob("before-restore-*"))  # nothing was touched
    assert banco(home, "restore", str(made.path)).returncode == 0


def test_restore_refuses_while_banco_run_holds_the_shop(tmp_path: Path) -> None:
    mail = MaildirSource(tmp_path / "Maildir", 2)
    home = make_shop(tmp_path / "shop", mail.root)
    assert banco(home, "backup").returncode == 0
    [made] = backups(home / BACKUPS)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, pathlib; from banco.scheduler.lock import ShopLock;"
            " ShopLock(pathlib.Path(sys.argv[1])).acquire(); print('held', flush=True);"
            " sys.stdin.read()",
            str(home),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        refused = banco(home, "restore", str(made.path))
    finally:
        holder.communicate("")
    assert refused.returncode == 1
    assert f"banco run is running (process {holder.pid})" in refused.stderr
    assert "Traceback" not in refused.stderr


def test_restore_of_something_that_is_not_a_backup_is_one_plain_line(tmp_path: Path) -> None:
    mail = MaildirSource(tmp_path / "Maildir", 1)
    home = make_shop(tmp_path / "shop", mail.root)
    junk = tmp_path / "junk"
    junk.mkdir()
    (junk / "banco.db").write_bytes(b"SQLite format 3\x00" + b"\x01" * 5000)
    refused = banco(home, "restore", str(junk))
    assert refused.returncode == 1
    assert len(refused.stderr.strip().splitlines()) == 1
    assert "Traceback" not in refused.stderr
