"""Marketplace notifications (Etsy, Shopify, WooCommerce, Ko-fi): a sale becomes an order for its
buyer, a buyer's message on the marketplace joins that order. ``read_notice`` reads one record;
``collect.ingest`` files what it finds (``marketplace.filing``).
"""

from __future__ import annotations

from banco.connectors import Record
from banco.inbox.collect.marketplace import etsy, kofi, shopify, woocommerce
from banco.inbox.collect.marketplace.notice import (
    BuyerMessage,
    Item,
    Notice,
    Sale,
    notice_of,
    on_domains,
)

__all__ = [
    "NAMES",
    "BuyerMessage",
    "Item",
    "Sale",
    "from_marketplace",
    "marketplace_at",
    "read_notice",
]

#: the marketplaces by name, as the maker reads them
NAMES = {"etsy": "Etsy", "shopify": "Shopify", "woocommerce": "WooCommerce", "kofi": "Ko-fi"}

#: each service, tried in turn: the first whose mail it may be and that reads it
SERVICES = (etsy, shopify, woocommerce, kofi)


def read_notice(record: Record) -> Sale | BuyerMessage | None:
    """What a marketplace's mail to the maker says: a sale, a buyer's message, or None (not a
    marketplace's, or one Banco cannot read: it is filed as any other mail, nothing lost)."""
    if record.direction != "in" or record.channel != "email" or record.status != "ok":
        return None
    notice: Notice | None = None
    sender = record.sender.handles[0].value if record.sender and record.sender.handles else ""
    for service in SERVICES:
        # the mail is parsed again for its links only when a service may have sent it: a first
        # collect of thousands of mails spent half its time here
        if not service.might_be(sender, record.subject or ""):
            continue
        notice = notice or notice_of(record)
        try:
            found = service.read(notice)
        except (ValueError, IndexError):  # a notification laid out otherwise: an ordinary mail
            found = None
        if found is not None:
            return found
    return None


def from_marketplace(address: str) -> bool:
    """Whether ``address`` is a marketplace's own (its notifications, its no-reply): never a
    customer, never written to."""
    return marketplace_at(address) is not None


def marketplace_at(address: str) -> str | None:
    """The marketplace ``address`` is at ("etsy"), if any."""
    for service in (etsy, shopify, kofi):
        if on_domains(address, service.DOMAINS):
            return service.NAME
    return None
