"""The demo story's calendar: when things were sent, and named days ahead, in three languages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from banco.inbox.i18n.words import day_and_month

#: Giulia's clock: the shop is in Bologna.
SHOP_ZONE = ZoneInfo("Europe/Rome")


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


@dataclass(frozen=True)
class When:
    """When something was sent: ``days`` before today at a Bologna ``clock`` time ("16:10"),
    or, for what came in today, ``age`` before now."""

    days: int = 0
    clock: str = ""
    age: timedelta = timedelta(0)

    def moment(self, now: datetime) -> datetime:
        if not self.clock:
            return now.replace(microsecond=0) - self.age
        day = now.astimezone(SHOP_ZONE).date() - timedelta(days=self.days)
        return datetime.combine(day, time.fromisoformat(self.clock), tzinfo=SHOP_ZONE)


def on(days: int, clock: str) -> When:
    """``on(1, "16:10")``: yesterday at 16:10 in Bologna."""
    return When(days=days, clock=clock)


def ago(hours: int, minutes: int) -> When:
    """``ago(3, 8)``: three hours and eight minutes before now."""
    return When(age=timedelta(hours=hours, minutes=minutes))


def quoted_day(day: date, lang: str) -> str:
    """How a mail program in ``lang`` writes the day above a quoted message."""
    return f"{day_and_month(day, 'en')} {day.year}" if lang == "en" else f"{day:%d/%m/%Y}"


def fill(text: str, lang: str, today: date) -> str:
    """Replace each {name} of :data:`DATES` in ``text`` by that day, written in ``lang``."""
    days = {name: day_and_month(today + timedelta(days=n), lang) for name, n in DATES.items()}
    return text.format_map(days)
