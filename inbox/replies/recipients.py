"""Who a reply would reach: the one place that decides an address takes no replies.

A bounce's sender (the connectors mark a message ``auto = "bounce"``: a delivery report, or mail
from mailer-daemon or postmaster) is a mail server; a no-reply, noreply or do-not-reply address
is read by nobody; an address mail bounced from (``collect.bounces``) is wrong. Banco never
writes to a server or a no-reply address by itself (``outbox``); a reply the maker writes to any
of them is queued only after she is warned and says so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass  # marketplace
from datetime import date
from typing import Any

from banco.inbox.collect.marketplace import NAMES, from_marketplace, marketplace_at  # marketplace
from banco.inbox.i18n.catalogs import _, current_language
from banco.inbox.i18n.words import day_and_month
from banco.inbox.store.contacts import first_handle, handles_of  # marketplace
from banco.inbox.store.database import Store  # marketplace
from banco.inbox.store.marketplace import marketplace_of  # marketplace
from banco.inbox.store.messages import message_with_ref  # marketplace

#: Addresses that never take replies (their automatic answers would start a loop).
NO_REPLY = re.compile(r"^(no-?reply|do-?not-?reply|mailer-daemon|postmaster|bounces?)\b", re.I)


def takes_no_replies(address: str) -> bool:
    """Whether ``address`` is one nobody reads (noreply@, mailer-daemon@, ...)."""
    return bool(NO_REPLY.match(address.partition("@")[0]))


def reply_warning(
    message: dict[str, Any], address: str, failed_on: str | None = None
) -> str | None:
    """Why a reply to ``message``, sent to ``address``, would reach nobody: a sentence in the
    maker's language; None when a person reads it. ``failed_on``: when mail to the address
    bounced (``store.customers.failed_at``)."""
    if failed_on:
        return _(
            "Mail to {address} bounced on {date}: the address is wrong. Ask the customer for"
            " another way to reach them (another address, a phone, Telegram)."
        ).format(
            address=address,
            date=day_and_month(date.fromisoformat(failed_on[:10]), current_language()),
        )
    if message["auto"] == "bounce":
        return _(
            "This message is a bounce: a reply to {address} reaches a mail server, not a person."
        ).format(address=address)
    if "@" in address and takes_no_replies(address):
        return _("{address} does not take replies: nobody reads what is sent there.").format(
            address=address
        )
    return None


# Marketplaces --------------------------------------------------------------------------------------
#: where a buyer is answered on the marketplace, never by mail, even when its sale mail shows
#: their address (Etsy's sellers talk to buyers in Etsy Messages)
ANSWERED_THERE = ("etsy",)


@dataclass(frozen=True)
class ViaMarketplace:
    """A message a marketplace sent about its buyer (a sale, the buyer's words relayed): the
    buyer's own address when the marketplace gave one, else where the buyer is answered."""

    marketplace: str
    email: str | None
    url: str | None


def via_marketplace(store: Store, message: dict[str, Any]) -> ViaMarketplace | None:
    """How a reply to ``message`` reaches the buyer, when a marketplace sent it: None for a
    message a person sent (the buyer writing from their own address is answered there)."""
    sender = message["sender_handle"] or ""
    sale = marketplace_of(store, message["order_id"])
    name = marketplace_at(sender) or (sale.marketplace if sale else None)
    if name is None or (
        sale is not None
        and not marketplace_at(sender)
        and _buyer_wrote(store, message["contact_id"], sender)
    ):
        return None
    email = first_handle(store, message["contact_id"], "email")
    if email and (name in ANSWERED_THERE or takes_no_replies(email) or from_marketplace(email)):
        email = None
    links = re.findall(r"https?://\S*/(?:messages|conversations)\S*", message["text"] or "")
    return ViaMarketplace(name, email, links[0] if links else sale.url if sale else None)


def marketplace_refusal(store: Store, message_id: int) -> str | None:
    """Why a reply to message ``message_id`` cannot go by mail: it came from a marketplace that
    gave no address of the buyer ("Answer on Etsy: <link>"); None otherwise."""
    message = message_with_ref(store, message_id)
    via = via_marketplace(store, message) if message else None
    if via is None or via.email:
        return None
    name = NAMES.get(via.marketplace, via.marketplace)
    if via.url:
        return _("Answer on {marketplace}: {link}").format(marketplace=name, link=via.url)
    return _("Answer on {marketplace}: Banco knows no email address of this buyer.").format(
        marketplace=name
    )


def _buyer_wrote(store: Store, contact_id: int | None, sender: str) -> bool:
    """Whether ``sender`` is one of the buyer's own addresses (not the shop's notifier)."""
    return contact_id is not None and any(v == sender for _kind, v in handles_of(store, contact_id))
