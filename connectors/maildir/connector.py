"""``MaildirConnector``, the connector itself; what it does is said in the package's docstring."""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, ClassVar

from banco.config import Option
from banco.config.sentence import Sentence
from banco.connectors.base import (
    CheckResult,
    Context,
    Page,
    Record,
    folder_counts,
    unreadable_record,
)
from banco.connectors.email import parse_headers_only, parse_message
from banco.connectors.email.parse import CHANNEL, MB, RAW_TYPE
from banco.connectors.errors import NeedsUser

from .files import MaildirFile, find_moved, list_messages, read_header_block, settled
from .folders import existing_folders, folder_candidates, is_maildir
from .options import OPTIONS

#: How often a file that keeps vanishing under its new name is looked for again before skipping.
_MOVE_RETRIES = 3


class MaildirConnector:
    kind: ClassVar[str] = "maildir"
    channel: ClassVar[str] = "email"
    options: ClassVar[Mapping[str, Option]] = OPTIONS
    #: Records per page; tests lower it to get many cursors.
    PAGE_SIZE = 200

    def __init__(self, name: str, settings: Mapping[str, Any], context: Context) -> None:
        def setting(key: str) -> Any:
            return settings.get(key, self.options[key].default)

        self.name = name
        self.root = context.home / Path(setting("path")).expanduser()
        self.max_bytes = int(setting("max_message_mb") * MB)
        sent: str = setting("sent_folder")
        #: stream (folder name) -> direction of its mail
        self.streams = {folder: "in" for folder in setting("folders") if folder != sent}
        if sent:
            self.streams[sent] = "out"

    def check(self) -> CheckResult:
        counts = {folder: len(list_messages(path)) for folder, path in self._folders().items()}
        return CheckResult(
            summary=Sentence(
                "Maildir {root}: {counts}", root=self.root, counts=folder_counts(counts)
            ),
            counts=counts,
        )

    def fetch(self, cursors: Mapping[str, Any]) -> Iterator[Page]:
        for folder, directory in self._folders().items():
            yield from self._fetch_folder(folder, directory, cursors.get(folder))

    def close(self) -> None:
        """Nothing stays open between calls."""

    def _fetch_folder(self, folder: str, directory: Path, cursor: Any) -> Iterator[Page]:
        after = _cursor_key(cursor)
        files = [
            f
            for f in settled(list_messages(directory), directory)
            if after is None or f.key > after
        ]
        direction = self.streams[folder]
        for start in range(0, len(files), self.PAGE_SIZE):
            chunk = files[start : start + self.PAGE_SIZE]
            read = (self._read(directory, file, direction) for file in chunk)
            records = [record for record in read if record is not None]
            last = chunk[-1]
            yield Page(
                stream=folder,
                cursor={"mtime_ns": last.mtime_ns, "name": last.unique},
                records=records,
                remaining=len(files) - start - len(chunk),
            )

    def _read(self, directory: Path, file: MaildirFile, direction: str) -> Record | None:
        """The record of one file, or None when it is gone from this folder."""
        for _ in range(_MOVE_RETRIES):
            try:
                return self._parse(file, direction)
            except FileNotFoundError:
                moved = find_moved(directory, file.unique)
                if moved is None:  # deleted, or moved to another folder that lists it itself
                    return None
                file = moved
            except OSError as e:
                problem = Sentence("the file could not be read: {reason}", reason=_reason(e))
                record = unreadable_record(file.unique, CHANNEL, b"", RAW_TYPE, problem)
                record.direction, record.size = direction, file.size
                return record
        return None

    def _parse(self, file: MaildirFile, direction: str) -> Record:
        if file.size > self.max_bytes:
            header = read_header_block(file.path)
            return parse_headers_only(header, file.unique, file.size, direction)
        return parse_message(file.path.read_bytes(), file.unique, direction)

    def _folders(self) -> dict[str, Path]:
        """Each stream's directory; NeedsUser, in words, for anything missing."""
        self._require_maildir()
        return {folder: self._folder_path(folder) for folder in self.streams}

    def _require_maildir(self) -> None:
        where = Sentence('Check `path` in the account "{name}".', name=self.name)
        if not self.root.exists():
            raise NeedsUser(
                "The mail folder {root} does not exist. {where}", root=self.root, where=where
            )
        if not os.access(self.root, os.R_OK | os.X_OK):
            raise NeedsUser(
                "Banco may not read the mail folder {root}: let your user read it.", root=self.root
            )
        if not is_maildir(self.root):
            raise NeedsUser(
                "{root} is not a mail folder in Maildir format: it should contain cur, new"
                " and tmp folders. {where}",
                root=self.root,
                where=where,
            )

    def _folder_path(self, folder: str) -> Path:
        for candidate in folder_candidates(self.root, folder):
            if is_maildir(candidate):
                return candidate
        key = "sent_folder" if self.streams[folder] == "out" else "folders"
        there = ", ".join(existing_folders(self.root))
        raise NeedsUser(
            'There is no folder "{folder}" in the mail folder {root} (its folders are: '
            '{there}). Check `{key}` in the account "{name}".',
            folder=folder,
            root=self.root,
            there=there,
            key=key,
            name=self.name,
        )


def _cursor_key(cursor: Any) -> tuple[int, str] | None:
    """A saved cursor as a sort key; None (start over) for none or one this version cannot read."""
    if isinstance(cursor, Mapping):
        mtime_ns, name = cursor.get("mtime_ns"), cursor.get("name")
        if isinstance(mtime_ns, int) and isinstance(name, str):
            return (mtime_ns, name)
    return None


def _reason(error: OSError) -> str:
    return (error.strerror or str(error)).lower()
