"""Backups of a shop's store, and putting one back.

A backup is a folder ``<shop>/backups/banco-YYYYMMDD-HHMMSS`` (UTC) holding ``banco.db``, a copy
made with SQLite's online backup API (other processes go on writing meanwhile), and
``attachments/``, the files its messages name. It is built under a hidden ``.partial`` name,
checked (the copy opens, ``PRAGMA quick_check`` says ok, every file it names is there) and only
then renamed to its own name in one step: a backup stopped halfway (a kill, a full disk) is never
listed as one, and the next backup clears what it left. Everything is readable by the owner only.

Rotation keeps the newest backup of each of the last 7 days that have one and the newest of each
of the last 4 weeks (ISO weeks, UTC); older ones are removed.

Restoring (``restore``) refuses while another process has the store open, copies the store as it
is into ``backups/before-restore-YYYYMMDD-HHMMSS`` first, then puts the backup's database in
place in one rename and copies back every attachment that is missing or damaged.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import re
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from banco.config.sentence import Sentence
from banco.inbox.errors import NeedsYou
from banco.inbox.store.database import ATTACHMENTS, DB_NAME, Store

BACKUPS = "backups"
DAILY = 7
WEEKLY = 4

_NAME = re.compile(r"^banco-(\d{8}-\d{6})(?:-\d+)?$")
_PARTIAL = ".partial"
_LOCK = ".lock"


class BackupError(NeedsYou):
    """A backup cannot be made or put back."""

    def __init__(self, sentence: Sentence):
        super().__init__(sentence)
        self.sentence = sentence


@dataclass(frozen=True)
class Backup:
    """A complete backup: its folder and when it was taken (UTC)."""

    path: Path
    taken: datetime

    @property
    def database(self) -> Path:
        return self.path / DB_NAME


@dataclass(frozen=True)
class Restored:
    """What ``restore`` did: the backup put back, where the store it replaced was kept."""

    backup: Path
    kept_aside: Path
    files_copied: int


def backup(store: Store, now: datetime | None = None) -> Backup:
    """Back the store up into ``<shop>/backups`` while it is in use, then rotate."""
    folder = _private_folder(store.home / BACKUPS)
    taken = (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    with _backing_up(folder):
        for leftover in folder.glob(f".*{_PARTIAL}"):  # of a backup that was stopped
            shutil.rmtree(leftover, ignore_errors=True)
        final = _free_name(folder, taken)
        partial = _private_folder(folder / f".{final.name}{_PARTIAL}")
        _copy_database(store.conn, partial / DB_NAME)
        previous = backups(folder)
        names = _attachment_paths(partial / DB_NAME)
        for rel in names:
            _copy_attachment(rel, store.home, partial, previous[0].path if previous else None)
        _check(partial, names)
        os.rename(partial, final)
        _sync_folder(folder)
        made = Backup(final, taken)
        rotate(folder)
    return made


def backups(folder: Path) -> list[Backup]:
    """The complete backups in ``folder``, newest first."""
    found = []
    for path in folder.iterdir() if folder.is_dir() else ():
        match = _NAME.match(path.name)
        if match and path.is_dir():
            taken = datetime.strptime(match[1], "%Y%m%d-%H%M%S").replace(tzinfo=UTC)
            found.append(Backup(path, taken))
    return sorted(found, key=lambda b: (b.taken, b.path.name), reverse=True)


def kept(found: list[Backup]) -> list[Backup]:
    """Of ``found`` (newest first), the ones rotation keeps: the newest of each of the last
    ``DAILY`` days with a backup, and the newest of each of the last ``WEEKLY`` weeks."""
    days: dict[date, Backup] = {}
    weeks: dict[tuple[int, int], Backup] = {}
    for b in found:
        day, week = b.taken.date(), b.taken.isocalendar()[:2]
        if day not in days and len(days) < DAILY:
            days[day] = b
        if week not in weeks and len(weeks) < WEEKLY:
            weeks[week] = b
    keep = {*days.values(), *weeks.values()}
    return [b for b in found if b in keep]


def rotate(folder: Path) -> None:
    keep = kept(backups(folder))
    for old in backups(folder):
        if old not in keep:
            # renamed first: a removal stopped halfway leaves a leftover, never a broken backup
            doomed = folder / f".{old.path.name}{_PARTIAL}"
            os.rename(old.path, doomed)
            shutil.rmtree(doomed, ignore_errors=True)


def latest(home: Path) -> Backup | None:
    found = backups(home / BACKUPS)
    return found[0] if found else None


def restore(home: Path, source: Path, now: datetime | None = None) -> Restored:
    """Put the backup ``source`` (its folder or its ``banco.db``) back as the shop's store."""
    folder = source if source.is_dir() else source.parent
    if not (folder / DB_NAME).is_file():
        raise BackupError(Sentence("{path} is not a Banco backup.", path=str(source)))
    names = _attachment_paths(folder / DB_NAME)
    _check(folder, names)
    live = home / DB_NAME
    _claim_alone(live)
    taken = (now or datetime.now(UTC)).astimezone(UTC)
    aside = _private_folder(_private_folder(home / BACKUPS) / f"before-restore-{_stamp(taken)}")
    incoming = home / f"{DB_NAME}.restoring"
    _copy_file(folder / DB_NAME, incoming)
    for suffix in ("", "-wal", "-shm"):  # the log belongs to the file it was written for
        side = home / f"{DB_NAME}{suffix}"
        if side.exists():
            _copy_file(side, aside / side.name)
    _sync_folder(aside)
    for suffix in ("-wal", "-shm"):
        (home / f"{DB_NAME}{suffix}").unlink(missing_ok=True)
    os.replace(incoming, live)
    _sync_folder(home)
    copied = sum(_put_back(rel, folder, home) for rel in names)
    return Restored(folder, aside, copied)


def holds(store: Store) -> tuple[int, int]:
    """How many messages and orders the store holds: what a restore says it brought back."""
    return (
        int(store.scalar("select count(*) from messages")),
        int(store.scalar("select count(*) from orders")),
    )


# Making a backup -------------------------------------------------------------------------------
@contextmanager
def _backing_up(folder: Path) -> Iterator[None]:
    """One backup at a time per shop (``banco run`` and ``banco backup`` may meet)."""
    fd = os.open(folder / _LOCK, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _free_name(folder: Path, taken: datetime) -> Path:
    name = f"banco-{_stamp(taken)}"
    path, n = folder / name, 1
    while path.exists():
        n += 1
        path = folder / f"{name}-{n}"
    return path


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y%m%d-%H%M%S")


def _copy_database(source: sqlite3.Connection, target: Path) -> None:
    os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    with closing(sqlite3.connect(target, isolation_level=None)) as copy:
        # in one step: one consistent snapshot, taken under a read transaction that lets other
        # processes go on writing to the log
        source.backup(copy)
        copy.execute("PRAGMA journal_mode = DELETE")  # one self-contained file, no log beside it
    _sync_file(target)


def _attachment_paths(database: Path) -> list[str]:
    """The attachment files the store ``database`` names, relative to its shop folder."""
    try:
        with closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as db:
            rows = db.execute(
                "select distinct path from attachments where path is not null"
            ).fetchall()
    except sqlite3.DatabaseError as e:
        raise BackupError(
            Sentence("{path} is not a Banco store ({error}).", path=str(database), error=str(e))
        ) from None
    return [str(path) for (path,) in rows if _safe(str(path))]


def _safe(rel: str) -> bool:
    """Whether ``rel`` names a file inside the attachment folder (a damaged or crafted store
    could name any path)."""
    parts = Path(rel).parts
    return len(parts) >= 2 and parts[0] == ATTACHMENTS and ".." not in parts


def _copy_attachment(rel: str, home: Path, into: Path, previous: Path | None) -> None:
    """Copy an attachment into a backup: a link to the same file in the previous backup when it
    is there (a backup's files are never written again), else a copy of the shop's."""
    target = into / rel
    _private_folder(target.parent, parents=True)
    earlier = previous / rel if previous else None
    if earlier is not None and earlier.is_file():
        os.link(earlier, target)
    elif (home / rel).exists():
        _copy_file(home / rel, target)
    # a file the store names but the shop lost cannot be backed up: _check says so


def _check(folder: Path, names: list[str]) -> None:
    """The backup in ``folder`` opens, passes SQLite's check and holds every file it names."""
    database = folder / DB_NAME
    try:
        with closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as db:
            verdict = db.execute("PRAGMA quick_check").fetchone()[0]
            db.execute("select count(*) from messages").fetchone()
    except sqlite3.DatabaseError as e:
        verdict = str(e)
    if verdict != "ok":
        raise BackupError(
            Sentence("The backup {path} is damaged ({error}).", path=str(folder), error=verdict)
        )
    missing = [rel for rel in names if not (folder / rel).is_file()]
    if missing:
        raise BackupError(
            Sentence(
                "The backup {path} lacks {count} attachment files, among them {file}.",
                path=str(folder),
                count=len(missing),
                file=missing[0],
            )
        )


# Putting one back ------------------------------------------------------------------------------
def _claim_alone(live: Path) -> None:
    """Refuse while another process has the store open. Leaving WAL mode needs the store to
    itself, so SQLite answers that question: a store open elsewhere stays locked. A store too
    damaged to answer is in nobody's use worth keeping: the restore goes on."""
    if not live.exists():
        return
    try:
        with closing(sqlite3.connect(live, timeout=0, isolation_level=None)) as db:
            db.execute("PRAGMA journal_mode = DELETE").fetchone()
    except sqlite3.OperationalError as e:
        if "locked" in str(e) or "busy" in str(e):
            raise BackupError(
                Sentence("Another Banco has the store open: stop it, then restore again.")
            ) from None
    except sqlite3.DatabaseError:
        pass


def _put_back(rel: str, backup_folder: Path, home: Path) -> bool:
    """Copy an attachment back unless the shop holds it intact. True when copied."""
    target = home / rel
    if target.is_file() and _intact(target):
        return False
    _private_folder(target.parent, parents=True)
    _copy_file(backup_folder / rel, target)
    return True


def _intact(path: Path) -> bool:
    """An attachment is named by its SHA-256: whether its bytes still match."""
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest() == path.name


# Files -----------------------------------------------------------------------------------------
def _private_folder(path: Path, parents: bool = False) -> Path:
    path.mkdir(mode=0o700, parents=parents, exist_ok=True)
    os.chmod(path, 0o700)
    return path


def _copy_file(source: Path, target: Path) -> None:
    """Copy ``source`` to ``target`` (owner-only), whole or not at all."""
    tmp = target.with_name(target.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out, source.open("rb") as f:
        shutil.copyfileobj(f, out, 1 << 20)
        out.flush()
        os.fsync(out.fileno())
    os.replace(tmp, target)


def _sync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _sync_folder(path: Path) -> None:
    """Make a rename in ``path`` survive a power cut."""
    _sync_file(path)
