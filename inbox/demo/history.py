"""What the demo maker did in Banco before today: her answers about senders (triage), quotes,
bookings, estimates, finished orders.

Applied after the demo's first collect, through the same functions the commands use, so the demo
digest has a plan, deadlines at risk, customers to wait for and a past client worth a note.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from banco.inbox.clock import iso
from banco.inbox.demo.messages import PEOPLE
from banco.inbox.orders.pipeline import update_fields
from banco.inbox.orders.status import change_status
from banco.inbox.shop import Shop
from banco.inbox.store.orders import close_at_last_message, first_order_of
from banco.inbox.store.senders import Answer, remember

#: customer, status, hours of work, deadline in days from today, price, payment
HISTORY: list[tuple[str, str, float | None, int | None, float | None, str]] = [
    ("Marco Conti", "completed", None, None, 65, "paid"),
    ("Sarah Mitchell", "completed", None, None, 240, "paid"),
    ("Camille Laurent", "completed", None, None, 264, "paid"),
    ("Anna Colombo", "in_progress", 6, 6, 95, "none"),
    ("Emma Walsh", "awaiting_client", 5, 12, 150, "deposit_paid"),
    ("Chiara Rossi", "booked", 16, 6, 320, "deposit_paid"),
    ("Luca Ferri", "quoted", None, None, 1272, "none"),  # his quote: 60 + 24 pieces, 1.272 €
    ("Claire Dubois", "quoted", None, None, 420, "none"),  # she answered "C'est parfait"
    ("Tom Hughes", "quoted", None, None, None, "none"),
    ("Francesca Moretti", "booked", 10, None, 110, "none"),
]


#: Past clients whose first mail here is their thanks (their order came before the mailbox's
#: 90 days): she answered "an order" about them long ago, so triage opens their orders.
KNOWN_CUSTOMERS = ("marco", "sarah")


def remember_answers(shop: Shop) -> None:
    """Her earlier answers about senders, remembered before the demo's first collect."""
    for key in KNOWN_CUSTOMERS:
        address = PEOPLE[key].address
        remember(shop.store, "email", address, Answer.ORDER, iso(shop.clock.now()) or "")


def apply_history(shop: Shop) -> None:
    now = shop.clock.now()
    today = now.astimezone(shop.config.shop.timezone).date()
    for name, status, hours, due_in, price, payment in HISTORY:
        order = first_order_of(shop.store, name)
        if order is None:
            continue
        changes: dict[str, Any] = {"payment": payment}
        if hours is not None:
            changes["estimated_hours"] = hours
        if due_in is not None:
            changes["deadline"] = today + timedelta(days=due_in)
        if price is not None:
            changes["price"] = price
        update_fields(shop.store, order["ref"], changes, now)
        change_status(shop, order["ref"], status)
        if status == "completed":  # finished when its conversation ended, not today
            close_at_last_message(shop.store, order["id"])
