"""Open a shop's store: one SQLite file (WAL, foreign keys on, owner-only) and its attachment folder.

A store on a full disk or in a read-only folder still opens for reading (``Store.writable`` is
then False), so every screen that only reads works; a write there, and anything SQLite or the
disk refuses, becomes one ``StoreError`` that says why and what to do (``store_error``).

Opening a store that is up to date reads sqlite-utils' migration bookkeeping (``up_to_date``) and
imports neither sqlite-utils nor the migrations: a command that only reads never loads them
(sqlite-utils costs a process about 60 ms at import). ``Store.db``, sqlite-utils' ``Database``, is
built on first use, by what writes.
"""

from __future__ import annotations

import errno
import hashlib
import os
import sqlite3
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from banco.config.sentence import Sentence
from banco.inbox.errors import NeedsYou
from banco.inbox.i18n.catalogs import N_
from banco.inbox.store.checkpoint import Checkpointer

if TYPE_CHECKING:
    from sqlite_utils import Database

DB_NAME = "banco.db"

#: the newest migration in migrations.py and how many it defines: a store that has that one and
#: at least as many has them all, so opening it needs neither the migrations nor sqlite-utils
#: (the count catches a store missing an older one). A new migration updates both.
LATEST = "m027_view_walks"
MIGRATION_COUNT = 26
#: where sqlite-utils' ``Migrations`` records what it applied, and the name of Banco's set
MIGRATIONS_TABLE = "_sqlite_migrations"
MIGRATION_SET = "banco"

# An amount (a price, a deposit) is a Decimal to the cent; SQLite keeps it as a number. Every
# amount below inbox.i18n.money.LARGEST comes back exact when read with money.stored_amount: the
# shortest text of such a number is the text it was made from.
sqlite3.register_adapter(Decimal, float)
ATTACHMENTS = "attachments"

#: SQLite's page cache, in kB (see ``Store.__init__``)
CACHE_KB = 4_000

#: keeps bytes in the attachment folder: (sha256, path relative to the home)
SaveFile = Callable[[bytes], tuple[str, str]]


#: less free space than this on the shop's disk is a full disk: a page of mail is about 2 MB
NEARLY_FULL = 1 << 20

# The maker's sentences (msgids: ``N_`` marks them for the catalogs, ``said`` says them).
FULL = N_(
    "The disk that holds the shop folder {folder} is full: free some space on it, then run the"
    " command again."
)
NOT_WRITTEN = N_(
    "Banco could not write to the disk that holds the shop folder {folder}: make sure it has"
    " free space and works, then run the command again."
)
READ_ONLY = N_(
    "The shop folder {folder} is read-only: Banco can show what it holds but not change it."
    " Make the folder writable for you (or run Banco as the user who owns it), then run the"
    " command again."
)
RESTORE = N_(
    "The store {path} is damaged. Restore your latest backup with `banco restore {backup}`,"
    " then run `banco collect` to fetch again what came after it."
)
RECOVER = N_(
    "The store {path} is damaged and there is no backup in {folder}. Copy the shop folder"
    " somewhere safe first, then save what can still be read with `banco export FOLDER`, or"
    " with SQLite's own program: sqlite3 {path} .recover | sqlite3 recovered.db"
)
NOT_A_STORE = N_("Banco cannot open {path} as its store. Check that it is the banco.db Banco made.")
#: the disk or the folder refuses writes: the store can still be read
REFUSED = (FULL, NOT_WRITTEN, READ_ONLY)


class StoreError(NeedsYou):
    """The store cannot be opened, written or read: the disk, the folder or the file itself."""

    @property
    def template(self) -> str:
        """Which of the sentences above this is."""
        return str(getattr(self.args[0], "template", self.args[0]))


class Store:
    """The shop's SQLite database plus its content-addressed attachment folder."""

    def __init__(self, home: Path):
        self.home = home
        self.path = home / DB_NAME
        self.attachments = home / ATTACHMENTS
        self._home = str(home)
        #: why the store opened for reading only (a full disk, a read-only folder), or None
        self.refused: StoreError | None = None
        home.mkdir(parents=True, exist_ok=True)
        _private_file(self.path)
        self.attachments.mkdir(mode=0o700, exist_ok=True)
        _private(self.attachments, 0o700)
        self._db: Database | None = None
        try:
            #: the store's connection: reads go straight to it
            self.conn = _connect(str(self.path))
            try:
                _set_up(self.conn)
                if not up_to_date(self.conn):
                    self._migrate()
            except sqlite3.DatabaseError as e:
                self.conn.close()
                self._db = None
                refused = store_error(e, home) or _not_a_store(self.path)
                if refused.template not in REFUSED:
                    raise refused from None
                self.conn = _for_reading(self.path, refused)
                self.refused = refused
        except sqlite3.DatabaseError as e:
            raise (store_error(e, home) or _not_a_store(self.path)) from None
        # WAL side files hold the same data: keep them as private as the database.
        for suffix in ("-wal", "-shm"):
            side = self.path.with_name(self.path.name + suffix)
            if side.exists():
                _private(side, 0o600)

    @property
    def db(self) -> Database:
        """sqlite-utils' ``Database`` on the store's connection, for writes (inserts, upserts,
        tables): built on first use, as importing sqlite-utils costs every process that does."""
        if self._db is None:
            from sqlite_utils import Database

            self._db = Database(self.conn)
        return self._db

    def _migrate(self) -> None:
        """Apply the migrations this store lacks, after a backup of the store as it was when it
        had some already (a new store has nothing to back up). Then all of them or none, under
        the write lock: two processes opening a store this Banco must migrate (after an upgrade,
        the service and a command) migrate it once, the second finding it done (each may have
        backed it up); a kill leaves the store as it was."""
        from banco.inbox.store.migrations import migrations

        if migrations.applied(self.db) and migrations.pending(self.db):
            from banco.inbox.store.backup import backup  # it builds on this module

            backup(self)  # a store this Banco changes is backed up as it was first
        with self.writing():  # a backup reads the store: it is taken before the lock
            if not up_to_date(self.conn):
                migrations.apply(self.db)

    @property
    def writable(self) -> bool:
        return self.refused is None

    def close(self) -> None:
        self.conn.close()

    @contextmanager
    def writing(self) -> Iterator[None]:
        """A transaction that holds the write lock from its start (``BEGIN IMMEDIATE``), for work
        that reads and then writes what another process may be writing too. Inside a
        transaction already, it is that transaction's savepoint."""
        if self.conn.in_transaction:
            with self.db.atomic():
                yield
            return
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.conn.rollback()
            raise
        self.conn.execute("COMMIT")

    @contextmanager
    def on_the_way(self) -> Iterator[None]:
        """For a write a screen makes on its way to showing what the store holds (the search
        index catching up, an order's stage tasks): where the disk or the folder refuses it, it
        is left undone and the screen shows what is there. Outside a transaction only."""
        try:
            yield
        except sqlite3.DatabaseError as e:
            refused = store_error(e, self.home)
            if refused is None or refused.template not in REFUSED:
                raise

    @contextmanager
    def long_run(self) -> Iterator[Checkpointer]:
        """For filing a long run of mail: the log copied into the database on a thread. Call
        ``filed()`` on what it gives after each commit."""
        with Checkpointer(self.path, self.conn) as checkpoints:
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
        cursor = self.conn.execute(sql, params)
        row = cursor.fetchone()
        return None if row is None else dict(zip(_names(cursor), row, strict=True))

    def all(self, sql: str, params: Any = ()) -> list[dict[str, Any]]:
        cursor = self.conn.execute(sql, params)
        names = _names(cursor)
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def scalar(self, sql: str, params: Any = ()) -> Any:
        row = self.conn.execute(sql, params).fetchone()
        return row[0] if row else None

    def insert(self, table: str, row: dict[str, Any]) -> int:
        """Insert one row and return its id."""
        columns = ", ".join(row)
        marks = ", ".join("?" * len(row))
        cursor = self.conn.execute(
            f"insert into {table} ({columns}) values ({marks})", list(row.values())
        )
        assert cursor.lastrowid is not None
        return cursor.lastrowid


def _connect(path: str, **query: str) -> sqlite3.Connection:
    # Autocommit at the driver level: a statement outside ``db.atomic()`` commits at once,
    # and ``atomic()`` opens its own BEGIN, so no implicit transaction is ever left open.
    args = "&".join(f"{k}={v}" for k, v in query.items())
    return sqlite3.connect(
        f"file:{urllib.parse.quote(path)}{'?' + args if args else ''}",
        timeout=30,
        isolation_level=None,
        uri=True,
    )


def _set_up(conn: sqlite3.Connection) -> None:
    # sqlite-utils' Database turns recursive triggers on as it wraps a connection; the store's
    # connection has them from the start, whether or not that Database is ever built.
    conn.execute("PRAGMA recursive_triggers = ON")
    # A new store gets 16 KB pages: a stored mail (its text and raw bytes) spans three
    # pages instead of eleven, each one write to the log. An existing store keeps its own.
    conn.execute("PRAGMA page_size = 16384")
    # As sqlite-utils' enable_wal: the mode is set only where it is not WAL already.
    if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
        conn.execute("PRAGMA journal_mode = WAL").fetchone()
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA synchronous = NORMAL")
    # Statement journals (a trigger's insert, a savepoint) in memory, not in a temporary
    # file: filing a mail wrote every database page it touched a second time to disk.
    conn.execute("PRAGMA temp_store = MEMORY")
    # A page of mail (two megabytes or so) and the index pages it touches fit in 4 MB of
    # page cache; in SQLite's default 2 MB, filing it wrote pages out before the commit
    # and inserting a mail took a third longer.
    conn.execute(f"PRAGMA cache_size = -{CACHE_KB}")


def up_to_date(conn: sqlite3.Connection) -> bool:
    """Whether the store has every migration: sqlite-utils' bookkeeping (which a new store has
    not even made yet) names the newest one and counts at least as many as there are. A store a
    newer Banco migrated counts more, and is up to date for this one."""
    if not conn.execute(
        "select 1 from sqlite_master where type = 'table' and name = ?", [MIGRATIONS_TABLE]
    ).fetchone():
        return False
    applied, latest = conn.execute(
        f"select count(*), count(case when name = ? then 1 end) from {MIGRATIONS_TABLE}"
        " where migration_set = ?",
        [LATEST, MIGRATION_SET],
    ).fetchone()
    return bool(latest) and applied >= MIGRATION_COUNT


def _for_reading(path: Path, refused: StoreError) -> sqlite3.Connection:
    """The store opened for reading where it cannot be written, or ``refused`` raised.

    A WAL store needs its shared-memory file (``-shm``) even to be read. On a full disk that
    file cannot grow: in exclusive locking mode SQLite keeps that index in its own memory
    instead (nobody else can have the store open then, or the file would exist at its size).
    In a read-only folder neither side file can be made: with the side files left by a crash
    SQLite reads read-only (``mode=ro``), and without them the file is all there is
    (``immutable``: nobody can be writing to a read-only folder)."""
    for query, pragmas in (
        ({}, ["PRAGMA locking_mode = EXCLUSIVE"]),
        ({"mode": "ro"}, []),
        ({"immutable": "1"}, []),
    ):
        conn = _connect(str(path), **query)
        try:
            for pragma in pragmas:
                conn.execute(pragma)
            conn.execute("select count(*) from sqlite_master").fetchone()
            if not up_to_date(conn):  # this Banco needs a newer schema: it must write
                conn.close()
                break
        except sqlite3.DatabaseError:
            conn.close()
            continue
        conn.execute("PRAGMA recursive_triggers = ON")  # as sqlite-utils' Database did
        conn.execute("PRAGMA foreign_keys = ON")
        return conn
    raise refused


def store_error(error: BaseException, home: Path) -> StoreError | None:
    """``error`` said as the store's problem (a full disk, a read-only folder, a damaged file),
    or None when it is not the store's."""
    if isinstance(error, StoreError):
        return error
    folder = str(home)
    code = getattr(error, "sqlite_errorname", "") if isinstance(error, sqlite3.Error) else ""
    number = error.errno if isinstance(error, OSError) else None
    if code.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")):
        return damaged(home)
    if code.startswith("SQLITE_FULL") or number in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        return StoreError(Sentence(FULL, folder=folder))
    ours = isinstance(error, OSError) and str(error.filename or "").startswith(folder)
    if not (code.startswith(("SQLITE_READONLY", "SQLITE_IOERR", "SQLITE_CANTOPEN")) or ours):
        return None
    if _nearly_full(home):
        return StoreError(Sentence(FULL, folder=folder))
    refused = number in (errno.EROFS, errno.EACCES, errno.EPERM)
    if refused or not _writable(home) or code.startswith("SQLITE_READONLY"):
        return StoreError(Sentence(READ_ONLY, folder=folder))
    return StoreError(Sentence(NOT_WRITTEN, folder=folder))


def damaged(home: Path) -> StoreError:
    """The store in ``home`` is damaged: which backup to restore, or how to save what is left."""
    from banco.inbox.store.backup import BACKUPS, latest  # backups are made of this module's Store

    path = str(home / DB_NAME)
    found = latest(home)
    if found is not None:
        return StoreError(Sentence(RESTORE, path=path, backup=str(found.path)))
    return StoreError(Sentence(RECOVER, path=path, folder=str(home / BACKUPS)))


def damage(store: Store) -> bool:
    """Whether SQLite's own checks find the store damaged: its pages and indexes (``PRAGMA
    quick_check``), and each full-text index's own structure. A store open for reading only
    gets the first (the second is an insert, which changes nothing)."""
    conn = store.conn
    try:
        if [row[0] for row in conn.execute("PRAGMA quick_check")] != ["ok"]:
            return True
        if store.writable:
            for (table,) in conn.execute(
                "select name from sqlite_master where sql like 'CREATE VIRTUAL TABLE%fts5%'"
            ).fetchall():
                # rank 0: the index's own structure. Against its text (rank 1) it would fail
                # for every message stored and not yet indexed (search_index.catch_up).
                conn.execute(f"insert into {table} ({table}, rank) values ('integrity-check', 0)")
    except sqlite3.DatabaseError as e:
        if store_error(e, store.home) is None:
            raise
        return getattr(e, "sqlite_errorname", "").startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB"))
    return False


def _not_a_store(path: Path) -> StoreError:
    return StoreError(Sentence(NOT_A_STORE, path=str(path)))


def _nearly_full(home: Path) -> bool:
    try:
        disk = os.statvfs(home)
    except OSError:
        return False
    return disk.f_bavail * disk.f_frsize < NEARLY_FULL


def _writable(home: Path) -> bool:
    db = home / DB_NAME
    return os.access(home, os.W_OK) and (not db.exists() or os.access(db, os.W_OK))


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
    _private(path, 0o600)


def _private(path: Path, mode: int) -> None:
    """Give ``path`` ``mode``, touching it only when it differs: a read-only folder refuses
    even a chmod that changes nothing."""
    if path.stat().st_mode & 0o777 != mode:
        os.chmod(path, mode)
