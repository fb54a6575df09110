"""Rows of a Google Form's responses (a CSV download or the sheet itself) as records.

Everything arrives as text (a header row and rows of cells) and stays text: a phone number such as
"0512345678" is never turned into a number.

Identity
    A row's ``external_id`` survives rows deleted, inserted or sorted around it and edits of its
    answers other than who answered: it is made of the Timestamp and of who answered, never of the
    row number (see :mod:`.identity`).

Raw
    ``raw`` is the row as UTF-8 JSON ``[[header, value], ...]`` in column order, headers as the
    sheet writes them, so the row can be parsed again later. It holds no row number on purpose: a
    row that merely moved is byte for byte the same record.

Dates
    A sheet writes dates in its locale, so ``date_order`` ("dmy", "mdy", "ymd") says how to read
    "01/02/2025"; "auto" decides once for the whole sheet (see :func:`resolve_date_order`). A date
    whose first number has four digits is always year-month-day.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo

from banco.config.sentence import Sentence
from banco.connectors.base import Handle, OrderFields, Person, Record

from .identity import FORM_ROW, WHO_FIELDS, row_ids
from .text import fold

DATE_ORDERS = ("auto", "dmy", "mdy", "ymd")
NOTES_IN_TITLE = 60

_NUMERIC_DATE = re.compile(
    r"(?P<a>\d{1,4})[/.-](?P<b>\d{1,2})[/.-](?P<c>\d{1,4})"
    r"(?:[\sT,]+(?P<hour>\d{1,2})[:.](?P<minute>\d{2})(?:[:.](?P<second>\d{2})(?:[.,]\d+)?)?)?"
    r"\s*(?P<ampm>[ap]\.?m\.?)?"
    r"\s*(?:(?P<zone>gmt|utc|z)(?P<offset>[+-]\d{1,2}(?::?\d{2})?)?)?",
    re.IGNORECASE,
)
_DAY_MONTH_YEAR = re.compile(r"(\d{1,2})(?:st|nd|rd|th|er)? (?:de |di )?([a-z]+) (\d{4})")
_MONTH_DAY_YEAR = re.compile(r"([a-z]+) (\d{1,2})(?:st|nd|rd|th)? (\d{4})")
_MONTH_NAMES = (
    "january jan gennaio gen janvier janv",
    "february feb febbraio fevrier fevr fev",
    "march mar marzo mars",
    "april apr aprile avril avr",
    "may maggio mag mai",
    "june jun giugno giu juin",
    "july jul luglio lug juillet juil",
    "august aug agosto ago aout",
    "september sep sept settembre set septembre",
    "october oct ottobre ott octobre",
    "november nov novembre",
    "december dec dicembre dic decembre",
)
_MONTHS = {name: n for n, names in enumerate(_MONTH_NAMES, start=1) for name in names.split()}

_QUANTITY = re.compile(r"(\d{1,6})\s*(?:[^\W\d_][^\d]*)?")
_URL = re.compile(r"https?://[^\s,;<>\"']+")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_PHONE = re.compile(r"\+?[\d\s().\-/]{6,}")
_TELEGRAM = re.compile(r"(?:@|(?:https?://)?t\.me/)?([A-Za-z][A-Za-z0-9_]{4,31})")


def column_letter(index: int) -> str:
    """The spreadsheet name of a 0-based column: 0 -> "A", 26 -> "AA"."""
    letters = ""
    number = index + 1
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def unique_headers(headers: Sequence[str]) -> list[str]:
    """Column names that are never blank nor repeated, so no answer is lost.

    A blank header becomes "Column C" (its spreadsheet letter), a repeated one "Name (2)".
    The result is stable: applied to its own output it changes nothing.
    """
    names: list[str] = []
    seen: set[str] = set()
    for index, header in enumerate(headers):
        base = header.strip() or f"Column {column_letter(index)}"
        name, count = base, 1
        while name in seen:
            count += 1
            name = f"{base} ({count})"
        seen.add(name)
        names.append(name)
    return names


# Dates ----------------------------------------------------------------------------------------
def resolve_date_order(date_order: str, timestamps: Sequence[str], deadlines: Sequence[str]) -> str:
    """The date order of a whole sheet: ``date_order`` itself unless it is "auto".

    "auto" looks at the Timestamps first (the sheet wrote them, so they agree), then at the
    deadlines: a first number above 12 means day-month-year, a second one above 12 means
    month-day-year. With no such evidence: day-month-year, unless the Timestamps use AM/PM.
    """
    if date_order != "auto":
        return date_order
    for texts in (timestamps, deadlines):
        shown = _order_shown_by(texts)
        if shown:
            return shown
    uses_ampm = any(match["ampm"] for match in _date_matches(timestamps))
    return "mdy" if uses_ampm else "dmy"


def _date_matches(texts: Sequence[str]) -> list[re.Match[str]]:
    return [m for m in (_NUMERIC_DATE.fullmatch(t.strip()) for t in texts) if m]


def _order_shown_by(texts: Sequence[str]) -> str | None:
    pairs = [(int(m["a"]), int(m["b"])) for m in _date_matches(texts) if len(m["a"]) < 4]
    if any(first > 12 for first, _ in pairs):
        return "dmy"
    if any(second > 12 for _, second in pairs):
        return "mdy"
    return None


def _day(match: re.Match[str], order: str) -> date | None:
    a, b, c = match["a"], match["b"], match["c"]
    if len(a) == 4 or order == "ymd":
        year, month, day = a, b, c
    elif order == "mdy":
        month, day, year = a, b, c
    else:
        day, month, year = a, b, c
    full_year = int(year) + (2000 if len(year) <= 2 else 0)
    try:
        return date(full_year, int(month), int(day))
    except ValueError:
        return None


def _clock(match: re.Match[str]) -> time | None:
    hour, minute, second = (int(match[k] or 0) for k in ("hour", "minute", "second"))
    ampm = (match["ampm"] or "").lower()
    if ampm and not 1 <= hour <= 12:
        return None
    if ampm.startswith("a") and hour == 12:
        hour = 0
    elif ampm.startswith("p") and hour < 12:
        hour += 12
    try:
        return time(hour, minute, second)
    except ValueError:
        return None


def _zone(match: re.Match[str], default: tzinfo) -> tzinfo | None:
    if not match["zone"]:
        return default
    offset = match["offset"] or "+0"
    digits = offset[1:].replace(":", "")
    hours, minutes = (digits[:-2], digits[-2:]) if len(digits) > 2 else (digits, "0")
    shift = timedelta(hours=int(hours), minutes=int(minutes))
    try:
        return timezone(-shift if offset.startswith("-") else shift)
    except ValueError:  # beyond a day: not a real offset
        return None


def parse_timestamp(text: str, date_order: str, zone: ZoneInfo) -> datetime | None:
    """A Timestamp as the sheet wrote it, read in ``zone`` unless it names a GMT offset; in UTC."""
    match = _NUMERIC_DATE.fullmatch(text.strip())
    if not match:
        return None
    day, clock, where = _day(match, date_order), _clock(match), _zone(match, zone)
    if day is None or clock is None or where is None:
        return None
    return datetime.combine(day, clock, tzinfo=where).astimezone(UTC)


def parse_date(text: str, date_order: str) -> date | None:
    """A date answer: "20/12/2025", "2025-12-20", "20 dicembre 2025", "December 20, 2025"."""
    match = _NUMERIC_DATE.fullmatch(text.strip())
    if match:
        return _day(match, date_order)
    return _worded_date(fold(text))


def _worded_date(folded: str) -> date | None:
    if match := _DAY_MONTH_YEAR.fullmatch(folded):
        day, month, year = match.groups()
    elif match := _MONTH_DAY_YEAR.fullmatch(folded):
        month, day, year = match.groups()
    else:
        return None
    if month not in _MONTHS:
        return None
    try:
        return date(int(year), _MONTHS[month], int(day))
    except ValueError:
        return None


# Records ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Sheet:
    """What every row of one sheet shares."""

    headers: list[str]  # header texts as written, padded with "" to the widest row
    names: list[str]  # unique_headers(headers)
    columns: dict[str, int]  # Banco field -> column index
    date_order: str  # resolved: "dmy", "mdy" or "ymd"
    timezone: ZoneInfo


def numbered_records(
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    mapping: Mapping[str, str],
    *,
    timezone: ZoneInfo,
    date_order: str,
    stream: str,
    start_row: int = 2,
) -> list[tuple[int, Record]]:
    """One record per answered row (rows of blank cells are skipped), in sheet order, each with its
    sheet row number (what a cursor counts).

    ``mapping`` is Banco field -> column name as :func:`unique_headers` names it; every other column
    becomes a custom field of the order. ``start_row`` is the sheet row number of ``rows[0]``.
    """
    width = max([len(headers), *(len(row) for row in rows)])
    padded = [*headers, *[""] * (width - len(headers))]
    names = unique_headers(padded)
    columns = {field: names.index(header) for field, header in mapping.items() if header in names}
    answered = [
        (start_row + offset, [*row, *[""] * (width - len(row))])
        for offset, row in enumerate(rows)
        if any(cell.strip() for cell in row)
    ]
    order = resolve_date_order(
        date_order,
        _column(answered, columns.get("timestamp")),
        _column(answered, columns.get("deadline")),
    )
    sheet = _Sheet(padded, names, columns, order, timezone)
    ids = _external_ids(answered, columns)
    return [
        (number, _record(sheet, cells, external_id, stream))
        for (number, cells), external_id in zip(answered, ids, strict=True)
    ]


def _column(rows: list[tuple[int, list[str]]], index: int | None) -> list[str]:
    return [] if index is None else [cells[index] for _, cells in rows]


def _external_ids(rows: list[tuple[int, list[str]]], columns: Mapping[str, int]) -> list[str]:
    who = [columns[field] for field in WHO_FIELDS if field in columns]
    return row_ids([cells for _, cells in rows], columns.get("timestamp"), who)


def _record(sheet: _Sheet, cells: list[str], external_id: str, stream: str) -> Record:
    values = [cell.strip() for cell in cells]
    answers = {field: values[index] for field, index in sheet.columns.items()}
    failed: dict[str, str] = {}  # field -> answer that could not be read as one
    sender = _sender(answers, failed)
    sent_at = parse_timestamp(answers.get("timestamp", ""), sheet.date_order, sheet.timezone)
    _keep_if_unread("timestamp", answers, sent_at, failed)
    order = _order_fields(sheet, answers, failed)
    order.custom = _custom(sheet, values, failed)
    item = _one_line(answers.get("item", ""))
    pairs = [list(pair) for pair in zip(sheet.headers, cells, strict=True)]
    raw = json.dumps(pairs, ensure_ascii=False).encode("utf-8")
    return Record(
        external_id=external_id,
        channel="form",
        direction="in",
        sent_at=sent_at,
        sender=sender,
        subject=Sentence("Order form: {item}", item=item) if item else Sentence("Order form"),
        text="\n".join(
            f"{name}: {value}" for name, value in zip(sheet.names, values, strict=True) if value
        ),
        raw=raw,
        raw_type=FORM_ROW,
        size=len(raw),
        conversation=f"{stream}/{external_id}",
        order=order,
    )


def _keep_if_unread(
    field: str, answers: Mapping[str, str], parsed: object, failed: dict[str, str]
) -> None:
    """Remember an answer that was given but could not be read, so it lands in ``custom``."""
    if answers.get(field) and (parsed is None or parsed == []):
        failed[field] = answers[field]


def _custom(sheet: _Sheet, values: list[str], failed: Mapping[str, str]) -> dict[str, str]:
    """Unmapped answers, and mapped ones that could not be read, by column name in column order."""
    mapped = set(sheet.columns.values()) - {sheet.columns[field] for field in failed}
    return {
        name: value
        for index, (name, value) in enumerate(zip(sheet.names, values, strict=True))
        if value and index not in mapped
    }


def _sender(answers: Mapping[str, str], failed: dict[str, str]) -> Person | None:
    given = (answers.get("first_name", ""), answers.get("last_name", ""))
    name = answers.get("name") or " ".join(part for part in given if part)
    handles: list[Handle] = []
    for field in ("email", "phone", "telegram"):
        handle = _handle(field, answers.get(field, ""))
        _keep_if_unread(field, answers, handle, failed)
        if handle is not None:
            handles.append(handle)
    return Person(name, handles) if name or handles else None


def _handle(field: str, text: str) -> Handle | None:
    """The handle an answer gives, or None when it is not an address of that kind."""
    if field == "email" and _EMAIL.fullmatch(text):
        return Handle("email", text)
    if field == "phone" and _PHONE.fullmatch(text) and sum(c.isdigit() for c in text) >= 6:
        return Handle("phone", text)
    if field == "telegram" and (match := _TELEGRAM.fullmatch(text)):
        return Handle("telegram_username", match[1])
    return None


def _order_fields(sheet: _Sheet, answers: Mapping[str, str], failed: dict[str, str]) -> OrderFields:
    item, notes = answers.get("item", ""), answers.get("notes", "")
    quantity = _quantity(answers.get("quantity", ""))
    deadline = parse_date(answers.get("deadline", ""), sheet.date_order)
    links = [url.rstrip(".)") for url in _URL.findall(answers.get("links", ""))]
    for field, parsed in (("quantity", quantity), ("deadline", deadline), ("links", links)):
        _keep_if_unread(field, answers, parsed, failed)
    return OrderFields(
        title=_one_line(item) or _one_line(notes)[:NOTES_IN_TITLE] or Sentence("Order form"),
        details="\n\n".join(part for part in (item, notes) if part),
        quantity=quantity,
        deadline=deadline,
        budget=answers.get("budget", ""),
        notes=notes,
        links=links,
    )


def _quantity(text: str) -> int | None:
    """A plain number, perhaps followed by a word: "3", "3 pezzi" -> 3; "2 or 3" -> None."""
    match = _QUANTITY.fullmatch(text)
    return int(match[1]) if match else None


def _one_line(text: str) -> str:
    return " ".join(text.split())
