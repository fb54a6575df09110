"""The plan: booked work laid over the maker's working hours, earliest deadline first.

``build_plan`` reads the orders from the store and lays their estimated hours out day by day from
``now``; ``render_plan_text`` says the next weeks in the maker's language. ``banco.inbox.routines.ics`` turns
the same plan into a calendar file.

Which orders are planned: ``booked``, ``in_progress`` and ``awaiting_client`` (work can go on while
the maker waits on the customer, for instance for a colour choice on one piece of a set). Orders
with no estimate are listed so the maker can add one. A deadline is met when the work ends within
the working day of the deadline's date. Work is counted in whole minutes so that fractions of an
hour add up exactly.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date

from banco.inbox.i18n.money import locale_of
from banco.inbox.i18n.words import day_and_month, number, say
from banco.inbox.i18n.words import hours as hours_words
from banco.inbox.store import orders
from banco.inbox.store.database import Store
from banco.inbox.store.tasks import open_tasks_due_between

#: The statuses whose work is laid out in the plan.
PLANNED = ("booked", "in_progress", "awaiting_client")
#: How far the plan looks ahead at most, in days.
MAX_DAYS = 366
#: The plan prints this many deadlines a day, and this many orders in each list (the rest are
#: counted, with the command that lists them): a plan read in a minute, whatever the shop's size.
PER_DAY = 5
PER_LIST = 10
DAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class Block:
    """Work on one order during one day, in the shop's local time."""

    ref: str
    title: str
    start: datetime
    end: datetime
    hours: float
    contact: str = ""

    @property
    def date(self) -> date:
        return self.start.date()


@dataclass
class DayPlan:
    """One calendar day: its working hours, the hours still free for work, what is planned."""

    date: date
    day_hours: float
    available_hours: float
    blocks: list[Block] = field(default_factory=list)
    tasks: list[dict[str, Any]] = field(default_factory=list)

    @property
    def free_hours(self) -> float:
        return round(self.available_hours - sum(b.hours for b in self.blocks), 4)


@dataclass(frozen=True)
class PlanWarning:
    """An order that will not be ready by its deadline (``short_hours`` of its work fall after
    it), or one whose deadline has already passed (``overdue``)."""

    ref: str
    title: str
    deadline: date
    short_hours: float
    overdue: bool = False


@dataclass(frozen=True)
class Deadline:
    """The deadline of an open order, planned or not: the calendar shows them all."""

    ref: str
    title: str
    date: date
    contact: str = ""


@dataclass
class Plan:
    days: list[DayPlan]
    warnings: list[PlanWarning]
    unestimated: list[dict[str, Any]]
    generated_at: datetime
    deadlines: list[Deadline] = field(default_factory=list)

    @property
    def blocks(self) -> list[Block]:
        return [block for day in self.days for block in day.blocks]


@dataclass
class _Work:
    order: dict[str, Any]
    minutes: int
    late_minutes: int = 0


def build_plan(
    store: Store,
    plan_config: Mapping[str, Any],
    zone: ZoneInfo,
    now: datetime,
    *,
    calendar: bool = False,
) -> Plan:
    """Lay out the planned orders' work from ``now`` over the working hours in ``plan_config``
    (the ``[plan]`` section: ``hours``, ``day_starts``, ``days_off``, ``weeks``). Its deadlines
    are those of the weeks shown; with ``calendar``, every deadline ahead (for plan.ics)."""
    local_now = now.astimezone(zone)
    today = local_now.date()
    orders = _planned_orders(store)
    queue = [
        _Work(o, max(1, round(o["estimated_hours"] * 60)))
        for o in sorted(orders, key=_deadline_first)
        if (o["estimated_hours"] or 0) > 0
    ]
    shown_until = today + timedelta(days=7 * int(plan_config.get("weeks", 2)) - 1)
    days = _lay_out(queue, plan_config, zone, local_now, shown_until)
    _add_tasks(store, days)
    return Plan(
        days=days,
        warnings=_warnings(orders, queue, today),
        unestimated=[o for o in orders if not (o["estimated_hours"] or 0) > 0],
        generated_at=now,
        # the calendar holds every deadline ahead; the plan, those of the days it shows
        deadlines=_open_deadlines(store, None if calendar else (today, shown_until)),
    )


def _planned_orders(store: Store) -> list[dict[str, Any]]:
    return orders.in_statuses(store, PLANNED)


def _open_deadlines(store: Store, days: tuple[date, date] | None) -> list[Deadline]:
    since, until = (day.isoformat() for day in days) if days else (None, None)
    rows = orders.open_with_deadline(store, until, since=since)
    return [
        Deadline(r["ref"], r["title"], date.fromisoformat(r["deadline"]), r["contact"])
        for r in rows
    ]


def _deadline_first(order: dict[str, Any]) -> tuple[bool, str, int]:
    """Earliest deadline first; orders with no deadline last, oldest first."""
    return (order["deadline"] is None, order["deadline"] or "", order["id"])


def working_window(
    day: date, plan_config: Mapping[str, Any], zone: ZoneInfo
) -> tuple[datetime, datetime] | None:
    """When the maker works on ``day`` (local, aware), or None on a day off or a 0-hour day."""
    hours = float(plan_config.get("hours", {}).get(DAY_KEYS[day.weekday()], 0))
    if hours <= 0 or day.isoformat() in set(plan_config.get("days_off", [])):
        return None
    hour, minute = (int(part) for part in str(plan_config.get("day_starts", "09:00")).split(":"))
    start = datetime.combine(day, time(hour, minute), tzinfo=zone)
    # Wall-clock arithmetic: a 6-hour day starting at 09:00 ends at 15:00 even across a DST change.
    return start, start + timedelta(minutes=round(hours * 60))


def _free_window(
    day: date, plan_config: Mapping[str, Any], zone: ZoneInfo, local_now: datetime
) -> tuple[datetime, int, float]:
    """(first free moment, free minutes, the day's working hours) for ``day``; today only counts
    what is left after ``local_now``."""
    window = working_window(day, plan_config, zone)
    if window is None:
        return datetime.combine(day, time(), tzinfo=zone), 0, 0.0
    start, end = window
    day_hours = (end - start).total_seconds() / 3600
    if local_now > start:
        start = _next_minute(local_now)
    return start, max(0, int((end - start).total_seconds() // 60)), day_hours


def _next_minute(moment: datetime) -> datetime:
    whole = moment.replace(second=0, microsecond=0)
    return whole if whole == moment else whole + timedelta(minutes=1)


def _lay_out(
    queue: list[_Work],
    plan_config: Mapping[str, Any],
    zone: ZoneInfo,
    local_now: datetime,
    shown_until: date,
) -> list[DayPlan]:
    days: list[DayPlan] = []
    pending = [work for work in queue if work.minutes > 0]
    day = local_now.date()
    for _ in range(MAX_DAYS):
        if not pending and day > shown_until:
            break
        cursor, free, day_hours = _free_window(day, plan_config, zone, local_now)
        plan = DayPlan(day, day_hours, free / 60)
        while pending and free > 0:
            work = pending[0]
            minutes = min(work.minutes, free)
            plan.blocks.append(_block(work, cursor, minutes))
            _spend(work, day, minutes)
            cursor += timedelta(minutes=minutes)
            free -= minutes
            if work.minutes == 0:
                pending.pop(0)
        days.append(plan)
        day += timedelta(days=1)
    for work in pending:  # still not placed after a year: all of it is late
        work.late_minutes += work.minutes
    return days


def _block(work: _Work, start: datetime, minutes: int) -> Block:
    order = work.order
    end = start + timedelta(minutes=minutes)
    return Block(order["ref"], order["title"], start, end, minutes / 60, order["contact"])


def _spend(work: _Work, day: date, minutes: int) -> None:
    work.minutes -= minutes
    deadline = work.order["deadline"]
    if deadline is not None and day > date.fromisoformat(deadline):
        work.late_minutes += minutes


def _warnings(orders: list[dict[str, Any]], queue: list[_Work], today: date) -> list[PlanWarning]:
    late = {work.order["id"]: work.late_minutes for work in queue}
    warnings = []
    for order in orders:
        if order["deadline"] is None:
            continue
        deadline = date.fromisoformat(order["deadline"])
        short = late.get(order["id"], 0)
        overdue = deadline < today
        if short or overdue:
            warnings.append(
                PlanWarning(order["ref"], order["title"], deadline, short / 60, overdue)
            )
    return sorted(warnings, key=lambda w: (w.deadline, w.ref))


def _add_tasks(store: Store, days: list[DayPlan]) -> None:
    """Put the open tasks of open orders on the day they are due."""
    if not days:
        return
    by_day = {day.date.isoformat(): day for day in days}
    rows = open_tasks_due_between(store, days[0].date.isoformat(), days[-1].date.isoformat())
    for row in rows:
        by_day[row["due"]].tasks.append(row)


# --- Text -------------------------------------------------------------------------------------


def render_plan_text(plan: Plan, lang: str, weeks: int) -> str:
    """The next ``weeks`` weeks day by day, then the warnings and the orders with no estimate."""
    shown = plan.days[: 7 * weeks]
    if not shown:
        return ""
    start, end = (format_day(day.date, lang) for day in (shown[0], shown[-1]))
    lines = [say(lang, "plan_title", start=start, end=end)]
    due = _deadlines_by_day(plan)
    for day in shown:
        lines.extend(_day_lines(day, due.get(day.date, []), lang))
    lines.extend(_later_lines(plan, len(shown), lang))
    lines.extend(_warning_lines(plan, lang))
    lines.extend(_unestimated_lines(plan, lang))
    return "\n".join(lines) + "\n"


def format_day(day: date, lang: str) -> str:
    """ "Mon 23 Nov", "lun 23 nov", "lun. 23 nov." (Babel's, for the maker's locale)."""
    return format_date(day, "EEE d MMM", locale=locale_of(lang))


def format_hours(hours: float, lang: str) -> str:
    """ "6 h", "1.5 h" (or "1,5 h" in Italian and French)."""
    return number(hours, lang) + " h"


def _deadlines_by_day(plan: Plan) -> dict[date, list[Deadline]]:
    due: dict[date, list[Deadline]] = {}
    for deadline in plan.deadlines:
        due.setdefault(deadline.date, []).append(deadline)
    return due


def _day_lines(day: DayPlan, deadlines: list[Deadline], lang: str) -> list[str]:
    label = format_day(day.date, lang) + ": "
    items = [
        f"{b.start:%H:%M}-{b.end:%H:%M} {b.ref} {b.title} ({format_hours(b.hours, lang)})"
        for b in day.blocks
    ]
    if day.day_hours == 0:
        items.append(say(lang, "plan_day_off"))
    elif day.available_hours == 0 and not day.blocks:
        items.append(say(lang, "plan_day_over"))
    elif not day.blocks:
        items.append(say(lang, "plan_free", hours=format_hours(day.free_hours, lang)))
    elif day.free_hours > 0:
        items.append(say(lang, "plan_free_left", hours=format_hours(day.free_hours, lang)))
    items += [say(lang, "plan_task", ref=t["ref"], title=t["title"]) for t in day.tasks[:PER_DAY]]
    items += _more(len(day.tasks) - PER_DAY, "banco tasks", lang)
    items += [say(lang, "plan_due", ref=d.ref, title=d.title) for d in deadlines[:PER_DAY]]
    items += _more(len(deadlines) - PER_DAY, "banco status", lang)
    indent = " " * len(label)
    return [label + items[0]] + [indent + item for item in items[1:]]


def _later_lines(plan: Plan, shown: int, lang: str) -> list[str]:
    later = [block for day in plan.days[shown:] for block in day.blocks]
    if not later:
        return []
    hours = format_hours(sum(b.hours for b in later), lang)
    return [say(lang, "plan_later", hours=hours, date=format_day(later[-1].date, lang))]


def _warning_lines(plan: Plan, lang: str) -> list[str]:
    if not plan.warnings:
        return []
    lines = ["", say(lang, "plan_warnings", n=len(plan.warnings))]
    lines += ["  " + warning_text(w, lang) for w in plan.warnings[:PER_LIST]]
    return lines + [
        "  " + line for line in _more(len(plan.warnings) - PER_LIST, "banco status", lang)
    ]


def warning_text(warning: PlanWarning, lang: str) -> str:
    """ "B-0042 (Rossi wedding favours) cannot be ready by 1 December: 9 hours short" """
    deadline = day_and_month(warning.deadline, lang)
    values = {"ref": warning.ref, "title": warning.title, "deadline": deadline}
    if not warning.short_hours:
        return say(lang, "plan_overdue", **values)
    hours = hours_words(warning.short_hours, lang)
    return say(
        lang, "plan_overdue_left" if warning.overdue else "plan_short", hours=hours, **values
    )


def _unestimated_lines(plan: Plan, lang: str) -> list[str]:
    if not plan.unestimated:
        return []
    lines = ["", say(lang, "plan_unestimated", n=len(plan.unestimated))]
    for order in plan.unestimated[:PER_LIST]:
        lines.append("  " + say(lang, "plan_estimate", ref=order["ref"], title=order["title"]))
    where = "banco orders --status booked"
    return lines + ["  " + line for line in _more(len(plan.unestimated) - PER_LIST, where, lang)]


def _more(left: int, where: str, lang: str) -> list[str]:
    """ "and 12 more: banco status" when ``left`` is more than none."""
    return [say(lang, "more", n=number(left, lang), where=where)] if left > 0 else []
