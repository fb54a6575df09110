"""The outbox in the store: the replies listed, one reply's state and whom it is for, and the
statements that write a reply and move it through its states. The state machine itself (which
move is allowed when) is ``replies.outbox``'s."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, TypedDict, cast

from banco.inbox.clock import iso
from banco.inbox.store.database import Store

#: States in which a reply stands to go out, or may have: the maker's answer is in hand.
PENDING = ("queued", "claimed", "handing_over", "may_have_been_sent")
#: A reply in none of these states is still to go, or gone wrong.
DONE = ("sent", "cancelled")


class ListedReply(TypedDict):
    id: int
    account: str
    channel: str
    to_handle: str
    subject: str | None
    text: str | None
    status: str
    attempts: int
    error: str | None
    created_at: str
    send_at: str | None
    sent_at: str | None


class ReplyState(TypedDict):
    status: str
    error: str | None


class Recipient(TypedDict):
    channel: str
    to_handle: str
    account: str
    name: str | None


def listed_replies(store: Store, *, include_done: bool) -> list[ListedReply]:
    """The outbox in order written: the replies still to go or gone wrong, or (``include_done``)
    every reply, the sent and cancelled ones too."""
    where, params = ("", []) if include_done else (_status_in(DONE, negate=True), list(DONE))
    rows = store.all(
        "select id, account, channel, to_handle, subject, text, status, attempts, error,"
        f" created_at, send_at, sent_at from outbox {where} order by id",
        params,
    )
    return cast(list[ListedReply], rows)


def replies_in(store: Store, statuses: Sequence[str]) -> list[dict[str, Any]]:
    """The replies in one of ``statuses``, in order written, with their order's ``ref``."""
    return store.all(
        "select x.id, x.account, x.channel, x.to_handle, x.text, x.status, x.error, x.created_at,"
        " x.send_at, o.ref from outbox x left join orders o on o.id = x.order_id"
        f" {_status_in(statuses, column='x.status')} order by x.id",
        list(statuses),
    )


def reply_state(store: Store, outbox_id: int) -> ReplyState | None:
    row = store.one("select status, error from outbox where id = ?", [outbox_id])
    return cast(ReplyState | None, row)


def recipient(store: Store, outbox_id: int) -> Recipient | None:
    """How a reply goes and to whom: its channel, address and account, and the customer's name."""
    row = store.one(
        "select x.channel, x.to_handle, x.account, c.name from outbox x"
        " left join messages m on m.id = x.reply_to_id"
        " left join contacts c on c.id = m.contact_id where x.id = ?",
        [outbox_id],
    )
    return cast(Recipient | None, row)


def has_reply_to(store: Store, message_id: int, statuses: Sequence[str]) -> bool:
    """Whether a reply answering message ``message_id`` is in one of ``statuses``."""
    return bool(
        store.scalar(
            f"select 1 from outbox {_status_in(statuses)} and reply_to_id = ?",
            [*statuses, message_id],
        )
    )


def unschedule(store: Store, outbox_id: int) -> None:
    """A scheduled reply goes at the next delivery instead of at its time."""
    store.db.table("outbox").update(outbox_id, {"send_at": None})


def reply_on_its_way(message: str = "m") -> tuple[str, list[str]]:
    """SQL saying that message ``message`` (a table alias) has a reply in the outbox that has not
    failed: one answering it, or one to its order written after it was collected. Such a message
    is answered for the maker's lists, unless the reply is refused or cancelled."""
    return (
        "exists (select 1 from outbox x where x.status in"
        f" ({','.join('?' * len(PENDING))}) and (x.reply_to_id = {message}.id or"
        f" ({message}.order_id is not null and x.order_id = {message}.order_id"
        f" and x.created_at >= {message}.collected_at)))",
        list(PENDING),
    )


def add_reply(store: Store, row: dict[str, Any]) -> int:
    """Write a reply into the outbox; its id."""
    return store.insert("outbox", row)


def auto_replies_since(store: Store, to_handle: str, since: datetime) -> int:
    """How many automatic replies to ``to_handle`` were written since ``since``, not cancelled."""
    return int(
        store.scalar(
            "select count(*) from outbox where auto = 1 and to_handle = ? and created_at >= ?"
            " and status != 'cancelled'",
            [to_handle, iso(since)],
        )
    )


def to_deliver(
    store: Store, now: datetime, ids: Sequence[int] | None, *, due_only: bool
) -> list[dict[str, Any]]:
    """The replies a delivery at ``now`` tries, in order written: queued and due, or claimed (by
    a process that may be gone); ``due_only``, only scheduled ones whose time has come; of
    ``ids`` only, when given (an empty list gives none)."""
    sql = (
        "select * from outbox where (status = 'queued' and (send_at is null or send_at <= ?))"
        " or status = 'claimed'"
    )
    params: list[Any] = [iso(now)]
    if due_only:
        sql = "select * from outbox where status = 'queued' and send_at <= ?"
    if ids is not None:
        sql = f"select * from ({sql}) where id in ({','.join('?' * len(ids))})"
        params += ids
    return store.all(sql + " order by id", params)


def any_due(store: Store, now: datetime) -> bool:
    """Whether a scheduled reply's time has come by ``now``."""
    return bool(
        store.scalar(
            "select 1 from outbox where status = 'queued' and send_at <= ? limit 1", [iso(now)]
        )
    )


def claim_queued(
    store: Store, outbox_id: int, me: str, lease_until: datetime, now: datetime
) -> bool:
    """Take reply ``outbox_id`` for ``me`` if it is still queued and due: one conditional
    UPDATE, so of two processes only one wins."""
    return _claim(
        store,
        outbox_id,
        me,
        lease_until,
        "status = 'queued' and (send_at is null or send_at <= ?)",
        [iso(now)],
    )


def take_over_claim(
    store: Store, outbox_id: int, me: str, lease_until: datetime, gone: str
) -> bool:
    """Take reply ``outbox_id`` over from ``gone``, a claimant that can no longer act on it, if
    ``gone`` still holds it (nothing had left yet)."""
    return _claim(
        store, outbox_id, me, lease_until, "status = 'claimed' and claimed_by = ?", [gone]
    )


def _claim(
    store: Store, outbox_id: int, me: str, lease_until: datetime, condition: str, extra: list[Any]
) -> bool:
    taken = store.conn.execute(
        "update outbox set status = 'claimed', claimed_by = ?, lease_until = ?,"
        f" attempts = attempts + 1 where id = ? and {condition}",
        [me, iso(lease_until), outbox_id, *extra],
    )
    return taken.rowcount == 1


def hand_over(store: Store, outbox_id: int, me: str, at: datetime) -> bool:
    """Reply ``outbox_id`` is handed over at ``at``, if ``me`` still holds its claim."""
    taken = store.conn.execute(
        "update outbox set status = 'handing_over', handed_over_at = ?"
        " where id = ? and status = 'claimed' and claimed_by = ?",
        [iso(at), outbox_id, me],
    )
    return taken.rowcount == 1


def replies_in_state(store: Store, status: str) -> list[dict[str, Any]]:
    """Every column of the replies in ``status``."""
    return store.all("select * from outbox where status = ?", [status])


def reply_row(store: Store, outbox_id: int) -> dict[str, Any] | None:
    """Every column of reply ``outbox_id``."""
    return store.one("select * from outbox where id = ?", [outbox_id])


def reply_error(store: Store, outbox_id: int) -> str:
    """Why reply ``outbox_id`` went wrong (empty when nothing did)."""
    return str(store.scalar("select error from outbox where id = ?", [outbox_id]) or "")


def pending_count(store: Store) -> int:
    """How many replies stand to go out, or may have."""
    return int(store.scalar(f"select count(*) from outbox {_status_in(PENDING)}", list(PENDING)))


def pending_of_order(store: Store, order_id: int) -> list[dict[str, Any]]:
    """The order's replies not gone yet (or maybe gone), oldest first."""
    return store.all(
        "select id, status, send_at, created_at, text, error from outbox"
        f" {_status_in(PENDING)} and order_id = ? order by id",
        [*PENDING, order_id],
    )


def uncertain_replies(store: Store) -> list[dict[str, Any]]:
    """Replies that may have been sent: oldest first, with their order's ref and customer."""
    return store.all(
        "select x.id, x.status, x.account, x.channel, x.to_handle, x.text, x.error, x.created_at,"
        " x.handed_over_at, o.ref, c.name as customer from outbox x"
        " left join orders o on o.id = x.order_id left join contacts c on c.id = o.contact_id"
        " where x.status = 'may_have_been_sent' order by x.id"
    )


def move_reply(store: Store, outbox_id: int, target: str, allowed: Sequence[str]) -> bool:
    """Reply ``outbox_id`` goes to ``target``, its error, claim and time cleared, if it is still
    in one of ``allowed``: False when it changed meanwhile."""
    changed = store.conn.execute(
        "update outbox set status = ?, error = null, claimed_by = null, send_at = null"
        f" where id = ? and status in ({','.join('?' * len(allowed))})",
        [target, outbox_id, *allowed],
    )
    return changed.rowcount == 1


def set_reply(store: Store, outbox_id: int, values: dict[str, Any]) -> None:
    store.db.table("outbox").update(outbox_id, values)


def _status_in(statuses: Sequence[str], *, column: str = "status", negate: bool = False) -> str:
    marks = ",".join("?" * len(statuses))
    return f"where {column} {'not in' if negate else 'in'} ({marks})"


def scheduled_before(store: Store, moment: datetime) -> list[dict[str, Any]]:
    """Scheduled replies going out before ``moment``, soonest first, with order and customer."""
    return store.all(
        "select x.id, x.to_handle, x.send_at, x.text, o.ref, c.name as customer from outbox x"
        " left join orders o on o.id = x.order_id left join contacts c on c.id = o.contact_id"
        " where x.status = 'queued' and x.send_at < ? order by x.send_at, x.id",
        [iso(moment)],
    )
