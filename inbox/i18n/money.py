"""Amounts of money as the maker writes and reads them in her language: "1.250,50" in Italian,
"1 250,50" in French, "1,250.50" in English. Cleaned of the currency, then read the careful way
``numbers`` reads every number (digits and the locale's two separators, two decimals at most: "1,250"
in Italian is refused with a plain sentence instead of becoming 1.25) to an exact ``Decimal``;
shown by Babel.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from babel.core import Locale
from babel.numbers import format_currency, get_currency_symbol

from banco.inbox.i18n.catalogs import N_

# locale_of is here too for the screens that show money
from banco.inbox.i18n.numbers import DECIMALS, NumberError, Refusals, locale_of, read_number

#: no price a maker types is this large: a slip of the keyboard (a pasted phone number)
LARGEST = Decimal("100000000")


class AmountError(NumberError):
    """The text is not an amount Banco can be sure of; the message says what to write."""


AMOUNTS = Refusals(
    AmountError,
    not_a_number=N_('"{text}" is not an amount; write it as {example}'),
    too_large=N_('"{text}" is too large for a price; write it as {example}'),
)


def parse_amount(text: str, lang: str, currency: str = "EUR") -> Decimal:
    """The amount ``text`` names, written the way ``lang`` writes numbers, to the cent."""
    bare = text.strip()
    for token in sorted(
        {get_currency_symbol(currency, locale_of(lang)), currency, "€"}, key=len, reverse=True
    ):
        bare = bare.replace(token, "")
    example = format_amount(Decimal("1250.50"), lang)
    return read_number(text, bare, lang, LARGEST, AMOUNTS, example)


def stored_amount(value: object) -> Decimal | None:
    """An amount as the store holds it (a number), to the cent; None when there is none."""
    if value is None or isinstance(value, bool):
        return None
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return None
    return amount.quantize(Decimal(1).scaleb(-DECIMALS)) if amount.is_finite() else None


def format_amount(amount: Decimal, lang: str) -> str:
    """An amount without its currency: "1.250,50" (it), "1 250,50" (fr), "1,250.50" (en)."""
    return format_currency(amount, "EUR", format="#,##0.00", locale=locale_of(lang))


def format_money(amount: Decimal, currency: str, lang: str) -> str:
    """An amount with its currency, as ``lang`` writes it: "1.250,50 €", "€1,250.50"; a whole
    amount without its cents, as a letter writes it: "180 €", "€180"."""
    locale = locale_of(lang)
    if amount != amount.to_integral_value():
        return format_currency(amount, currency, locale=locale)
    pattern = Locale.parse(locale).currency_formats["standard"].pattern
    whole = re.sub(r"0\.0+", "0", pattern.split(";")[0])
    return format_currency(amount, currency, format=whole, locale=locale, currency_digits=False)
