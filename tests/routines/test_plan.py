"""The plan: work laid over working hours, deadline warnings, the text and the calendar file.

The clock shows Friday 20 November 2026, 09:00 UTC: 10:00 in Rome, with 5 of the day's 6 working
hours (09:00-15:00) left.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from conftest import NOW
from icalendar import Calendar

from banco.inbox.clock import iso
from banco.inbox.orders.pipeline import create_order, format_ref, set_status, update_fields
from banco.inbox.routines.ics import plan_ics, write_plan_ics
from banco.inbox.routines.plan import Plan, build_plan, render_plan_text
from banco.inbox.shop import Shop
from banco.inbox.store.database import Store

ROME = ZoneInfo("Europe/Rome")


@pytest.fixture
def shop(write_shop: Callable[..., Path], open_shop: Callable[[Path], Shop]) -> Shop:
    return open_shop(write_shop())


def add_order(
    store: Store,
    title: str,
    hours: float | None,
    deadline: str | None = None,
    *,
    status: str = "booked",
    customer: str = "",
) -> str:
    """An order made the way Banco makes them, moved to ``status``; returns its reference."""
    contact_id = None
    if customer:
        contact_id = store.insert("contacts", {"name": customer, "created_at": iso(NOW)})
    order_id = create_order(store, "B", NOW, contact_id=contact_id, title=title, account="test")
    ref = format_ref("B", order_id)
    update_fields(store, ref, {"estimated_hours": hours, "deadline": deadline}, NOW)
    set_status(store, ref, status, NOW)
    return ref


def plan_of(shop: Shop, now: datetime = NOW, calendar: bool = False) -> Plan:
    config = shop.config
    return build_plan(shop.store, config.plan, config.shop.timezone, now, calendar=calendar)


def layout(plan: Plan) -> list[tuple[str, str, str, str, float]]:
    """(ref, day, start, end, hours) of every block, in local time."""
    return [
        (b.ref, b.date.isoformat(), f"{b.start:%H:%M}", f"{b.end:%H:%M}", b.hours)
        for b in plan.blocks
    ]


def test_earliest_deadline_first_over_several_days_splitting_orders(shop: Shop) -> None:
    store = shop.store
    late = add_order(store, "Mugs", 8, "2026-11-30")
    undated = add_order(store, "Vase", 3, status="in_progress")
    early = add_order(store, "Plates", 4, "2026-11-24")

    plan = plan_of(shop)

    assert layout(plan) == [
        (early, "2026-11-20", "10:00", "14:00", 4),
        (late, "2026-11-20", "14:00", "15:00", 1),
        (late, "2026-11-23", "09:00", "15:00", 6),
        (late, "2026-11-24", "09:00", "10:00", 1),
        (undated, "2026-11-24", "10:00", "13:00", 3),
    ]
    assert plan.warnings == []
    assert sum(b.hours for b in plan.blocks if b.ref == late) == 8


def test_today_counts_only_the_hours_left(shop: Shop) -> None:
    add_order(shop.store, "Mugs", 10, "2026-12-10")
    mid_morning = datetime(2026, 11, 20, 10, 17, 30, tzinfo=UTC)  # 11:17:30 in Rome

    plan = plan_of(shop, mid_morning)

    today = plan.days[0]
    assert today.date == date(2026, 11, 20)
    assert (today.day_hours, today.available_hours) == (6, pytest.approx(3.7))
    assert layout(plan)[0][2:] == ("11:18", "15:00", pytest.approx(3.7))
    assert sum(b.hours for b in plan.blocks) == pytest.approx(10)


def test_after_the_working_day_today_has_no_hours(shop: Shop) -> None:
    add_order(shop.store, "Mugs", 2)
    evening = datetime(2026, 11, 20, 17, 0, tzinfo=UTC)

    plan = plan_of(shop, evening)

    assert plan.days[0].available_hours == 0
    assert layout(plan) == [("B-0001", "2026-11-23", "09:00", "11:00", 2)]


def test_days_off_and_weekends_are_skipped(
    write_shop: Callable[..., Path], open_shop: Callable[[Path], Shop]
) -> None:
    shop = open_shop(
        write_shop(
            """
            [plan]
            hours = { mon = 6, tue = 6, wed = 4, thu = 6, fri = 6, sat = 0 }
            day_starts = "08:30"
            days_off = ["2026-11-23", "2026-11-24"]
            """
        )
    )
    add_order(shop.store, "Mugs", 10)

    plan = plan_of(shop)

    assert layout(plan) == [
        ("B-0001", "2026-11-20", "10:00", "14:30", 4.5),
        ("B-0001", "2026-11-25", "08:30", "12:30", 4),
        ("B-0001", "2026-11-26", "08:30", "10:00", 1.5),
    ]
    off = {d.date.isoformat(): d.available_hours for d in plan.days if not d.day_hours}
    assert off == {
        "2026-11-21": 0,
        "2026-11-22": 0,
        "2026-11-23": 0,
        "2026-11-24": 0,
        "2026-11-28": 0,
        "2026-11-29": 0,
    }
    # The plan covers at least the weeks `banco plan` shows.
    assert (plan.days[0].date, plan.days[-1].date) == (date(2026, 11, 20), date(2026, 12, 3))


def test_two_deadlines_that_cannot_both_be_met(shop: Shop) -> None:
    first = add_order(shop.store, "Rossi wedding favours", 8, "2026-11-23")
    second = add_order(shop.store, "Bianchi plates", 12, "2026-11-24")

    plan = plan_of(shop)

    # Friday 5 h + Monday 6 h + Tuesday 6 h = 17 h before the second deadline; 20 h are needed.
    assert [(w.ref, w.deadline, w.short_hours, w.overdue) for w in plan.warnings] == [
        (second, date(2026, 11, 24), 3, False)
    ]
    assert max(b.end for b in plan.blocks if b.ref == first).date() == date(2026, 11, 23)
    assert "B-0002 (Bianchi plates) cannot be ready by 24 November: 3 hours short" in (
        render_plan_text(plan, "en", 2)
    )


def test_overdue_orders_come_first_and_are_warned(shop: Shop) -> None:
    add_order(shop.store, "Mugs", 4, "2026-11-25")
    overdue = add_order(shop.store, "Bowl", 1.5, "2026-11-18")
    unestimated = add_order(shop.store, "Jug", None, "2026-11-19", status="in_progress")

    plan = plan_of(shop)

    assert layout(plan)[0] == (overdue, "2026-11-20", "10:00", "11:30", 1.5)
    assert [(w.ref, w.short_hours, w.overdue) for w in plan.warnings] == [
        (overdue, 1.5, True),
        (unestimated, 0, True),
    ]
    text = render_plan_text(plan, "en", 1)
    assert "B-0002 (Bowl) was due 18 November: 1.5 hours of work left" in text
    assert "B-0003 (Jug) was due 19 November\n" in text


def test_orders_without_an_estimate_are_listed(shop: Shop) -> None:
    add_order(shop.store, "Mugs", 3)
    booked = add_order(shop.store, "Plates", None, "2026-12-01")
    started = add_order(shop.store, "Vase", 0, status="in_progress")
    add_order(shop.store, "Quoted bowl", None, status="quoted")
    add_order(shop.store, "Done jug", None, status="completed")

    plan = plan_of(shop)

    assert [o["ref"] for o in plan.unestimated] == [booked, started]
    assert {b.ref for b in plan.blocks} == {"B-0001"}
    text = render_plan_text(plan, "en", 2)
    assert "Booked orders with no estimate (2)" in text
    assert "  B-0002 Plates: add an estimate: banco orders estimate B-0002 HOURS" in text


@pytest.mark.parametrize(
    ("zone", "monday"),
    [
        ("Europe/Rome", date(2026, 10, 19)),  # summer time ends on Sunday 25 October
        ("America/New_York", date(2027, 3, 8)),  # daylight saving time starts on Sunday 14 March
    ],
)
def test_blocks_keep_their_local_times_across_a_dst_change(
    write_shop: Callable[..., Path],
    open_shop: Callable[[Path], Shop],
    zone: str,
    monday: date,
) -> None:
    header = f'[shop]\nname = "Test shop"\ntimezone = "{zone}"\n'
    shop = open_shop(write_shop("[plan]\nhours = { mon = 6, wed = 6, sun = 6 }\n", header=header))
    add_order(shop.store, "Mugs", 24)
    local = ZoneInfo(zone)
    now = datetime.combine(monday, time(8), tzinfo=local)

    plan = plan_of(shop, now)

    days = [monday + timedelta(days=n) for n in (0, 2, 6, 7)]
    assert layout(plan) == [("B-0001", d.isoformat(), "09:00", "15:00", 6) for d in days]
    offsets = {b.start.utcoffset() for b in plan.blocks}
    assert len(offsets) == 2  # the same local hours, on both sides of the change
    assert all(b.end - b.start == timedelta(hours=6) for b in plan.blocks)


def test_calendar_file_parses_back_with_stable_uids(shop: Shop) -> None:
    store = shop.store
    add_order(store, "Rossi wedding favours", 8, "2026-11-23", customer="Anna Rossi")
    add_order(store, "Plates", 2)
    add_order(store, "Quoted bowl", None, "2026-12-05", status="quoted")
    add_order(store, "Old jug", 3, "2026-11-21", status="completed")

    first = plan_ics(plan_of(shop, calendar=True), "Test shop", ROME)
    later = plan_of(shop, NOW + timedelta(minutes=30), calendar=True)
    second = plan_ics(later, "Test shop", ROME)

    calendar = Calendar.from_ical(first)
    assert str(calendar["PRODID"]) == "-//Banco//plan//EN"
    assert str(calendar["X-WR-CALNAME"]) == "Test shop plan"
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Rome"]
    events = {str(e["UID"]): e for e in calendar.walk("VEVENT")}
    assert sorted(events) == [
        "B-0001-20261120-1@banco",
        "B-0001-20261123-1@banco",
        "B-0001-deadline@banco",
        "B-0002-20261123-1@banco",
        "B-0003-deadline@banco",
    ]
    assert sorted(str(e["UID"]) for e in Calendar.from_ical(second).walk("VEVENT")) == sorted(
        events
    )

    friday = events["B-0001-20261120-1@banco"]
    start, end = friday.decoded("DTSTART"), friday.decoded("DTEND")
    assert (start, end) == (
        datetime(2026, 11, 20, 10, tzinfo=ROME),
        datetime(2026, 11, 20, 15, tzinfo=ROME),
    )
    assert str(start.tzinfo) == "Europe/Rome"
    assert friday.decoded("DTSTAMP") == NOW
    assert str(friday["SUMMARY"]) == "B-0001 Rossi wedding favours"
    assert str(friday["DESCRIPTION"]) == "Customer: Anna Rossi"

    deadline = events["B-0001-deadline@banco"]
    assert deadline.decoded("DTSTART") == date(2026, 11, 23)
    assert deadline.decoded("DTEND") == date(2026, 11, 24)
    assert str(deadline["SUMMARY"]) == "Deadline: B-0001 Rossi wedding favours"

    assert b"DTSTART;TZID=Europe/Rome:20261120T100000" in first

    path = write_plan_ics(shop.home, first)
    assert path == shop.home / "plan.ics"
    assert path.read_bytes() == first
    assert not list(shop.home.glob("*.tmp"))


def test_text_in_english_and_italian(shop: Shop) -> None:
    store = shop.store
    order = add_order(store, "Rossi wedding favours", 7.5, "2026-11-23")
    store.insert(
        "tasks",
        {"order_id": 1, "title": "send the proof", "due": "2026-11-24", "created_at": iso(NOW)},
    )
    plan = plan_of(shop)
    assert order == "B-0001"

    assert render_plan_text(plan, "en", 1) == (
        "Plan from Fri 20 Nov to Thu 26 Nov\n"
        "Fri 20 Nov: 10:00-15:00 B-0001 Rossi wedding favours (5 h)\n"
        "Sat 21 Nov: day off\n"
        "Sun 22 Nov: day off\n"
        "Mon 23 Nov: 09:00-11:30 B-0001 Rossi wedding favours (2.5 h)\n"
        "            3.5 h free\n"
        "            deadline: B-0001 Rossi wedding favours\n"
        "Tue 24 Nov: free (6 h)\n"
        "            task: B-0001 send the proof\n"
        "Wed 25 Nov: free (6 h)\n"
        "Thu 26 Nov: free (6 h)\n"
    )
    italian = render_plan_text(plan, "it", 1)
    assert italian.startswith("Piano da ven 20 nov a gio 26 nov\n")
    assert "lun 23 nov: 09:00-11:30 B-0001 Rossi wedding favours (2,5 h)\n" in italian
    assert "sab 21 nov: non lavorativo\n" in italian
    assert "mar 24 nov: libero (6 h)\n" in italian


def test_italian_warnings_and_work_after_the_window(shop: Shop) -> None:
    add_order(shop.store, "Bomboniere", 37, "2026-11-24")
    plan = plan_of(shop)

    text = render_plan_text(plan, "it", 1)

    assert "Dopo: altre 8 h di lavoro, fino a lun 30 nov" in text
    assert "Scadenze a rischio (1)" in text
    assert "B-0001 (Bomboniere), scadenza 24 novembre: non sarà pronto, mancano 20 ore" in text


def test_an_italian_warning_on_the_8th_needs_no_article(shop: Shop) -> None:
    """Italian writes "l'8 dicembre", never "il 8": the warning names its deadline as a label."""
    add_order(shop.store, "Bomboniere", 37, "2026-11-08")  # passed
    text = render_plan_text(plan_of(shop), "it", 1)
    assert "B-0001 (Bomboniere), scadenza 8 novembre passata: restano 37 ore di lavoro" in text
    assert "il 8" not in text


def test_a_year_at_most(write_shop: Callable[..., Path], open_shop: Callable[[Path], Shop]) -> None:
    shop = open_shop(write_shop("[plan]\nhours = { mon = 0 }\n"))
    add_order(shop.store, "Mugs", 5, "2026-12-01")

    calendar, plan = plan_of(shop, calendar=True), plan_of(shop)

    assert calendar.blocks == plan.blocks == []
    assert (len(calendar.days), len(plan.days)) == (366, 14)  # the plan shows its two weeks
    for laid_out in (calendar, plan):
        assert [(w.ref, w.short_hours) for w in laid_out.warnings] == [("B-0001", 5)]


def test_french_text_and_calendar(shop: Shop) -> None:
    add_order(shop.store, "Assiettes", 12, "2026-11-23", customer="Claire Martin")
    plan = plan_of(shop)

    text = render_plan_text(plan, "fr", 1)
    calendar = Calendar.from_ical(plan_ics(plan, "Atelier", ROME, lang="fr"))

    assert text.startswith("Planning du ven. 20 nov. au jeu. 26 nov.\n")
    assert (
        "B-0001 (Assiettes) ne peut pas être prêt pour le 23 novembre : il manque 1 heure" in text
    )
    assert str(calendar["X-WR-CALNAME"]) == "Atelier : planning"
    summaries = sorted(str(e["SUMMARY"]) for e in calendar.walk("VEVENT"))
    assert summaries[-1] == "Échéance : B-0001 Assiettes"
    assert {str(e["DESCRIPTION"]) for e in calendar.walk("VEVENT")} == {"Client : Claire Martin"}


def test_a_busy_day_shows_five_deadlines_and_counts_the_rest(shop: Shop) -> None:
    refs = [
        add_order(shop.store, f"Mug {i}", None, "2026-11-23", status="quoted") for i in range(8)
    ]
    for i in range(12):
        add_order(shop.store, f"Bowl {i}", 1, "2026-11-19")  # overdue: due yesterday
    for i in range(11):
        add_order(shop.store, f"Vase {i}", None)

    text = render_plan_text(plan_of(shop), "en", 2)

    monday = text[text.index("Mon 23 Nov") : text.index("Tue 24 Nov")]
    assert [ref for ref in refs if ref in monday] == refs[:5]
    assert "and 3 more: banco status" in monday
    warnings = text[text.index("Deadlines at risk") : text.index("Booked orders with no")]
    assert warnings.count("Bowl") == 10 and "and 2 more: banco status" in warnings
    assert text.count("Vase") == 10 and "and 1 more: banco orders --status booked" in text


def test_reading_the_plan_writes_no_calendar_file_ics_writes_it(
    write_shop: Callable[..., Path], run: Callable[..., Any]
) -> None:
    home = write_shop()
    shown = run("--home", str(home), "plan")
    assert shown.exit_code == 0 and not (home / "plan.ics").exists()
    assert "`banco plan --ics` writes the calendar file" in shown.output
    printed = run("--home", str(home), "plan", "--ics")
    assert printed.output == (home / "plan.ics").read_text()
    assert "the plan routine rewrites it each morning" in run("--home", str(home), "plan").output


def test_the_plan_reads_the_deadlines_it_shows_the_calendar_every_one(shop: Shop) -> None:
    soon = add_order(shop.store, "Mugs", None, "2026-11-26", status="quoted")
    spring = add_order(shop.store, "Vases", None, "2027-03-01", status="quoted")
    assert [d.ref for d in plan_of(shop).deadlines] == [soon]  # the two weeks shown
    assert [d.ref for d in plan_of(shop, calendar=True).deadlines] == [soon, spring]


def test_a_day_shows_its_first_tasks_and_counts_them_all(shop: Shop) -> None:
    """A day's tasks are read as its deadlines are: the first five, in the order they were made,
    and how many there are; the calendar holds every one."""
    store = shop.store
    add_order(store, "Rossi wedding favours", 1, "2026-11-30")
    for n in range(1, 9):
        store.insert(
            "tasks",
            {"order_id": 1, "title": f"glaze {n}", "due": "2026-11-24", "created_at": iso(NOW)},
        )
    store.insert(  # done: never shown nor counted
        "tasks",
        {
            "order_id": 1,
            "title": "glaze 0",
            "due": "2026-11-24",
            "created_at": iso(NOW),
            "done_at": iso(NOW),
        },
    )
    tuesday = next(day for day in plan_of(shop).days if day.date == date(2026, 11, 24))
    assert [t["title"] for t in tuesday.tasks] == [f"glaze {n}" for n in range(1, 6)]
    assert tuesday.tasks_count == 8
    text = render_plan_text(plan_of(shop), "en", 1)
    assert "task: B-0001 glaze 5\n" in text and "glaze 6" not in text
    assert "3 more" in text
    calendar = next(d for d in plan_of(shop, calendar=True).days if d.date == date(2026, 11, 24))
    assert len(calendar.tasks) == calendar.tasks_count == 8
