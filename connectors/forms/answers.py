"""What every reader of a form's answers shares once it holds the whole table (a CSV file, a
Google sheet): the configured or guessed mapping, the cursor, the pages and the warnings.

The cursor is ``{"sha256": <hex of the table>, "row": <last row included>}``: the same table with
the cursor at its last row has nothing new; the same table with an earlier cursor (a collect
stopped half-way) goes on after it; any other table (answers added or edited) gives every row
again, and the store keeps only what changed.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from banco.config.sentence import Sentence
from banco.connectors.base import Page, Record, joined
from banco.connectors.errors import NeedsUser

from .mapping import check_mapping, guess_mapping

STREAM = "rows"


def answer_mapping(
    account: str, configured: Mapping[str, Any], headers: list[str], source: str
) -> dict[str, str]:
    """The account's mapping, checked against the headers; guessed when none is configured."""
    if not configured:
        return guess_mapping(headers)
    problems = check_mapping(configured, headers)
    if problems:
        raise NeedsUser(
            "The mapping of {account} in banco.toml does not fit {source}: {problems}. Run"
            " `banco forms headers {account}` to see the columns.",
            account=account,
            source=source,
            problems=joined(problems, "; "),
        )
    return dict(configured)


def resume_after(cursor: Any, sha256: str) -> int:
    """The last row already delivered from this very table; 1 (the header) for any other."""
    if isinstance(cursor, Mapping) and cursor.get("sha256") == sha256:
        row = cursor.get("row")
        if isinstance(row, int):
            return row
    return 1


def answer_pages(
    numbered: list[tuple[int, Record]], after: int, sha256: str, last_row: int, page_size: int
) -> Iterator[Page]:
    """Pages of the records after row ``after``. The last cursor is the table's last row, so an
    unchanged table finds nothing to do (and a table of blank rows still moves the cursor)."""
    todo = [(n, record) for n, record in numbered if n > after]
    chunks = [todo[start : start + page_size] for start in range(0, len(todo), page_size)] or [[]]
    for index, chunk in enumerate(chunks):
        row = last_row if index == len(chunks) - 1 else chunk[-1][0]
        yield Page(
            stream=STREAM,
            cursor={"sha256": sha256, "row": row},
            records=[record for _, record in chunk],
            remaining=len(todo) - (index * page_size + len(chunk)),
            source_count=len(numbered),
        )


def mapping_warnings(mapping: Mapping[str, str]) -> list[str]:
    warnings: list[str] = []  # Sentences, said in the maker's language
    if not {"email", "phone", "telegram"} & set(mapping):
        warnings.append(
            Sentence(
                "no column for the customer's email or phone: orders will have no way to reach them"
            )
        )
    if "timestamp" not in mapping:
        warnings.append(
            Sentence(
                "no Timestamp column: Banco tells answers apart by the customer's name and email, "
                "and a customer's second answer by all its answers, so editing one of those in the "
                "sheet makes it a new order"
            )
        )
    return warnings
