"""No SQL outside the store: every room of the inbox asks the store's noun modules by name
(``inbox/store/``), the one place a statement is written."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import banco.inbox

INBOX = Path(banco.inbox.__file__).parent
OUTSIDE = sorted(p for p in INBOX.rglob("*.py") if p.relative_to(INBOX).parts[0] != "store")
#: The Store's doors to raw SQL, and SQL's own words at the start of a string. A transaction
#: around calls of the store (``store.db.atomic()``) is no SQL of its own.
RAW_SQL = re.compile(
    r"\.(one|all|scalar|insert)\(|\.db\.(?!atomic\(\))|\.execute\(|"
    r"[\"'](select|insert|update|delete) ",
    re.I,
)


@pytest.mark.parametrize("path", OUTSIDE, ids=lambda p: str(p.relative_to(INBOX)))
def test_sql_is_written_in_the_store_only(path: Path) -> None:
    found = [line.strip() for line in path.read_text().splitlines() if RAW_SQL.search(line)]
    assert found == []


def test_every_room_is_looked_at() -> None:
    rooms = {p.relative_to(INBOX).parts[0] for p in OUTSIDE if p.parent != INBOX}
    assert {"cli", "web", "collect", "orders", "replies", "demo", "i18n"} <= rooms
