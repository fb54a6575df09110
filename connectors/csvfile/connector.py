"""``CsvConnector``, the connector itself; what it does is said in the package's docstring."""

from __future__ import annotations

import codecs
import contextlib
import csv
import hashlib
import io
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from banco.config import Option
from banco.config.sentence import Sentence
from banco.connectors.base import CheckResult, Context, Page, Record
from banco.connectors.errors import NeedsUser
from banco.connectors.forms import numbered_records, unique_headers
from banco.connectors.forms.answers import (
    STREAM,
    answer_mapping,
    answer_pages,
    mapping_warnings,
    resume_after,
)

from .options import OPTIONS

FALLBACK_ENCODING = "cp1252"
DELIMITERS = (",", ";", "\t")
DOWNLOAD_HINT = Sentence('In the form, open Responses and choose "Download responses (.csv)".')


@dataclass(frozen=True)
class _CsvFile:
    sha256: str
    headers: list[str]
    rows: list[list[str]]
    fallback: bool  # read as cp1252 because it was not valid in the configured encoding

    @property
    def last_row(self) -> int:
        """The sheet row number of the last row (the header is row 1)."""
        return 1 + len(self.rows)


class CsvConnector:
    """Form answers from a CSV file: one record per answered row."""

    kind: ClassVar[str] = "csv"
    channel: ClassVar[str] = "form"
    options: ClassVar[Mapping[str, Option]] = OPTIONS
    PAGE_SIZE: ClassVar[int] = 200

    def __init__(self, name: str, settings: Mapping[str, Any], context: Context) -> None:
        self.name = name
        path = Path(settings["path"]).expanduser()
        self.path = path if path.is_absolute() else context.home / path
        self.mapping: Mapping[str, Any] = settings.get("mapping") or {}
        self.date_order: str = settings.get("date_order", "auto")
        self.encoding: str = settings.get("encoding", "utf-8-sig")
        self.timezone = context.timezone

    # The Connector protocol ------------------------------------------------------------------
    def check(self) -> CheckResult:
        csv_file = self._read()
        mapping = self._mapping(csv_file.headers)
        answers = len(self._numbered(csv_file, mapping))
        columns = ", ".join(mapping) or Sentence("none")
        if answers == 1:
            summary = Sentence(
                "CSV {path}: 1 answer, columns mapped: {columns}", path=self.path, columns=columns
            )
        else:
            summary = Sentence(
                "CSV {path}: {n} answers, columns mapped: {columns}",
                path=self.path,
                n=answers,
                columns=columns,
            )
        return CheckResult(
            summary=summary,
            counts={STREAM: answers},
            warnings=self._warnings(csv_file, mapping),
        )

    def fetch(self, cursors: Mapping[str, Any]) -> Iterator[Page]:
        csv_file = self._read()
        after = resume_after(cursors.get(STREAM), csv_file.sha256)
        if after >= csv_file.last_row:
            return
        numbered = self._numbered(csv_file, self._mapping(csv_file.headers))
        yield from answer_pages(numbered, after, csv_file.sha256, csv_file.last_row, self.PAGE_SIZE)

    def close(self) -> None:
        """Nothing stays open between fetches."""

    # For `banco forms headers` ---------------------------------------------------------------
    def headers(self) -> list[str]:
        """The file's columns as a mapping names them: blank and repeated ones made unique."""
        return unique_headers(self._read().headers)

    # Reading ---------------------------------------------------------------------------------
    def _read(self) -> _CsvFile:
        data = self._bytes()
        if b"\x00" in data or data.lstrip().startswith(b"<"):
            raise NeedsUser(
                "{path} is not a CSV file (it looks like a spreadsheet or a web page). {hint}",
                path=self.path,
                hint=DOWNLOAD_HINT,
            )
        text, fallback = self._decode(data)
        table = self._table(text.removeprefix("\ufeff"))
        if not table or not any(cell.strip() for cell in table[0]):
            raise NeedsUser(
                "{path} has no header row: its first line should hold the form's questions. {hint}",
                path=self.path,
                hint=DOWNLOAD_HINT,
            )
        return _CsvFile(hashlib.sha256(data).hexdigest(), table[0], table[1:], fallback)

    def _bytes(self) -> bytes:
        try:
            return self.path.read_bytes()
        except FileNotFoundError:
            raise NeedsUser(
                "There is no file at {path}. {hint} Save it there, or change "
                'the path of "{name}" in banco.toml.',
                path=self.path,
                hint=DOWNLOAD_HINT,
                name=self.name,
            ) from None
        except IsADirectoryError:
            raise NeedsUser(
                "{path} is a folder: set the path of {name} to the CSV file itself.",
                path=self.path,
                name=self.name,
            ) from None
        except OSError as e:
            raise NeedsUser(
                "Banco cannot read {path} ({reason}). Check that the file is yours and readable.",
                path=self.path,
                reason=e.strerror,
            ) from None

    def _decode(self, data: bytes) -> tuple[str, bool]:
        """The file's text, and whether it had to be read as cp1252 instead."""
        try:
            return data.decode(self.encoding), False
        except LookupError:
            raise NeedsUser(
                'The encoding "{encoding}" of {name} is not one Banco knows; '
                'use "utf-8-sig" (the default) or "cp1252".',
                encoding=self.encoding,
                name=self.name,
            ) from None
        except UnicodeDecodeError:
            pass
        if codecs.lookup(self.encoding).name != codecs.lookup(FALLBACK_ENCODING).name:
            with contextlib.suppress(UnicodeDecodeError):
                return data.decode(FALLBACK_ENCODING), True
        raise NeedsUser(
            "{path} is not a text CSV file. {hint}",
            path=self.path,
            hint=DOWNLOAD_HINT,
        )

    def _table(self, text: str) -> list[list[str]]:
        try:
            delimiter = max(DELIMITERS, key=lambda d: len(_first_row(text, d)))
            reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
            return [[cell.replace("\r\n", "\n") for cell in row] for row in reader]
        except csv.Error as e:
            raise NeedsUser(
                "{path} is not a readable CSV file ({said}). {hint}",
                path=self.path,
                said=str(e),
                hint=DOWNLOAD_HINT,
            ) from None

    # Records ---------------------------------------------------------------------------------
    def _mapping(self, headers: list[str]) -> dict[str, str]:
        return answer_mapping(self.name, self.mapping, headers, str(self.path))

    def _numbered(self, csv_file: _CsvFile, mapping: Mapping[str, str]) -> list[tuple[int, Record]]:
        return numbered_records(
            csv_file.headers,
            csv_file.rows,
            mapping,
            timezone=self.timezone,
            date_order=self.date_order,
            stream=STREAM,
        )

    def _warnings(self, csv_file: _CsvFile, mapping: Mapping[str, str]) -> list[str]:
        warnings: list[str] = []
        if csv_file.fallback:
            warnings.append(
                Sentence(
                    "{path} is not {encoding} text, so Banco read it as Windows text "
                    '(cp1252). If accents look wrong, set encoding for "{name}" in banco.toml.',
                    path=self.path,
                    encoding=self.encoding,
                    name=self.name,
                )
            )
        return warnings + mapping_warnings(mapping)


def _first_row(text: str, delimiter: str) -> list[str]:
    return next(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), [])
