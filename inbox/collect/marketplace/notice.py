"""What a marketplace's mail says (``Sale``, ``BuyerMessage``), and the mail as its readers see
it (``Notice``): the sender's address, the subject, the plain text and every link, and the small
readers they share (labelled lines, amounts, days written in English, Italian or French)."""

from __future__ import annotations

import email
import email.policy
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from email.message import EmailMessage

from banco.connectors import Record


@dataclass(frozen=True)
class Item:
    """One line of a sale: what, how many, and its options (personalisation, size, colour)."""

    title: str
    quantity: int = 1
    options: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Sale:
    """A sale the marketplace tells the maker about. ``order_number`` is the marketplace's own:
    the same sale seen again is the same order."""

    marketplace: str
    order_number: str
    buyer_name: str
    items: tuple[Item, ...]
    buyer_email: str | None = None
    #: the buyer's name on the marketplace (an Etsy username), when the mail gives it
    buyer_handle: str | None = None
    total: Decimal | None = None
    currency: str | None = None
    ship_by: date | None = None
    ship_to: str = ""
    url: str | None = None
    #: the marketplace took the payment before it wrote (Etsy, Ko-fi); a shop's new order may
    #: still wait for it (a bank transfer on WooCommerce, a manual payment on Shopify)
    paid: bool = False


@dataclass(frozen=True)
class BuyerMessage:
    """A buyer wrote to the maker on the marketplace; it is answered there (``url``)."""

    marketplace: str
    buyer_name: str
    text: str
    buyer_handle: str | None = None
    order_number: str | None = None
    url: str | None = None


@dataclass
class Notice:
    """A mail as the marketplace readers see it."""

    sender: str
    subject: str
    text: str
    sent: date
    links: list[str] = field(default_factory=list)
    reply_to: list[str] = field(default_factory=list)
    #: the addresses its HTML links to by "mailto:" (Etsy's "Send them an email")
    mailto: list[str] = field(default_factory=list)

    @property
    def lines(self) -> list[str]:
        return [line.strip() for line in self.text.splitlines() if line.strip()]

    def link(self, *parts: str) -> str | None:
        """The first link holding one of ``parts``."""
        return next((u for u in self.links if any(p in u for p in parts)), None)


def on_domains(address: str, domains: tuple[str, ...]) -> bool:
    """Whether ``address`` is at one of ``domains`` (or a subdomain), or at the same name under
    ``.example``, the domain kept for examples (the demo, the tests)."""
    host = address.rpartition("@")[2].lower()
    names = [*domains, *(d.rsplit(".", 1)[0] + ".example" for d in domains)]
    return any(host == d or host.endswith("." + d) for d in names)


def notice_of(record: Record) -> Notice:
    sender = record.sender.handles[0].value if record.sender and record.sender.handles else ""
    reply_to = [h.value for h in record.sender.handles[1:]] if record.sender else []
    text, html = _bodies(record.raw) if record.raw_type == "rfc822" else ("", "")
    text = text or record.text or ""
    links = re.findall(r"""href=["']?(https?://[^"'\s>]+)""", html) + re.findall(
        r"https?://[^\s<>\"')\]]+", text
    )
    mailto = re.findall(r"""href=["']?mailto:([^"'\s>?]+)""", html, re.I)
    sent = (record.sent_at or datetime.now()).date()
    return Notice(
        sender,
        record.subject or "",
        text,
        sent,
        list(dict.fromkeys(links)),
        reply_to,
        list(dict.fromkeys(mailto)),
    )


def _bodies(raw: bytes) -> tuple[str, str]:
    """The plain text and the HTML of a mail (the links live in the HTML)."""
    try:
        message = email.message_from_bytes(raw, policy=email.policy.default)
    except Exception:  # the connector read it already; here only the links are missed
        return "", ""
    if not isinstance(message, EmailMessage):
        return "", ""
    parts = {"plain": "", "html": ""}
    for kind in parts:
        part = message.get_body((kind,))
        if part is not None:
            try:
                parts[kind] = str(part.get_content())
            except (LookupError, ValueError):
                continue
    return parts["plain"], parts["html"]


# Labelled lines ----------------------------------------------------------------------------------
def labelled(line: str) -> tuple[str, str] | None:
    """``("quantity", "2")`` from "Quantity: 2", "Quantità: 2" or "Quantité : 2"."""
    label, colon, value = line.partition(":")
    if not colon or not label.strip() or len(label) > 40 or value.startswith("//"):
        return None
    return label.strip().lower().rstrip(" \u00a0"), value.strip()


def field_value(lines: list[str], labels: tuple[str, ...]) -> str | None:
    for line in lines:
        found = labelled(line)
        if found and found[0] in labels and found[1]:
            return found[1]
    return None


def after(pattern: str, text: str, flags: int = re.I) -> str | None:
    """The first group of ``pattern`` in ``text``."""
    found = re.search(pattern, text, flags)
    return found[1].strip() if found else None


# Amounts -------------------------------------------------------------------------------------------
_SYMBOLS = {
    "€": "EUR",
    "$": "USD",
    "£": "GBP",
    "CHF": "CHF",
    "CA$": "CAD",
    "US$": "USD",
    "A$": "AUD",
}
_AMOUNT = re.compile(r"(\d{1,3}(?:[.,\s\u00a0\u202f]\d{3})*(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,2})?)")


def amount(text: str) -> tuple[Decimal | None, str | None]:
    """The amount and currency of "64,00 €", "$64.00", "€1,250.50" or "70.00 EUR"."""
    found = _AMOUNT.search(text)
    if not found:
        return None, None
    digits = re.sub(r"[\s\u00a0\u202f]", "", found[1])
    head, sep, tail = digits[:-3], digits[-3:-2], digits[-2:]
    if sep in (",", ".") and tail.isdigit():
        digits = re.sub(r"[.,]", "", head) + "." + tail
    elif len(digits) > 2 and digits[-2] in ",." and digits[-1].isdigit():
        digits = re.sub(r"[.,]", "", digits[:-2]) + "." + digits[-1]
    else:
        digits = re.sub(r"[.,]", "", digits)
    try:
        value = Decimal(digits).quantize(Decimal("0.01"))
    except InvalidOperation:
        return None, None
    code = after(r"\b([A-Z]{3})\b", text, 0)
    symbol = next(
        (c for s, c in sorted(_SYMBOLS.items(), key=lambda x: -len(x[0])) if s in text), None
    )
    return value, code or symbol


# Days ------------------------------------------------------------------------------------------------
_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january", "gen", "gennaio", "janv", "janvier"),
            ("feb", "february", "febbraio", "févr", "fevr", "février", "fevrier"),
            ("mar", "march", "marzo", "mars"),
            ("apr", "april", "aprile", "avr", "avril"),
            ("may", "mag", "maggio", "mai"),
            ("jun", "june", "giu", "giugno", "juin"),
            ("jul", "july", "lug", "luglio", "juil", "juillet"),
            ("aug", "august", "ago", "agosto", "août", "aout"),
            ("sep", "sept", "september", "set", "settembre", "septembre"),
            ("oct", "october", "ott", "ottobre", "octobre"),
            ("nov", "november", "novembre"),
            ("dec", "december", "dic", "dicembre", "déc", "dec", "décembre", "decembre"),
        ],
        start=1,
    )
    for name in names
}


def day_named(text: str, sent: date) -> date | None:
    """The day "Dec 4", "December 4, 2026", "4 dicembre" or "4 déc. 2026" names; without a year,
    the first such day from a month before the mail was sent (a ship-by day is ahead of it)."""
    words = re.findall(r"[^\W\d_]+|\d+", text.lower())
    numbers = [int(w) for w in words if w.isdigit()]
    months = [_MONTHS[w] for w in words if w in _MONTHS]
    days = [n for n in numbers if 1 <= n <= 31]
    if not months or not days:
        return None
    years = [n for n in numbers if n > 1900]
    try:
        found = date(years[0] if years else sent.year, months[0], days[0])
        if not years and found < sent - timedelta(days=31):
            found = found.replace(year=found.year + 1)
    except ValueError:
        return None
    return found
