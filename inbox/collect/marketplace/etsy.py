"""Etsy's mail to a seller: "You made a sale on Etsy" (a sale) and a buyer's message from Etsy
Conversations, in English, Italian and French. Known by the sender (etsy.com) and the subject.
Etsy never gives the buyer's address: the buyer is answered on Etsy (``url``)."""

from __future__ import annotations

import re

from banco.inbox.collect.marketplace.notice import (
    BuyerMessage,
    Item,
    Notice,
    Sale,
    after,
    amount,
    day_named,
    field_value,
    labelled,
)

NAME = "etsy"
DOMAINS = ("etsy.com", "etsymail.com")

_SALE_SUBJECT = re.compile(
    r"you made a sale on etsy|hai fatto una vendita su etsy|vous avez (?:fait|réalisé) une vente",
    re.I,
)
_MESSAGE_SUBJECT = re.compile(
    r"(?:new message from|sent you a message|nuovo messaggio da|ti ha inviato un messaggio"
    r"|nouveau message de|vous a envoyé un message)",
    re.I,
)
_ORDER_NUMBER = r"(?:order|ordine|commande)\s*(?:#|n[.°º]?\s*)\s*(\d{6,})"

ITEM = ("item", "articolo", "article")
QUANTITY = ("quantity", "quantità", "quantité")
TOTAL = ("order total", "totale dell'ordine", "totale dell’ordine", "total de la commande")
BUYER = ("buyer", "acquirente", "acheteur", "acheteuse")
SHIP_TO = (
    "shipping address",
    "ship to",
    "spedire a",
    "indirizzo di spedizione",
    "adresse de livraison",
    "livrer à",
)
SHIP_BY = (
    "ship by",
    "spedisci entro il",
    "spedisci entro",
    "à expédier avant le",
    "expédier avant le",
    "expédier d'ici le",
)
#: lines of an item that are not an option of it
NOT_OPTIONS = (
    *QUANTITY,
    "item price",
    "prezzo dell'articolo",
    "prix de l'article",
    "transaction id",
    "id transazione",
    "shop",
    "negozio",
    "boutique",
)


def read(notice: Notice) -> Sale | BuyerMessage | None:
    if not notice.from_domain(DOMAINS):
        return None
    if _SALE_SUBJECT.search(notice.subject):
        return _sale(notice)
    if _MESSAGE_SUBJECT.search(notice.subject):
        return _message(notice)
    return None


def _sale(notice: Notice) -> Sale | None:
    lines = notice.lines
    number = after(_ORDER_NUMBER, notice.subject) or after(_ORDER_NUMBER, notice.text)
    items = _items(lines)
    if number is None or not items:
        return None
    buyer = field_value(lines, BUYER) or ""
    handle = after(r"\(([\w.-]+)\)\s*$", buyer)
    name = re.sub(r"\s*\([\w.-]+\)\s*$", "", buyer)
    ship_to = field_value(lines, SHIP_TO) or ""
    total, currency = amount(field_value(lines, TOTAL) or "")
    ship_by = field_value(lines, SHIP_BY) or after(r"ship by ([\w .]+?)\s*-", notice.subject)
    return Sale(
        marketplace=NAME,
        order_number=number,
        buyer_name=name or ship_to.split(",")[0].strip() or handle or "",
        buyer_handle=handle,
        items=tuple(items),
        total=total,
        currency=currency,
        ship_by=day_named(ship_by, notice.sent) if ship_by else None,
        ship_to=ship_to,
        url=notice.link("/your/orders/", "/orders/sold") or None,
        paid=True,
    )


def _items(lines: list[str]) -> list[Item]:
    """Each "Item:" line with the quantity and options that follow it."""
    items: list[Item] = []
    for line in lines:
        found = labelled(line)
        if found is None:
            continue
        label, value = found
        if label in ITEM:
            items.append(Item(value))
        elif items and label in QUANTITY and value.isdigit():
            last = items[-1]
            items[-1] = Item(last.title, int(value), last.options)
        elif items and _is_option(label, value):
            last = items[-1]
            items[-1] = Item(last.title, last.quantity, (*last.options, (label, value)))
    return items


def _is_option(label: str, value: str) -> bool:
    """An item's own line (personalisation, size, colour), not the order's (total, buyer, the
    link to the order)."""
    order_labels = (*NOT_OPTIONS, *TOTAL, *BUYER, *SHIP_TO, *SHIP_BY)
    return (
        label not in order_labels
        and not label.startswith(("order", "ordine", "commande"))
        and not value.startswith("http")
    )


def _message(notice: Notice) -> BuyerMessage | None:
    who = after(
        r"(?:new message from|nuovo messaggio da|nouveau message de)\s+(.+?)\s*$", notice.subject
    ) or after(
        r"^(?:etsy[^:]*:\s*)?(.+?)\s+(?:sent you|ti ha inviato|vous a envoyé)", notice.subject
    )
    if not who:
        return None
    body = [
        line
        for line in notice.lines
        if not line.lower().startswith(("http", "reply", "rispondi", "répondre", "view", "vedi"))
    ]
    return BuyerMessage(
        marketplace=NAME,
        buyer_name=who,
        buyer_handle=who if re.fullmatch(r"[\w.-]+", who) else None,
        text="\n".join(body),
        order_number=after(_ORDER_NUMBER, notice.text),
        url=notice.link("/messages", "/conversations"),
    )
