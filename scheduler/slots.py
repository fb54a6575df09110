"""Time slots to fire times: ``"mon-fri 08:30"`` in the shop's zone, exactly once per slot.

A slot is read once, by the config (``banco.config.slot_days``); this module only turns its days
into fire times, so ``banco check``, ``banco schedule`` and ``banco run`` agree on "fri-mon".

APScheduler's CronTrigger handles days and zones but fires twice in the repeated hour when clocks
go back (02:30 at +02:00 and again at +01:00); ``SlotTrigger`` drops the second. A slot inside the
hour skipped when clocks go forward fires once, just after the jump.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger

from banco.config import Slot, slot_days
from banco.config.load import DAYS


class SlotTrigger(BaseTrigger):
    def __init__(self, slot: Slot, zone: ZoneInfo):
        self.slot = slot
        self.zone = zone
        # Day names, never numbers: APScheduler counts Monday as 0, cron counts Sunday as 0.
        # The days come from the config's one reading of a slot (slot_days), which knows a range
        # that wraps past Sunday ("fri-mon"); APScheduler's own ranges refuse it.
        self.cron = CronTrigger(
            day_of_week=",".join(DAYS[d] for d in slot_days(slot)),
            hour=slot.hour,
            minute=slot.minute,
            timezone=zone,
        )

    def get_next_fire_time(
        self, previous_fire_time: datetime | None, now: datetime
    ) -> datetime | None:
        fire: datetime | None = self.cron.get_next_fire_time(previous_fire_time, now)
        while (
            fire is not None
            and previous_fire_time is not None
            and (fire <= previous_fire_time or _same_wall_time(fire, previous_fire_time, self.zone))
        ):
            # The repeated hour: skip past it (asking from inside it returns it again).
            fire = self.cron.get_next_fire_time(None, fire + timedelta(hours=1, seconds=1))
        return fire

    def __str__(self) -> str:
        return f"slot[{self.slot.text}]"


def _same_wall_time(a: datetime, b: datetime, zone: ZoneInfo) -> bool:
    return a.astimezone(zone).replace(tzinfo=None) == b.astimezone(zone).replace(tzinfo=None)


def next_fire(slots: tuple[Slot, ...], zone: ZoneInfo, after: datetime) -> datetime | None:
    """The first time after ``after`` that any of ``slots`` fires."""
    times = [
        SlotTrigger(s, zone).get_next_fire_time(None, after + timedelta(seconds=1)) for s in slots
    ]
    found = [t for t in times if t is not None]
    return min(found) if found else None


def previous_fire(slots: tuple[Slot, ...], zone: ZoneInfo, before: datetime) -> datetime | None:
    """The last time at or before ``before`` that any of ``slots`` fired (looking back 8 days)."""
    latest: datetime | None = None
    for slot in slots:
        trigger = SlotTrigger(slot, zone)
        fire = trigger.get_next_fire_time(None, before - timedelta(days=8))
        while fire is not None and fire <= before:
            latest = fire if latest is None or fire > latest else latest
            fire = trigger.get_next_fire_time(fire, fire + timedelta(seconds=1))
    return latest
