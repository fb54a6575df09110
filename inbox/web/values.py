"""Form values as the maker types them: dates (2026-12-20 or 20/12/2026), hours (2,5) and prices
written the way her language writes amounts ("1.250,50" in Italian, "1 250,50" in French)."""

from __future__ import annotations

import re
from datetime import date

from banco.inbox.i18n.catalogs import gettext as _
from banco.inbox.i18n.money import parse_amount
from banco.inbox.i18n.numbers import parse_hours
from banco.inbox.shop import Shop
from banco.inbox.web.context import FormProblem


def parse_date(text: str) -> date | None:
    if not text:
        return None
    match = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", text)
    try:
        if match:
            return date(int(match[3]), int(match[2]), int(match[1]))
        return date.fromisoformat(text)
    except ValueError:
        raise FormProblem(
            _('"{text}" is not a date; write it as 2026-12-20').format(text=text)
        ) from None


def parse_hours_field(text: str, shop: Shop) -> float | None:
    """Hours of work typed in the maker's language ("2,5" in Italian); HoursError says how to
    write them, as `banco orders estimate` does."""
    if not text:
        return None
    return float(parse_hours(text, shop.config.shop.language))


def parse_price(text: str, shop: Shop) -> float | None:
    """A price typed in the maker's language, to the cent (AmountError says how to write it);
    the store's number holds it exactly, as `banco orders price` writes it."""
    if not text:
        return None
    return float(parse_amount(text, shop.config.shop.language, shop.config.shop.currency))
