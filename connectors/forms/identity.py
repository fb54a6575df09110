"""Which answer a row of a form's responses is: its ``external_id``.

The store knows a record by its id, so a row's id must survive what makers do to a response sheet:
deleting a spam answer moves every later row up, inserting one moves them down, fixing a typo edits
a cell, and two answers may share a Timestamp (a double submission, a sheet showing minutes only,
rows typed in by hand). An id therefore never holds a row number, and depends on the other rows only
to tell apart rows that would otherwise share one:

``ts:<Timestamp>|<who>``
    The Timestamp cell as the sheet shows it, and ``<who>``, a short hash of who answered: the name
    (or first and last name) and email answers, compared ignoring case, accents and punctuation.
    Customers give those first and nobody edits them later, so editing any other answer (the
    quantity, the deadline) keeps the id: the store sees an edit of the same order. A form asking
    for neither uses its first two answers after the Timestamp. Editing the Timestamp, the name or
    the email makes the row a new answer.
``who:<who>``
    A row without a Timestamp (no Timestamp column, or a blank cell in a row typed in by hand).
``<one of the above>~<answers>``, then ``#2``, ``#3``
    When several rows share one of the ids above (one customer twice in the same second; without a
    Timestamp, one customer twice), none may hold it alone: once one is deleted, another would take
    over its order. Each adds ``<answers>``, the hash of all its answers, and ``#2``, ``#3`` go only
    to rows whose answers are all identical: deleting one of those leaves the other, at worst, the
    id of an order with the very same answers. Editing an answer of such a row makes it a new answer.

Earlier ids
    An id can change while the answers stay the same: Banco before this scheme wrote
    ``ts:<Timestamp>`` (``#2`` for a repeat) or ``row:<row number>``, and a row gets or loses its
    ``~<answers>`` when a twin is added or deleted. The store then finds the stored answer by its
    content (``banco.inbox.collect.form_ids``) among the ids :func:`earlier_prefixes` names.

Sources for the Timestamp column's name in each language (``mapping.py``): the names Banco's issue
lists (English to Dutch), and response sheets read by public code: Portuguese "Carimbo de
data/hora" (karenmierlo/empresasTI, main3.py), Spanish "Marca temporal" (ebAutomationAi/
enrico-pack-01, docs/SHEET_SCHEMA.md); Dutch "Tijdstempel", Polish "Sygnatura czasowa" and Russian
"Отметка времени" in scripts found by a search of public code for those words.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Sequence

from .text import fold

#: the ``raw_type`` of a form answer's record
FORM_ROW = "form-row"
#: the fields naming who answered, in the order they go into ``<who>``
WHO_FIELDS = ("name", "first_name", "last_name", "email")
#: the answers standing for who answered in a form that asks neither name nor email
FIRST_ANSWERS = 2
#: the id of a row without a Timestamp before this version: its row number
LEGACY_BY_ROW = "row:"
_HASH = 12  # hex digits: 48 bits, where only rows sharing a Timestamp must differ
_ID = re.compile(
    rf"(?P<alone>ts:(?P<stamp>.*)\|[0-9a-f]{{{_HASH}}}|who:[0-9a-f]{{{_HASH}}})"
    rf"(?:~[0-9a-f]{{{_HASH}}})?(?:#\d+)?",
    re.DOTALL,
)
_NUMBER = re.compile(r"#\d+\Z")


def row_ids(rows: Sequence[Sequence[str]], stamp: int | None, who: Sequence[int]) -> list[str]:
    """The ids of a sheet's answered rows, in their order (see the module docstring).

    ``stamp`` is the Timestamp's column, ``who`` the columns of :data:`WHO_FIELDS` the sheet has.
    """
    alone = [_alone_id(cells, stamp, who) for cells in rows]
    shared = {row_id for row_id, count in Counter(alone).items() if count > 1}
    seen: Counter[str] = Counter()
    ids: list[str] = []
    for cells, row_id in zip(rows, alone, strict=True):
        if row_id in shared:
            row_id = f"{row_id}~{_digest(_answers(cells))}"
            seen[row_id] += 1
            row_id += f"#{seen[row_id]}" if seen[row_id] > 1 else ""
        ids.append(row_id)
    return ids


def _alone_id(cells: Sequence[str], stamp: int | None, who: Sequence[int]) -> str:
    person = _digest(_who(cells, stamp, who))
    stamp_text = cells[stamp].strip() if stamp is not None else ""
    return f"ts:{stamp_text}|{person}" if stamp_text else f"who:{person}"


def _who(cells: Sequence[str], stamp: int | None, who: Sequence[int]) -> list[str]:
    named = [fold(cells[column]) for column in who]
    if any(named):
        return named
    answers = [fold(cell) for column, cell in enumerate(cells) if column != stamp]
    return [answer for answer in answers if answer][:FIRST_ANSWERS]


def _answers(cells: Sequence[str]) -> list[str]:
    """Every answer, without the blank cells after the last one: a question added to the form
    (a new column at the end) leaves the older rows' hash as it was."""
    values = [cell.strip() for cell in cells]
    while values and not values[-1]:
        values.pop()
    return values


def _digest(parts: Sequence[str]) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:_HASH]


def earlier_prefixes(external_id: str) -> tuple[str, ...]:
    """The starts of the ids the same answer may be stored under: the Timestamp (or ``<who>``)
    without the rest, and ``row:``; none for an id this module did not make."""
    match = _ID.fullmatch(external_id)
    if match is None:
        return ()
    stamp = match["stamp"]
    return (match["alone"] if stamp is None else f"ts:{stamp}", LEGACY_BY_ROW)


def numbered_twins(one: str, other: str) -> bool:
    """Whether two ids differ only by their ``#2``, ``#3``: rows with identical answers, both in
    the sheet, so neither may take the other's stored answer."""
    return _NUMBER.sub("", one) == _NUMBER.sub("", other)
