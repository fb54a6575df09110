"""Opening a store: one that has the newest migration (``LATEST``) is opened without the
migrations nor sqlite-utils; one without it, new or older, is migrated as before."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

from sqlite_utils import Database

from banco.inbox.store.database import DB_NAME, LATEST, MIGRATION_COUNT, Store, up_to_date
from banco.inbox.store.migrations import migrations


def every_migration() -> list[str]:
    with closing(Database(memory=True)) as empty:
        return [m.name for m in migrations.pending(empty)]


def test_latest_names_the_last_migration_and_the_count_counts_them() -> None:
    # A migration added without moving these would never be applied to an existing store.
    assert every_migration()[-1] == LATEST
    assert len(every_migration()) == MIGRATION_COUNT


def test_an_up_to_date_store_opens_without_sqlite_utils(tmp_path: Path) -> None:
    Store(tmp_path).close()  # made and migrated
    store = Store(tmp_path)
    try:
        assert up_to_date(store.conn)
        assert store._db is None  # nothing built sqlite-utils' Database
        assert store.one("select count(*) as n from orders") == {"n": 0}
        assert store.conn.execute("PRAGMA foreign_keys").fetchone() == (1,)
        assert store.conn.execute("PRAGMA recursive_triggers").fetchone() == (1,)
        assert store.conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert store.db.conn is store.conn  # built on first use, on the same connection
        assert store.db is store.db
    finally:
        store.close()


def opens_migrated(home: Path) -> None:
    """The store in ``home`` opens with every migration applied."""
    store = Store(home)
    try:
        assert up_to_date(store.conn)
        assert migrations.pending(store.db) == []
    finally:
        store.close()


def test_a_store_from_before_the_newest_migration_is_migrated(tmp_path: Path) -> None:
    with closing(Database(sqlite3.connect(tmp_path / DB_NAME))) as old:
        migrations.apply(old, stop_before=LATEST)
        assert not up_to_date(old.conn)
    opens_migrated(tmp_path)


def test_a_store_missing_an_older_migration_is_migrated(tmp_path: Path) -> None:
    Store(tmp_path).close()
    with closing(sqlite3.connect(tmp_path / DB_NAME)) as db, db:
        db.execute("delete from _sqlite_migrations where name = 'm017_no_indexes_set_aside'")
        assert not up_to_date(db)
    opens_migrated(tmp_path)


def test_a_store_a_newer_banco_migrated_is_up_to_date(tmp_path: Path) -> None:
    Store(tmp_path).close()
    with closing(sqlite3.connect(tmp_path / DB_NAME)) as db, db:
        db.execute(
            "insert into _sqlite_migrations (migration_set, name, applied_at)"
            " values ('banco', 'm999_from_a_newer_banco', '2027-01-01')"
        )
        assert up_to_date(db)


def test_a_store_without_migrations_bookkeeping_is_migrated(tmp_path: Path) -> None:
    with closing(sqlite3.connect(tmp_path / DB_NAME)) as empty:
        assert not up_to_date(empty)  # no _sqlite_migrations table yet
    store = Store(tmp_path)
    try:
        assert migrations.pending(store.db) == []
        assert every_migration() == [
            n for (n,) in store.conn.execute("select name from _sqlite_migrations order by id")
        ]
    finally:
        store.close()


#: open the store once told to, and say whether it came out up to date
OPENER = """
import sys
from pathlib import Path
from banco.inbox.store.database import Store, up_to_date
print("ready", flush=True)
sys.stdin.readline()
store = Store(Path(sys.argv[1]))
print(up_to_date(store.conn))
store.close()
"""


def a_shop_before_the_newest_migration(home: Path, orders: int) -> None:
    """A store in ``home`` that lacks the newest migration, with ``orders`` orders: enough for
    the migration's new indexes to take a while."""
    with closing(Database(sqlite3.connect(home / DB_NAME))) as old:
        migrations.apply(old, stop_before=LATEST)
        with old.conn:
            old.conn.executemany(
                "insert into orders (ref, title, status, created_at, updated_at)"
                " values (?, 'Mugs', 'booked', '2026-11-01', '2026-11-01')",
                ([f"B-{n:06d}"] for n in range(orders)),
            )


def test_two_processes_opening_a_store_to_migrate_migrate_it_once(tmp_path: Path) -> None:
    """After an upgrade the service and a command may open the store at the same moment: both
    open it, migrated once (a big shop's new indexes take long enough for both to find the
    migration pending)."""
    a_shop_before_the_newest_migration(tmp_path, 60_000)
    openers = [
        subprocess.Popen(
            [sys.executable, "-c", OPENER, str(tmp_path)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    for opener in openers:  # both started, Banco imported: then told to open at once
        assert opener.stdout is not None and opener.stdout.readline() == "ready\n"
    for opener in openers:
        assert opener.stdin is not None
        opener.stdin.write("go\n")
        opener.stdin.flush()
    for opener in openers:
        out, err = opener.communicate(timeout=120)
        assert (opener.returncode, out, err) == (0, "True\n", "")
    with closing(sqlite3.connect(tmp_path / DB_NAME)) as db:
        names = [n for (n,) in db.execute("select name from _sqlite_migrations")]
    assert sorted(names) == sorted(every_migration())  # each once


def test_a_migration_killed_half_way_leaves_the_store_as_it_was(tmp_path: Path) -> None:
    """``kill -9`` while the new indexes are written: nothing of the migration is kept, and the
    next opening migrates the store whole."""
    a_shop_before_the_newest_migration(tmp_path, 100_000)
    wal = tmp_path / f"{DB_NAME}-wal"
    opener = subprocess.Popen(
        [sys.executable, "-c", OPENER, str(tmp_path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert opener.stdout is not None and opener.stdout.readline() == "ready\n"
    size = wal.stat().st_size if wal.exists() else 0
    assert opener.stdin is not None
    opener.stdin.write("go\n")
    opener.stdin.flush()
    while opener.poll() is None and (wal.stat().st_size if wal.exists() else 0) <= size:
        pass  # until the migration writes to the log
    opener.kill()
    opener.wait()
    with closing(sqlite3.connect(tmp_path / DB_NAME)) as db:
        assert not up_to_date(db)
        assert LATEST not in {n for (n,) in db.execute("select name from _sqlite_migrations")}
    opens_migrated(tmp_path)
