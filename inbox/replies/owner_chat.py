"""The reply session in the maker's own Telegram chat with the bot (``owner_chat`` in [shop]).

At the reply slot the bot posts "5 messages waiting", then each reply that may have been sent
(Banco never sends one again by itself: she looks, then presses Send again, Mark sent or Cancel),
then the first message (with what the customer's edits changed, ``orders.edits``), the suggested
reply and buttons: send it, send it tomorrow when her working day starts, another template, skip,
snooze, no reply needed, and undo the order's last change (``orders.undo``, as ``banco orders
undo``; also under what a confirmed fact changed). A reply to the same order
still in the outbox, written before the message came, is shown with it, with a button to cancel
it. Whatever the maker types instead becomes the reply; a bot command (/start) shows the
walk-through again. Her presses and messages arrive with the next Telegram collect (every minute
while a session is open in ``banco run``) and are stored like any message; this module reads the
new ones and acts. Replies go through the outbox like every other reply.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from babel.dates import format_datetime

from banco.connectors import Handle, Outgoing, Sender
from banco.inbox.clock import iso, parse_iso
from banco.inbox.errors import BancoError
from banco.inbox.i18n.catalogs import N_, _, current_language, ngettext, said, speaking
from banco.inbox.i18n.money import locale_of
from banco.inbox.orders.edits import edit_lines
from banco.inbox.orders.fact_words import proposal_words
from banco.inbox.orders.history import event_words
from banco.inbox.orders.senders import SenderError
from banco.inbox.orders.undo import UNDOABLE, undo_last
from banco.inbox.replies.outbox import (
    DECISIONS,
    Delivery,
    OutboxError,
    decide,
    deliver,
    state_words,
    uncertain,
    warning_for,
)
from banco.inbox.replies.session import (
    SessionItem,
    Waiting,
    answer,
    confirm_fact,
    dismiss_fact,
    load_item,
    no_reply_needed,
    prepare_item,
    snooze,
    suggestion_for,
)
from banco.inbox.replies.templates import PURPOSE_WORDS, PURPOSES, format_day
from banco.inbox.replies.triage import (
    QUESTION,
    answer_sender,
    asks_triage,
    decided_line,
    on_new_order,
    triage_choices,
)
from banco.inbox.replies.when import day_starts
from banco.inbox.shop import Shop
from banco.inbox.store import owner_session
from banco.inbox.store.events import last_change
from banco.inbox.store.messages import ChatMessage, chat_messages_after, highest_id
from banco.inbox.store.orders import find_order
from banco.inbox.store.outbox import recipient
from banco.inbox.store.senders import Answer

PREVIEW = 700  # characters of a customer's message shown in the chat
#: A button deciding about a reply in the outbox: "out:<decision>:<outbox id>".
OUTBOX_BUTTON = "out:"
#: A button answering about the item's sender (triage): "triage:<key>" (replies/triage.py).
TRIAGE_BUTTON = "triage:"
#: A button confirming or dismissing the first fact Banco read for the item's order:
#: "fact:confirm:<proposal id>", "fact:dismiss:<proposal id>" (orders/facts.py).
FACT_BUTTON = "fact:"
#: A button undoing an order's last change, the one it was made for: "undo:<ref>:<event id>".
UNDO_BUTTON = "undo:"
#: the send button of a card that warns the reply reaches nobody (a bounce, a no-reply address)
SEND_ANYWAY = "send!"
#: What the maker is told after a decision (after "resend", what became of the reply).
DECIDED = {
    "mark_sent": N_("Marked sent: Banco will not send it again."),
    "cancel": N_("Cancelled: that reply will not be sent."),
}


def telegram_account(shop: Shop) -> str | None:
    for account in shop.config.accounts:
        cls = shop.registry.kinds.get(account.kind)
        if account.enabled and getattr(cls, "channel", None) == "telegram":
            return account.name
    return None


def active(shop: Shop) -> bool:
    return owner_session.is_active(shop.store)


def start_session(shop: Shop, items: list[Waiting]) -> bool:
    """Open a session in the maker's chat with ``items`` and the replies that may have been sent
    (with none waiting, only those, for her to decide), in her language. False when there is
    nothing to put to her or no way to reach her."""
    with speaking(shop.config.shop.language):
        return _start_session(shop, items)


def _start_session(shop: Shop, items: list[Waiting]) -> bool:
    account = telegram_account(shop)
    if account is None or not (items or uncertain(shop)):
        return False
    first = prepare_item(shop, items[0]) if items else None  # the others when their turn comes
    owner_session.begin(
        shop.store,
        {
            "id": 1,
            "account": account,
            "queue": json.dumps([i.key for i in items[1:]]),
            "current": items[0].key if items else None,
            "purpose": first.suggestion.purpose if first else None,
            "seen_up_to": highest_id(shop.store),
            "started_at": str(iso(shop.clock.now())),
            "sent": 0,
            "snoozed": 0,
        },
    )
    if first is None:
        _say(shop, _("No messages waiting. Replies to decide about:"))
        _show_uncertain(shop)
        return True
    customers = len({i.customer for i in items})
    waiting = sum(len(i.messages) for i in items)
    _say(
        shop,
        ngettext("{n} message waiting", "{n} messages waiting", waiting).format(n=waiting)
        + ngettext(
            " from {n} customer. Here is the first.",
            " from {n} customers. Here is the first.",
            customers,
        ).format(n=customers),
    )
    _show_uncertain(shop)
    _show(shop, first, first.suggestion.purpose, 1, len(items))
    return True


def process(shop: Shop) -> int:
    """Act on what the maker pressed or typed since last time. Returns how many were handled.
    Once the walk-through is over, only her decisions about replies in the outbox still count:
    a reply that may have been sent can be put to her as its last message."""
    with speaking(shop.config.shop.language):
        return _process(shop)


def _process(shop: Shop) -> int:
    state = owner_session.current_session(shop.store)
    if state is None:
        return 0
    owner = str(shop.config.shop.owner_chat)
    news = chat_messages_after(
        shop.store, state["account"], state["seen_up_to"], f"chat:{owner}", owner
    )
    for message in news:
        owner_session.mark_seen(shop.store, message["id"])
        _handle(shop, message)
    return len(news)


def _handle(shop: Shop, message: ChatMessage) -> None:
    state = owner_session.current_session(shop.store)
    assert state is not None
    button = _button(message)
    if button is not None and button.startswith(OUTBOX_BUTTON):  # about a reply, not the item
        _decide(shop, button)
        return
    if button is not None and button.startswith(UNDO_BUTTON):  # about an order, not the item
        _undo(shop, button[len(UNDO_BUTTON) :])
        return
    if state["current"] is None:  # the walk-through is over
        return
    item = load_item(shop, state["current"])
    if item is None:  # answered elsewhere meanwhile (the terminal, the web page)
        _next(shop, _("That one was answered meanwhile."))
        return
    purpose = state["purpose"] or item.suggestion.purpose
    if button is None:
        text = (message["text"] or "").strip()
        if text.startswith("/"):  # a bot command such as /start: the walk-through again
            _show_uncertain(shop)
            _show(shop, item, purpose)
        elif text:
            _send_reply(shop, item, text)
    elif button in ("send", "later", SEND_ANYWAY):
        suggestion = suggestion_for(
            shop, purpose, item.suggestion.language, item.order, item.contact
        )
        if button in ("send", SEND_ANYWAY):  # "send anyway": she read the warning on the card
            _send_reply(shop, item, suggestion.text, confirmed=button == SEND_ANYWAY)
        else:
            _schedule_reply(shop, item, suggestion.text, _tomorrow_morning(shop))
    elif button.startswith("tpl:") and button[4:] in PURPOSES:
        owner_session.set_purpose(shop.store, button[4:])
        _show(shop, item, button[4:])
    elif button == "skip":
        _next(shop, _("Skipped."))
    elif button == "snooze":
        until = snooze(shop, item)
        owner_session.count_snoozed(shop.store)
        when = format_datetime(
            until.astimezone(shop.config.shop.timezone),
            "EEE HH:mm",
            locale=locale_of(current_language()),
        )
        _next(shop, _("Snoozed until {when}.").format(when=when))
    elif button == "noreply":
        no_reply_needed(shop, item)
        _next(shop, _("Marked as needing no reply."))
    elif button.startswith(TRIAGE_BUTTON):
        _answer_sender(shop, item, button[len(TRIAGE_BUTTON) :], state["queue"])
    elif button.startswith(FACT_BUTTON):
        _decide_fact(shop, item, button[len(FACT_BUTTON) :])


def _decide_fact(shop: Shop, item: SessionItem, what: str) -> None:
    """Confirm or dismiss the first fact Banco read (the one its buttons name); the item comes
    back with the suggestion for its facts now."""
    decision, _sep, number = what.partition(":")
    first = item.proposals[0] if item.proposals else None
    if first is None or str(first.id) != number or decision not in ("confirm", "dismiss"):
        return  # an old card's button: the item on screen has moved on
    decide = confirm_fact if decision == "confirm" else dismiss_fact
    done = _("Confirmed: {what}.") if decision == "confirm" else _("Dismissed: {what}.")
    try:
        item = decide(shop, item)
    except BancoError as e:
        _say(shop, f"{said(e)}.")
        return
    what = proposal_words(first, shop.config.shop.currency, _day(shop))
    changed = _undo_row(shop, item.order) if decision == "confirm" else ()
    _say(shop, done.format(what=what), changed)
    owner_session.set_purpose(shop.store, item.suggestion.purpose)
    _show(shop, item, item.suggestion.purpose)


def _undo_row(shop: Shop, order: dict[str, Any] | None) -> tuple[tuple[tuple[str, str], ...], ...]:
    """The button undoing the order's last change, when it is one undo takes back."""
    last = last_change(shop.store, order["id"]) if order else None
    if order is None or last is None or last["kind"] not in UNDOABLE:
        return ()
    return (((_("Undo the last change"), f"{UNDO_BUTTON}{order['ref']}:{last['id']}"),),)


def _undo(shop: Shop, what: str) -> None:
    """Undo the order's last change, as ``banco orders undo`` does, with its words and its
    refusals; an old button whose change is no longer the last undoes nothing (two presses never
    take back two changes). The item on that order comes back with its suggestion now."""
    ref, _sep, number = what.rpartition(":")
    if not ref or not number.isdigit():
        return  # not a button Banco made
    try:
        order = find_order(shop.store, ref)
        last = last_change(shop.store, order["id"])
        if last is not None and last["kind"] in UNDOABLE and last["id"] != int(number):
            why = _("the last change to {ref} is another one now; look again")
            _say(shop, _("Nothing changed: {why}.").format(why=why.format(ref=order["ref"])))
            return
        undone = undo_last(shop.store, order["ref"], shop.clock.now())
    except BancoError as e:
        _say(shop, _("Nothing changed: {why}.").format(why=said(e)))
        return
    change = event_words(undone.event, shop.config.shop.currency, _day(shop)).change
    line = _("Undone on {ref}: {change}").format(ref=undone.ref, change=change)
    state = owner_session.current_session(shop.store)
    item = load_item(shop, state["current"]) if state and state["current"] else None
    if item is None or (item.order or {}).get("id") != order["id"]:
        _say(shop, line, _undo_row(shop, order))  # again: the change before
        return
    _say(shop, line)
    owner_session.set_purpose(shop.store, item.suggestion.purpose)
    _show(shop, item, item.suggestion.purpose)


def _day(shop: Shop) -> Callable[[str], str]:
    today = shop.clock.now().astimezone(shop.config.shop.timezone).date()
    return lambda value: format_day(value, current_language(), today)


def _answer_sender(shop: Shop, item: SessionItem, key: str, queue: str) -> None:
    """Triage from the chat: her one-key answer about the item's sender. An order comes back on
    screen as the order it opened; "never" goes on to the next item."""
    choice = next((c for c in triage_choices(shop, item) if c.key == key), None)
    if choice is None:
        return  # not a button Banco made for this item
    try:
        decided = answer_sender(shop, item, choice)
    except SenderError as e:
        _say(shop, said(e))
        return
    if decided.answer is Answer.NEVER:
        _next(shop, decided_line(decided))
        return
    if decided.opened:
        item = on_new_order(shop, item, decided.opened[0])
        key = f"o{(item.order or {}).get('id')}"  # the item's key on its new order
        owner_session.show_next(shop.store, key, item.suggestion.purpose, queue)
    _say(shop, decided_line(decided))
    _show(shop, item, item.suggestion.purpose)


def _button(message: ChatMessage) -> str | None:
    """The data of a button press (stored as its raw update), or None for typed text."""
    if not message["external_id"].startswith("button:"):
        return None
    data = json.loads(message["raw"] or b"{}").get("callback_query", {}).get("data")
    return str(data) if data else ""


def _send_reply(shop: Shop, item: SessionItem, text: str, confirmed: bool = False) -> None:
    try:
        outbox_id = answer(shop, item, text, confirmed=confirmed)
    except OutboxError as e:
        _say(shop, _("Not sent: {why}. Type the reply again, or use the buttons.").format(why=e))
        return
    [result] = deliver(shop, [outbox_id])
    if result.status == "sent":
        owner_session.count_sent(shop.store)
    _next(shop, _delivered(shop, result))


def _delivered(shop: Shop, result: Delivery) -> str:
    """What became of a reply just handed to its channel, said as what happens next. One that
    may have gone out is first put to her as a card with its buttons."""
    if result.status == "may_have_been_sent":  # she decides, with the buttons of its card
        for row in uncertain(shop):
            if row["id"] == result.outbox_id:
                _say_uncertain(shop, row)
        return _("That reply may have gone out: look, then decide with the buttons above.")
    said = {
        "sent": _("Sent to {whom}."),
        "queued": _(
            "Not sent yet: {why}. It stays in the outbox; Banco tries again at the next collect."
        ),
        "failed": _("Not sent: {why}. Nothing went out; `banco outbox` shows it."),
        "elsewhere": _("Another Banco window is sending it right now."),
    }[result.status]
    return said.format(whom=_whom(shop, result.outbox_id), why=result.error)


def _tomorrow_morning(shop: Shop) -> datetime:
    """Tomorrow when the maker's working day starts, in her time zone."""
    zone = shop.config.shop.timezone
    tomorrow = shop.clock.now().astimezone(zone).date() + timedelta(days=1)
    return datetime.combine(tomorrow, day_starts(shop), tzinfo=zone)


def _schedule_reply(shop: Shop, item: SessionItem, text: str, send_at: datetime) -> None:
    try:
        outbox_id = answer(shop, item, text, send_at)
    except OutboxError as e:
        _say(shop, _("Not scheduled: {why}. Type the reply, or use the buttons.").format(why=e))
        return
    name = (item.contact or {}).get("name") or item.latest["sender"] or _("the customer")
    _next(
        shop,
        _(
            "Scheduled for {name} on {when}. Until then `banco outbox cancel {id}` (or Cancel on"
            " the Accounts page) stops it."
        ).format(name=name, when=_local(shop, send_at), id=outbox_id),
    )


# Replies already in the outbox ----------------------------------------------------------------
def _show_uncertain(shop: Shop) -> None:
    """Each reply that may have been sent, for the maker to decide, before any message."""
    for row in uncertain(shop):
        _say_uncertain(shop, row)


def _say_uncertain(shop: Shop, row: dict[str, Any]) -> None:
    who = row["customer"] or json.loads(row["to_handle"])[1]
    ref = f" ({row['ref']})" if row["ref"] else ""
    when = _local(shop, row["handed_over_at"] or row["created_at"])
    _say(
        shop,
        _(
            "May have been sent: your reply to {who}{ref}, {when}:\n\n«{text}»\n\nBanco cannot"
            " tell whether it went out ({why}) and never sends it again by itself. Look in the"
            " chat or your Sent folder, then choose."
        ).format(who=who, ref=ref, when=when, text=_cut(row["text"]), why=row["error"]),
        (
            (
                (_("Send again"), f"{OUTBOX_BUTTON}resend:{row['id']}"),
                (_("Mark sent"), f"{OUTBOX_BUTTON}mark_sent:{row['id']}"),
                (_("Cancel"), f"{OUTBOX_BUTTON}cancel:{row['id']}"),
            ),
        ),
    )


def _decide(shop: Shop, button: str) -> None:
    """The maker's decision on a reply in the outbox (a button of the walk-through or an item)."""
    _kind, decision, number = button.split(":", 2) if button.count(":") == 2 else ("", "", "")
    if decision not in DECISIONS or not number.isdigit():
        return  # not a button Banco made
    try:
        decide(shop, int(number), decision)
    except OutboxError as e:
        _say(shop, _("Nothing changed: {why}.").format(why=e))
        return
    if decision != "resend":
        _say(shop, _(DECIDED[decision]))
        return
    for result in deliver(shop, [int(number)]):
        _say(shop, _delivered(shop, result))


def _whom(shop: Shop, outbox_id: int) -> str:
    """ "Ann Smith by telegram": to whom and how a reply goes."""
    row = recipient(shop.store, outbox_id)
    if row is None:
        return _("the customer")
    return _("{name} by {channel}").format(
        name=row["name"] or json.loads(row["to_handle"])[1], channel=row["channel"]
    )


def _local(shop: Shop, moment: datetime | str) -> str:
    value = parse_iso(moment) if isinstance(moment, str) else moment
    there = value.astimezone(shop.config.shop.timezone)
    return format_datetime(there, "EEE d MMM HH:mm", locale=locale_of(current_language()))


def _next(shop: Shop, note: str) -> None:
    state = owner_session.current_session(shop.store)
    assert state is not None
    queue = json.loads(state["queue"])
    while queue:
        key = queue.pop(0)
        item = load_item(shop, key)
        if item is not None:
            owner_session.show_next(shop.store, key, item.suggestion.purpose, json.dumps(queue))
            _say(shop, note)
            _show(shop, item, item.suggestion.purpose)
            return
    owner_session.end_walk_through(shop.store)
    _say(
        shop,
        note
        + "\n"
        + _("That was the last one: {sent} sent, {snoozed} snoozed.").format(
            sent=state["sent"], snoozed=state["snoozed"]
        ),
    )


def _show(shop: Shop, item: SessionItem, purpose: str, number: int = 0, total: int = 0) -> None:
    suggestion = suggestion_for(shop, purpose, item.suggestion.language, item.order, item.contact)
    order = item.order
    head = f"{order['ref']} · {order['title']}" if order else _("No order yet")
    name = (item.contact or {}).get("name") or item.latest["sender"] or "?"
    waiting = "\n\n".join(_message_words(shop, item, m) for m in item.messages)
    warning = warning_for(shop, item.latest["id"])
    lines = [
        f"⚠ {warning}\n\n" if warning else "",
        _("{n} of {total}").format(n=number, total=total) + "\n" if number else "",
        _("{head}\n{name} via {channel}:").format(
            head=head, name=name, channel=item.latest["channel"]
        )
        + f"\n\n{waiting}\n\n",
        _edited_earlier(shop, item),
        *(_pending_words(shop, x) for x in item.pending),
        _proposal_words(shop, item),
        _("Suggested reply ({purpose}):").format(purpose=_(PURPOSE_WORDS[purpose]))
        + f"\n\n{suggestion.text}\n\n",
        _("Send it, pick another, or just type your own reply here."),
    ]
    others = [p for p in PURPOSES if p != purpose]
    buttons = (
        (
            (_("Send anyway"), SEND_ANYWAY) if warning else (_("✓ Send this reply"), "send"),
            (_("Send tomorrow {time}").format(time=f"{day_starts(shop):%H:%M}"), "later"),
        ),
        *(
            (
                (
                    _("Cancel the reply of {when}").format(when=_local(shop, x["created_at"])),
                    f"{OUTBOX_BUTTON}cancel:{x['id']}",
                ),
            )
            for x in item.pending
            if x["status"] in DECISIONS["cancel"][1]
        ),
        *(
            tuple((_(PURPOSE_WORDS[p]), f"tpl:{p}") for p in others[i : i + 2])
            for i in range(0, len(others), 2)
        ),
        *(  # the first fact Banco read, to confirm or dismiss
            (
                (_("✓ Confirm"), f"{FACT_BUTTON}confirm:{p.id}"),
                (_("✗ Dismiss"), f"{FACT_BUTTON}dismiss:{p.id}"),
            )
            for p in item.proposals[:1]
        ),
        *_undo_row(shop, order),
        ((_("Skip"), "skip"), (_("Snooze"), "snooze"), (_("No reply needed"), "noreply")),
        *(  # triage: a conversation, not an order (yet): she answers about the sender
            tuple((c.words, f"{TRIAGE_BUTTON}{c.key}") for c in choices[i : i + 2])
            for choices in [triage_choices(shop, item)]
            for i in range(0, len(choices), 2)
        ),
    )
    if asks_triage(shop, item):
        lines.append("\n\n" + _(QUESTION))
    _say(shop, "".join(lines), buttons)


def _message_words(shop: Shop, item: SessionItem, message: dict[str, Any]) -> str:
    """A message as the chat quotes it, and under it what the customer's edits changed."""
    text = f"«{_cut(message['text'] or message['subject'] or '')}»"
    edits = edit_lines(item.edits.get(message["id"], []), lambda at: _local(shop, at))
    return "\n".join([text, *edits])


def _edited_earlier(shop: Shop, item: SessionItem) -> str:
    """The earlier messages of the conversation the customer edited (a form answer changed in
    the sheet after it was answered), each with what changed."""
    edited = [m for m in item.context if m["id"] in item.edits]
    if not edited:
        return ""
    said = "\n\n".join(_message_words(shop, item, m) for m in edited)
    return _("Edited earlier in the conversation:") + f"\n{said}\n\n"


def _proposal_words(shop: Shop, item: SessionItem) -> str:
    """What Banco read in the order's messages, each with its sentence; the buttons decide the
    first."""
    if not item.proposals:
        return ""
    currency, day = shop.config.shop.currency, _day(shop)
    lines = [_("Banco read this in the messages; is it so?")]
    for found in item.proposals:
        lines.append(f"- {proposal_words(found, currency, day)}: «{_cut(found.sentence)}»")
    return "\n".join(lines) + "\n\n"


def _pending_words(shop: Shop, reply: dict[str, Any]) -> str:
    """A reply to this order still in the outbox, written before the message came."""
    state = _(state_words(reply))
    if reply["status"] == "queued" and reply["send_at"]:
        state = _("scheduled for {when}").format(when=_local(shop, reply["send_at"]))
    return (
        _(
            "⚠ You already wrote a reply to this order, {state}, before this message came: read"
            " it before it goes; cancel it if it no longer fits."
        ).format(state=state)
        + f"\n«{_cut(reply['text'])}»\n\n"
    )


def _cut(text: str) -> str:
    text = text.strip()
    return text if len(text) <= PREVIEW else text[:PREVIEW].rsplit(" ", 1)[0] + "…"


def _say(shop: Shop, text: str, buttons: tuple[tuple[tuple[str, str], ...], ...] = ()) -> None:
    """A message from the bot to the maker. Not a customer message: it is not stored."""
    account = telegram_account(shop)
    assert account is not None
    connector = shop.connector(account)
    try:
        assert isinstance(connector, Sender)
        connector.send(
            Outgoing(
                outbox_id=0,
                to=Handle("telegram", str(shop.config.shop.owner_chat)),
                subject="",
                text=text,
                message_key=f"banco.owner.{uuid.uuid4().hex}",
                buttons=buttons,
            ),
            lambda: None,  # a note to the maker, not a reply: no outbox state to keep
        )
    finally:
        connector.close()
