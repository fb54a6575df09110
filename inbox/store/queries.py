"""Read-only questions the command and the web page ask the store: messages, orders, search."""

from __future__ import annotations

import json
from typing import Any, TypedDict, cast

from banco.connectors.base import OWN_NOTE
from banco.inbox.store.database import Store
from banco.inbox.store.orders import CLOSED, find_order
from banco.inbox.store.outbox import reply_on_its_way
from banco.inbox.store.search_index import catch_up

MESSAGE_COLUMNS = (
    "m.id, m.account, m.channel, m.direction, m.sent_at, m.sender, m.sender_handle, m.subject,"
    " m.text, m.status, m.problem, m.auto, m.waiting, m.size, m.new_sender, o.ref as order_ref"
)


def list_messages(
    store: Store,
    *,
    waiting: bool = False,
    unreadable: bool = False,
    channel: str | None = None,
    account: str | None = None,
    order: str | None = None,
    limit: int | None = None,
) -> list[dict[str, Any]]:
    # Banco's own notes found in the mailbox (a digest a day) would only crowd the list
    where, params = ["m.auto is not ?"], [OWN_NOTE]
    if waiting:
        where.append("m.waiting = 1")
    if unreadable:
        where.append("m.status != 'ok'")
    if channel:
        where.append("m.channel = ?")
        params.append(channel)
    if account:
        where.append("m.account = ?")
        params.append(account)
    if order:
        where.append("m.order_id = ?")
        params.append(find_order(store, order)["id"])
    sql = (
        f"select {MESSAGE_COLUMNS} from messages m left join orders o on o.id = m.order_id"
        f" where {' and '.join(where)} order by m.sent_at, m.id"
    )
    if limit is not None:
        sql += f" limit {int(limit)}"
    return store.all(sql, params)


def get_message(store: Store, message_id: int) -> dict[str, Any] | None:
    row = store.one(
        f"select {MESSAGE_COLUMNS}, m.raw, m.raw_type from messages m"
        " left join orders o on o.id = m.order_id where m.id = ?",
        [message_id],
    )
    if row is not None:
        row["attachments"] = store.all(
            "select filename, content_type, size, path from attachments where message_id = ?",
            [message_id],
        )
    return row


def list_orders(
    store: Store,
    *,
    status: str | None = None,
    include_closed: bool = False,
    limit: int | None = None,
) -> list[dict[str, Any]]:
    where, params = ["1 = 1"], []
    if status:
        where.append("o.status = ?")
        params.append(status)
    elif not include_closed:
        where.append(f"o.status not in ({','.join('?' * len(CLOSED))})")
        params.extend(CLOSED)
    sql = (
        "select o.id, o.ref, o.status, o.title, o.deadline, o.quantity, o.price, o.estimated_hours,"
        " o.payment, o.created_at, o.updated_at, c.name as contact,"
        " (select count(*) from messages m where m.order_id = o.id) as messages,"
        " (select count(*) from messages m where m.order_id = o.id and m.waiting = 1) as waiting"
        " from orders o left join contacts c on c.id = o.contact_id"
        f" where {' and '.join(where)} order by o.id"
    )
    if limit is not None:
        sql += f" limit {int(limit)}"
    return store.all(sql, params)


def order_detail(store: Store, ref: str) -> dict[str, Any]:
    order = find_order(store, ref)
    order["contact"] = store.one("select * from contacts where id = ?", [order["contact_id"]])
    order["handles"] = store.all(
        "select kind, value from handles where contact_id = ? order by id", [order["contact_id"]]
    )
    order["events"] = store.all(
        "select at, kind, from_status, to_status, note, data from order_events"
        " where order_id = ? order by at, id",
        [order["id"]],
    )
    order["tasks"] = store.all(
        "select id, title, due, done_at from tasks where order_id = ? order by id", [order["id"]]
    )
    order["links"] = [
        {
            "account": row["account"],
            "url": details["order_link"].format(ref=order["ref"], token=order["token"]),
        }
        for row in store.all("select account, details from account_state where details is not null")
        if "order_link" in (details := json.loads(row["details"]))
    ]
    order["conversation"] = store.all(
        f"select {MESSAGE_COLUMNS} from messages m left join orders o on o.id = m.order_id"
        " where m.order_id = ? order by m.sent_at, m.id",
        [order["id"]],
    )
    return order


def search(store: Store, query: str, limit: int | None = None) -> list[dict[str, Any]]:
    """Messages and orders matching ``query``, best first. Any text is safe: it is quoted."""
    if not query.strip():
        return []  # no words, nothing to match (and FTS5 refuses an empty phrase)
    catch_up(store)  # messages stored since the last search are indexed first
    match = store.db.quote_fts(query)
    cut = f" limit {int(limit)}" if limit is not None else ""
    messages = store.all(
        "select 'message' as type, m.id, m.sent_at, m.sender, m.subject, m.channel, o.ref"
        " from messages_fts f join messages m on m.id = f.rowid"
        " left join orders o on o.id = m.order_id"
        f" where messages_fts match ? and m.auto is not ? order by f.rank{cut}",
        [match, OWN_NOTE],  # a digest names every customer: never a result
    )
    orders = store.all(
        "select 'order' as type, o.id, o.ref, o.title, o.status from orders_fts f"
        f" join orders o on o.id = f.rowid where orders_fts match ? order by f.rank{cut}",
        [match],
    )
    results = orders + messages
    return results if limit is None else results[:limit]


class InboundMessage(TypedDict):
    id: int
    waiting: int
    contact_id: int | None


class AttachmentFile(TypedDict):
    filename: str
    content_type: str | None


def message_row(store: Store, message_id: int) -> dict[str, Any] | None:
    """Every column of one message, as the outbox routes a reply to it."""
    return store.one("select * from messages where id = ?", [message_id])


def collected_at(store: Store, message_id: int) -> str | None:
    """When Banco filed message ``message_id``."""
    at: str | None = store.scalar("select collected_at from messages where id = ?", [message_id])
    return at


def is_on_order(store: Store, message_id: int, order_id: int) -> bool:
    return bool(
        store.scalar("select 1 from messages where id = ? and order_id = ?", [message_id, order_id])
    )


def inbound_on_order(store: Store, message_id: int, order_id: int) -> InboundMessage | None:
    """Message ``message_id`` if a customer wrote it on order ``order_id``: one a reply can answer."""
    row = store.one(
        "select id, waiting, contact_id from messages where id = ? and order_id = ?"
        " and direction = 'in'",
        [message_id, order_id],
    )
    return cast(InboundMessage | None, row)


def attachments_of(store: Store, message_ids: list[int]) -> list[dict[str, Any]]:
    """The attachments of these messages, in the order they were stored."""
    return store.all(
        "select message_id, filename, content_type, size, sha256, path from attachments"
        f" where message_id in ({','.join('?' * len(message_ids))}) order by id",
        message_ids,
    )


def attachment_named(store: Store, sha256: str) -> AttachmentFile | None:
    """The name and type of the file stored under ``sha256`` (the latest one to bring it)."""
    row = store.one(
        "select filename, content_type from attachments where sha256 = ? order by id desc limit 1",
        [sha256],
    )
    return cast(AttachmentFile | None, row)


def waiting_count(store: Store) -> int:
    """How many messages wait for the maker's answer with no reply to them on its way."""
    on_its_way, params = reply_on_its_way("m")
    count: int = store.scalar(
        f"select count(*) from messages m where m.waiting = 1 and not {on_its_way}", params
    )
    return count
