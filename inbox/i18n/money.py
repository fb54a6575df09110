"""Amounts of money as the maker writes and reads them in her language: "1.250,50" in Italian,
"1 250,50" in French, "1,250.50" in English. Parsed to an exact ``Decimal``, shown by Babel.

Babel's own ``parse_decimal`` alone is not safe for prices: read leniently, "1.250,50" in English
becomes 1.2505, and strictly it still takes "1,250" in Italian as one and a quarter. So the text is
first cleaned of the currency and of the spaces people type between thousands, must hold only
digits and the locale's two separators, and may have at most two decimals: "1,250" in Italian is
refused with a plain sentence instead of becoming 1.25.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from babel.core import Locale
from babel.numbers import (
    NumberFormatError,
    format_currency,
    get_currency_symbol,
    get_decimal_symbol,
    get_group_symbol,
    parse_decimal,
)

from banco.inbox.errors import WrongInput
from banco.inbox.i18n.catalogs import N_, translations

#: the locale of each language Banco speaks, for numbers and money
LOCALES = {"en": "en_GB", "it": "it_IT", "fr": "fr_FR"}
#: no price a maker types is this large: a slip of the keyboard (a pasted phone number)
LARGEST = Decimal("100000000")
DECIMALS = 2
_SPACES = re.compile(r"[\s\u00a0\u202f\u2009]+")


class AmountError(WrongInput, ValueError):
    """The text is not an amount Banco can be sure of; the message says what to write."""


def locale_of(lang: str) -> str:
    return LOCALES.get(lang, LOCALES["en"])


def parse_amount(text: str, lang: str, currency: str = "EUR") -> Decimal:
    """The amount ``text`` names, written the way ``lang`` writes numbers, to the cent."""
    locale = locale_of(lang)
    group, decimal = get_group_symbol(locale), get_decimal_symbol(locale)
    cleaned = text.strip()
    for token in sorted(
        {get_currency_symbol(currency, locale), currency, "€"}, key=len, reverse=True
    ):
        cleaned = cleaned.replace(token, "")
    # French writes thousands with a narrow space; people type a plain one, or none
    cleaned = _SPACES.sub(group if group.isspace() else "", cleaned.strip())
    if group.isspace():
        cleaned = cleaned.replace(group, "")
    example = format_amount(Decimal("1250.50"), lang)
    shown = " ".join(text.split())[:40]  # said back on one line

    def say(message: str) -> str:  # in the language the amount is written in
        return translations(lang).gettext(message).format(text=shown, example=example)

    if not cleaned or not re.fullmatch(rf"[0-9{re.escape(group + decimal)}]+", cleaned):
        raise AmountError(say(N_('"{text}" is not an amount; write it as {example}')))
    try:
        value = parse_decimal(cleaned, locale=locale, strict=True)
    except (NumberFormatError, InvalidOperation):
        raise AmountError(say(N_('"{text}" is not an amount; write it as {example}'))) from None
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and -exponent > DECIMALS:
        raise AmountError(say(N_('"{text}" has more than two decimals; write it as {example}')))
    if value >= LARGEST:
        raise AmountError(say(N_('"{text}" is too large for a price; write it as {example}')))
    return value.quantize(Decimal(1).scaleb(-DECIMALS))


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
