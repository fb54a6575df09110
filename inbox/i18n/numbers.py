"""Numbers as the maker writes them in her language, read the one careful way every screen uses:
hours of work here ("2,5" in Italian, "2.5" in English), amounts of money in ``money``.

Babel's ``parse_decimal`` alone is not safe: read leniently, "1.250,50" in English becomes
1.2505, and strictly it still takes "1,250" in Italian as one and a quarter. So the text, once
cleaned of its unit and of the spaces people type between thousands, must hold only digits and
the locale's two separators (no sign, no "NaN", no "inf", no exponent), may have at most two
decimals and must stay below a ceiling no real value reaches; anything else is refused with one
plain sentence in the maker's language that says how to write it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from babel.numbers import (
    NumberFormatError,
    format_decimal,
    get_decimal_symbol,
    get_group_symbol,
    parse_decimal,
)

from banco.inbox.errors import WrongInput
from banco.inbox.i18n.catalogs import N_, translations

#: the locale of each language Banco speaks, for numbers and money
LOCALES = {"en": "en_GB", "it": "it_IT", "fr": "fr_FR"}
DECIMALS = 2
#: no order takes this many hours (five years of full days): a slip of the keyboard
MOST_HOURS = Decimal("10000")
_SPACES = re.compile(r"[\s\u00a0\u202f\u2009]+")
#: the unit people type after hours ("2,5 h", "3 ore", "3 heures"), only at the end: "2h30" is
#: refused, never read as 230
_HOUR_UNIT = re.compile(r"\s*(?:heures?|hours?|hrs?|ore|ora|h)\.?\s*$", re.I)


class NumberError(WrongInput, ValueError):
    """The text is not a number Banco can be sure of; the message says what to write."""


class HoursError(NumberError):
    """The text is not a number of hours of work."""


@dataclass(frozen=True)
class Refusals:
    """What ``read_number`` raises and says for each problem: msgids that format ``{text}``
    (what she typed, on one line) and ``{example}`` (the same kind of number, well written)."""

    error: type[NumberError]
    not_a_number: str
    too_large: str
    decimals: str = N_('"{text}" has more than two decimals; write it as {example}')


HOURS = Refusals(
    HoursError,
    not_a_number=N_('"{text}" is not a number of hours; write it as {example}'),
    too_large=N_('"{text}" is too many hours for one order; write it as {example}'),
)


def locale_of(lang: str) -> str:
    return LOCALES.get(lang, LOCALES["en"])


def read_number(
    text: str, bare: str, lang: str, largest: Decimal, refusals: Refusals, example: str
) -> Decimal:
    """The non-negative number ``bare`` (``text`` without its unit) names, written the way
    ``lang`` writes numbers, to two decimals and below ``largest``."""
    locale = locale_of(lang)
    group, decimal = get_group_symbol(locale), get_decimal_symbol(locale)
    shown = " ".join(text.split())[:40]

    def refused(message: str) -> NumberError:  # in the language the number is written in
        said = translations(lang).gettext(message)
        return refusals.error(said.format(text=shown, example=example))

    # French writes thousands with a narrow space; people type a plain one, or none
    cleaned = _SPACES.sub(group if group.isspace() else "", bare.strip())
    if group.isspace():
        cleaned = cleaned.replace(group, "")
    if not cleaned or not re.fullmatch(rf"[0-9{re.escape(group + decimal)}]+", cleaned):
        raise refused(refusals.not_a_number)
    try:
        value = parse_decimal(cleaned, locale=locale, strict=True)
    except (NumberFormatError, InvalidOperation):
        raise refused(refusals.not_a_number) from None
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and -exponent > DECIMALS:
        raise refused(refusals.decimals)
    if value >= largest:
        raise refused(refusals.too_large)
    return value.quantize(Decimal(1).scaleb(-DECIMALS))


def parse_hours(text: str, lang: str) -> Decimal:
    """The hours of work ``text`` names ("2,5" or "2,5 h" in Italian), to the hundredth."""
    bare = _HOUR_UNIT.sub("", text)
    return read_number(
        text, bare, lang, MOST_HOURS, HOURS, format_hours_number(Decimal("2.5"), lang)
    )


def format_hours_number(hours: Decimal, lang: str) -> str:
    """ "2,5" (it, fr), "2.5" (en): hours as her language writes a number."""
    return format_decimal(hours, locale=locale_of(lang))
