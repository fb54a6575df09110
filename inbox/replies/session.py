"""The reply session: every message waiting for an answer, grouped by order, with a suggested reply.

``session_batch`` lists the batch (oldest first) and ``prepare_item`` builds the item shown, so
a screen showing one item costs one item whatever the number waiting. The actions below are
what the maker decides for each item, whether in the terminal (``banco reply``) or in the
Telegram chat with the bot.
Replies are queued in the outbox and go out with ``outbox.deliver``: nothing queued expires, and a
message that already has a reply in the outbox is not offered again.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, time, timedelta
from decimal import Decimal
from typing import Any

from banco.inbox.clock import iso
from banco.inbox.i18n.catalogs import _
from banco.inbox.orders.edits import Edit, message_edits
from banco.inbox.orders.facts import BEFORE_ACCEPTED, confirm, dismiss, facts_of
from banco.inbox.orders.facts import pending as pending_facts
from banco.inbox.orders.pipeline import update_fields
from banco.inbox.orders.status import change_status as status_change
from banco.inbox.replies.language import (
    customer_language,
    guess_language,
    maker_language,
    set_language,
)
from banco.inbox.replies.outbox import pending_for_order, queue_reply
from banco.inbox.replies.templates import (
    LANGUAGE_NAMES,
    PURPOSE_WORDS,
    PURPOSES,
    MissingFact,
    ReplyError,
    render,
)
from banco.inbox.replies.when import parse_send_time
from banco.inbox.shop import Shop
from banco.inbox.store.batch import count_before, count_items, items_from, maybe_left_out, places
from banco.inbox.store.checkins import mark_checkin_done, open_checkins
from banco.inbox.store.contacts import contact_row
from banco.inbox.store.facts import Proposal
from banco.inbox.store.messages import (
    BATCH_COLUMNS,
    Scope,
    handled_without_reply,
    latest_besides,
    session_message,
    session_messages,
    snooze_waiting,
    waiting_item,
    waiting_unanswered,
)
from banco.inbox.store.orders import order_row
from banco.inbox.store.queries import waiting_count
from banco.scheduler.slots import next_fire

__all__ = [
    "LANGUAGE_NAMES",
    "PURPOSES",
    "PURPOSE_WORDS",
    "ReplyError",
    "SessionItem",
    "Suggestion",
    "Waiting",
    "answer",
    "BatchPlace",
    "batch_place",
    "change_status",
    "confirm_fact",
    "dismiss_fact",
    "customer_language",
    "guess_language",
    "load_item",
    "maker_language",
    "no_reply_needed",
    "prepare_item",
    "prepare_session",
    "purpose_for",
    "render",
    "session_batch",
    "set_language",
    "set_price",
    "snooze",
    "snooze_until",
    "waiting_for",
    "suggest",
    "suggestion_for",
]

#: The template suggested for a message, by the status of its order (and its facts: see
#: ``purpose_for``).
STATUS_PURPOSE = {
    "new": "ask_details",
    "awaiting_info": "ask_details",
    "quoted": "quote",
    "booked": "confirmed",
    "in_progress": "in_progress",
    "awaiting_client": "in_progress",
    "ready": "ready",
    "shipped": "shipped",
    "completed": "thank_you",
}
CONTEXT_SIZE = 10
SNOOZE_WITHOUT_SLOTS = timedelta(hours=4)


@dataclass(frozen=True)
class Suggestion:
    purpose: str
    language: str
    text: str
    #: Plain lines about a broken template of the maker's (Banco's own was used instead).
    problems: tuple[str, ...] = ()


@dataclass(frozen=True)
class SessionItem:
    """One thing to answer: an order's waiting messages (or one message without an order)."""

    key: str  # "o42" for order 42, "m7" for message 7 without an order: stable across restarts
    order: dict[str, Any] | None
    contact: dict[str, Any] | None
    messages: list[dict[str, Any]]  # the waiting ones, oldest first
    context: list[dict[str, Any]]  # earlier messages of the order, every channel, oldest first
    suggestion: Suggestion
    #: replies to this order still in the outbox, written before these messages came: the
    #: maker reads the new message before they go (``outbox`` rows, oldest first)
    pending: list[dict[str, Any]] = field(default_factory=list)
    #: facts Banco read in the order's messages, for the maker to confirm (``orders.facts``)
    proposals: list[Proposal] = field(default_factory=list)
    #: what the customer's edits changed, by message id (``orders.edits``)
    edits: dict[int, list[Edit]] = field(default_factory=dict)

    @property
    def latest(self) -> dict[str, Any]:
        """The message a reply answers: the last one waiting."""
        return self.messages[-1]


# Suggestions --------------------------------------------------------------------------------------
def purpose_for(order: dict[str, Any] | None, proposed: Collection[str] = ()) -> str:
    """The template for the next reply, from the order's status and the facts the store holds
    (``proposed``: the facts Banco read in her messages and the maker has not confirmed yet)."""
    if order is None:
        return "acknowledge"
    status = order["status"]
    facts = facts_of(order, "EUR")
    if status in BEFORE_ACCEPTED and "accepted" in proposed:
        return "acknowledge"  # she may have accepted: the maker confirms it, then it is booked
    if status == "new" and facts.deadline and facts.quantity:
        return "quote"  # the form already told us what and when: the next step is the price
    if status == "booked" and facts.deposit_received:
        return "deposit_received"
    return STATUS_PURPOSE.get(status, "acknowledge")


def suggestion_for(
    shop: Shop,
    purpose: str,
    language: str,
    order: dict[str, Any] | None,
    contact: dict[str, Any] | None,
) -> Suggestion:
    """The reply ``purpose`` for the order. A template that would state a fact the store does
    not hold (she picked "deposit received" and none is recorded) is not filled: the suggestion
    for the order's facts comes instead, with a line saying why."""
    problems: list[str] = []
    try:
        text = render(shop, purpose, language, order, contact, problems)
    except MissingFact as missing:
        purpose = purpose_for(order)
        problems.append(str(missing))
        text = render(shop, purpose, language, order, contact, problems)
    return Suggestion(purpose, language, text, tuple(problems))


def suggest(shop: Shop, message: dict[str, Any]) -> Suggestion:
    """The suggested reply to ``message`` (a row of ``messages``, or any dict with its ``id``)."""
    if "order_id" not in message or "contact_id" not in message:
        message = session_message(shop.store, message["id"]) or message
    order = _order(shop, message.get("order_id"))
    contact = _contact(shop, message, order)
    return _suggest(shop, order, contact)


def _suggest(
    shop: Shop, order: dict[str, Any] | None, contact: dict[str, Any] | None
) -> Suggestion:
    language = customer_language(shop, contact)
    proposed = {p.fact for p in pending_facts(shop, order["id"])} if order else set()
    return suggestion_for(shop, purpose_for(order, proposed), language, order, contact)


def _order(shop: Shop, order_id: int | None) -> dict[str, Any] | None:
    if order_id is None:
        return None
    return order_row(shop.store, order_id)


def _contact(
    shop: Shop, message: dict[str, Any], order: dict[str, Any] | None
) -> dict[str, Any] | None:
    contact_id = message.get("contact_id") or (order or {}).get("contact_id")
    if contact_id is not None:
        found = contact_row(shop.store, contact_id)
        if found is not None:
            return found
    name = message.get("sender") or ""
    return {"id": None, "name": name, "language": None} if name else None


# The batch ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Waiting:
    """An item of the batch before it is prepared: its key and its waiting messages, with only
    what the batch needs of them (``BATCH_COLUMNS``). Enough to count items, messages and
    customers; ``prepare_item`` makes the item shown (its suggestion, its language guess)."""

    key: str
    messages: list[dict[str, Any]]

    @property
    def customer(self) -> Any:
        """Who the item is from: their contact, else the address they wrote from."""
        latest = self.messages[-1]
        return latest["contact_id"] or latest["order_contact_id"] or latest["sender_handle"]


def session_batch(shop: Shop) -> list[Waiting]:
    """Every message waiting for an answer and not snoozed, grouped by order, oldest first.

    An order whose messages were snoozed comes back at the snooze time, or sooner when the customer
    writes again. Messages that already have a reply in the outbox are left out."""
    now = iso(shop.clock.now()) or ""
    groups: dict[str, list[dict[str, Any]]] = {}
    for message in waiting_unanswered(shop.store, columns=BATCH_COLUMNS):
        # Someone not yet linked to the order's customer is answered on their own: never in the
        # same reply as the customer, never told what only the customer may know.
        on_order = message["order_id"] is not None and not message["new_sender"]
        key = f"o{message['order_id']}" if on_order else f"m{message['id']}"
        groups.setdefault(key, []).append(message)
    return [
        Waiting(key, messages)
        for key, messages in groups.items()
        if any(not m["snoozed_until"] or m["snoozed_until"] <= now for m in messages)
    ]


def prepare_session(shop: Shop) -> list[SessionItem]:
    """The whole batch prepared (``session_batch``): for a screen that shows every item."""
    return [prepare_item(shop, waiting) for waiting in session_batch(shop)]


@dataclass(frozen=True)
class BatchPlace:
    """Where a screen that shows one item stands in the batch, read without reading the batch:
    the item shown, its place among the items not skipped (``None`` when it was skipped), how
    many items are not skipped, how many messages wait in all, how many items were skipped."""

    shown: Waiting | None
    position: int | None
    remaining: int
    total_messages: int
    skipped: int


#: how many items the batch is read by while looking for the first one not skipped
_PAGE = 20


def batch_place(shop: Shop, skipped: Sequence[str] = (), wanted: str | None = None) -> BatchPlace:
    """The item ``wanted`` (else the first not ``skipped``) and where it stands, in as many
    statements as the items skipped or left out, whatever the number of waiting messages
    (see store/batch.py); the same items, order and counts as ``session_batch``."""
    store = shop.store
    left_out = {
        key: waiting_for(shop, key) for key in maybe_left_out(store, iso(shop.clock.now()) or "")
    }
    out = {key for key, waiting in left_out.items() if waiting is None}
    skipped_in = [
        key for key in dict.fromkeys(skipped) if key not in out and waiting_for(shop, key)
    ]
    shown = waiting_for(shop, wanted) if wanted else None
    offset = 0
    while shown is None and (keys := items_from(store, offset, _PAGE)):
        ahead = (waiting_for(shop, k) for k in keys if k not in out and k not in skipped_in)
        shown = next((waiting for waiting in ahead if waiting is not None), None)
        offset += _PAGE
    position = None
    place = places(store, [shown.key, *out, *skipped_in]) if shown is not None else {}
    if shown is not None and shown.key in place and shown.key not in skipped_in:
        before = [p for k, p in place.items() if k != shown.key and p < place[shown.key]]
        position = count_before(store, place[shown.key]) - len(before) + 1
    return BatchPlace(
        shown=shown,
        position=position,
        remaining=count_items(store) - len(places(store, list(out))) - len(skipped_in),
        # the messages of an item left out because all of them are snoozed are not counted
        total_messages=waiting_count(store) - sum(len(waiting_item(store, k)) for k in out),
        skipped=len(skipped_in),
    )


def waiting_for(shop: Shop, key: str) -> Waiting | None:
    """The batch's item ``key`` before it is prepared, or None when it is not in the batch
    (answered, or all its messages snoozed)."""
    found = waiting_item(shop.store, key)
    now = iso(shop.clock.now()) or ""
    if not any(not m["snoozed_until"] or m["snoozed_until"] <= now for m in found):
        return None
    return Waiting(key, found)


def load_item(shop: Shop, key: str) -> SessionItem | None:
    """The item ``key`` as it is now (for a button pressed later), or None once it is answered."""
    waiting = waiting_for(shop, key)
    return prepare_item(shop, waiting) if waiting is not None else None


def prepare_item(shop: Shop, waiting: Waiting) -> SessionItem:
    """The item as the maker sees it: its messages whole, its order, customer and suggestion."""
    messages = session_messages(shop.store, [m["id"] for m in waiting.messages])
    latest = messages[-1]
    order = _order(shop, latest["order_id"])
    contact = _contact(shop, latest, order)
    context = _context(shop, messages)
    return SessionItem(
        key=waiting.key,
        order=order,
        contact=contact,
        messages=messages,
        context=context,
        suggestion=_suggest(shop, None if latest["new_sender"] else order, contact),
        pending=pending_for_order(shop, latest["order_id"]),
        proposals=_proposals(shop, None if latest["new_sender"] else order),
        edits=message_edits(shop.store, context + messages),
    )


def _proposals(shop: Shop, order: dict[str, Any] | None) -> list[Proposal]:
    return pending_facts(shop, order["id"]) if order is not None else []


def _context(shop: Shop, messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rest of the conversation: the order's messages on every channel (or the thread's, for a
    message without an order) other than the waiting ones, the last ten, oldest first."""
    latest = messages[-1]
    scope: Scope
    scope, value = (
        ("order_id", latest["order_id"])
        if latest["order_id"] is not None
        else ("thread_id", latest["thread_id"])
    )
    if value is None:
        return []
    waiting = [m["id"] for m in messages]
    return latest_besides(shop.store, scope, value, waiting, CONTEXT_SIZE)[::-1]


# What the maker decides ---------------------------------------------------------------------------
def answer(
    shop: Shop,
    item: SessionItem,
    text: str,
    send_at: datetime | None = None,
    *,
    confirmed: bool = False,
) -> int:
    """Queue ``text`` as the reply to the item, on the channel of its latest message (with
    ``send_at``, to go then). Returns the outbox id; ``outbox.deliver`` sends it. Raises
    OutboxError (empty text, nobody to answer, no account can send it; NobodyReads for a bounce or
    a no-reply address not ``confirmed``) or ReplyError when it was
    answered meanwhile (in another session, or from the mailbox)."""
    if not waiting_unanswered(shop.store, item.latest["id"]):
        raise ReplyError(_("this message was answered meanwhile, so nothing more is sent"))
    return queue_reply(shop, item.latest["id"], text, send_at=send_at, confirmed=confirmed)


def send_time(shop: Shop, text: str) -> datetime:
    """The time the maker wrote for a scheduled reply ("tomorrow 09:00", "domani alle 9"), in
    her time zone and languages; a day alone means the start of her working day. Raises
    WhenError with a sentence for her."""
    config = shop.config
    return parse_send_time(
        text,
        shop.clock.now(),
        config.shop.timezone,
        list(config.shop.languages),
        time.fromisoformat(config.plan["day_starts"]),
    )


def snooze_until(shop: Shop) -> datetime:
    """The next reply slot, or four hours from now when no reply slots are set."""
    now = shop.clock.now()
    slots = tuple(shop.config.schedule.get("reply", ()))
    found = next_fire(slots, shop.config.shop.timezone, now) if slots else None
    return found or now + SNOOZE_WITHOUT_SLOTS


def snooze(shop: Shop, item: SessionItem) -> datetime:
    """Put the item off to the next reply session. Returns when it comes back."""
    until = snooze_until(shop)
    snooze_waiting(shop.store, [m["id"] for m in item.messages], until)
    return until


def no_reply_needed(shop: Shop, item: SessionItem) -> None:
    """The item needs no answer ("Thanks!"): its messages stop waiting, nothing is sent."""
    handled_without_reply(shop.store, [m["id"] for m in item.messages], shop.clock.now())


def change_status(shop: Shop, item: SessionItem, status: str, note: str = "") -> SessionItem:
    """Move the item's order to ``status``; the item comes back with the suggestion for it."""
    order = _require_order(item)
    status_change(shop, order["ref"], status, note or "in the reply session")
    return _refreshed(shop, item)


def set_price(shop: Shop, item: SessionItem, price: Decimal) -> SessionItem:
    """Set the price of the item's order (for a quote); the suggestion is made again."""
    order = _require_order(item)
    # the store's number holds every amount to the cent below LARGEST exactly as written back
    update_fields(
        shop.store, order["ref"], {"price": float(price)}, shop.clock.now(), "in the reply session"
    )
    return _refreshed(shop, item)


def confirm_fact(shop: Shop, item: SessionItem) -> SessionItem:
    """Confirm the first fact Banco read for the item's order (a quote accepted books it); the
    item comes back with the suggestion for its facts now."""
    order = _require_order(item)
    if not item.proposals:
        raise ReplyError(_("there is nothing to confirm for this order"))
    confirm(shop, order["ref"], item.proposals[0].id)
    return _refreshed(shop, item)


def dismiss_fact(shop: Shop, item: SessionItem) -> SessionItem:
    """Dismiss the first fact Banco read for the item's order: it is not so."""
    order = _require_order(item)
    if not item.proposals:
        raise ReplyError(_("there is nothing to confirm for this order"))
    dismiss(shop, order["ref"], item.proposals[0].id)
    return _refreshed(shop, item)


def _require_order(item: SessionItem) -> dict[str, Any]:
    if item.order is None:
        raise ReplyError(
            _("this message has no order; it can only be answered, snoozed or skipped")
        )
    return item.order


def _refreshed(shop: Shop, item: SessionItem) -> SessionItem:
    order = _order(shop, item.latest["order_id"])
    return replace(
        item,
        order=order,
        suggestion=_suggest(shop, order, item.contact),
        proposals=_proposals(shop, order),
    )


# Past clients -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CheckinItem:
    """A past client worth a personal note this week (chosen by the status check)."""

    checkin_id: int
    order: dict[str, Any]
    contact: dict[str, Any]
    #: the customer's last message, which the note answers so it reaches them on that channel
    message_id: int
    suggestion: Suggestion


def checkin_items(shop: Shop) -> list[CheckinItem]:
    """This week's check-in suggestions not yet written, each with a suggested note."""
    items = []
    for row in open_checkins(shop.store, shop.clock.now() - timedelta(days=7)):
        if row["message_id"] is None:
            continue  # nothing to answer on: the maker writes to them herself
        order = order_row(shop.store, row["order_id"])
        contact = contact_row(shop.store, row["contact_id"])
        assert order is not None and contact is not None
        language = customer_language(shop, contact)
        items.append(
            CheckinItem(
                row["checkin_id"],
                order,
                contact,
                row["message_id"],
                suggestion_for(shop, "checkin", language, order, contact),
            )
        )
    return items


def write_checkin(shop: Shop, item: CheckinItem, text: str) -> int:
    """Queue the note to the past client and mark the check-in done. Returns the outbox id."""
    outbox_id = queue_reply(shop, item.message_id, text)
    checkin_done(shop, item)
    return outbox_id


def checkin_done(shop: Shop, item: CheckinItem) -> None:
    mark_checkin_done(shop.store, item.checkin_id, shop.clock.now())
