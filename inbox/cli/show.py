"""An order as text for the terminal: its fields, its history and its whole conversation."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from banco.inbox.cli.app import day_text
from banco.inbox.cli.orders import due_text, hours_text
from banco.inbox.i18n.catalogs import _, current_language, ngettext
from banco.inbox.i18n.money import format_money, stored_amount
from banco.inbox.orders.edits import Edit, edit_lines
from banco.inbox.orders.history import PAYMENT_WORDS, event_words
from banco.inbox.orders.pipeline import STATUS_WORDS


def order_text(
    order: dict[str, Any],
    when: Callable[[str | None], str],
    currency: str = "EUR",
    edits: Mapping[int, list[Edit]] | None = None,
) -> str:
    """``edits``: what the customer's edits of each message changed (``orders.edits``)."""
    contact = order["contact"] or {}
    customer = contact.get("name") or _("the customer")
    lines = [
        f"{order['ref']}  {order['title']}",
        _field(_("Status:"), _(STATUS_WORDS[order["status"]])),
        _field(_("Customer:"), contact.get("name") or "?")
        + "".join(f"  {h['kind']}: {h['value']}" for h in order["handles"]),
    ]
    price = stored_amount(order["price"])
    for label, value in (
        (_("Deadline:"), day_text(order["deadline"]) or None),
        (_("Quantity:"), order["quantity"]),
        (
            _("Price:"),
            # marketplace: a sale's own currency (an Etsy sale in dollars)
            format_money(price, order.get("currency") or currency, current_language())
            if price is not None
            else None,
        ),
        (
            _("Estimate:"),
            hours_text(order["estimated_hours"]) if order["estimated_hours"] is not None else None,
        ),
    ):
        if value is not None:
            lines.append(_field(label, value))
    lines.append(_field(_("Payment:"), _(PAYMENT_WORDS.get(order["payment"], order["payment"]))))
    if order.get("marketplace_order"):  # marketplace: its number and link there
        lines.append(
            _("Order {number} on the marketplace: {url}").format(
                number=order["marketplace_order"], url=order["marketplace_url"] or ""
            )
        )
    for link in order["links"]:
        lines.append(
            _("Link for the customer ({account}): {url}").format(
                account=link["account"], url=link["url"]
            )
        )
    if order["details"]:
        lines += ["", order["details"]]
    custom = json.loads(order["custom"] or "{}")
    if custom:
        lines += [""] + [f"{k}: {v}" for k, v in custom.items()]
    if order["tasks"]:
        lines += ["", _("Tasks:")]
        for t in order["tasks"]:
            mark = "x" if t["done_at"] else " "
            due = f" ({due_text(t['due']).strip()})" if t["due"] else ""
            lines.append(f"  [{mark}] {t['title']}{due}")
    lines += ["", _("History:")]
    for e in order["events"]:
        lines.append(f"  {when(e['at'])}  {event_words(e, currency, day_text).line}")
    count = len(order["conversation"])
    lines += [
        "",
        ngettext("Conversation ({n} message):", "Conversation ({n} messages):", count).format(
            n=count
        ),
    ]
    for m in order["conversation"]:
        who = _("You") if m["direction"] == "out" else (m["sender"] or "?")
        flag = " " + _("(waiting for your reply)") if m["waiting"] else ""
        note = f" [{m['problem']}]" if m["status"] != "ok" else ""
        via = _("{who} via {channel}").format(who=who, channel=m["channel"])
        lines += ["", f"--- {when(m['sent_at'])}  {via}{flag}{note}"]
        if m["new_sender"]:
            lines.append(
                _("From a new sender — link to {customer}? `banco orders link {id}`").format(
                    customer=customer, id=m["id"]
                )
            )
        if m["subject"]:
            lines.append(_("Subject: {subject}").format(subject=m["subject"]))
        lines.append((m["text"] or "").strip())
        lines += edit_lines((edits or {}).get(m["id"], []), when)
    return "\n".join(lines)


def _field(label: str, value: object) -> str:
    """ "Status:    booked": the label, then the value at the tenth column or after a space."""
    return f"{label:<10} {value}"
