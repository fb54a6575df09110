"""Filing a marketplace's mail (``read_notice``): a sale opens an order for its BUYER (a contact
named after them, known by their address where the marketplace gives it, else by their name on
the marketplace), never for the marketplace; the sale's number keys the order, so the same sale
seen again is not a second order. A buyer's message joins the order it names, else the buyer's
newest open sale there. Mail from a marketplace that Banco cannot read is kept as the
marketplace's automatic mail: in a conversation, on no order.

What a sale fills: the order's title (its items), details (each item with its quantity and
options, where it ships), quantity (all items), deadline (the ship-by day), price and currency
(the total), payment ("paid" where the marketplace took it: Etsy, Ko-fi), and ``marketplace``,
``marketplace_order``, ``marketplace_url`` (m022); the order starts booked (a sale is agreed).
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from banco.connectors import Handle, Record
from banco.inbox.clock import iso
from banco.inbox.collect.marketplace import NAMES, from_marketplace
from banco.inbox.collect.marketplace.notice import BuyerMessage, Item, Sale
from banco.inbox.i18n.catalogs import _
from banco.inbox.orders.pipeline import create_order, format_ref, set_status
from banco.inbox.store import backfill, contacts, messages, threads
from banco.inbox.store.marketplace import (
    latest_open_sale_of,
    mark_sale,
    marketplace_of,
    sale_order,
)

if TYPE_CHECKING:
    from banco.inbox.collect.ingest import Counts, Ingest


def file_notice(
    ingest: Ingest,
    record: Record,
    stream: str,
    digest: str,
    counts: Counts,
    notice: Sale | BuyerMessage,
) -> int:
    """File ``record``, which says ``notice``; the new message's id."""
    contact_id: int | None
    order_id: int | None
    if isinstance(notice, Sale):
        contact_id, order_id = _sale_order(ingest, notice, counts)
    else:
        contact_id, order_id = _message_order(ingest, notice)
        record = replace(record, auto=None)  # a person's words, relayed by the marketplace
    thread_id = _thread(ingest, record, notice, contact_id, order_id)
    sent = iso(record.sent_at) or ingest._now_iso()
    message_id = ingest._insert_message(
        record,
        stream,
        sent,
        thread_id=thread_id,
        contact_id=contact_id,
        order_id=order_id,
        digest=digest,
    )
    # a sale asks for her work, not an answer; a buyer's message waits for one (on the marketplace)
    messages.set_waiting(ingest.store, message_id, isinstance(notice, BuyerMessage))
    ingest._note_on_order(record, message_id, order_id, contact_id, None)
    return message_id


def unread_marketplace_mail(record: Record) -> Record:
    """``record`` as Banco files mail from a marketplace that it could not read: the
    marketplace's automatic mail, which never opens an order or makes the marketplace a
    customer."""
    sender = record.sender.handles[0].value if record.sender and record.sender.handles else ""
    if record.direction != "in" or not from_marketplace(sender):
        return record
    return replace(record, auto=record.auto or "bulk")


def _sale_order(ingest: Ingest, sale: Sale, counts: Counts) -> tuple[int | None, int]:
    """The sale's order, made now if it is new."""
    found = sale_order(ingest.store, sale.marketplace, sale.order_number)
    if found is not None:
        return found.contact_id, found.order_id
    contact_id = _buyer(
        ingest, sale.marketplace, sale.buyer_name, sale.buyer_handle, sale.buyer_email
    )
    order_id = create_order(
        ingest.store,
        ingest.order_prefix,
        ingest.now,
        contact_id=contact_id,
        title=_title(sale.items),
        account=ingest.account,
        fields=_columns(sale),
        via=sale.marketplace,
    )
    mark_sale(ingest.store, order_id, sale.marketplace, sale.order_number, sale.url)
    # a sale is agreed and paid for on the marketplace: the work is next, not an inquiry's answer
    said_sale = _("a sale on {marketplace}").format(marketplace=NAMES[sale.marketplace])
    ref = format_ref(ingest.order_prefix, order_id)
    set_status(ingest.store, ref, "booked", ingest.now, note=said_sale)
    if ingest.backfill:
        backfill.mark_past(ingest.store, order_id)
    counts.orders += 1
    return contact_id, order_id


def _message_order(ingest: Ingest, message: BuyerMessage) -> tuple[int, int | None]:
    """The buyer's contact and the order their message joins (None: a conversation)."""
    named = (
        sale_order(ingest.store, message.marketplace, message.order_number)
        if message.order_number
        else None
    )
    contact_id = _buyer(
        ingest,
        message.marketplace,
        message.buyer_name,
        message.buyer_handle,
        None,
        default=named.contact_id if named else None,
    )
    if named is not None:
        return contact_id, named.order_id
    return contact_id, latest_open_sale_of(ingest.store, contact_id, message.marketplace)


def _buyer(
    ingest: Ingest,
    marketplace: str,
    name: str,
    handle: str | None,
    address: str | None,
    default: int | None = None,
) -> int:
    """The buyer's contact: by their address or their name on the marketplace; without either,
    a contact of their own (two buyers who share a name are never one person unasked)."""
    handles = [Handle("email", address)] if address else []
    handles += [Handle(marketplace, handle)] if handle else []
    found = ingest._contact(handles, name, create=True, default=default) if handles else default
    return (
        found if found is not None else contacts.add_contact(ingest.store, name, ingest._now_iso())
    )


def _thread(
    ingest: Ingest,
    record: Record,
    notice: Sale | BuyerMessage,
    contact_id: int | None,
    order_id: int | None,
) -> int:
    """The sale's conversation (its number), else the buyer's on the marketplace."""
    sale = marketplace_of(ingest.store, order_id)
    who = notice.buyer_handle or notice.buyer_name
    key = f"{sale.marketplace}:{sale.number}" if sale else f"{notice.marketplace}:buyer:{who}"
    found = threads.thread_by_key(ingest.store, ingest.account, key)
    if found is None:
        found = threads.add_thread(
            ingest.store,
            {
                "account": ingest.account,
                "channel": record.channel,
                "key": key,
                "subject": record.subject,
                "contact_id": contact_id,
                "order_id": order_id,
                "created_at": ingest._now_iso(),
            },
        )
        found = found or threads.thread_by_key(ingest.store, ingest.account, key)
    assert found is not None
    if order_id is not None and found.order_id is None:
        threads.file_on_order(ingest.store, found.id, order_id)
    return found.id


def _title(items: tuple[Item, ...]) -> str:
    return ", ".join(f"{i.quantity} × {i.title}" if i.quantity > 1 else i.title for i in items)


def _columns(sale: Sale) -> dict[str, Any]:
    lines = [
        f"{item.quantity} × {item.title}"
        + "".join(f"\n  {label}: {value}" for label, value in item.options)
        for item in sale.items
    ]
    if sale.ship_to:
        # said now, in her language: the collect speaks the shop's language
        lines.append("\n" + _("Ship to: {address}").format(address=sale.ship_to))
    return {
        "details": "\n".join(lines),
        "quantity": sum(item.quantity for item in sale.items),
        "deadline": sale.ship_by.isoformat() if sale.ship_by else None,
        "price": float(sale.total) if sale.total is not None else None,
        "currency": sale.currency,
        "payment": "paid" if sale.paid else "none",
    }
