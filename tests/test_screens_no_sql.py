"""The command and the web page write no SQL: every question they ask is a named function of the
store (import-linter holds the other half: they never import sqlite3 or sqlite_utils)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import banco.inbox

INBOX = Path(banco.inbox.__file__).parent
SCREENS = sorted([*(INBOX / "cli").glob("*.py"), *(INBOX / "web").glob("*.py")])
#: The Store's doors to raw SQL, and SQL's own words at the start of a string.
RAW_SQL = re.compile(
    r"\.(one|all|scalar|insert)\(|\.db\.|\.execute\(|[\"'](select|insert|update|delete) ", re.I
)


@pytest.mark.parametrize("path", SCREENS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_a_screen_asks_the_store_by_name(path: Path) -> None:
    found = [line.strip() for line in path.read_text().splitlines() if RAW_SQL.search(line)]
    assert found == []


def test_the_screens_are_found() -> None:
    assert {p.parent.name for p in SCREENS} == {"cli", "web"}
