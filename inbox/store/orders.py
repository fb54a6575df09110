"""Orders in the store: the statuses an order moves through, and finding one by its reference."""

from __future__ import annotations

import re
from typing import Any

from banco.inbox.store.database import Store

STATUSES = (
    "new",
    "awaiting_info",
    "quoted",
    "booked",
    "in_progress",
    "awaiting_client",
    "ready",
    "shipped",
    "completed",
    "lost",
    "cancelled",
)
CLOSED = ("completed", "lost", "cancelled")
PAYMENTS = ("none", "deposit_paid", "paid", "refunded")


class OrderError(Exception):
    """An order command cannot be done (unknown reference, unknown status, bad value)."""


def find_order(store: Store, ref: str) -> dict[str, Any]:
    """The order a maker means by ``B-0042``, ``b-42`` or ``42``."""
    match = re.fullmatch(r"\s*(?:[A-Za-z]{1,3}-)?0*(\d+)\s*", ref)
    row = store.one("select * from orders where id = ?", [int(match[1])]) if match else None
    if row is None:
        raise OrderError(f'no order "{ref}"; `banco orders` lists them')
    return row
