"""The message files of one Maildir folder, listed and read without changing anything.

A file is known by its unique name, the part of its file name before ":" (the mail program adds
":2,<flags>" and moves it from new/ to cur/ when it is read). Renaming keeps the modification time,
so (mtime_ns, unique name) is a stable order to resume from.
"""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass
from pathlib import Path

from banco.connectors.errors import NeedsUser

#: Header block cap for messages too large to read whole.
HEADER_CAP = 256 * 1024
#: A file in tmp/ modified this recently is a delivery in progress; older ones are leftovers.
DELIVERY_WINDOW_NS = 15 * 60 * 1_000_000_000
_HEADER_END = re.compile(rb"\r?\n\r?\n")


@dataclass(frozen=True)
class MaildirFile:
    path: Path
    unique: str
    mtime_ns: int
    size: int

    @property
    def key(self) -> tuple[int, str]:
        return (self.mtime_ns, self.unique)


def unique_name(file_name: str) -> str:
    return file_name.split(":", 1)[0]


def list_messages(directory: Path) -> list[MaildirFile]:
    """Every message in new/ and cur/, oldest first. new/ is listed first so that a file the mail
    program moves to cur/ meanwhile is seen at least once; a file seen twice is kept once."""
    files: dict[str, MaildirFile] = {}
    for sub in ("new", "cur"):
        for file in _scan(directory / sub):
            files.setdefault(file.unique, file)
    return sorted(files.values(), key=lambda f: f.key)


def settled(files: list[MaildirFile], directory: Path) -> list[MaildirFile]:
    """``files`` minus those a delivery still in tmp/ could end up older than.

    A mail program writes a message in tmp/ and then renames it into new/, keeping its
    modification time. If a cursor moved past a file while another was still in tmp/, that other
    file could appear later but behind the cursor, and be missed for good.
    """
    floor = _oldest_delivery(directory / "tmp")
    return files if floor is None else [f for f in files if f.mtime_ns < floor]


def find_moved(directory: Path, unique: str) -> MaildirFile | None:
    """The file with this unique name now, after the mail program renamed or moved it."""
    for sub in ("new", "cur"):
        for file in _scan(directory / sub, only=unique):
            return file
    return None


def read_header_block(path: Path) -> bytes:
    """The header block of a message: up to the first blank line, at most HEADER_CAP bytes."""
    with path.open("rb") as f:
        head = f.read(HEADER_CAP)
    end = _HEADER_END.search(head)
    return head[: end.start()] if end else head


def _scan(directory: Path, only: str | None = None) -> list[MaildirFile]:
    """The message files in one of new/ or cur/; with ``only``, just those with that unique name."""
    try:
        return _scan_entries(directory, only)
    except FileNotFoundError:
        return []
    except PermissionError as e:
        raise NeedsUser(
            "Banco may not read the mail folder {directory}: let your user read it.",
            directory=directory,
        ) from e


def _scan_entries(directory: Path, only: str | None) -> list[MaildirFile]:
    with os.scandir(directory) as listing:
        entries = list(listing)
    files = []
    for entry in entries:
        unique = unique_name(entry.name)
        if entry.name.startswith(".") or (only is not None and unique != only):
            continue
        try:
            if not entry.is_file():
                continue
            stat = entry.stat()
        except FileNotFoundError:  # renamed or moved away since the listing: seen where it went
            continue
        files.append(MaildirFile(Path(entry.path), unique, stat.st_mtime_ns, stat.st_size))
    return files


def _oldest_delivery(tmp: Path) -> int | None:
    # The machine's clock, not the shop's: it is compared with the times the file system wrote.
    recent = time.time_ns() - DELIVERY_WINDOW_NS
    times = []
    try:
        with os.scandir(tmp) as entries:
            for entry in entries:
                try:
                    times.append(entry.stat().st_mtime_ns)
                except FileNotFoundError:  # delivered meanwhile: it is in new/ now
                    continue
    except OSError:  # no tmp/ at all, or not ours to read: nothing known to be in delivery
        return None
    deliveries = [t for t in times if t >= recent]
    return min(deliveries) if deliveries else None
