"""Etsy's mail to a seller: "You made a sale on Etsy" (a sale) and a buyer's message from Etsy
Conversations, in English, Italian and French. Known by the sender (etsy.com) and the subject.
A sale is read in either of Etsy's layouts: the plain "Item:" / "Quantity:" lines, or the order
details of its HTML mail (each item's title and options, then "Transaction ID:", "Quantity:" and
its price; "Order total:", "Buyer details" and the "Shipping address" block). The buyer is
answered on Etsy (``url``); their address is the "Send them an email" link, where it is given."""

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
    on_domains,
)

NAME = "etsy"
DOMAINS = ("etsy.com", "etsymail.com")

_SALE_SUBJECT = re.compile(
    r"you made a sale on etsy|congrats on your first sale|hai fatto una vendita su etsy"
    r"|vous avez (?:fait|réalisé) une vente",
    re.I,
)
_MESSAGE_SUBJECT = re.compile(
    r"(?:new message from|sent you a message|nuovo messaggio da|ti ha inviato un messaggio"
    r"|nouveau message de|vous a envoyé un message)",
    re.I,
)
_ORDER_NUMBER = r"(?:order|ordine|commande)\s*(?:#|n[.°º]?\s*)\s*(\d{6,})"

#: the order details' own lines (Etsy's English; the Italian and French are ours)
ORDER_NUMBER = (
    "order number",
    "your order number is",
    "numero dell'ordine",
    "numéro de commande",
)
TRANSACTION = ("transaction id", "id transazione", "id de transaction")
SHOP = ("shop", "negozio", "boutique")
PRICE = ("price", "item price", "prezzo", "prezzo dell'articolo", "prix", "prix de l'article")
BUYER_DETAILS = ("buyer details", "dati dell'acquirente", "informations sur l'acheteur")
_BARE_AMOUNT = re.compile(r"[^\d\s]{0,4}\s?\d[\d.,\u00a0 ]*(?:\s?[^\d\s]{1,4})?")

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
    *PRICE,
    *TRANSACTION,
    *SHOP,
)


def might_be(sender: str, subject: str) -> bool:
    """Whether a mail from ``sender`` may be Etsy's (the mail itself is read only then)."""
    return on_domains(sender, DOMAINS)


def read(notice: Notice) -> Sale | BuyerMessage | None:
    if not might_be(notice.sender, notice.subject):
        return None
    if _SALE_SUBJECT.search(notice.subject):
        return _sale(notice)
    if _MESSAGE_SUBJECT.search(notice.subject):
        return _message(notice)
    return None


def _sale(notice: Notice) -> Sale | None:
    lines = notice.lines
    number = (
        after(_ORDER_NUMBER, notice.subject)
        or field_value(lines, ORDER_NUMBER)
        or after(_ORDER_NUMBER, notice.text)
    )
    listed = any((labelled(line) or ("",))[0] in TRANSACTION for line in lines)
    items = _listed_items(lines) if listed else _items(lines)
    if number is None or not items:
        return None
    buyer = field_value(lines, BUYER) or ""
    handle = after(r"\(([\w.-]+)\)\s*$", buyer) or _handle(_below(lines, BUYER_DETAILS))
    name = re.sub(r"\s*\([\w.-]+\)\s*$", "", buyer)
    ship_to = field_value(lines, SHIP_TO) or ", ".join(_block(notice.text, SHIP_TO))
    total, currency = amount(field_value(lines, TOTAL) or _below(lines, TOTAL) or "")
    ship_by = field_value(lines, SHIP_BY) or after(r"ship by ([\w .]+?)\s*-", notice.subject)
    emails = [a for a in notice.mailto if not on_domains(a, DOMAINS)]
    return Sale(
        marketplace=NAME,
        order_number=number,
        buyer_name=name or ship_to.split(",")[0].strip() or handle or "",
        buyer_email=emails[0].lower() if emails else None,
        buyer_handle=handle,
        items=tuple(items),
        total=total,
        currency=currency,
        ship_by=day_named(ship_by, notice.sent) if ship_by else None,
        ship_to=ship_to,
        url=notice.link("/your/orders/", "/orders/sold") or None,
        paid=True,
    )


def _below(lines: list[str], headings: tuple[str, ...]) -> str | None:
    """The line under a heading that holds no value of its own ("Order total:", "Buyer
    details")."""
    for number, line in enumerate(lines[:-1]):
        if line.lower().rstrip(": \u00a0") in headings:
            return lines[number + 1]
    return None


def _handle(line: str | None) -> str | None:
    return line if line and re.fullmatch(r"[\w.-]+", line) else None


def _block(text: str, headings: tuple[str, ...]) -> list[str]:
    """The lines under a heading ("Shipping address"), up to the blank line that ends them."""
    block: list[str] = []
    lines = [line.strip() for line in text.splitlines()]
    for number, line in enumerate(lines):
        if line.lower().rstrip(": \u00a0") in headings:
            for following in lines[number + 1 :]:
                if not following and block:
                    break
                if following:
                    block.append(following)
            return block
    return block


def _listed_items(lines: list[str]) -> list[Item]:
    """The order details' items: each is the lines (its title, then its options) before its
    "Shop:" or "Transaction ID:" line, and takes the "Quantity:" that follows; the order number
    and each price end the lines before the next item."""
    items: list[Item] = []
    pending: list[str] = []
    for line in lines:
        label, value = labelled(line) or ("", "")
        if label in (*SHOP, *TRANSACTION):
            if pending:
                items.append(_listed(pending))
            pending = []
        elif label in QUANTITY and items and value.isdigit():
            last = items[-1]
            items[-1] = Item(last.title, int(value), last.options)
        elif label in (*ORDER_NUMBER, *PRICE) or _BARE_AMOUNT.fullmatch(line):
            pending = []
        else:
            pending.append(line)
    return items


def _listed(lines: list[str]) -> Item:
    """An item from its title (however many lines it took) and its "Label: value" options."""
    title, options = lines[0], []
    for line in lines[1:]:
        pair = labelled(line)
        if pair and pair[1]:
            options.append(pair)
        elif not options:
            title = f"{title} {line}"
    return Item(title, 1, tuple(options))


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
