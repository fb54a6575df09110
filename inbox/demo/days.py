"""Named days of the demo story, counted from the day the demo is written, in three languages."""

from __future__ import annotations

from datetime import date, timedelta

MONTHS = {
    "it": (
        "gennaio febbraio marzo aprile maggio giugno luglio agosto settembre ottobre novembre "
        "dicembre"
    ).split(),
    "en": (
        "January February March April May June July August September October November December"
    ).split(),
    "fr": (
        "janvier février mars avril mai juin juillet août septembre octobre novembre décembre"
    ).split(),
}

#: Days ahead of "today" that the messages and form answers talk about, as {name} in their text.
DATES = {
    "etsy_ship": 2,
    "emma_back": 3,
    "favours_due": 6,
    "wedding": 8,
    "camille_due": 9,
    "emma_ship": 10,
    "julien_visit": 12,
    "olivia_birthday": 20,
    "bar_opening": 24,
    "claire_birthday": 27,
    "paolo_due": 40,
}


def long_date(day: date, lang: str) -> str:
    """'14 dicembre', '14 December', '1er décembre'."""
    number = "1er" if lang == "fr" and day.day == 1 else str(day.day)
    return f"{number} {MONTHS[lang][day.month - 1]}"


def quoted_day(day: date, lang: str) -> str:
    """How a mail program in ``lang`` writes the day above a quoted message."""
    return f"{long_date(day, 'en')} {day.year}" if lang == "en" else f"{day:%d/%m/%Y}"


def fill(text: str, lang: str, today: date) -> str:
    """Replace each {name} of :data:`DATES` in ``text`` by that day, written in ``lang``."""
    days = {name: long_date(today + timedelta(days=n), lang) for name, n in DATES.items()}
    return text.format_map(days)
