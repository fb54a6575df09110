"""Reading a form's response sheet: two API reads, everything as the sheet shows it.

1. ``GET /v4/spreadsheets/{key}``: the spreadsheet's title, locale and time zone, and its
   worksheets (tabs);
2. ``GET /v4/spreadsheets/{key}/values/'{worksheet}'`` with ``valueRenderOption=FORMATTED_VALUE``:
   every cell as the text the sheet shows, so a phone number "0512345678" keeps its zero and a
   Timestamp reads as the maker sees it. Nothing is ever turned into a number.

gspread's ``open_by_key`` and ``worksheet()`` would each read the metadata again (three reads per
collect), so the two calls go straight through gspread's HTTP client.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import gspread
from gspread.utils import absolute_range_name

from banco.connectors.errors import NeedsUser

_KEY_IN_URL = re.compile(r"/spreadsheets/(?:u/\d+/)?d/([A-Za-z0-9_-]+)")
_KEY_PARAM = re.compile(r"[?&#]key=([A-Za-z0-9_-]+)")
_KEY = re.compile(r"[A-Za-z0-9_-]+")
METADATA_FIELDS = (
    "properties(title,locale,timeZone),sheets.properties(sheetId,title,index,gridProperties)"
)
VALUES_PARAMS = {"valueRenderOption": "FORMATTED_VALUE", "majorDimension": "ROWS"}


@dataclass(frozen=True)
class Sheet:
    """One read of the answers: the header row, the rows after it, and what the metadata said."""

    title: str  # the spreadsheet's title
    worksheet: str  # the tab read
    locale: str
    time_zone: str
    headers: list[str]
    rows: list[list[str]]
    sha256: str  # of every cell read, headers included

    @property
    def last_row(self) -> int:
        """The sheet row number of the last row (the header is row 1)."""
        return 1 + len(self.rows)


def spreadsheet_key(account: str, spreadsheet: str) -> str:
    """The key in a sheet's address ("https://docs.google.com/spreadsheets/d/KEY/edit"), or the
    key itself."""
    text = spreadsheet.strip()
    if "docs.google.com/forms/" in text or "forms.gle/" in text:
        raise NeedsUser(
            'The spreadsheet of "{account}" in banco.toml is the address of the form itself. '
            'In the form, open "Responses" and click "View in Sheets" (or "Link to Sheets"), '
            "then copy the address of that sheet.",
            account=account,
        )
    found = _KEY_IN_URL.search(text) or _KEY_PARAM.search(text)
    if found:
        return found[1]
    if _KEY.fullmatch(text):
        return text
    raise NeedsUser(
        'The spreadsheet of "{account}" in banco.toml should be the address of the sheet of '
        "answers, copied from your browser's address bar (it starts with "
        "https://docs.google.com/spreadsheets/d/), or the key in it.",
        account=account,
    )


def read_sheet(client: gspread.Client, key: str, worksheet: str, account: str) -> Sheet:
    """The answers in ``worksheet`` ("" for the first tab). Raises gspread's APIError as is."""
    http = client.http_client
    metadata = http.fetch_sheet_metadata(
        key, params={"includeGridData": "false", "fields": METADATA_FIELDS}
    )
    properties: Mapping[str, Any] = metadata.get("properties") or {}
    title = str(properties.get("title", ""))
    tab = _worksheet(account, title, _tabs(metadata), worksheet)
    values = http.values_get(key, absolute_range_name(tab), params=dict(VALUES_PARAMS))
    cells = [[_text(cell) for cell in row] for row in values.get("values") or []]
    if not cells or not any(cell.strip() for cell in cells[0]):
        raise NeedsUser(
            'The first row of "{tab}" in the spreadsheet "{title}" is empty: Banco needs the '
            "form's questions there. If the answers are in another tab, set worksheet of "
            '"{account}" in banco.toml to its name.',
            tab=tab,
            title=title,
            account=account,
        )
    digest = hashlib.sha256(
        json.dumps(cells, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    ).hexdigest()
    return Sheet(
        title=title,
        worksheet=tab,
        locale=str(properties.get("locale", "")),
        time_zone=str(properties.get("timeZone", "")),
        headers=cells[0],
        rows=cells[1:],
        sha256=digest,
    )


def _tabs(metadata: Mapping[str, Any]) -> list[str]:
    sheets = metadata.get("sheets") or []
    ordered = sorted(
        (s.get("properties") or {} for s in sheets if isinstance(s, Mapping)),
        key=lambda p: int(p.get("index", 0)),
    )
    return [str(p.get("title", "")) for p in ordered]


def _worksheet(account: str, title: str, tabs: Sequence[str], wanted: str) -> str:
    """The tab to read: ``wanted`` (exactly, else ignoring case and spaces), or the first."""
    if not tabs:
        raise NeedsUser(
            'The spreadsheet "{title}" of "{account}" has no worksheet to read.',
            title=title,
            account=account,
        )
    if not wanted.strip():
        return tabs[0]
    if wanted in tabs:
        return wanted
    folded = [tab for tab in tabs if _fold(tab) == _fold(wanted)]
    if len(folded) == 1:
        return folded[0]
    names = ", ".join(f'"{tab}"' for tab in tabs)
    raise NeedsUser(
        'The spreadsheet "{title}" has no worksheet named "{wanted}"; its worksheets are: '
        '{names}. Set worksheet of "{account}" in banco.toml to one of them, or remove it to '
        "read the first.",
        title=title,
        wanted=wanted,
        names=names,
        account=account,
    )


def _fold(text: str) -> str:
    return " ".join(text.casefold().split())


def _text(cell: Any) -> str:
    """A cell as text. FORMATTED_VALUE sends only strings; anything else is written as shown."""
    if isinstance(cell, str):
        return cell
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return "TRUE" if cell else "FALSE"
    return str(cell)
