"""The plan as an iCalendar file (``plan.ics`` in the shop folder) that calendar apps subscribe to.

One timed event per work block and one all-day event per deadline of every open order. UIDs are
built from the order reference and the day, so a calendar app updates its events on each refresh
instead of adding copies.
"""

from __future__ import annotations

import os
from datetime import UTC, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

from banco.inbox.i18n.words import say
from banco.inbox.routines.plan import Block, Deadline, Plan

ICS_NAME = "plan.ics"
PRODID = "-//Banco//plan//EN"


def plan_ics(plan: Plan, shop_name: str, zone: ZoneInfo, lang: str = "en") -> bytes:
    """The calendar for ``plan``: work blocks in the shop's time zone (with its VTIMEZONE) and
    deadlines as all-day events. ``lang`` is the language of the event texts."""
    calendar = Calendar.new(
        prodid=PRODID, uid="plan@banco", name=say(lang, "plan_calendar", shop=shop_name)
    )
    for block, uid in block_uids(plan.blocks):
        calendar.add_component(_block_event(block, uid, plan, zone, lang))
    for deadline in plan.deadlines:
        calendar.add_component(_deadline_event(deadline, plan, lang))
    if str(zone) != "UTC":
        calendar.add_missing_timezones()
    return calendar.to_ical()


def block_uids(blocks: list[Block]) -> list[tuple[Block, str]]:
    """Each block with its UID, e.g. ``B-0042-20261123-1@banco`` (the first block of B-0042 on
    23 November)."""
    seen: dict[tuple[str, str], int] = {}
    result = []
    for block in blocks:
        key = (block.ref, block.date.strftime("%Y%m%d"))
        seen[key] = seen.get(key, 0) + 1
        result.append((block, f"{key[0]}-{key[1]}-{seen[key]}@banco"))
    return result


def _block_event(block: Block, uid: str, plan: Plan, zone: ZoneInfo, lang: str) -> Event:
    moment = zone if str(zone) != "UTC" else UTC
    return Event.new(
        uid=uid,
        stamp=plan.generated_at.astimezone(UTC),
        start=block.start.astimezone(moment),
        end=block.end.astimezone(moment),
        summary=f"{block.ref} {block.title}",
        description=_customer(block.contact, lang),
    )


def _deadline_event(deadline: Deadline, plan: Plan, lang: str) -> Event:
    event = Event.new(
        uid=f"{deadline.ref}-deadline@banco",
        stamp=plan.generated_at.astimezone(UTC),
        start=deadline.date,
        end=deadline.date + timedelta(days=1),
        summary=say(lang, "plan_ics_due", ref=deadline.ref, title=deadline.title),
        description=_customer(deadline.contact, lang),
    )
    event.add("transp", "TRANSPARENT")  # a deadline does not make the maker busy all day
    return event


def _customer(name: str, lang: str) -> str | None:
    return say(lang, "plan_ics_customer", name=name) if name else None


def write_plan_ics(home: Path, data: bytes) -> Path:
    """Write ``plan.ics`` in the shop folder in one step (a reader never sees half a file)."""
    path = home / ICS_NAME
    tmp = path.with_name(ICS_NAME + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    os.replace(tmp, path)
    return path
