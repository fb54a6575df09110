"""An order's history in the store: each event (created, a status, changed fields, a note, a
sender linked, a task ticked, an undo) as one row of ``order_events``; an undone one keeps when."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, TypedDict, cast

from banco.inbox.clock import iso
from banco.inbox.store.database import Store


def add_event(
    store: Store,
    order_id: int,
    now: datetime,
    kind: str,
    *,
    from_status: str | None = None,
    to_status: str | None = None,
    note: str = "",
    data: dict[str, Any] | None = None,
) -> None:
    store.insert(
        "order_events",
        {
            "order_id": order_id,
            "at": iso(now),
            "kind": kind,
            "from_status": from_status,
            "to_status": to_status,
            "note": note,
            "data": json.dumps(data, ensure_ascii=False) if data else None,
        },
    )


class EventRow(TypedDict):
    id: int
    order_id: int
    kind: str
    from_status: str | None
    to_status: str | None
    data: str | None


#: events that are no change to undo: the maker's notes, and the undos themselves
NOT_CHANGES = ("note", "undo")


def last_change(store: Store, order_id: int) -> EventRow | None:
    """The order's latest event not undone yet that changed it (its creation when nothing
    since did)."""
    marks = ",".join("?" * len(NOT_CHANGES))
    row = store.one(
        "select id, order_id, kind, from_status, to_status, data from order_events"
        f" where order_id = ? and undone_at is null and kind not in ({marks})"
        " order by id desc limit 1",
        [order_id, *NOT_CHANGES],
    )
    return cast(EventRow | None, row)


def mark_undone(store: Store, event_id: int, at: datetime) -> bool:
    """Mark an event undone; False when it was undone already (by another process)."""
    changed = store.conn.execute(
        "update order_events set undone_at = ? where id = ? and undone_at is null",
        [iso(at), event_id],
    ).rowcount
    return bool(changed)
