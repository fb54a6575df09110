"""The outbox: a reply is written here before it is sent, and leaves at most once.

Every reply moves through these states, and only along these arrows::

    queued ──claim──▶ claimed ──handing over──▶ handing_over ──▶ sent
      ▲                  │                          ├──▶ failed     (the channel said no)
      │                  │                          ├──▶ queued     (the channel said "not now")
      └──────────────────┘ nothing left Banco       └──▶ may_have_been_sent  (no certain answer)
         ("will retry": connecting, logging in)

    failed, may_have_been_sent ──the maker: resend──▶ queued
    may_have_been_sent ──the maker: mark sent, or the channel proves it──▶ sent
    queued, failed, may_have_been_sent ──the maker: cancel──▶ cancelled

* ``queued``: waiting to go; with ``send_at``, not before that time (a scheduled reply). Nothing
  queued ever expires.
* ``claimed``: one delivering process holds it (``claimed_by``: computer, process id and a random
  tag; ``lease_until``). The claim is one conditional UPDATE, so two processes (the minute loop
  of ``banco run``, a Send on the page, ``banco outbox send``) never hold the same reply. A claim
  whose process has ended, or whose lease ran out, may be taken over: nothing has left yet.
* ``handing_over``: written and committed by the claim's holder just before the bytes that can
  deliver the reply go out (SMTP DATA, Telegram sendMessage: the connector calls back).
* ``sent``: the channel took it; the reply joins the conversation.
* ``failed``: refused for good, and nothing left Banco: the maker may resend or cancel it.
* ``may_have_been_sent``: anything uncertain after handing over: a timeout, a lost connection,
  Banco stopped (a ``handing_over`` whose process is gone). Never retried by itself: the maker
  looks at the chat or her Sent folder and chooses resend or mark sent, unless the channel
  proves it went out (its Message-ID in the Sent folder) and Banco settles it by itself.

A reply that no account can send (an order form's customer with no address any account reaches)
is refused when it is written, never queued to wait forever.
"""

from __future__ import annotations

import json
import os
import socket
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from banco.connectors import (
    ConnectorError,
    Handle,
    MayHaveBeenSent,
    NeedsUser,
    Outgoing,
    Person,
    Record,
    Rejected,
    Sender,
)
from banco.inbox.clock import iso
from banco.inbox.collect.failures import classify
from banco.inbox.errors import WrongInput
from banco.inbox.i18n.catalogs import N_, _, said, speaking
from banco.inbox.orders.pipeline import ref_pattern
from banco.inbox.replies.recipients import (
    marketplace_refusal,
    reply_warning,
    takes_no_replies,
    via_marketplace,
)
from banco.inbox.shop import Shop
from banco.inbox.store import outbox as store_outbox
from banco.inbox.store.contacts import first_handle
from banco.inbox.store.customers import failed_at
from banco.inbox.store.messages import (
    answer_message,
    message_id_of,
    message_with_ref,
    reply_keys_of,
)
from banco.inbox.store.outbox import (
    PENDING,  # noqa: F401  (the web board reads it from here)
    add_reply,
)

STREAM = "outbox"
#: How long a claim holds before another process may take it over when its holder cannot be
#: seen (a process on another computer): longer than any send, a connection's timeout included.
LEASE = timedelta(minutes=15)


class OutboxError(WrongInput):
    """A reply cannot be queued or changed (unknown message, nothing to answer, no account can
    send it, automatic-reply guard, a decision that does not fit its state)."""


class NobodyReads(OutboxError):
    """A reply the maker wrote would reach a bounce's mail server or a no-reply address: said
    as a warning; queued only when she confirms."""


class ClaimLost(Exception):
    """Another process took this reply over before its bytes left: this one sends nothing."""


@dataclass
class Delivery:
    outbox_id: int
    #: the reply's state after this delivery; "elsewhere" when another process holds it
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


def queue_reply(
    shop: Shop,
    message_id: int,
    text: str,
    *,
    auto: bool = False,
    send_at: datetime | None = None,
    confirmed: bool = False,
) -> int:
    """Queue ``text`` as the answer to message ``message_id``, on the channel it came from;
    with ``send_at`` (a time to come), to go then and not before. To a bounce or a no-reply
    address only ``confirmed`` (she was warned and said yes); NobodyReads says why."""
    store = shop.store
    message = message_with_ref(store, message_id)
    if message is None:
        raise OutboxError(_("no message {id}; `banco messages` lists them").format(id=message_id))
    if message["direction"] != "in" or not message["sender_handle"]:
        raise OutboxError(_("message {id} has no sender to answer").format(id=message_id))
    if not text.strip():
        raise OutboxError(_("the reply is empty"))
    now = shop.clock.now()
    if refusal := marketplace_refusal(store, message_id):  # marketplace: never by mail
        raise OutboxError(refusal)
    found = route(shop, message)
    if found is None:
        raise OutboxError(cannot_send_reason(message))
    account, channel, to = found
    if auto:
        _check_auto_allowed(shop, message, to, now)
    elif not confirmed and (
        warning := reply_warning(message, to.value, failed_at(store, to.kind, to.value))
    ):
        raise NobodyReads(warning)
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
        "send_at": iso(send_at) if send_at is not None and send_at > now else None,
    }
    return add_reply(store, row)


def warning_for(shop: Shop, message_id: int) -> str | None:
    """Why a reply to message ``message_id`` would reach nobody (a bounce, a no-reply address),
    to warn the maker before she writes it; None when it reaches a person or cannot be sent."""
    if refusal := marketplace_refusal(shop.store, message_id):  # marketplace
        return refusal
    message = message_with_ref(shop.store, message_id)
    found = route(shop, message) if message and message["sender_handle"] else None
    if not message or not found:
        return None
    return reply_warning(
        message, found[2].value, failed_at(shop.store, found[2].kind, found[2].value)
    )


def route(shop: Shop, message: dict[str, Any]) -> tuple[str, str, Handle] | None:
    """Back on the channel the customer used, to the very handle the message came from. When
    that account cannot send (an order form, a Maildir), by the first of the customer's
    addresses an account can reach: email, then Telegram. None when no account can. An address
    mail bounced from is the last choice (its warning asks for another way to reach her)."""
    if via := via_marketplace(shop.store, message):  # marketplace: to the buyer, else nobody
        account = shop.sending_account("email") if via.email else None
        return (account, "email", Handle("email", via.email)) if account and via.email else None
    own = _sender(message)
    direct = shop.can_send(message["account"])
    if direct and not failed_at(shop.store, own.kind, own.value):
        return message["account"], message["channel"], own
    for channel in ("email", "telegram"):
        account = shop.sending_account(channel)
        value = first_handle(shop.store, message["contact_id"], channel)
        if account and value:
            return account, channel, Handle(channel, value)
    if direct:
        return message["account"], message["channel"], own
    account = shop.sending_account("email")
    value = first_handle(shop.store, message["contact_id"], "email", usable_only=False)
    return (account, "email", Handle("email", value)) if account and value else None


def cannot_send_reason(message: dict[str, Any]) -> str:
    """Why no reply to ``message`` can leave Banco, and what the maker can do instead."""
    return _(
        "no account of yours can send this reply: {account} only reads, and no account that"
        " sends by email or Telegram reaches this customer. Answer from your own mail program or"
        " phone, then mark the message as needing no reply"
    ).format(account=message["account"])


def _sender(message: dict[str, Any]) -> Handle:
    value = message["sender_handle"]
    if message["channel"] in ("email", "telegram"):
        return Handle(message["channel"], value)
    return Handle("email" if "@" in value else "phone", value)  # a form gives email or phone


def _check_auto_allowed(shop: Shop, message: dict[str, Any], to: Handle, now: datetime) -> None:
    """Automatic messages: never to an automatic message or a no-reply address, at most one per
    customer per day."""
    if message["auto"]:
        raise OutboxError(_("Banco never answers an automatic message automatically"))
    if takes_no_replies(to.value):
        raise OutboxError(
            _("{address} does not take replies; Banco never writes to it by itself").format(
                address=to.value
            )
        )
    if store_outbox.auto_replies_since(
        shop.store, json.dumps([to.kind, to.value]), now - timedelta(days=1)
    ):
        raise OutboxError(_("this customer already had an automatic message today"))


def outgoing(shop: Shop, row: dict[str, Any]) -> Outgoing:
    """The outbox row as the connector sees it, with what it answers."""
    kind, value = json.loads(row["to_handle"])
    replied = reply_keys_of(shop.store, row["reply_to_id"]) or {
        "message_key": None,
        "reply_keys": "[]",
        "conversation": None,
        "external_id": None,
    }
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


def deliver(shop: Shop, ids: list[int] | None = None, *, due_only: bool = False) -> list[Delivery]:
    """Send every reply that is due (or the given ones): each is claimed first, so a reply held by
    another process is left to it. Replies left mid-handover by a process that is gone become
    "may have been sent" (or sent, when the channel proves it). ``due_only``: only scheduled
    replies whose time has come (the minute loop of ``banco run``). What it records (why a reply
    waits or failed) is said in the maker's language."""
    with speaking(shop.config.shop.language):
        return _deliver(shop, ids, due_only)


def _deliver(shop: Shop, ids: list[int] | None, due_only: bool) -> list[Delivery]:
    store = shop.store
    now = shop.clock.now()
    results = _settle_interrupted(shop, now)
    if ids is None and not due_only:
        results += _settle_by_proof(shop)
    # an empty list of ids sends nothing, never the whole outbox
    for row in store_outbox.to_deliver(store, now, ids, due_only=due_only):
        me = _claim(shop, row, now)
        if me is None:
            if ids is not None:
                results.append(Delivery(row["id"], "elsewhere", _("another Banco is sending it")))
            continue
        results.append(_deliver_claimed(shop, row, me))
    return results


def due_soon(shop: Shop) -> bool:
    """Whether a scheduled reply's time has come (a cheap look for the minute loop)."""
    return store_outbox.any_due(shop.store, shop.clock.now())


# Claims ---------------------------------------------------------------------------------------
def claimant() -> str:
    """Who holds a claim: this computer, this process, and a tag of this delivery."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def _gone(claimed_by: str | None, lease_until: str | None, now: datetime) -> bool:
    """The holder of a claim can no longer act on it: its process ended on this computer, or its
    lease ran out (a process elsewhere)."""
    if not claimed_by:
        return True
    host, _, rest = claimed_by.partition(":")
    if host == socket.gethostname():
        pid = int(rest.partition(":")[0] or 0)
        return not _running(pid)
    return lease_until is None or lease_until < (iso(now) or "")


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: it runs
        return True
    return True


def _claim(shop: Shop, row: dict[str, Any], now: datetime) -> str | None:
    """Take ``row`` for this process: one conditional UPDATE, so of two processes only one wins.
    A queued reply, or one claimed by a process that is gone (nothing had left yet)."""
    me = claimant()
    if row["status"] == "queued":
        taken = store_outbox.claim_queued(shop.store, row["id"], me, now + LEASE, now)
    elif _gone(row["claimed_by"], row["lease_until"], now):
        taken = store_outbox.take_over_claim(
            shop.store, row["id"], me, now + LEASE, row["claimed_by"]
        )
    else:
        return None
    return me if taken else None


def _handing_over(shop: Shop, outbox_id: int, me: str) -> None:
    """Committed before the bytes leave: from here on, nothing is retried by itself."""
    if not store_outbox.hand_over(shop.store, outbox_id, me, shop.clock.now()):
        raise ClaimLost(_("reply {id} was taken over by another Banco").format(id=outbox_id))


# Sending --------------------------------------------------------------------------------------
def _deliver_claimed(shop: Shop, row: dict[str, Any], me: str) -> Delivery:
    outbox_id = row["id"]
    try:
        connector = shop.connector(row["account"])
    except Exception as e:  # an account removed from banco.toml: keep the reply, say why
        return _release(shop, outbox_id, classify(e)[1])
    handed = False

    def handing_over() -> None:
        nonlocal handed
        _handing_over(shop, outbox_id, me)
        handed = True

    try:
        if not isinstance(connector, Sender):
            return _release(
                shop,
                outbox_id,
                _("the {account} account cannot send replies").format(account=row["account"]),
            )
        try:
            receipt = connector.send(outgoing(shop, row), handing_over)
        except ClaimLost as e:
            return Delivery(outbox_id, "elsewhere", str(e))
        except Rejected as e:
            _set(shop, outbox_id, status="failed", error=said(e), claimed_by=None)
            return Delivery(outbox_id, "failed", said(e))
        except MayHaveBeenSent as e:
            return _may_have_been_sent(shop, outbox_id, said(e))
        except ConnectorError as e:  # NeedsUser, TryLater: the channel did not take it
            return _release(shop, outbox_id, classify(e)[1], needs_you=isinstance(e, NeedsUser))
        except Exception as e:
            if handed:  # what happened to the bytes is unknown
                return _may_have_been_sent(
                    shop, outbox_id, _("Banco could not tell whether it went out ({e})").format(e=e)
                )
            return _release(shop, outbox_id, classify(e)[1])
        _record_sent(shop, row, receipt.record)
        if receipt.keep_copy is not None:
            receipt.keep_copy()
        return Delivery(outbox_id, "sent")
    finally:
        connector.close()


def _release(shop: Shop, outbox_id: int, error: str, needs_you: bool = False) -> Delivery:
    """Nothing left Banco: back in the queue, for the next delivery."""
    # "<what happens next>: <why>", read apart by the terminal session
    prefix = _("needs you") if needs_you else _("will retry")
    _set(shop, outbox_id, status="queued", error=f"{prefix}: {error}", claimed_by=None)
    return Delivery(outbox_id, "queued", error)


def _may_have_been_sent(shop: Shop, outbox_id: int, error: str) -> Delivery:
    _set(shop, outbox_id, status="may_have_been_sent", error=error, claimed_by=None)
    return Delivery(outbox_id, "may_have_been_sent", error)


def _settle_interrupted(shop: Shop, now: datetime) -> list[Delivery]:
    """Replies left ``handing_over`` by a process that is gone: sent if the channel proves it,
    else "may have been sent" for the maker to decide. Never sent again from here."""
    settled = []
    for row in store_outbox.replies_in_state(shop.store, "handing_over"):
        if not _gone(row["claimed_by"], row["lease_until"], now):
            continue  # its process is still handing it over
        if _proven_sent(shop, row):
            _mark_sent(shop, row)
            settled.append(Delivery(row["id"], "sent"))
            continue
        why = (
            "Banco stopped while handing this reply over, so it may have gone out: look at the"
            " chat or your Sent folder, then resend it or mark it sent"
        )
        settled.append(_may_have_been_sent(shop, row["id"], why))
    return settled


def _settle_by_proof(shop: Shop) -> list[Delivery]:
    """Replies that may have been sent, which the channel can now prove went out."""
    settled = []
    for row in store_outbox.replies_in_state(shop.store, "may_have_been_sent"):
        if _proven_sent(shop, row):
            _mark_sent(shop, row)
            settled.append(Delivery(row["id"], "sent"))
    return settled


def _proven_sent(shop: Shop, row: dict[str, Any]) -> bool:
    try:
        connector = shop.connector(row["account"])
    except Exception:  # the account is gone from banco.toml: nobody can prove it
        return False
    try:
        return isinstance(connector, Sender) and connector.was_sent(outgoing(shop, row))
    except Exception:  # cannot ask now: the maker still sees it, and Banco asks next time
        return False
    finally:
        connector.close()


def _record_sent(shop: Shop, row: dict[str, Any], record: Record) -> None:
    # imported here: filing loads what reading a message needs (facts, triage, marketplaces),
    # and the commands that only list the outbox (the digest, the session) need none of it
    from banco.inbox.collect.ingest import Ingest

    store = shop.store
    now = shop.clock.now()
    # The reply answers what the maker could see when she wrote it: what was collected by then,
    # not a message that came while it waited in the outbox.
    ingest = Ingest(
        store,
        row["account"],
        now,
        order_prefix=shop.config.shop.order_prefix,
        owner=shop.owner_handles,
        answers_collected_by=row["created_at"],
    )
    with store.db.atomic():
        ingest.save_records([record], STREAM)
        message_id = message_id_of(store, row["account"], record.external_id)
        # Even when the channel's copy of the reply could not be tied to the conversation.
        answer_message(store, row["reply_to_id"], str(iso(now)))
        _set(
            shop,
            row["id"],
            status="sent",
            sent_at=iso(now),
            message_id=message_id,
            error=None,
            claimed_by=None,
        )


def _mark_sent(shop: Shop, row: dict[str, Any]) -> None:
    """A reply known to have gone out without the channel's receipt (proven by the channel, or
    the maker's word): kept in the conversation as Banco wrote it."""
    kind, value = json.loads(row["to_handle"])
    owner = sorted(shop.owner_handles, key=lambda h: h.kind != row["channel"])
    record = Record(
        external_id=f"outbox:{row['message_key']}",
        channel=row["channel"],
        direction="out",
        sent_at=datetime.fromisoformat(row["handed_over_at"] or row["created_at"]),
        sender=Person(shop.config.shop.owner, owner[:1]),
        recipients=[Person("", [Handle(kind, value)])],
        subject=row["subject"] or "",
        text=row["text"],
        message_key=row["message_key"],
        reply_keys=outgoing(shop, row).references,
    )
    _record_sent(shop, row, record)


def pending_for_order(shop: Shop, order_id: int | None) -> list[dict[str, Any]]:
    """The order's replies not gone yet (or maybe gone), oldest first."""
    if order_id is None:
        return []
    return store_outbox.pending_of_order(shop.store, order_id)


def uncertain(shop: Shop) -> list[dict[str, Any]]:
    """Replies that may have been sent, for the maker to decide: oldest first, with whom for."""
    return store_outbox.uncertain_replies(shop.store)


# The maker's decisions ------------------------------------------------------------------------
#: decision -> (the state it leads to, the states it is allowed from, how the refusal says it)
DECISIONS = {
    "cancel": ("cancelled", ("queued", "failed", "may_have_been_sent"), N_("cancelled")),
    "resend": ("queued", ("failed", "may_have_been_sent"), N_("sent again")),
    "mark_sent": ("sent", ("may_have_been_sent",), N_("marked sent")),
}


def decide(shop: Shop, outbox_id: int, decision: str) -> None:
    """The maker's decision on a reply: cancel it, send it again, or mark it sent."""
    row = store_outbox.reply_row(shop.store, outbox_id)
    if row is None:
        raise OutboxError(
            _("no reply {id} in the outbox; `banco outbox` lists them").format(id=outbox_id)
        )
    target, allowed, words = DECISIONS[decision]
    if row["status"] not in allowed:
        raise OutboxError(
            _("reply {id} is {state}; it cannot be {change}").format(
                id=outbox_id, state=_(state_words(row)), change=_(words)
            )
        )
    if decision == "mark_sent":
        _mark_sent(shop, row)
        return
    # Conditional, as every change here: a delivery may have moved the reply meanwhile.
    if not store_outbox.move_reply(shop.store, outbox_id, target, allowed):
        raise OutboxError(
            _("reply {id} changed meanwhile; `banco outbox` shows it now").format(id=outbox_id)
        )


def state_words(row: Mapping[str, Any]) -> str:
    """A reply's state in the maker's words."""
    if row["status"] == "queued" and row.get("send_at"):
        return N_("scheduled")
    return STATE_WORDS.get(row["status"], row["status"])


STATE_WORDS = {
    "queued": N_("queued"),
    "claimed": N_("being sent"),
    "handing_over": N_("being sent"),
    "sent": N_("sent"),
    "failed": N_("refused"),
    "may_have_been_sent": N_("may have been sent"),
    "cancelled": N_("cancelled"),
}


def _set(shop: Shop, outbox_id: int, **values: Any) -> None:
    store_outbox.set_reply(shop.store, outbox_id, values)
