"""An order's history in the maker's language: each event the store keeps (what happened and its
values, see ``store/events.py``) said when a screen shows it, with the status labels, the channel
in her words, and prices, dates, hours and numbers written the way her language writes them.

The history stores no sentence of Banco's own: a new order keeps where it came from
(``{"via": "email"}``), a change keeps its fields' values, a linked sender the two names. Only the
maker's notes are text, shown as she wrote them; the few notes Banco itself adds (``KNOWN_NOTES``)
are said in her language. Stores written before this kept English sentences: migration
``m016_order_history_values`` turned them into values once.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from banco.inbox.i18n.catalogs import N_, current_language
from banco.inbox.i18n.catalogs import gettext as _
from banco.inbox.i18n.money import format_money, stored_amount
from banco.inbox.i18n.words import hours, number
from banco.inbox.orders.pipeline import STATUS_WORDS

#: where a new order came from, as the history says it
VIA_WORDS = {
    "email": N_("new order from an email message"),
    "telegram": N_("new order from a Telegram message"),
    "form": N_("new order from the order form"),
}
#: an order's fields, as the history names them
FIELD_WORDS = {
    "deadline": N_("deadline"),
    "estimated_hours": N_("hours of work"),
    "price": N_("price"),
    "payment": N_("payment"),
    "title": N_("title"),
    "quantity": N_("quantity"),
    # facts (orders.facts)
    "items": N_("items"),
    "deposit": N_("deposit"),
    "deposit_asked_on": N_("deposit asked on"),
    "deposit_received_on": N_("deposit received on"),
    "payment_method": N_("payment method"),
    "shipping_address": N_("shipping address"),
    "quoted_price": N_("quote agreed"),
    "quoted_on": N_("quote agreed on"),
}
#: the fields that hold an amount, and those that hold a day
MONEY_FIELDS = frozenset({"price", "deposit", "quoted_price"})
DAY_FIELDS = frozenset({"deadline", "deposit_asked_on", "deposit_received_on", "quoted_on"})
#: fields whose values are long texts: the history says that they changed, not how
LONG_FIELDS = {"details": N_("details changed"), "custom": N_("other answers changed")}
#: an order's payment, in words
PAYMENT_WORDS = {
    "none": N_("nothing paid yet"),
    "deposit_paid": N_("deposit paid"),
    "paid": N_("paid in full"),
    "refunded": N_("refunded"),
}
#: how a customer pays, in words (``orders.facts``)
METHOD_WORDS = {
    "transfer": N_("bank transfer"),
    "paypal": N_("PayPal"),
    "satispay": N_("Satispay"),
    "card": N_("card"),
    "cash": N_("cash"),
}
#: the notes Banco adds itself (the reply session moves an order or sets its price)
IN_REPLY_SESSION = N_("in the reply session")
KNOWN_NOTES = frozenset({IN_REPLY_SESSION})
#: nothing, as a value before or after a change
NOTHING = "—"


@dataclass(frozen=True)
class EventWords:
    """One line of the history: what happened, and the note with it ("" for none)."""

    change: str
    note: str

    @property
    def line(self) -> str:
        """ "new inquiry → booked: deposit received", as her language joins the two."""
        return (
            _("{change}: {note}").format(change=self.change, note=self.note)
            if self.note
            else self.change
        )


def event_words(event: Mapping[str, Any], currency: str, day: Callable[[str], str]) -> EventWords:
    """``event`` (a row of ``order_events``) in the current language; ``day`` writes a stored
    date the way the screen writes dates."""
    data = json.loads(event["data"]) if event["data"] else {}
    note = event["note"] or ""
    return EventWords(
        _change(event, data, lambda name, value: _value(name, value, currency, day)),
        _(note) if note in KNOWN_NOTES else note,
    )


def status_label(status: str) -> str:
    words = STATUS_WORDS.get(status)
    return _(words) if words else status.replace("_", " ")


def _change(
    event: Mapping[str, Any], data: dict[str, Any], value: Callable[[str, Any], str]
) -> str:
    kind = event["kind"]
    if kind == "created":
        via = VIA_WORDS.get(data.get("via", ""))
        return _(via) if via else _("new order")
    if kind == "status":
        return f"{status_label(event['from_status'] or '')} → {status_label(event['to_status'])}"
    if kind == "fields":
        return _fields(data, value)
    if kind == "form_edit":
        return _("answers edited in the order form: {changes}").format(changes=_fields(data, value))
    if kind == "sender_linked":
        if not data:  # an old note the migration could not split: it follows as it was
            return _("new sender linked")
        return _("{sender} linked to the customer, {customer}").format(
            sender=data["sender"], customer=data["customer"]
        )
    if kind == "note":
        return _("note")
    if kind == "task_done":
        return _("task done: {title}").format(title=data["title"])
    if kind == "undo":
        undone = data["undone"]
        return _("undone: {change}").format(change=_change(undone, undone["data"] or {}, value))
    if kind == "merged_into":  # customers: two orders for one job
        return _("merged into {ref}").format(ref=data.get("ref", "?"))
    if kind == "merged_from":
        return _("{ref} merged into this order").format(ref=data.get("ref", "?"))
    return kind.replace("_", " ")


def _fields(changes: dict[str, Any], value: Callable[[str, Any], str]) -> str:
    """ "price: — → 180,00 €; deadline: 20/12/26 → 22/12/26"."""
    return "; ".join(
        _(LONG_FIELDS[name])
        if name in LONG_FIELDS
        else _("{field}: {old} → {new}").format(
            field=_field_name(name), old=value(name, old), new=value(name, new)
        )
        for name, (old, new) in changes.items()
    )


def _field_name(name: str) -> str:
    words = FIELD_WORDS.get(name)
    return _(words) if words else name.replace("_", " ")


def _value(name: str, value: Any, currency: str, day: Callable[[str], str]) -> str:
    """A field's value as the maker writes it."""
    lang = current_language()
    if value is None or value == "":
        return NOTHING
    if name in DAY_FIELDS:
        return day(str(value))
    if name in MONEY_FIELDS:
        amount = stored_amount(value)
        return format_money(amount, currency, lang) if amount is not None else NOTHING
    if name == "estimated_hours":
        return hours(float(value), lang)
    if name in ("payment", "payment_method"):
        words = {**PAYMENT_WORDS, **METHOD_WORDS}.get(str(value))
        return _(words) if words else str(value).replace("_", " ")
    if isinstance(value, float | int) and not isinstance(value, bool):
        return number(value, lang)
    return str(value)
