"""A time the maker types for a scheduled reply ("tomorrow 09:00", "domani alle 9", "demain 9h30"),
read in her languages and her time zone, or refused in one plain sentence.

dateparser reads the words; this module only makes sure it read what she meant. It quietly
keeps the current hour when it cannot read one ("tomorrow at 9" became tomorrow at the hour it
was), so an hour she wrote must come back as that hour, and an impossible one ("25:00") is
refused instead of being dropped. A day without an hour means the start of her working day.
"""

from __future__ import annotations

import re
from datetime import datetime, time
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import dateparser

from banco.inbox.errors import WrongInput
from banco.inbox.i18n.catalogs import _

if TYPE_CHECKING:
    from banco.inbox.shop import Shop

#: "at 9", "alle 9", "à 9", "a las 9": an hour alone after the word for "at"
_AT_HOUR = re.compile(r"\b(?:at|alle|all'|ore|à|a)\s*(\d{1,2})\b(?![:.h]\d)", re.I)
#: "9h", "9h30" (French)
_H_HOUR = re.compile(r"\b(\d{1,2})h(\d{2})?\b", re.I)
_CLOCK = re.compile(r"\b(\d{1,2})[:.](\d{2})\b")
_AM_PM = re.compile(r"\b(\d{1,2})\s*(am|pm)\b", re.I)
LONGEST = 100
SPOKEN = ("en", "it", "fr")


class WhenError(WrongInput, ValueError):
    """The text is not a time Banco can be sure of; the message says what to write."""


def parse_send_time(
    text: str, now: datetime, zone: ZoneInfo, languages: list[str], day_starts: time
) -> datetime:
    """The moment ``text`` names, after ``now``, as an aware datetime in ``zone``."""
    said = " ".join(text.split())
    if not said or len(said) > LONGEST:
        raise WhenError(_EXAMPLE)
    said = _H_HOUR.sub(lambda m: f"{m[1]}:{m[2] or '00'}", said)
    said = _AT_HOUR.sub(lambda m: f" {m[1]}:00", said)
    clock = _clock(said)
    local_now = now.astimezone(zone)
    try:
        found = dateparser.parse(
            said,
            # hers first, then every language Banco speaks: an Italian maker may type "friday"
            languages=[*dict.fromkeys([*languages, *SPOKEN])],
            settings={
                "PREFER_DATES_FROM": "future",
                "RELATIVE_BASE": local_now.replace(tzinfo=None),
                "DATE_ORDER": "DMY",
                "RETURN_AS_TIMEZONE_AWARE": False,
            },
        )
    except Exception:  # dateparser raises a few kinds on odd input: all mean "not a time"
        found = None
    if found is None:
        raise WhenError(_EXAMPLE)
    if clock is not None:
        if (found.hour, found.minute) != clock:
            raise WhenError(_EXAMPLE)
    elif not _AM_PM.search(said) and found.time() in (
        time(0),
        local_now.time().replace(tzinfo=None),
    ):
        found = datetime.combine(found.date(), day_starts)  # a day alone: her day's start
    moment = found.replace(tzinfo=zone)
    if moment <= now:
        when = moment.strftime("%Y-%m-%d %H:%M")
        raise WhenError(
            _("{when} has already passed; write a time to come, such as tomorrow 09:00").format(
                when=when
            )
        )
    return moment


def _clock(text: str) -> tuple[int, int] | None:
    """The hour and minute written in ``text``, if any; an impossible one is refused."""
    match = _CLOCK.search(text)
    if match is None:
        return None
    hour, minute = int(match[1]), int(match[2])
    if hour > 23 or minute > 59:
        raise WhenError(
            _("{time} is not a time of day; write a time such as 09:00 or 17:30").format(
                time=match[0]
            )
        )
    return hour, minute


_EXAMPLE = (
    "Banco could not read that time; write a day and an hour, such as"
    ' "tomorrow 09:00", "domani 9:00", "demain 9h30", "friday 17:00" or "2026-12-24 10:00"'
)


def day_starts(shop: Shop) -> time:
    """When the maker's working day starts (``[plan] day_starts``)."""
    return time.fromisoformat(shop.config.plan["day_starts"])
