"""The plan: booked work laid over the maker's working hours, earliest deadline first.

``build_plan`` lays the orders' estimated hours end to end from ``now`` over a year of working days:
the store adds up each order's minutes in deadline order and compares them with the minutes the
days hold up to its deadline, so the plan reads whole only the orders on the weeks it shows, the
first warnings and the first orders with no estimate, and counts the rest, whatever the number of
planned orders; the calendar (``calendar=True``) reads every one. ``render_plan_text`` says the
next weeks in the maker's language. ``banco.inbox.routines.ics`` turns the calendar's plan into a
calendar file.

Which orders are planned: ``booked``, ``in_progress`` and ``awaiting_client`` (work can go on while
the maker waits on the customer, for instance for a colour choice on one piece of a set). Orders
with no estimate are listed so the maker can add one. A deadline is met when the work ends within
the working day of the deadline's date. Work is counted in whole minutes so that fractions of an
hour add up exactly.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from itertools import accumulate
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date

from banco.inbox.i18n.money import locale_of
from banco.inbox.i18n.words import day_and_month, number, say
from banco.inbox.i18n.words import hours as hours_words
from banco.inbox.store import orders
from banco.inbox.store.database import Store
from banco.inbox.store.tasks import first_tasks_by_day, open_tasks_due_between

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
    """One calendar day: its working hours, the hours still free for work, what is planned, its
    first ``PER_DAY`` tasks and deadlines of the day with how many there are of each."""

    date: date
    day_hours: float
    available_hours: float
    blocks: list[Block] = field(default_factory=list)
    tasks: list[dict[str, Any]] = field(default_factory=list)
    tasks_count: int = 0
    deadlines: list[Deadline] = field(default_factory=list)
    deadlines_count: int = 0

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
    """The days laid out from today: the weeks shown, or with ``calendar`` every day until the
    work ends. Of the warnings and the orders with no estimate, the first ``PER_LIST`` (every one
    with ``calendar``) and how many there are."""

    days: list[DayPlan]
    warnings: list[PlanWarning]
    warnings_count: int
    unestimated: list[dict[str, Any]]
    unestimated_count: int
    generated_at: datetime
    #: the calendar's: every open order's deadline; the plan's: those its days show
    deadlines: list[Deadline] = field(default_factory=list)
    #: the minutes of work laid after the last of ``days`` (within a year), and the day it ends
    after_minutes: int = 0
    after_until: date | None = None

    @property
    def blocks(self) -> list[Block]:
        return [block for day in self.days for block in day.blocks]

    def later(self, shown: int) -> tuple[float, date | None]:
        """The hours of work after the first ``shown`` days, and the day the work ends."""
        blocks = [block for day in self.days[shown:] for block in day.blocks]
        hours = sum(b.hours for b in blocks) + self.after_minutes / 60
        return hours, self.after_until or (blocks[-1].date if blocks else None)


@dataclass(frozen=True)
class _Day:
    """A day the work can be laid on: its first free moment, its free minutes, its hours."""

    date: date
    start: datetime
    free: int
    hours: float


def build_plan(
    store: Store,
    plan_config: Mapping[str, Any],
    zone: ZoneInfo,
    now: datetime,
    *,
    calendar: bool = False,
    days: int | None = None,
) -> Plan:
    """Lay out the planned orders' work from ``now`` over the working hours in ``plan_config``
    (the ``[plan]`` section: ``hours``, ``day_starts``, ``days_off``, ``weeks``), reading only the
    orders the weeks shown hold, or the first ``days`` (the digest shows today's work only; with
    ``calendar``, every order and every deadline ahead, for plan.ics). The work is laid end to
    end over a year of working days at most: each order's work runs from the minutes of the work
    before it to those plus its own, and the days' free minutes added up tell on which days that
    is."""
    local_now = now.astimezone(zone)
    today = local_now.date()
    hours = _Hours.of(plan_config, zone)
    year = [today + timedelta(days=n) for n in range(MAX_DAYS)]
    fits = [0, *accumulate(hours.free(day, local_now) for day in year)]
    length = days or 7 * int(plan_config.get("weeks", 2))  # the days shown
    work = orders.planned_work(
        store,
        {day.isoformat(): fit for day, fit in zip(year, fits[1:], strict=True)},
        today=today.isoformat(),
        until=fits[-1 if calendar else length],
        limit=None if calendar else PER_LIST,
    )
    placed = min(work.minutes, fits[-1])
    if calendar:  # every day until the work ends, a year at most
        length = max(length, _days_until(fits, work.minutes))
    laid = _lay_out(work.laid, [hours.day(day, local_now) for day in year[:length]], fits)
    unestimated, unestimated_count = orders.unestimated(store, None if calendar else PER_LIST)
    after = placed - min(placed, fits[len(laid)])
    return Plan(
        days=laid,
        warnings=[_warning(row, today) for row in work.late],
        warnings_count=work.late_count,
        unestimated=unestimated,
        unestimated_count=unestimated_count,
        generated_at=now,
        deadlines=_add_deadlines(store, laid, calendar),
        after_minutes=after,
        after_until=year[_days_until(fits, placed) - 1] if after else None,
    )


def _add_deadlines(store: Store, days: list[DayPlan], calendar: bool) -> list[Deadline]:
    """Put the days' first tasks and deadlines on them, read: every one ahead for the calendar,
    the first ``PER_DAY`` of each day shown for the plan."""
    _add_tasks(store, days, calendar)
    if calendar:
        rows = orders.open_with_deadline(store)
    else:
        first, last = days[0].date.isoformat(), days[-1].date.isoformat()
        rows = orders.first_deadlines_by_day(store, first, last, PER_DAY)
    deadlines = [
        Deadline(r["ref"], r["title"], date.fromisoformat(r["deadline"]), r["contact"])
        for r in rows
    ]
    by_day = {day.date: day for day in days}
    for row, deadline in zip(rows, deadlines, strict=True):
        day = by_day.get(deadline.date)
        if day is not None:
            if len(day.deadlines) < PER_DAY:
                day.deadlines.append(deadline)
            # the plan's rows count their day's deadlines; the calendar's are every one
            day.deadlines_count = row.get("count", day.deadlines_count + 1)
    return deadlines


@dataclass(frozen=True)
class _Hours:
    """The ``[plan]`` section's working hours: ``window`` tells when the maker works on a day
    (local, aware), or None on a day off or a 0-hour day."""

    minutes: tuple[int, ...]  # Monday first
    starts: time
    days_off: frozenset[str]
    zone: ZoneInfo

    @classmethod
    def of(cls, plan_config: Mapping[str, Any], zone: ZoneInfo) -> _Hours:
        hours = [float(plan_config.get("hours", {}).get(key, 0)) for key in DAY_KEYS]
        hour, minute = (
            int(part) for part in str(plan_config.get("day_starts", "09:00")).split(":")
        )
        days_off = frozenset(plan_config.get("days_off", []))
        return cls(
            tuple(round(h * 60) if h > 0 else 0 for h in hours), time(hour, minute), days_off, zone
        )

    def window(self, day: date) -> tuple[datetime, datetime] | None:
        minutes = self.minutes[day.weekday()]
        if minutes <= 0 or day.isoformat() in self.days_off:
            return None
        start = datetime.combine(day, self.starts, tzinfo=self.zone)
        # Wall-clock arithmetic: a 6-hour day starting at 09:00 ends at 15:00 across a DST change.
        return start, start + timedelta(minutes=minutes)

    def free(self, day: date, local_now: datetime) -> int:
        """The minutes of work ``day`` has room for; today only counts what is left after
        ``local_now``, a later day every working minute (told without its clock times: the
        plan adds up a year of days)."""
        if day == local_now.date():
            return self.day(day, local_now).free
        return 0 if day.isoformat() in self.days_off else self.minutes[day.weekday()]

    def day(self, day: date, local_now: datetime) -> _Day:
        """``day``'s first free moment, free minutes and working hours."""
        window = self.window(day)
        if window is None:
            return _Day(day, datetime.combine(day, time(), tzinfo=self.zone), 0, 0.0)
        start, end = window
        day_hours = (end - start).total_seconds() / 3600
        if local_now > start:
            start = _next_minute(local_now)
        return _Day(day, start, max(0, int((end - start).total_seconds() // 60)), day_hours)


def _days_until(fits: list[int], minutes: int) -> int:
    """How many days from today ``minutes`` of work take (every day when they do not fit)."""
    if minutes > fits[-1]:
        return len(fits) - 1
    return bisect_right(fits, minutes - 1) if minutes else 0


def _next_minute(moment: datetime) -> datetime:
    whole = moment.replace(second=0, microsecond=0)
    return whole if whole == moment else whole + timedelta(minutes=1)


def _lay_out(laid: list[dict[str, Any]], year: list[_Day], fits: list[int]) -> list[DayPlan]:
    """The days of ``year`` (from today) with the blocks of the ``laid`` orders' work that fall
    on them: an order's work runs from minute ``done - minutes`` to ``done`` of the work laid end
    to end, and day ``n`` holds minutes ``fits[n]`` to ``fits[n + 1]``."""
    days = [DayPlan(day.date, day.hours, day.free / 60) for day in year]
    for order in laid:
        first, last = order["done"] - order["minutes"], order["done"]
        n = bisect_right(fits, first) - 1
        while n < len(days) and fits[n] < last:
            start, end = max(first, fits[n]), min(last, fits[n + 1])
            if end > start:
                days[n].blocks.append(_block(order, year[n].start, start - fits[n], end - start))
            n += 1
    return days


def _block(order: dict[str, Any], day_start: datetime, skip: int, minutes: int) -> Block:
    start = day_start + timedelta(minutes=skip)
    end = start + timedelta(minutes=minutes)
    return Block(order["ref"], order["title"], start, end, minutes / 60, order["contact"])


def _warning(row: dict[str, Any], today: date) -> PlanWarning:
    deadline = date.fromisoformat(row["deadline"])
    return PlanWarning(row["ref"], row["title"], deadline, row["minutes"] / 60, deadline < today)


def _add_tasks(store: Store, days: list[DayPlan], calendar: bool) -> None:
    """Put the open tasks of open orders on the day they are due: every one for the calendar,
    the first ``PER_DAY`` of each day for the plan, and how many there are."""
    if not days:
        return
    by_day = {day.date.isoformat(): day for day in days}
    first, last = days[0].date.isoformat(), days[-1].date.isoformat()
    if calendar:
        rows = open_tasks_due_between(store, first, last)
    else:
        rows = first_tasks_by_day(store, first, last, PER_DAY)
    for row in rows:
        day = by_day[row["due"]]
        day.tasks.append(row)
        day.tasks_count = row.pop("count", day.tasks_count + 1)


# --- Text -------------------------------------------------------------------------------------


def render_plan_text(plan: Plan, lang: str, weeks: int) -> str:
    """The next ``weeks`` weeks day by day, then the warnings and the orders with no estimate."""
    shown = plan.days[: 7 * weeks]
    if not shown:
        return ""
    start, end = (format_day(day.date, lang) for day in (shown[0], shown[-1]))
    lines = [say(lang, "plan_title", start=start, end=end)]
    for day in shown:
        lines.extend(_day_lines(day, lang))
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


def _day_lines(day: DayPlan, lang: str) -> list[str]:
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
    items += _more(day.tasks_count - PER_DAY, "banco tasks", lang)
    items += [say(lang, "plan_due", ref=d.ref, title=d.title) for d in day.deadlines]
    items += _more(day.deadlines_count - len(day.deadlines), "banco status", lang)
    indent = " " * len(label)
    return [label + items[0]] + [indent + item for item in items[1:]]


def _later_lines(plan: Plan, shown: int, lang: str) -> list[str]:
    hours, until = plan.later(shown)
    if until is None:
        return []
    return [say(lang, "plan_later", hours=format_hours(hours, lang), date=format_day(until, lang))]


def _warning_lines(plan: Plan, lang: str) -> list[str]:
    if not plan.warnings:
        return []
    lines = ["", say(lang, "plan_warnings", n=plan.warnings_count)]
    lines += ["  " + warning_text(w, lang) for w in plan.warnings[:PER_LIST]]
    return lines + [
        "  " + line for line in _more(plan.warnings_count - PER_LIST, "banco status", lang)
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
    lines = ["", say(lang, "plan_unestimated", n=plan.unestimated_count)]
    for order in plan.unestimated[:PER_LIST]:
        lines.append("  " + say(lang, "plan_estimate", ref=order["ref"], title=order["title"]))
    where = "banco orders --status booked"
    return lines + ["  " + line for line in _more(plan.unestimated_count - PER_LIST, where, lang)]


def _more(left: int, where: str, lang: str) -> list[str]:
    """ "and 12 more: banco status" when ``left`` is more than none."""
    return [say(lang, "more", n=number(left, lang), where=where)] if left > 0 else []
