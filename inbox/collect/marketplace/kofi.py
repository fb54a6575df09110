"""Ko-fi's mail to a creator about a shop order: known by the sender (ko-fi.com) and the subject
"New shop order from Name". Ko-fi gives the buyer's address. Its fields are those of Ko-fi's
documented shop-order webhook (from_name, email, shop_items with variation and quantity,
amount, currency, shipping); Ko-fi writes to creators in English only."""

from __future__ import annotations

import re

from banco.inbox.collect.marketplace.notice import (
    Item,
    Notice,
    Sale,
    after,
    amount,
    field_value,
    labelled,
    on_domains,
)

NAME = "kofi"
DOMAINS = ("ko-fi.com",)

_SUBJECT = re.compile(r"(?:new )?shop order from\s+(.+?)!?\s*$", re.I)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def might_be(sender: str, subject: str) -> bool:
    """Whether a mail from ``sender`` about ``subject`` may be Ko-fi's shop order."""
    return on_domains(sender, DOMAINS) and _SUBJECT.search(subject) is not None


def read(notice: Notice) -> Sale | None:
    buyer = after(_SUBJECT.pattern, notice.subject)
    if not might_be(notice.sender, notice.subject) or buyer is None:
        return None
    lines = notice.lines
    url = notice.link("txid=", "/manage/orders")
    number = field_value(lines, ("transaction id",)) or (
        after(r"txid=([\w-]+)", url) if url else None
    )
    items = _items(lines)
    if not number or not items:
        return None
    total, currency = amount(field_value(lines, ("amount", "total")) or "")
    email = field_value(lines, ("email",))
    return Sale(
        marketplace=NAME,
        order_number=number,
        buyer_name=buyer,
        buyer_email=email.lower() if email and _EMAIL.fullmatch(email) else None,
        items=tuple(items),
        total=total,
        currency=currency,
        ship_to=field_value(lines, ("ship to", "shipping address")) or "",
        url=url,
        paid=True,
    )


def _items(lines: list[str]) -> list[Item]:
    items: list[Item] = []
    for line in lines:
        found = labelled(line)
        if found is None:
            continue
        label, value = found
        if label == "item":
            items.append(Item(value))
        elif items and label == "quantity" and value.isdigit():
            items[-1] = Item(items[-1].title, int(value), items[-1].options)
        elif items and label == "variation":
            items[-1] = Item(items[-1].title, items[-1].quantity, (("variation", value),))
    return items
