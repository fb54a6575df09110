"""Open a shop's store: one SQLite file (WAL, foreign keys on, owner-only) and its attachment folder."""

from __future__ import annotations

import hashlib
import os
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from banco.inbox.errors import NeedsYou
from banco.inbox.store.checkpoint import Checkpointer
from banco.inbox.store.migrations import migrations

DB_NAME = "banco.db"

# An amount (a price, a deposit) is a Decimal to the cent; SQLite keeps it as a number. Every
# amount below inbox.i18n.money.LARGEST comes back exact when read with money.stored_amount: the
# shortest text of such a number is the text it was made from.
sqlite3.register_adapter(Decimal, float)
ATTACHMENTS = "attachments"

#: SQLite's page cache, in kB (see ``Store.__init__``)
CACHE_KB = 4_000

#: keeps bytes in the attachment folder: (sha256, path relative to the home)
SaveFile = Callable[[bytes], tuple[str, str]]


class StoreError(NeedsYou):
    """The store file cannot be opened or is not a Banco store."""


class Store:
    """The shop's SQLite database plus its content-addressed attachment folder."""

    def __init__(self, home: Path):
        self.home = home
        self.path = home / DB_NAME
        self.attachments = home / ATTACHMENTS
        self._home = str(home)
        home.mkdir(parents=True, exist_ok=True)
        _private_file(self.path)
        self.attachments.mkdir(mode=0o700, exist_ok=True)
        os.chmod(self.attachments, 0o700)
        try:
            # Autocommit at the driver level: a statement outside ``db.atomic()`` commits at once,
            # and ``atomic()`` opens its own BEGIN, so no implicit transaction is ever left open.
            conn = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            self.db = Database(conn)
            # A new store gets 16 KB pages: a stored mail (its text and raw bytes) spans three
            # pages instead of eleven, each one write to the log. An existing store keeps its own.
            self.db.execute("PRAGMA page_size = 16384")
            self.db.enable_wal()
            self.db.execute("PRAGMA foreign_keys = ON")
            self.db.execute("PRAGMA synchronous = NORMAL")
            # Statement journals (a trigger's insert, a savepoint) in memory, not in a temporary
            # file: filing a mail wrote every database page it touched a second time to disk.
            self.db.execute("PRAGMA temp_store = MEMORY")
            # A page of mail (two megabytes or so) and the index pages it touches fit in 4 MB of
            # page cache; in SQLite's default 2 MB, filing it wrote pages out before the commit
            # and inserting a mail took a third longer.
            self.db.execute(f"PRAGMA cache_size = -{CACHE_KB}")
            if migrations.applied(self.db) and migrations.pending(self.db):
                from banco.inbox.store.backup import backup  # it builds on this module

                backup(self)  # a store this Banco changes is backed up as it was first
            migrations.apply(self.db)
        except sqlite3.DatabaseError as e:
            raise StoreError(f"{self.path} cannot be opened as a Banco store: {e}") from None
        # WAL side files hold the same data: keep them as private as the database.
        for suffix in ("-wal", "-shm"):
            side = self.path.with_name(self.path.name + suffix)
            if side.exists():
                os.chmod(side, 0o600)

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def writing(self) -> Iterator[None]:
        """A transaction that holds the write lock from its start (``BEGIN IMMEDIATE``), for work
        that reads and then writes what another process may be writing too. Inside a
        transaction already, it is that transaction's savepoint."""
        if self.db.conn.in_transaction:
            with self.db.atomic():
                yield
            return
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.db.conn.rollback()
            raise
        self.db.execute("COMMIT")

    @contextmanager
    def long_run(self) -> Iterator[Checkpointer]:
        """For filing a long run of mail: the log copied into the database on a thread. Call
        ``filed()`` on what it gives after each commit."""
        with Checkpointer(self.path, self.db.conn) as checkpoints:
            yield checkpoints

    def save_file(self, data: bytes) -> tuple[str, str]:
        """Keep ``data`` once, named by its SHA-256. Returns (sha256, path relative to the home)."""
        digest, rel = _file_name(data)
        self._write_file(rel, data)
        return digest, rel

    @contextmanager
    def saving_files(self) -> Iterator[SaveFile]:
        """A ``save_file`` for filing a page. A file that cannot be written (a full or failing
        disk) fails the whole block, its error raised when the block ends, never only the record
        that has it: the page is filed again at the next collect instead of a mail being kept
        as unreadable. Rows committed after the block name files that exist."""
        failed: list[OSError] = []

        def save(data: bytes) -> tuple[str, str]:
            try:
                return self.save_file(data)
            except OSError as e:
                failed.append(e)
                return _file_name(data)

        yield save
        if failed:
            raise failed[0]

    def _write_file(self, rel: str, data: bytes) -> None:
        # Plain os calls on strings, and a folder made only when it is missing: a first collect
        # writes thousands of files, where pathlib's objects and a mkdir per file showed.
        path = os.path.join(self._home, rel)
        if os.path.exists(path):
            return
        tmp = path + ".tmp"
        flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
        try:
            fd = os.open(tmp, flags, 0o600)
        except FileNotFoundError:
            os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
            fd = os.open(tmp, flags, 0o600)
        try:
            _write_all(fd, data)
        finally:
            os.close(fd)
        os.replace(tmp, path)

    # Small helpers used by every module that reads or writes the store. They go straight to
    # sqlite3: collect runs them tens of times per message, where sqlite-utils' parsing shows.
    def one(self, sql: str, params: Any = ()) -> dict[str, Any] | None:
        cursor = self.db.conn.execute(sql, params)
        row = cursor.fetchone()
        return None if row is None else dict(zip(_names(cursor), row, strict=True))

    def all(self, sql: str, params: Any = ()) -> list[dict[str, Any]]:
        cursor = self.db.conn.execute(sql, params)
        names = _names(cursor)
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def scalar(self, sql: str, params: Any = ()) -> Any:
        row = self.db.conn.execute(sql, params).fetchone()
        return row[0] if row else None

    def insert(self, table: str, row: dict[str, Any]) -> int:
        """Insert one row and return its id."""
        columns = ", ".join(row)
        marks = ", ".join("?" * len(row))
        cursor = self.db.conn.execute(
            f"insert into {table} ({columns}) values ({marks})", list(row.values())
        )
        assert cursor.lastrowid is not None
        return cursor.lastrowid


def _file_name(data: bytes) -> tuple[str, str]:
    """(SHA-256 of ``data``, where the store keeps it relative to the home)."""
    digest = hashlib.sha256(data).hexdigest()
    return digest, f"{ATTACHMENTS}/{digest[:2]}/{digest}"


def _names(cursor: sqlite3.Cursor) -> list[str]:
    return [d[0] for d in cursor.description]


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _private_file(path: Path) -> None:
    """Create ``path`` readable by its owner only (or tighten an existing one)."""
    if not path.exists():
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    os.chmod(path, 0o600)
