"""Earlier versions of a message a customer edited (a Telegram message edited, a form answer
changed in the sheet): ``message_revisions`` keeps each text a new version replaced. An email
cannot be edited by its sender: its revisions are Banco's own new readings of the same bytes
(``banco messages reprocess``), not edits, and are left out."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TypedDict

from banco.inbox.store.database import Store

#: the channels whose messages their sender can edit
EDITABLE = ("telegram", "form")


class Revision(TypedDict):
    message_id: int
    #: when Banco collected the version that replaced this one
    replaced_at: str
    text: str | None


def edited_texts(store: Store, message_ids: Sequence[int]) -> dict[int, list[Revision]]:
    """The earlier texts of each of ``message_ids`` its sender edited, the oldest first;
    messages never edited are left out."""
    rows = store.all(
        "select r.message_id, r.replaced_at, r.text from message_revisions r"
        " join messages m on m.id = r.message_id"
        " where r.message_id in (select value from json_each(?))"
        f" and m.channel in ({','.join('?' * len(EDITABLE))}) order by r.message_id, r.id",
        [json.dumps(list(message_ids)), *EDITABLE],
    )
    found: dict[int, list[Revision]] = {}
    for row in rows:
        found.setdefault(row["message_id"], []).append(
            Revision(message_id=row["message_id"], replaced_at=row["replaced_at"], text=row["text"])
        )
    return found
