"""Shopify's "new order" mail to the shop's staff, in English, Italian and French: known by the
sender (shopify.com, shopifyemail.com) and the subject "[Shop] Order #1042 placed by Name".
Shopify gives the customer's address: replies go to the buyer by mail."""

from __future__ import annotations

import re
from decimal import Decimal

from banco.inbox.collect.marketplace.notice import (
    Item,
    Notice,
    Sale,
    amount,
    labelled,
    on_domains,
)

NAME = "shopify"
DOMAINS = ("shopify.com", "shopifyemail.com", "myshopify.com")

_SUBJECT = re.compile(
    r"(?:order|ordine|commande)\s*#?\s*(\w+)\s+(?:placed by|effettuato da|passée par)\s+(.+?)\s*$",
    re.I,
)
_ITEM = re.compile(r"^(.+?)\s+[×x]\s*(\d+)$")
#: the classic template's "2x Title (SKU: MUG-1) for €19.00 each" (an HTML list item)
_LISTED = re.compile(
    r"^(?:[*•-]\s+)?(\d+)\s*x\s+(.+?)(?:\s+\(SKU:[^)]*\))?\s+for\s+\S.*\beach$", re.I
)
_PRICE = re.compile(r"[\d\s.,€$£A-Z]*")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
TOTAL = ("total", "totale")
END_OF_ITEMS = ("subtotal", "subtotale", "sous-total", "shipping", "spedizione", "expédition")
SHIP_TO = (
    "shipping address",
    "indirizzo di spedizione",
    "adresse d'expédition",
    "adresse de livraison",
)
#: the headings after a shipping address
AFTER_ADDRESS = (
    "billing address",
    "indirizzo di fatturazione",
    "adresse de facturation",
    "shipping method",
    "metodo di spedizione",
    "mode d'expédition",
    "view order",
    "visualizza ordine",
    "voir la commande",
    "customer email",
    "email del cliente",
    "e-mail du client",
    "thanks",
    "grazie",
    "merci",
)


def might_be(sender: str, subject: str) -> bool:
    """Whether a mail from ``sender`` about ``subject`` may be Shopify's new order."""
    return on_domains(sender, DOMAINS) and _SUBJECT.search(subject) is not None


def read(notice: Notice) -> Sale | None:
    found = _SUBJECT.search(notice.subject)
    if not might_be(notice.sender, notice.subject) or not found:
        return None
    lines = notice.lines
    items = _items(lines)
    if not items:
        return None
    total, currency = _total(lines)
    emails = [a for a in [*notice.reply_to, *_EMAIL.findall(notice.text)] if a != notice.sender]
    return Sale(
        marketplace=NAME,
        order_number=found[1],
        buyer_name=found[2],
        buyer_email=emails[0].lower() if emails else None,
        items=tuple(items),
        total=total,
        currency=currency,
        ship_to=_address(lines),
        url=notice.link("/admin/orders/", "/orders/"),
    )


def _items(lines: list[str]) -> list[Item]:
    """Each "Title × 2" line with the variant and properties below it, up to the subtotal; or
    the classic template's "2x Title for €19.00 each"."""
    items: list[Item] = []
    for line in lines:
        found = _ITEM.match(line)
        listed = _LISTED.match(line)
        lowered = line.lower().rstrip(": ")
        if listed:
            items.append(Item(listed[2].strip(), int(listed[1])))
        elif found:
            items.append(Item(found[1].strip(), int(found[2])))
        elif not items or _PRICE.fullmatch(line):
            continue
        elif lowered.startswith(END_OF_ITEMS) or lowered in TOTAL:
            break
        else:
            last = items[-1]
            option = labelled(line) or ("variant", line)
            items[-1] = Item(last.title, last.quantity, (*last.options, option))
    return items


def _total(lines: list[str]) -> tuple[Decimal | None, str | None]:
    """The amount on the "Total" line, or on the line below it."""
    for number, line in enumerate(lines):
        label, _, value = line.partition(":") if ":" in line else (line, "", "")
        if label.strip().lower() in TOTAL:
            below = lines[number + 1] if number + 1 < len(lines) else ""
            return amount(value.strip() or below)
    return None, None


def _address(lines: list[str]) -> str:
    for number, line in enumerate(lines):
        if line.lower().rstrip(": ") in SHIP_TO:
            block = []
            for following in lines[number + 1 : number + 6]:
                if following.lower().rstrip(":, ") in AFTER_ADDRESS:
                    break
                block.append(following)
            return ", ".join(block)
    return ""
