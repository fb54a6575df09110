"""Orders that are sales on a marketplace: found by the marketplace's own order number, and what
a reply needs to know of one (where the buyer is answered)."""

from __future__ import annotations

from dataclasses import dataclass

from banco.inbox.store.database import Store
from banco.inbox.store.orders import CLOSED


@dataclass(frozen=True)
class MarketplaceOrder:
    """An order's sale on a marketplace: which, its number there, the link to it there."""

    order_id: int
    marketplace: str
    number: str
    url: str | None
    contact_id: int | None


_COLUMNS = "id, marketplace, marketplace_order, marketplace_url, contact_id"


def sale_order(store: Store, marketplace: str, number: str) -> MarketplaceOrder | None:
    """The order of the sale ``number`` on ``marketplace``, if it was filed already."""
    row = store.conn.execute(
        f"select {_COLUMNS} from orders where marketplace = ? and marketplace_order = ?",
        [marketplace, number],
    ).fetchone()
    return MarketplaceOrder(*row) if row else None


def marketplace_of(store: Store, order_id: int | None) -> MarketplaceOrder | None:
    """The sale order ``order_id`` is, or None for an order that is not a sale."""
    if order_id is None:
        return None
    row = store.conn.execute(
        f"select {_COLUMNS} from orders where id = ? and marketplace is not null", [order_id]
    ).fetchone()
    return MarketplaceOrder(*row) if row else None


def mark_sale(store: Store, order_id: int, marketplace: str, number: str, url: str | None) -> None:
    store.conn.execute(
        "update orders set marketplace = ?, marketplace_order = ?, marketplace_url = ?"
        " where id = ?",
        [marketplace, number, url, order_id],
    )


def latest_open_sale_of(store: Store, contact_id: int, marketplace: str) -> int | None:
    """The buyer's newest open order on ``marketplace``: where a message naming no order goes."""
    found = store.scalar(
        "select id from orders where contact_id = ? and marketplace = ?"
        f" and status not in ({', '.join('?' * len(CLOSED))}) order by id desc limit 1",
        [contact_id, marketplace, *CLOSED],
    )
    return int(found) if found is not None else None
