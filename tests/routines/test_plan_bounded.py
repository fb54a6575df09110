"""The plan reads what it shows: on any shop (random orders, deadlines, estimates and statuses,
days off, hours per weekday, any moment of the year) the plan of the weeks shown is what laying
every order's work out day by day for a year shows of it, and so is the calendar's whole plan.

``laid_day_by_day`` is the plan as Banco laid it out before it read only what it shows: each day
from today takes the next minutes of the queue (earliest deadline first) until the queue is empty
or a year has passed; a minute laid after its order's deadline day, or not laid within the year,
is a minute short."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from banco.inbox.clock import iso
from banco.inbox.routines.plan import DAY_KEYS, MAX_DAYS, PER_DAY, PER_LIST, build_plan
from banco.inbox.shop import Shop
from banco.inbox.store.orders import PLANNED

ROME = ZoneInfo("Europe/Rome")
START = datetime(2026, 10, 20, 6, 0, tzinfo=UTC)  # summer time ends on 25 October, starts 28 March
STATUSES = (*PLANNED, "quoted", "ready", "completed", "cancelled")


@dataclass
class Day:
    date: date
    day_hours: float
    available_hours: float
    blocks: list[tuple[str, str, datetime, datetime, float, str]] = field(default_factory=list)


def laid_day_by_day(
    orders: list[dict[str, Any]], config: dict[str, Any], now: datetime
) -> tuple[list[Day], list[tuple[str, date, float, bool]], list[str]]:
    """(the days laid out, the warnings by deadline then reference, the unestimated references)."""
    local_now = now.astimezone(ROME)
    today = local_now.date()
    shown_until = today + timedelta(days=7 * config["weeks"] - 1)
    planned = [o for o in orders if o["status"] in PLANNED]
    queue = [
        {"order": o, "minutes": max(1, round(o["estimated_hours"] * 60)), "late": 0}
        for o in sorted(
            planned, key=lambda o: (o["deadline"] is None, o["deadline"] or "", o["id"])
        )
        if (o["estimated_hours"] or 0) > 0
    ]
    pending = list(queue)
    days: list[Day] = []
    day = today
    for _ in range(MAX_DAYS):
        if not pending and day > shown_until:
            break
        hours = float(config["hours"].get(DAY_KEYS[day.weekday()], 0))
        if hours <= 0 or day.isoformat() in config["days_off"]:
            cursor, free, day_hours = datetime.combine(day, time(), tzinfo=ROME), 0, 0.0
        else:
            cursor = datetime.combine(day, time.fromisoformat(config["day_starts"]), tzinfo=ROME)
            end = cursor + timedelta(minutes=round(hours * 60))
            day_hours = (end - cursor).total_seconds() / 3600
            if local_now > cursor:
                whole = local_now.replace(second=0, microsecond=0)
                cursor = whole if whole == local_now else whole + timedelta(minutes=1)
            free = max(0, int((end - cursor).total_seconds() // 60))
        laid = Day(day, day_hours, free / 60)
        while pending and free > 0:
            work = pending[0]
            minutes = min(work["minutes"], free)
            o = work["order"]
            laid.blocks.append(
                (
                    o["ref"],
                    o["title"],
                    cursor,
                    cursor + timedelta(minutes=minutes),
                    minutes / 60,
                    o["contact"],
                )
            )
            work["minutes"] -= minutes
            if o["deadline"] is not None and day > date.fromisoformat(o["deadline"]):
                work["late"] += minutes
            cursor += timedelta(minutes=minutes)
            free -= minutes
            if work["minutes"] == 0:
                pending.pop(0)
        days.append(laid)
        day += timedelta(days=1)
    late = {w["order"]["id"]: w["late"] + w["minutes"] for w in queue}  # not laid: late too
    warnings = []
    for o in planned:
        if o["deadline"] is not None:
            deadline = date.fromisoformat(o["deadline"])
            short = late.get(o["id"], 0)
            if short or deadline < today:
                warnings.append((o["ref"], deadline, short / 60, deadline < today))
    unestimated = [o["ref"] for o in planned if not (o["estimated_hours"] or 0) > 0]
    return days, sorted(warnings, key=lambda w: (w[1], w[0])), unestimated


ORDERS = st.lists(
    st.fixed_dictionaries(
        {
            "status": st.sampled_from(STATUSES),
            # days from today; None: no deadline
            "deadline": st.none() | st.integers(-20, 400),
            # half minutes too: 0.025 h is 1.5 minutes, rounded half to even
            "estimated_hours": st.none() | st.integers(-1, 2400).map(lambda n: n / 120),
            "contact": st.sampled_from(["", "Anna Rossi", "Claire Martin"]),
        }
    ),
    max_size=40,
)
CONFIG = st.fixed_dictionaries(
    {
        "hours": st.dictionaries(
            st.sampled_from(DAY_KEYS), st.sampled_from([0, 0.01, 0.5, 4, 6, 7.75, 8, 12])
        ),
        "day_starts": st.sampled_from(["00:00", "08:30", "09:00", "14:15"]),
        "days_off": st.lists(st.integers(0, 40), max_size=8),
        "weeks": st.integers(1, 4),
    }
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(orders=ORDERS, config=CONFIG, minutes=st.integers(0, 200 * 24 * 60))
def test_the_plan_shows_what_laying_out_every_order_shows(
    write_shop: Callable[..., Path],
    open_shop: Callable[[Path], Shop],
    orders: list[dict[str, Any]],
    config: dict[str, Any],
    minutes: int,
) -> None:
    shows_what_laying_out_every_order_shows(open_shop(write_shop()), orders, config, minutes)


def test_a_plan_of_more_than_a_year_of_work_counts_every_late_order(
    write_shop: Callable[..., Path], open_shop: Callable[[Path], Shop]
) -> None:
    """More work than a year of working days holds: past the warnings shown, the plan counts the
    late orders on the index instead of laying out the rest (every one with a deadline and an
    estimate is late there, and one whose deadline passed), and still says what laying out
    every order says."""
    orders = [
        {
            "status": STATUSES[n % 3],  # the three planned ones
            # a fifth of them passed on the same day, the others due a few on each day
            "deadline": None if n % 9 == 0 else -10 if n % 5 == 0 else (n % 13) * 30 + 20,
            "estimated_hours": None if n % 7 == 0 else (0 if n % 11 == 0 else 40),
            "contact": "",
        }
        for n in range(1, 90)
    ]
    # half an hour a day: a year holds less than five orders
    config = {
        "hours": dict.fromkeys(DAY_KEYS, 0.5),
        "day_starts": "09:00",
        "days_off": [],
        "weeks": 2,
    }
    shows_what_laying_out_every_order_shows(open_shop(write_shop()), orders, config, 0)


def shows_what_laying_out_every_order_shows(
    shop: Shop, orders: list[dict[str, Any]], config: dict[str, Any], minutes: int
) -> None:
    store = shop.store
    now = START + timedelta(minutes=minutes)
    today = now.astimezone(ROME).date()
    config = {
        **config,
        "days_off": [(today + timedelta(days=n)).isoformat() for n in config["days_off"]],
    }
    store.db.execute("delete from orders")
    store.db.execute("delete from contacts")
    rows = []
    for n, order in enumerate(orders, start=1):
        due = order["deadline"]
        row = {
            **order,
            "ref": f"B-{(n * 7919) % 1000:04d}",  # references not in the order of the ids
            "title": f"Order {n}",
            "deadline": None if due is None else (today + timedelta(days=due)).isoformat(),
        }
        contact_id = None
        if order["contact"]:
            contact_id = store.insert(
                "contacts", {"name": order["contact"], "created_at": iso(now)}
            )
        values = {k: row[k] for k in ("ref", "title", "status", "deadline", "estimated_hours")}
        stamps = {"created_at": iso(now), "updated_at": iso(now)}
        row["id"] = store.insert("orders", {**values, **stamps, "contact_id": contact_id})
        rows.append(row)
    days, warnings, unestimated = laid_day_by_day(rows, config, now)
    shown = 7 * config["weeks"]
    plan = build_plan(store, config, ROME, now)
    calendar = build_plan(store, config, ROME, now, calendar=True)

    def laid(plan_days: list[Any]) -> list[Day]:
        return [
            Day(
                d.date,
                d.day_hours,
                d.available_hours,
                [(b.ref, b.title, b.start, b.end, b.hours, b.contact) for b in d.blocks],
            )
            for d in plan_days
        ]

    assert laid(plan.days) == days[:shown]
    assert laid(calendar.days) == days

    def said(plan_warnings: list[Any]) -> list[tuple[str, date, float, bool]]:
        return [(w.ref, w.deadline, w.short_hours, w.overdue) for w in plan_warnings]

    assert said(plan.warnings) == warnings[:PER_LIST] and plan.warnings_count == len(warnings)
    assert said(calendar.warnings) == warnings and calendar.warnings_count == len(warnings)
    assert [o["ref"] for o in plan.unestimated] == unestimated[:PER_LIST]
    assert plan.unestimated_count == calendar.unestimated_count == len(unestimated)
    assert [o["ref"] for o in calendar.unestimated] == unestimated

    later = [b for d in days[shown:] for b in d.blocks]
    hours, until = plan.later(shown)
    assert until == (later[-1][2].date() if later else None)
    assert round(hours * 60) == round(sum(b[4] for b in later) * 60)
    calendar_hours, calendar_until = calendar.later(shown)
    assert (round(calendar_hours * 60), calendar_until) == (round(hours * 60), until)

    # the deadlines of the days shown: open orders, planned or not, the first few of each day
    open_due = sorted(
        (r["deadline"], r["id"], r["ref"])
        for r in rows
        if r["deadline"] is not None and r["status"] not in ("completed", "cancelled")
    )
    for day in plan.days:
        due = [ref for deadline, _id, ref in open_due if deadline == day.date.isoformat()]
        assert [d.ref for d in day.deadlines] == due[:PER_DAY]
        assert day.deadlines_count == len(due)
    assert [d.ref for d in calendar.deadlines] == [ref for _d, _id, ref in open_due]
