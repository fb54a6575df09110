"""How times, dates, money and hours read on the page: in the shop's time zone and language."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from banco.inbox.clock import parse_iso
from banco.inbox.i18n.words import duration, say
from banco.inbox.orders.pipeline import STATUS_WORDS
from banco.inbox.replies.outbox import state_words
from banco.inbox.replies.templates import format_price
from banco.inbox.routines.plan import format_day, format_hours
from banco.inbox.shop import Shop

PAYMENT_WORDS = {
    "none": "nothing paid yet",
    "deposit_paid": "deposit paid",
    "paid": "paid in full",
    "refunded": "refunded",
}
CHANNEL_WORDS = {"email": "email", "telegram": "Telegram", "form": "order form"}


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
        text = f"{self.day(local.date())} {local:%H:%M}"
        return text if local.year == self.today.year else f"{text} {local.year}"

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
            return f"scheduled for {self.when(row['send_at'])}"
        return words

    @staticmethod
    def recipient(row: Mapping[str, Any]) -> str:
        """The address or chat an outbox row is written to."""
        return str(json.loads(row["to_handle"])[1])

    @staticmethod
    def status(status: str) -> str:
        return STATUS_WORDS.get(status, status.replace("_", " "))

    @staticmethod
    def payment(payment: str | None) -> str:
        return PAYMENT_WORDS.get(payment or "none", (payment or "").replace("_", " "))

    @staticmethod
    def channel(channel: str) -> str:
        return CHANNEL_WORDS.get(channel, channel)

    @staticmethod
    def size(size: int | None) -> str:
        if not size:
            return ""
        if size < 1024:
            return f"{size} bytes"
        if size < 1024 * 1024:
            return f"{size / 1024:.0f} KB"
        return f"{size / 1048576:.1f} MB"

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

    def change(self, event: dict[str, Any]) -> str:
        """One line of an order's history: a status move, changed fields, a note."""
        if event["to_status"]:
            start = self.status(event["from_status"]) if event["from_status"] else ""
            moved = f"{start} → {self.status(event['to_status'])}" if start else ""
            return moved or f"created as {self.status(event['to_status'])}"
        if event["kind"] == "fields" and event["data"]:
            changes = json.loads(event["data"])
            return "; ".join(
                f"{name.replace('_', ' ')}: {_value(old)} → {_value(new)}"
                for name, (old, new) in changes.items()
            )
        return {"note": "note"}.get(event["kind"], event["kind"].replace("_", " "))


def _value(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value).replace("_", " ")
