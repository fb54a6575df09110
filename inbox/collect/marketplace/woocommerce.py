"""WooCommerce's "New order" mail to the shop's admin (its own plain and HTML templates), in
English, Italian and French. WooCommerce mails from the maker's own site, so it is known by its
content alone: the subject "[Shop]: New order #1234" and "You've received the following order
from Name:". The buyer's address is in the billing block (and the Reply-To)."""

from __future__ import annotations

import re

from banco.inbox.collect.marketplace.notice import Item, Notice, Sale, after, amount, labelled

NAME = "woocommerce"

_SUBJECT = re.compile(r"(?:new order|nuovo ordine|nouvelle commande)\s*(?:#|n°\s*)\s*(\d+)", re.I)
_FROM = re.compile(
    r"(?:following order from|seguente ordine da|commande suivante de(?: la part de)?)"
    r"\s+(.+?)\s*:",
    re.I,
)
_ITEM = re.compile(r"^(.+?)(?:\s+\(#[^)]*\))?\s+[X×]\s+(\d+)\s+=\s+.+$")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
TOTAL = ("total", "totale")
BILLING = ("billing address", "indirizzo di fatturazione", "adresse de facturation")
SHIPPING = ("shipping address", "indirizzo di spedizione", "adresse de livraison")


def might_be(sender: str, subject: str) -> bool:
    """Whether a mail about ``subject`` may be WooCommerce's new order (it comes from the shop's
    own site, any address: the subject tells)."""
    return _SUBJECT.search(subject) is not None


def read(notice: Notice) -> Sale | None:
    number = after(_SUBJECT.pattern, notice.subject)
    buyer = after(_FROM.pattern, notice.text)
    if number is None or buyer is None:
        return None
    lines = notice.lines
    items = _items(lines)
    if not items:
        return None
    total, currency = amount(next((v for k, v in _labels(lines) if k in TOTAL), ""))
    emails = [*_EMAIL.findall(_block(lines, BILLING)), *notice.reply_to]
    return Sale(
        marketplace=NAME,
        order_number=number,
        buyer_name=buyer,
        buyer_email=emails[0].lower() if emails else None,
        items=tuple(items),
        total=total,
        currency=currency,
        ship_to=_block(lines, SHIPPING) or _block(lines, BILLING, without_contact=True),
        url=notice.link("post.php?post=", "page=wc-orders"),
    )


def _labels(lines: list[str]) -> list[tuple[str, str]]:
    return [found for line in lines if (found := labelled(line.replace("\t", " ")))]


def _items(lines: list[str]) -> list[Item]:
    """Each "Name (#SKU) X 2 = €64.00" line with the "- Label: value" lines below it."""
    items: list[Item] = []
    for line in lines:
        found = _ITEM.match(line)
        if found:
            items.append(Item(found[1].strip(), int(found[2])))
        elif items and line.startswith("- ") and (pair := labelled(line[2:])):
            last = items[-1]
            items[-1] = Item(last.title, last.quantity, (*last.options, pair))
    return items


def _block(lines: list[str], heading: tuple[str, ...], without_contact: bool = False) -> str:
    """The lines under an address heading ("BILLING ADDRESS"), up to the next rule."""
    for number, line in enumerate(lines):
        if line.lower() in heading:
            block = []
            for following in lines[number + 1 :]:
                if following.startswith(("---", "===", "=-=")) or following.lower() in (
                    *BILLING,
                    *SHIPPING,
                ):
                    break
                if without_contact and (_EMAIL.search(following) or following[:1] in "+0"):
                    continue
                block.append(following)
            return ", ".join(block)
    return ""
