"""Opening a store: one that has the newest migration (``LATEST``) is opened without the
migrations nor sqlite-utils; one without it, new or older, is migrated as before."""

from __future__ import annotations

import sqlite3
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
