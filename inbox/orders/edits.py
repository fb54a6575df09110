"""What a customer's edit changed, in the maker's words: a Telegram message edited, a form answer
changed in the sheet. Banco keeps each earlier text (``store/revisions.py``); an edit is said as
the answers that changed ("Quantity: 6 → 8") when both texts are answers ("Name: value" lines,
as a form answer reads), else as the text before and after."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from banco.inbox.i18n.catalogs import gettext as _
from banco.inbox.orders.history import NOTHING
from banco.inbox.store.database import Store
from banco.inbox.store.revisions import edited_texts


@dataclass(frozen=True)
class Edit:
    """One edit of a message: when Banco saw it, and what changed, line by line."""

    at: str
    changes: list[str]


def message_edits(store: Store, messages: Sequence[Mapping[str, Any]]) -> dict[int, list[Edit]]:
    """The edits of each of ``messages`` (rows with ``id`` and ``text``), the oldest first;
    messages never edited are left out."""
    current = {m["id"]: m["text"] or "" for m in messages}
    found: dict[int, list[Edit]] = {}
    for message_id, revisions in edited_texts(store, list(current)).items():
        texts = [r["text"] or "" for r in revisions] + [current[message_id]]
        edits = [
            Edit(revision["replaced_at"], changes(texts[k], texts[k + 1]))
            for k, revision in enumerate(revisions)
        ]
        # a new version with the same words (a photo's caption kept, its formatting changed)
        if said := [edit for edit in edits if edit.changes]:
            found[message_id] = said
    return found


def changes(before: str, after: str) -> list[str]:
    """What changed from ``before`` to ``after``, in lines she reads; none when the words are
    the same."""
    if before.strip() == after.strip():
        return []
    old, new = _answers(before), _answers(after)
    if old is None or new is None:
        return [
            _("before: {text}").format(text=before.strip() or NOTHING),
            _("after: {text}").format(text=after.strip() or NOTHING),
        ]
    names = list(dict.fromkeys([*old, *new]))
    return [
        _("{field}: {old} → {new}").format(
            field=name, old=old.get(name, NOTHING), new=new.get(name, NOTHING)
        )
        for name in names
        if old.get(name) != new.get(name)
    ]


def _answers(text: str) -> dict[str, str] | None:
    """A form answer's lines as {name: value} (a line without "Name: " goes on the answer above
    it, as a long answer does); None when the first line is not "Name: value"."""
    found: dict[str, str] = {}
    name = ""
    for line in text.strip().splitlines():
        named, colon, value = line.partition(": ")
        if colon and named.strip():
            name = named.strip()
            found[name] = value.strip()
        elif not name:
            return None
        else:
            found[name] = f"{found[name]} {line.strip()}".strip()
    return found or None


def edit_lines(edits: list[Edit], when: Callable[[str], str]) -> list[str]:
    """A message's edits as lines under its text: when each came, then what it changed."""
    lines = []
    for edit in edits:
        lines.append(_("Edited by the customer, {time}:").format(time=when(edit.at)))
        lines += [f"  {change}" for change in edit.changes]
    return lines
