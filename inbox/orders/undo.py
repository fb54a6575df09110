"""Undo: the last change to an order taken back, from the values its history keeps.

A change is an event of ``order_events`` (see ``store/events.py``): a status, changed fields, answers
edited in the form, a task ticked off. Undo takes back the latest one not undone yet and records
an ``undo`` event with a copy of it; undoing again takes back the change before (an undo is never
itself undone: there is no redo, the maker makes the change again). A new order, a linked sender
(the two contacts are one now) and any change Banco cannot take back from its values are refused
with one line. Two undos at once take back two different changes, never the same twice: each
holds the write lock, and an event is marked undone only once.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from banco.config.sentence import Sentence
from banco.inbox.clock import iso
from banco.inbox.store.database import Store
from banco.inbox.store.events import EventRow, add_event, last_change, mark_undone
from banco.inbox.store.orders import CLOSED, OrderError, find_order, update_order
from banco.inbox.store.tasks import follow_stage, mark_not_done

#: the changes undo takes back
UNDOABLE = ("status", "fields", "form_edit", "task_done")


@dataclass(frozen=True)
class Undone:
    """What undo took back: the order's reference and the event, as ``order_events`` holds it
    (for ``history.event_words``)."""

    ref: str
    event: dict[str, Any]


def undo_last(store: Store, ref: str, now: datetime) -> Undone:
    """Take back the last change to order ``ref``."""
    order = find_order(store, ref)
    with store.writing():
        event = last_change(store, order["id"])
        if event is None or event["kind"] == "created":
            raise OrderError(Sentence("{ref} has no change to undo", ref=order["ref"]))
        if event["kind"] not in UNDOABLE:
            raise OrderError(
                Sentence(
                    "the last change to {ref} cannot be undone here; change it back by hand",
                    ref=order["ref"],
                )
            )
        if not mark_undone(store, event["id"], now):  # the write lock makes this the rare path
            raise OrderError(Sentence("{ref} was just undone; look again", ref=order["ref"]))
        _take_back(store, event, now)
        copy = {
            "kind": event["kind"],
            "from_status": event["from_status"],
            "to_status": event["to_status"],
            "data": json.loads(event["data"]) if event["data"] else None,
        }
        add_event(store, order["id"], now, "undo", data={"undone": copy})
    return Undone(order["ref"], {**event, "note": ""})


def _take_back(store: Store, event: EventRow, now: datetime) -> None:
    data = json.loads(event["data"]) if event["data"] else {}
    order_id = event["order_id"]
    if event["kind"] == "status":
        status = event["from_status"] or "new"
        closed_at = data.get("closed_at", iso(now)) if status in CLOSED else None
        update_order(store, order_id, {"status": status, "closed_at": closed_at})
        follow_stage(store, order_id, status, now)
    elif event["kind"] == "task_done":
        mark_not_done(store, data["task"])
    else:  # fields, form_edit: each field back to its value before
        update_order(store, order_id, {name: old for name, (old, _new) in data.items()})
    update_order(store, order_id, {"updated_at": iso(now)})
