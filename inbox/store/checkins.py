"""Check-ins in the store: a past client worth a personal note, suggested by the status check,
and done once the maker wrote it."""

from __future__ import annotations

from datetime import datetime
from typing import TypedDict, cast

from banco.inbox.clock import iso
from banco.inbox.store.database import Store


class OpenCheckin(TypedDict):
    checkin_id: int
    order_id: int
    contact_id: int
    #: the customer's last message of their own, which the note answers (None: none to answer)
    message_id: int | None


def open_checkins(store: Store, since: datetime) -> list[OpenCheckin]:
    """The check-ins suggested since ``since`` and not done yet, in order suggested."""
    rows = store.all(
        "select k.id as checkin_id, k.order_id, k.contact_id,"
        " (select max(m.id) from messages m where m.contact_id = k.contact_id"
        "  and m.direction = 'in' and m.auto is null) as message_id"
        " from checkins k where k.done_at is null and k.suggested_at >= ? order by k.id",
        [iso(since)],
    )
    return cast(list[OpenCheckin], rows)


def mark_checkin_done(store: Store, checkin_id: int, at: datetime) -> None:
    store.db.execute("update checkins set done_at = ? where id = ?", [iso(at), checkin_id])
