"""The outbox: a reply is written here before it is sent, and marked sent only after.

Statuses: ``queued`` (waiting to go, retried after "will retry" errors and after the maker fixes an
account), ``sending`` (handed to the channel; if Banco stops right then, the next delivery asks the
channel whether it went out), ``sent``, ``failed`` (the channel refused it for good),
``may_have_been_sent`` (the channel cannot tell after a crash: the maker decides) and ``cancelled``.
Nothing queued ever expires.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from banco.connectors import Handle, NeedsUser, Outgoing, Rejected, Sender

from .clock import iso
from .ingest import Ingest
from .orders import ref_pattern
from .shop import Shop
from .sync import classify

STREAM = "outbox"
#: Addresses that never take replies (their automatic answers would start a loop).
NO_REPLY = re.compile(r"^(no-?reply|do-?not-?reply|mailer-daemon|postmaster|bounces?)\b", re.I)
PENDING = ("queued", "sending")


class OutboxError(Exception):
    """A reply cannot be queued (unknown message, nothing to answer, automatic-reply guard)."""


@dataclass
class Delivery:
    outbox_id: int
    status: str
    error: str = ""


def new_message_key(shop: Shop) -> str:
    addresses = shop.config.shop.addresses
    domain = addresses[0].rpartition("@")[2] if addresses else "banco.invalid"
    return f"banco.{uuid.uuid4().hex}@{domain}"


def reply_subject(subject: str, ref: str | None, prefix: str) -> str:
    """``Re: <subject> [B-0042]``: the reference keeps the thread even if headers get lost."""
    subject = subject.strip()
    if not subject.lower().startswith(("re:", "r:", "aw:", "sv:")):
        subject = f"Re: {subject}" if subject else "Re:"
    if ref and not ref_pattern(prefix).search(subject):
        subject = f"{subject} [{ref}]"
    return subject


def queue_reply(shop: Shop, message_id: int, text: str, *, auto: bool = False) -> int:
    """Queue ``text`` as the answer to message ``message_id``, on the channel it came from."""
    store = shop.store
    message = store.one(
        "select m.*, o.ref from messages m left join orders o on o.id = m.order_id where m.id = ?",
        [message_id],
    )
    if message is None:
        raise OutboxError(f"no message {message_id}; `banco messages` lists them")
    if message["direction"] != "in" or not message["sender_handle"]:
        raise OutboxError(f"message {message_id} has no sender to answer")
    if not text.strip():
        raise OutboxError("the reply is empty")
    now = shop.clock.now()
    account, channel, to = route(shop, message)
    if auto:
        _check_auto_allowed(shop, message, to, now)
    prefix = shop.config.shop.order_prefix
    row = {
        "order_id": message["order_id"],
        "reply_to_id": message_id,
        "account": account,
        "channel": channel,
        "to_handle": json.dumps([to.kind, to.value]),
        "subject": reply_subject(message["subject"] or "", message["ref"], prefix),
        "text": text,
        "message_key": new_message_key(shop),
        "auto": int(auto),
        "status": "queued",
        "created_at": iso(now),
    }
    outbox_id = store.insert("outbox", row)
    return outbox_id


def route(shop: Shop, message: dict[str, Any]) -> tuple[str, str, Handle]:
    """Back on the channel the customer used. When that account cannot send (an order form, a
    Maildir), by the first of the customer's addresses an account can reach: email, then Telegram.
    With none, the reply stays on its own account and waits there, saying why."""
    own = _sender(message)
    if shop.can_send(message["account"]):
        return message["account"], message["channel"], own
    for channel in ("email", "telegram"):
        account = shop.sending_account(channel)
        value = shop.store.scalar(
            "select value from handles where contact_id = ? and kind = ? order by id limit 1",
            [message["contact_id"], channel],
        )
        if account and value:
            return account, channel, Handle(channel, value)
    return message["account"], message["channel"], own


def _sender(message: dict[str, Any]) -> Handle:
    value = message["sender_handle"]
    if message["channel"] in ("email", "telegram"):
        return Handle(message["channel"], value)
    return Handle("email" if "@" in value else "phone", value)  # a form gives email or phone


def _check_auto_allowed(shop: Shop, message: dict[str, Any], to: Handle, now: datetime) -> None:
    """Automatic messages: never to an automatic message or a no-reply address, at most one per
    customer per day."""
    if message["auto"]:
        raise OutboxError("Banco never answers an automatic message automatically")
    if NO_REPLY.match(to.value.partition("@")[0]):
        raise OutboxError(f"{to.value} does not take replies; Banco never writes to it by itself")
    recent = shop.store.scalar(
        "select count(*) from outbox where auto = 1 and to_handle = ? and created_at >= ?"
        " and status != 'cancelled'",
        [
            json.dumps([to.kind, to.value]),
            iso(now - timedelta(days=1)),
        ],
    )
    if recent:
        raise OutboxError("this customer already had an automatic message today")


def outgoing(shop: Shop, row: dict[str, Any]) -> Outgoing:
    """The outbox row as the connector sees it, with what it answers."""
    kind, value = json.loads(row["to_handle"])
    replied = shop.store.one(
        "select message_key, reply_keys, conversation, external_id from messages where id = ?",
        [row["reply_to_id"]],
    ) or {"message_key": None, "reply_keys": "[]", "conversation": None, "external_id": None}
    # The parent's own keys are stored In-Reply-To first, then References: put its In-Reply-To
    # back last, so the chain reads oldest first and ends with the parent (RFC 5322 3.6.4).
    parents = json.loads(replied["reply_keys"] or "[]")
    references = [*parents[1:], *parents[:1], replied["message_key"]]
    return Outgoing(
        outbox_id=row["id"],
        to=Handle(kind, value),
        subject=row["subject"] or "",
        text=row["text"],
        message_key=row["message_key"],
        in_reply_to=replied["message_key"],
        references=tuple(dict.fromkeys(r for r in references if r)),
        conversation=replied["conversation"],
        reply_to_external_id=replied["external_id"],
        auto=bool(row["auto"]),
    )


def deliver(shop: Shop, ids: list[int] | None = None) -> list[Delivery]:
    """Send every queued reply (or the given ones) through its account's connector."""
    store = shop.store
    sql = f"select * from outbox where status in ({','.join('?' * len(PENDING))})"
    params: list[Any] = list(PENDING)
    if ids is not None:  # an empty list sends nothing, never the whole outbox
        sql += f" and id in ({','.join('?' * len(ids))})"
        params += ids
    return [_deliver_one(shop, row) for row in store.all(sql + " order by id", params)]


def _deliver_one(shop: Shop, row: dict[str, Any]) -> Delivery:
    out = outgoing(shop, row)
    try:
        connector = shop.connector(row["account"])
    except Exception as e:  # an account removed from banco.toml: keep the reply, say why
        return _back_to_queue(shop, row, classify(e)[1])
    try:
        if not isinstance(connector, Sender):
            return _back_to_queue(shop, row, f"the {row['account']} account cannot send replies")
        if row["status"] == "sending":  # Banco stopped after handing it over: did it go out?
            try:
                went = connector.was_sent(out)
            except Exception as e:  # cannot ask now: it stays "sending" and is asked next time
                return Delivery(row["id"], "sending", classify(e)[1])
            if went is None:
                _set(
                    shop,
                    row["id"],
                    status="may_have_been_sent",
                    error="Banco stopped while sending this; check the chat, then resend or cancel",
                )
                return Delivery(row["id"], "may_have_been_sent")
            if went:
                _set(shop, row["id"], status="sent", sent_at=iso(shop.clock.now()))
                return Delivery(row["id"], "sent")
        _set(shop, row["id"], status="sending", attempts=row["attempts"] + 1)
        try:
            receipt = connector.send(out)
        except Rejected as e:
            _set(shop, row["id"], status="failed", error=str(e))
            return Delivery(row["id"], "failed", str(e))
        except Exception as e:  # NeedsUser, TryLater, network: it stays queued, nothing expires
            return _back_to_queue(shop, row, classify(e)[1], needs_you=isinstance(e, NeedsUser))
        _record_sent(shop, row, receipt.record)
        if receipt.keep_copy is not None:
            receipt.keep_copy()
        return Delivery(row["id"], "sent")
    finally:
        connector.close()


def _record_sent(shop: Shop, row: dict[str, Any], record: Any) -> None:
    store = shop.store
    now = shop.clock.now()
    # The reply answers what the maker saw: the message it replies to and what came before it,
    # not a message that arrived while she was writing.
    answered = store.scalar("select sent_at from messages where id = ?", [row["reply_to_id"]])
    ingest = Ingest(
        store,
        row["account"],
        now,
        order_prefix=shop.config.shop.order_prefix,
        owner=shop.owner_handles,
        answers_up_to=answered,
    )
    with store.db.atomic():
        ingest.save_records([record], STREAM)
        message_id = store.scalar(
            "select id from messages where account = ? and external_id = ?",
            [row["account"], record.external_id],
        )
        # Even when the channel's copy of the reply could not be tied to the conversation.
        store.db.conn.execute(
            "update messages set waiting = 0, handled_at = ?, handled_how = 'replied'"
            " where id = ? and waiting = 1",
            [iso(now), row["reply_to_id"]],
        )
        _set(shop, row["id"], status="sent", sent_at=iso(now), message_id=message_id, error=None)


def _back_to_queue(
    shop: Shop, row: dict[str, Any], error: str, needs_you: bool = False
) -> Delivery:
    prefix = "needs you: " if needs_you else "will retry: "
    _set(shop, row["id"], status="queued", error=prefix + error)
    return Delivery(row["id"], "queued", error)


def set_status(shop: Shop, outbox_id: int, status: str) -> None:
    """The maker's decision on a reply: cancel it, or queue it again after a failure."""
    row = shop.store.one("select status from outbox where id = ?", [outbox_id])
    if row is None:
        raise OutboxError(f"no reply {outbox_id} in the outbox; `banco outbox` lists them")
    allowed = {
        "cancelled": ("queued", "failed", "may_have_been_sent"),
        "queued": ("failed", "may_have_been_sent"),
    }[status]
    if row["status"] not in allowed:
        raise OutboxError(
            f"reply {outbox_id} is {row['status'].replace('_', ' ')}; it cannot be"
            f" {'cancelled' if status == 'cancelled' else 'sent again'}"
        )
    _set(shop, outbox_id, status=status, error=None)


def _set(shop: Shop, outbox_id: int, **values: Any) -> None:
    shop.store.db.table("outbox").update(outbox_id, values)
