"""Check-ins in the store: a past client worth a personal note, suggested by the status check,
and done once the maker wrote it."""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypedDict, cast

from banco.inbox.clock import iso
from banco.inbox.store.database import Store
from banco.inbox.store.orders import CLOSED


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


def suggested_since(store: Store, since: datetime) -> int:
    return int(store.scalar("select count(*) from checkins where suggested_at >= ?", [iso(since)]))


def current_checkins(store: Store, since: datetime) -> list[dict[str, Any]]:
    """The check-ins suggested since ``since`` and not done yet, with the customer's name as
    ``contact`` and the order's ``ref``, ``title`` and ``closed_at``."""
    return store.all(
        "select k.*, c.name as contact, o.ref, o.title, o.closed_at from checkins k"
        " join contacts c on c.id = k.contact_id join orders o on o.id = k.order_id"
        " where k.done_at is null and k.suggested_at >= ? order by k.id",
        [iso(since)],
    )


def due_checkins(
    store: Store, closed_by: str, months: int, quiet_since: datetime
) -> list[dict[str, Any]]:
    """The orders completed by ``closed_by`` (a day) with no check-in after ``months`` or later
    yet (a cadence point missed is passed over, never made up for), whose customer has had no
    check-in suggested since ``quiet_since`` (one at a time), has not written since and has no
    open order, the oldest first."""
    return store.all(
        "select o.id as order_id, o.ref, o.title, o.closed_at, o.contact_id, c.name as contact"
        " from orders o join contacts c on c.id = o.contact_id"
        " where o.status = 'completed' and substr(o.closed_at, 1, 10) <= ?"
        " and not exists (select 1 from checkins k where k.order_id = o.id and k.months >= ?)"
        " and not exists (select 1 from checkins k where k.contact_id = o.contact_id"
        "   and k.suggested_at >= ?)"
        # the contact has not written since: a customer who just wrote needs no check-in (her
        # own note, a check-in written, is no reason to stop the next one)
        " and not exists (select 1 from messages m where m.contact_id = o.contact_id"
        "   and m.direction = 'in' and m.sent_at > o.closed_at)"
        " and not exists (select 1 from orders n where n.contact_id = o.contact_id"
        f"   and n.status not in ({','.join('?' * len(CLOSED))}))"
        " order by o.closed_at",
        [closed_by, months, iso(quiet_since), *CLOSED],
    )


def add_checkin(
    store: Store, contact_id: int, order_id: int, months: int, due_on: str, suggested_at: datetime
) -> None:
    store.insert(
        "checkins",
        {
            "contact_id": contact_id,
            "order_id": order_id,
            "months": months,
            "due_on": due_on,
            "suggested_at": iso(suggested_at),
        },
    )
