"""How times, dates, money and hours read on the page: in the shop's time zone and language."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from babel.dates import format_time
from babel.units import format_unit

from banco.inbox.clock import parse_iso
from banco.inbox.i18n.catalogs import N_
from banco.inbox.i18n.catalogs import gettext as _
from banco.inbox.i18n.money import locale_of
from banco.inbox.i18n.words import duration, number, say
from banco.inbox.orders.history import PAYMENT_WORDS, EventWords, event_words, status_label
from banco.inbox.replies.outbox import state_words
from banco.inbox.replies.templates import format_price
from banco.inbox.routines.plan import format_day, format_hours
from banco.inbox.shop import Shop

CHANNEL_WORDS = {"email": N_("email"), "telegram": N_("Telegram"), "form": N_("order form")}
MESSAGE_STATUS_WORDS = {"unreadable": N_("unreadable"), "too_large": N_("too large")}


class Formats:
    """The helpers templates call as ``f.when(...)``, ``f.ago(...)``, ``f.until(...)``..."""

    def __init__(self, shop: Shop) -> None:
        self.shop = shop
        self.lang = shop.config.shop.language
        self.zone = shop.config.shop.timezone
        self.now = shop.clock.now()
        self.today = self.now.astimezone(self.zone).date()

    def say(self, key: str, **values: Any) -> str:
        return say(self.lang, key, **values)

    def local(self, moment: str | datetime | None) -> datetime | None:
        if not moment:
            return None
        value = parse_iso(moment) if isinstance(moment, str) else moment
        return value.astimezone(self.zone)

    def when(self, moment: str | datetime | None) -> str:
        """ "ven 20 nov 10:00" (with the year when it is not this year)."""
        local = self.local(moment)
        if local is None:
            return ""
        text = f"{self.day(local.date())} {self.clock_time(local)}"
        return text if local.year == self.today.year else f"{text} {local.year}"

    def clock_time(self, moment: datetime) -> str:
        """ "10:00" as the maker's language writes the time of day."""
        return format_time(moment, "HH:mm", locale=locale_of(self.lang))

    def number(self, value: float | None) -> str:
        """A number in a form field as the maker writes it: "2,5" in Italian; "" for none."""
        return number(value, self.lang) if value is not None else ""

    def iso(self, moment: str | datetime | None) -> str:
        local = self.local(moment)
        return local.isoformat(timespec="minutes") if local else ""

    def day(self, value: str | date | None) -> str:
        if not value:
            return ""
        day = date.fromisoformat(value[:10]) if isinstance(value, str) else value
        text = format_day(day, self.lang)
        return text if day.year == self.today.year else f"{text} {day.year}"

    def age(self, moment: str | datetime | None) -> str:
        """ "3 days": how long since ``moment``."""
        local = self.local(moment)
        return duration(self.now - local, self.lang) if local else ""

    def ago(self, moment: str | datetime | None) -> str:
        """ "3 days ago" in the maker's language."""
        return say(self.lang, "ago", age=self.age(moment)) if moment else ""

    def waited(self, moment: str | None) -> str:
        return say(self.lang, "waiting_since", age=self.age(moment)) if moment else ""

    def until(self, day: str | None) -> str:
        """ "due in 6 days", "due today", "late by 2 days" in the maker's language."""
        if not day:
            return ""
        delta = date.fromisoformat(day[:10]) - self.today
        if delta.days == 0:
            return say(self.lang, "due_today")
        if delta.days < 0:
            return say(self.lang, "late_by", age=duration(-delta, self.lang))
        return say(self.lang, "due_in", age=duration(delta, self.lang))

    def late(self, day: str | None) -> bool:
        return bool(day) and date.fromisoformat(str(day)[:10]) < self.today

    def money(self, value: Any, currency: str | None = None) -> str:
        return format_price(value, currency, self.lang)

    def hours(self, value: float | None) -> str:
        return format_hours(value, self.lang) if value is not None else ""

    def outbox_state(self, row: dict[str, Any]) -> str:
        """A reply's state in the outbox: "queued", "scheduled for Thu 3 Dec 09:00"..."""
        words = state_words(row)
        if words == "scheduled":
            return _("scheduled for {when}").format(when=self.when(row["send_at"]))
        return _(words)

    @staticmethod
    def recipient(row: Mapping[str, Any]) -> str:
        """The address or chat an outbox row is written to."""
        return str(json.loads(row["to_handle"])[1])

    @staticmethod
    def status(status: str) -> str:
        return status_label(status)

    @staticmethod
    def payment(payment: str | None) -> str:
        words = PAYMENT_WORDS.get(payment or "none")
        return _(words) if words else (payment or "").replace("_", " ")

    @staticmethod
    def channel(channel: str) -> str:
        return _(CHANNEL_WORDS[channel]) if channel in CHANNEL_WORDS else channel

    @staticmethod
    def message_status(status: str) -> str:
        """ "unreadable", "too large": why a message could not be read whole."""
        words = MESSAGE_STATUS_WORDS.get(status)
        return _(words) if words else status.replace("_", " ")

    def size(self, size: int | None) -> str:
        """ "12 kB", "1,5 MB" as Babel writes them for the maker's language."""
        if not size:
            return ""
        locale = locale_of(self.lang)
        if size < 1024:
            return format_unit(size, "digital-byte", length="short", locale=locale)
        if size < 1024 * 1024:
            return format_unit(
                round(size / 1024), "digital-kilobyte", length="short", locale=locale
            )
        return format_unit(
            round(size / 1048576, 1), "digital-megabyte", length="short", locale=locale
        )

    @staticmethod
    def snippet(text: str | None, width: int = 90) -> str:
        flat = " ".join((text or "").split())
        return flat[:width] + ("…" if len(flat) > width else "")

    @staticmethod
    def split_quote(text: str | None) -> tuple[str, str]:
        """(what the sender wrote, the earlier messages quoted under it with "> ...")."""
        lines = (text or "").rstrip().splitlines()
        start = next((i for i, line in enumerate(lines) if line.lstrip().startswith(">")), None)
        if start is None:
            return text or "", ""
        head = start
        while head > 0 and not lines[head - 1].strip():
            head -= 1
        if head > 0 and lines[head - 1].rstrip().endswith(":"):  # "On Monday, Anna wrote:"
            head -= 1
        body = "\n".join(lines[:head]).rstrip()
        if not body or len(lines) - head < 2:
            return text or "", ""
        return body, "\n".join(lines[head:])

    def event(self, event: dict[str, Any]) -> EventWords:
        """One line of an order's history (``.line``): what happened, and its note."""
        return event_words(event, self.shop.config.shop.currency, self.day)
