"""The outbox in the store as the screens read it: the replies listed, one reply's state and
whom it is for. Writing and moving a reply through its states is ``replies.outbox``'s."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypedDict, cast

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


def _status_in(statuses: Sequence[str], *, column: str = "status", negate: bool = False) -> str:
    marks = ",".join("?" * len(statuses))
    return f"where {column} {'not in' if negate else 'in'} ({marks})"
