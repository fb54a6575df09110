"""Messages in the store: finding the stored version of a record, filing one, its copies,
revisions and attachments, and who stops waiting when the maker answers.

Filing (``collect.ingest``) asks these questions for every record it files, so each is one
statement on an index, and the rows come back as small typed values built straight from
SQLite's tuples.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, TypedDict, cast

from banco.inbox.clock import iso
from banco.inbox.store.database import Store
from banco.inbox.store.outbox import reply_on_its_way

#: the columns of :class:`StoredMessage`, in its order
_STORED = "id, external_id, stream, size, content_hash, order_id, order_fields, subject, text, raw"

#: above every character, so ``prefix <= id < prefix + _LAST`` holds the ids starting with prefix
_LAST = "\U0010ffff"

#: what "the maker answered them" is counted within: the order, else the conversation
Scope = Literal["order_id", "thread_id"]


@dataclass(slots=True)
class StoredMessage:
    """What filing needs of a stored message to tell a copy, an edit or the same record."""

    id: int
    external_id: str
    stream: str
    size: int | None
    content_hash: str | None
    order_id: int | None
    order_fields: str | None
    subject: str
    text: str
    raw: bytes | None


@dataclass(slots=True)
class RepliedMessage:
    """The stored message a new one answers: where it is filed, and who wrote it."""

    id: int
    thread_id: int | None
    order_id: int | None
    contact_id: int | None


class NewMessage(TypedDict, total=False):
    """A row of ``messages`` as filing writes it (a quarantined record fills only some)."""

    account: str
    stream: str
    channel: str
    external_id: str
    direction: str
    thread_id: int | None
    contact_id: int | None
    order_id: int | None
    sender: str | None
    sender_handle: str | None
    recipients: str
    sent_at: str
    collected_at: str
    subject: str
    text: str
    status: str
    problem: str
    auto: str | None
    size: int
    message_key: str | None
    reply_keys: str
    conversation: str | None
    order_fields: str | None
    content_hash: str
    copy_key: str | None
    waiting: int
    history: int
    raw_type: str
    raw: bytes


class NewContent(TypedDict):
    """What an edited record (a Telegram message, a form row changed in the sheet) replaces."""

    subject: str
    text: str
    raw: bytes
    status: str
    problem: str
    content_hash: str
    order_fields: str | None


def message_id_of(store: Store, account: str, external_id: str) -> int | None:
    """The id of the message stored under ``external_id``, if any."""
    found = store.scalar(
        "select id from messages where account = ? and external_id = ?", [account, external_id]
    )
    return int(found) if found is not None else None


def message_with_ref(store: Store, message_id: int) -> dict[str, Any] | None:
    """Every column of message ``message_id``, and its order's ``ref``."""
    return store.one(
        "select m.*, o.ref from messages m left join orders o on o.id = m.order_id where m.id = ?",
        [message_id],
    )


class ReplyKeys(TypedDict):
    """What a reply to a message names of it to stay in its conversation."""

    message_key: str | None
    reply_keys: str | None
    conversation: str | None
    external_id: str | None


def reply_keys_of(store: Store, message_id: int) -> ReplyKeys | None:
    row = store.one(
        "select message_key, reply_keys, conversation, external_id from messages where id = ?",
        [message_id],
    )
    return cast(ReplyKeys | None, row)


def stored_under(store: Store, account: str, external_id: str) -> StoredMessage | None:
    """The message stored under ``external_id``."""
    row = store.conn.execute(
        f"select {_STORED} from messages where account = ? and external_id = ?",
        [account, external_id],
    ).fetchone()
    return StoredMessage(*row) if row is not None else None


def stored_copy(
    store: Store, account: str, direction: str, message_key: str | None, copy_key: str
) -> StoredMessage | None:
    """The message a record with this Message-ID and copy key is a copy of, else a reply Banco
    sent with this Message-ID (its server's copy need not be what Banco composed)."""
    # "+account": looked up in the index of (message_key, copy_key), not through all the
    # account's messages
    row = store.conn.execute(
        f"select {_STORED} from messages where +account = ? and direction = ?"
        " and ((message_key is ? and copy_key = ?) or (message_key = ? and stream = 'outbox'))"
        " limit 1",
        [account, direction, message_key, copy_key, message_key],
    ).fetchone()
    return StoredMessage(*row) if row is not None else None


def move_to_stream(store: Store, message_id: int, stream: str) -> None:
    store.conn.execute("update messages set stream = ? where id = ?", [stream, message_id])


def note_copy(
    store: Store, account: str, stream: str, external_id: str, message_id: int, size: int
) -> None:
    """List a copy of a stored message found in ``stream``, unless one of that size is listed
    there already."""
    store.conn.execute(
        "insert or ignore into message_copies (account, stream, external_id, message_id, size)"
        " select ?, ?, ?, ?, ? where not exists (select 1 from message_copies"
        " where message_id = ? and stream = ? and size = ?)",
        [account, stream, external_id, message_id, size, message_id, stream, size],
    )


def replied_message(
    store: Store, key: str, involved: list[str], before: str
) -> RepliedMessage | None:
    """Of the stored messages with Message-ID ``key``: one whose sender is ``involved`` first,
    then the newest sent ``before``, then the newest."""
    marks = ",".join("?" * len(involved))
    row = store.conn.execute(
        "select id, thread_id, order_id, contact_id from messages where message_key = ?"
        f" order by sender_handle in ({marks}) desc, sent_at <= ? desc, sent_at desc,"
        " id desc limit 1",
        [key, *involved, before],
    ).fetchone()
    return RepliedMessage(*row) if row is not None else None


def add_message(store: Store, row: NewMessage) -> int:
    return store.insert("messages", dict(row))


def mark_new_sender(store: Store, message_id: int) -> None:
    store.conn.execute("update messages set new_sender = 1 where id = ?", [message_id])


def replace_content(
    store: Store, message: StoredMessage, content: NewContent, replaced_at: str
) -> None:
    """Give ``message`` its new content, keeping the old one as a revision."""
    store.insert(
        "message_revisions",
        {
            "message_id": message.id,
            "replaced_at": replaced_at,
            "subject": message.subject,
            "text": message.text,
            "raw": message.raw,
        },
    )
    store.db.table("messages").update(message.id, dict(content))


def add_attachment(
    store: Store,
    message_id: int,
    filename: str,
    content_type: str,
    size: int,
    kept: tuple[str | None, str | None],
) -> None:
    """``kept``: (sha256, path) of its bytes in the attachment folder, or (None, None)."""
    sha, path = kept
    store.insert(
        "attachments",
        {
            "message_id": message_id,
            "filename": filename,
            "content_type": content_type,
            "size": size,
            "sha256": sha,
            "path": path,
        },
    )


def highest_id(store: Store) -> int:
    """The id of the newest message (0 in an empty store): about how many it holds."""
    return int(store.scalar("select max(id) from messages") or 0)


def form_answers_like(
    store: Store, account: str, id_prefix: str, raw_type: str, fingerprint: str, raw: bytes
) -> list[tuple[int, str]]:
    """(id, external id) of the account's stored answers of type ``raw_type`` whose id starts
    with ``id_prefix`` and whose content (or bytes) is this one's, oldest first."""
    rows = store.conn.execute(
        "select id, external_id from messages where account = ? and external_id >= ?"
        " and external_id < ? and raw_type = ? and (content_hash = ? or raw = ?)"
        " order by id",
        [account, id_prefix, id_prefix + _LAST, raw_type, fingerprint, raw],
    ).fetchall()
    return [(int(found), str(external_id)) for found, external_id in rows]


def rename(store: Store, message_id: int, external_id: str) -> None:
    """File the stored message under another external id."""
    store.conn.execute(
        "update messages set external_id = ? where id = ?", [external_id, message_id]
    )


# Who stops waiting ------------------------------------------------------------------------------
def answer_reply_chain(
    store: Store, reply_keys: tuple[str, ...], customers: set[int], sent: str
) -> None:
    """The messages of ``customers`` with one of ``reply_keys`` as Message-ID are answered."""
    keys = ",".join("?" * len(reply_keys))
    marks = ",".join("?" * len(customers))
    _mark_answered(
        store,
        f"message_key in ({keys}) and direction = 'in' and contact_id in ({marks})",
        [*reply_keys, *customers],
        sent,
    )


def answer_seen(
    store: Store,
    scope: Scope,
    value: int,
    customers: set[int],
    sent: str,
    collected_by: str | None,
) -> None:
    """The messages of ``customers`` in ``scope`` the maker had before her are answered: those
    collected by ``collected_by``, else those sent by ``sent``."""
    seen, until = ("collected_at <= ?", collected_by) if collected_by else ("sent_at <= ?", sent)
    marks = ",".join("?" * len(customers))
    _mark_answered(
        store,
        f"{scope} = ? and direction = 'in' and contact_id in ({marks}) and {seen}",
        [value, *customers, until],
        sent,
    )


def answer_message(store: Store, message_id: int, sent: str) -> None:
    _mark_answered(store, "id = ?", [message_id], sent)


def has_later_reply(
    store: Store, scope: Scope, value: int, contact_id: int, sent: str, message_key: str
) -> bool:
    """Whether a message of the maker's to ``contact_id`` in ``scope``, sent at ``sent`` or
    later, replies to ``message_key``."""
    return bool(
        store.scalar(
            f"select 1 from messages where {scope} = ? and direction = 'out' and sent_at >= ?"
            " and contact_id = ? and instr(reply_keys, ?) limit 1",
            [value, sent, contact_id, json.dumps(message_key)],
        )
    )


def _mark_answered(store: Store, where: str, params: list[object], sent: str) -> None:
    store.conn.execute(
        "update messages set waiting = 0, handled_at = ?, handled_how = 'replied'"
        f" where waiting = 1 and {where}",
        [sent, *params],
    )


def customer_texts(
    store: Store, contact_id: int, limit: int
) -> list[tuple[str | None, str | None]]:
    """(subject, text) of the last ``limit`` messages the contact wrote themself (not an order
    form's answers), the newest first."""
    rows = store.conn.execute(
        "select subject, text from messages where contact_id = ? and direction = 'in'"
        " and status = 'ok' and order_fields is null order by sent_at desc limit ?",
        [contact_id, limit],
    ).fetchall()
    return [(subject, text) for subject, text in rows]


class ChatMessage(TypedDict):
    id: int
    text: str
    raw: bytes | None
    raw_type: str | None
    external_id: str


def chat_messages_after(
    store: Store, account: str, after: int, conversation: str, sender: str
) -> list[ChatMessage]:
    """The messages ``sender`` wrote in ``conversation`` on ``account`` after message ``after``,
    in order filed."""
    rows = store.all(
        "select id, text, raw, raw_type, external_id from messages where account = ? and id > ?"
        " and conversation = ? and sender_handle = ? order by id",
        [account, after, conversation, sender],
    )
    return cast(list[ChatMessage], rows)


# An order's messages ---------------------------------------------------------------------------
class NewSenderMessage(TypedDict):
    contact_id: int | None
    order_id: int | None
    new_sender: int | None


def new_sender_of(store: Store, message_id: int) -> NewSenderMessage | None:
    """Who wrote message ``message_id``, on which order, and whether as a new sender."""
    row = store.one(
        "select contact_id, order_id, new_sender from messages where id = ?", [message_id]
    )
    return cast(NewSenderMessage | None, row)


def clear_new_senders(store: Store, customer: int) -> None:
    """The customer's messages on the customer's orders are no longer from a new sender."""
    store.db.execute(
        "update messages set new_sender = 0 where contact_id = ? and new_sender = 1"
        " and order_id in (select id from orders where contact_id = ?)",
        [customer, customer],
    )


# The reply session's reads --------------------------------------------------------------------
#: the columns of a message in the reply session
SESSION_COLUMNS = (
    "m.id, m.account, m.channel, m.direction, m.thread_id, m.contact_id, m.order_id, m.sender,"
    " m.sender_handle, m.sent_at, m.subject, m.text, m.status, m.problem, m.auto, m.waiting,"
    " m.snoozed_until, m.new_sender"
)


def session_message(store: Store, message_id: int) -> dict[str, Any] | None:
    return store.one(f"select {SESSION_COLUMNS} from messages m where m.id = ?", [message_id])


#: what the reply session's batch needs of each waiting message: its item, whether it is snoozed,
#: and who the customer is (the session reads the rest only for the item it shows)
BATCH_COLUMNS = (
    "m.id, m.order_id, m.new_sender, m.snoozed_until, m.contact_id, m.sender_handle,"
    " (select o.contact_id from orders o where o.id = m.order_id) as order_contact_id"
)


def waiting_item(store: Store, key: str, columns: str = BATCH_COLUMNS) -> list[dict[str, Any]]:
    """The waiting, unanswered messages of the reply-session item ``key`` (``o<order id>`` or
    ``m<message id>``), the oldest first; none when the key names no item."""
    kind, number = key[:1], key[1:]
    if kind not in ("o", "m") or not number.isdigit():
        return []
    on_its_way, params = reply_on_its_way("m")
    scope = "m.order_id = ? and not m.new_sender" if kind == "o" else "m.id = ?"
    return store.all(
        f"select {columns} from messages m where {scope} and m.waiting = 1"
        f" and m.direction = 'in' and not {on_its_way} order by m.sent_at, m.id",
        [int(number), *params],
    )


def session_messages(store: Store, message_ids: Sequence[int]) -> list[dict[str, Any]]:
    """The messages ``message_ids`` with the reply session's columns, the oldest first."""
    return store.all(
        f"select {SESSION_COLUMNS} from messages m where m.id in (select value from json_each(?))"
        " order by m.sent_at, m.id",
        [json.dumps(list(message_ids))],
    )


def waiting_unanswered(
    store: Store, message_id: int | None = None, *, columns: str = SESSION_COLUMNS
) -> list[dict[str, Any]]:
    """Messages waiting for an answer that is not already in the outbox (or only ``message_id``),
    the oldest first, with ``columns``. A reply in the outbox covers the message it answers and
    the order's messages collected before it was written: one that came after is still the
    maker's to read."""
    on_its_way, params = reply_on_its_way("m")
    only = " and m.id = ?" if message_id is not None else ""
    return store.all(
        f"select {columns} from messages m where m.waiting = 1 and m.direction = 'in'"
        f" and not {on_its_way}{only} order by m.sent_at, m.id",
        [*params, *([message_id] if message_id is not None else [])],
    )


def latest_besides(
    store: Store, scope: Scope, value: int, besides: list[int], limit: int
) -> list[dict[str, Any]]:
    """The last ``limit`` messages of ``scope`` other than ``besides``, the newest first."""
    return store.all(
        f"select {SESSION_COLUMNS} from messages m where m.{scope} = ?"
        f" and m.id not in ({','.join('?' * len(besides))}) order by m.sent_at desc, m.id desc"
        f" limit {int(limit)}",
        [value, *besides],
    )


def snooze_waiting(store: Store, message_ids: list[int], until: datetime) -> None:
    """Those of ``message_ids`` still waiting come back at ``until``."""
    _update_waiting(store, message_ids, "snoozed_until = ?", [iso(until)])


def handled_without_reply(store: Store, message_ids: list[int], at: datetime) -> None:
    """Those of ``message_ids`` still waiting need no answer: they stop waiting at ``at``."""
    _update_waiting(
        store, message_ids, "waiting = 0, handled_at = ?, handled_how = 'no_reply'", [iso(at)]
    )


def _update_waiting(
    store: Store, message_ids: list[int], assignments: str, values: list[object]
) -> None:
    store.conn.execute(
        f"update messages set {assignments} where waiting = 1"
        f" and id in ({','.join('?' * len(message_ids))})",
        [*values, *message_ids],
    )


def waiting_with_refs(store: Store, limit: int) -> list[dict[str, Any]]:
    """The first ``limit`` messages waiting for the maker whose answer is not already in the
    outbox, oldest first, with their order's reference: the digest's list (its count is
    ``queries.waiting_count``; a backfill leaves thousands waiting, and only these are shown)."""
    on_its_way, params = reply_on_its_way("m")
    return store.all(
        "select m.id, m.sent_at, m.channel, m.subject, m.text, m.sender, o.ref from messages m"
        f" left join orders o on o.id = m.order_id where m.waiting = 1 and not {on_its_way}"
        f" order by m.sent_at, m.id limit {int(limit)}",
        params,
    )


def with_status(store: Store, status: str, limit: int | None = None) -> list[dict[str, Any]]:
    """Messages Banco could not read (``unreadable``) or fetch whole (``too_large``), the
    oldest first, the first ``limit`` (all when ``None``)."""
    return store.all(
        "select m.id, m.account, m.sent_at, m.sender, m.subject, m.problem, m.size from messages m"
        " where m.status = ? order by m.sent_at limit ?",
        [status, -1 if limit is None else limit],
    )


def count_with_status(store: Store, status: str) -> int:
    """How many messages ``with_status`` would give."""
    return int(store.scalar("select count(*) from messages where status = ?", [status]))


class StoredRaw(TypedDict):
    """A stored message's raw bytes, for reading them again (``banco messages reprocess``)."""

    id: int
    account: str
    stream: str
    external_id: str
    direction: str
    status: str
    raw: bytes


def ids_kept_as(
    store: Store, raw_type: str, *, unreadable: bool = False, account: str | None = None
) -> list[int]:
    """The messages kept as ``raw_type`` bytes (only unreadable ones, only one account's)."""
    rows = store.conn.execute(
        "select id from messages where raw_type = ? and raw is not null"
        " and (? = 0 or status = 'unreadable') and (? is null or account = ?) order by id",
        [raw_type, int(unreadable), account, account],
    ).fetchall()
    return [int(message_id) for (message_id,) in rows]


def stored_raw(store: Store, message_id: int) -> StoredRaw | None:
    row = store.one(
        "select id, account, stream, external_id, direction, status, raw from messages"
        " where id = ?",
        [message_id],
    )
    return cast(StoredRaw | None, row)


def drop_attachments(store: Store, message_id: int) -> None:
    """Forget a message's attachment rows (their files stay: other messages may share them)."""
    store.conn.execute("delete from attachments where message_id = ?", [message_id])


def set_waiting(store: Store, message_id: int, waiting: bool) -> None:
    store.conn.execute("update messages set waiting = ? where id = ?", [int(waiting), message_id])
