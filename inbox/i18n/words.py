"""The words of the digest, the plan and the day's screens, in the maker's language.

``say(lang, key)`` looks a named English phrase up in the gettext catalogs (``routines.po``):
one mechanism for every screen, the key only names the phrase. Dates, lengths of time and hours
are Babel's, in the locale of ``lang``.
"""

from __future__ import annotations

from datetime import date, timedelta

from babel.dates import format_date
from babel.numbers import format_decimal
from babel.units import format_unit

from banco.inbox.i18n.catalogs import N_, translations
from banco.inbox.i18n.money import locale_of

#: each phrase by name, in English; the catalogs hold it in Italian and French
WORDS: dict[str, str] = {
    "you_wait": N_("Customers you are waiting for ({n})"),
    "since_ago": N_("for {age}"),
    "quote_unanswered": N_("quote unanswered"),
    "time_to_nudge": N_("time for a friendly reminder"),
    "plan_today": N_("Today's work"),
    "checkins": N_("Past clients worth a note ({n})"),
    "checkin_line": N_('{contact}: "{title}" ({ref}) was finished {age} ago. A short note?'),
    "gaps": N_("Sources holding messages Banco does not have ({n})"),
    "gap": N_("{account} {stream}: {source} at the source, {stored} in Banco"),
    "digest_title": N_("{shop}: your day, {date}"),
    "nothing": N_("Nothing new: no orders, no messages waiting, no deadlines close."),
    "new_orders": N_("New orders ({n})"),
    "waiting": N_("Messages waiting for your reply ({n})"),
    "waiting_since": N_("waiting for {age}"),
    "uncertain": N_("Replies that may have been sent ({n})"),
    "uncertain_todo": N_(
        "Banco cannot tell whether it went out and never sends it again by itself: look in the chat or your Sent folder, then banco outbox resend {id} if it did not arrive, or banco outbox mark-sent {id} if it did"
    ),
    "scheduled_today": N_("Scheduled replies going out today ({n})"),
    "scheduled_cancel": N_("to stop it: banco outbox cancel {id}"),
    "due": N_("Deadlines in the next {days} days ({n})"),
    "overdue": N_("Overdue ({n})"),
    "due_in": N_("due in {age}"),
    "due_today": N_("due today"),
    "late_by": N_("late by {age}"),
    "failing": N_("Accounts that need attention ({n})"),
    "needs_you": N_("needs you"),
    "will_retry": N_("will retry by itself"),
    "bug": N_("a bug in Banco: please report it"),
    "failed_times": N_("failed {n} times in a row"),
    "failed_once": N_("failed once"),
    "last_ok": N_("last worked {when}"),
    "never_ok": N_("has not worked yet"),
    "unreadable": N_("Messages Banco could not read ({n})"),
    "too_large": N_("Messages too large to download ({n})"),
    "open_original": N_("open the original with: banco messages raw {id} > message.eml"),
    "no_order": N_("no order"),
    "unknown_sender": N_("unknown sender"),
    "ago": N_("{age} ago"),
    "more": N_("and {n} more: {where}"),
    "plan_title": N_("Plan from {start} to {end}"),
    "plan_day_off": N_("day off"),
    "plan_day_over": N_("working day over"),
    "plan_free": N_("free ({hours})"),
    "plan_free_left": N_("{hours} free"),
    "plan_task": N_("task: {ref} {title}"),
    "plan_due": N_("deadline: {ref} {title}"),
    "plan_later": N_("After that: {hours} more work, until {date}"),
    "plan_warnings": N_("Deadlines at risk ({n})"),
    "plan_short": N_("{ref} ({title}) cannot be ready by {deadline}: {hours} short"),
    "plan_overdue": N_("{ref} ({title}) was due {deadline}"),
    "plan_overdue_left": N_("{ref} ({title}) was due {deadline}: {hours} of work left"),
    "plan_unestimated": N_("Booked orders with no estimate ({n})"),
    "plan_estimate": N_("{ref} {title}: add an estimate: banco orders estimate {ref} HOURS"),
    "plan_calendar": N_("{shop} plan"),
    "plan_ics_due": N_("Deadline: {ref} {title}"),
    "plan_ics_customer": N_("Customer: {name}"),
    "plan_calendar_kept": N_(
        "Calendar file for your phone or computer: {path} (the plan routine rewrites it each"
        " morning; `banco plan --ics` now)"
    ),
    "plan_calendar_none": N_(
        "`banco plan --ics` writes the calendar file for your phone or computer ({path})"
    ),
}
#: the units of a rough length of time, largest first, with their length in seconds
_UNITS = (("day", 86400), ("hour", 3600), ("minute", 60))


def say(lang: str, key: str, **values: object) -> str:
    """The phrase ``key`` in ``lang``, its placeholders filled."""
    return translations(lang).gettext(WORDS[key]).format(**values)


def day_and_month(day: date, lang: str) -> str:
    """ "14 December", "14 dicembre", "1er décembre"."""
    text = format_date(day, "d MMMM", locale=locale_of(lang))
    return "1er" + text[1:] if lang == "fr" and day.day == 1 else text


def duration(delta: timedelta, lang: str) -> str:
    """A rough, human length of time: "5 minutes", "3 ore", "2 jours"."""
    seconds = abs(delta.total_seconds())
    if seconds >= 60 * 86400:  # past two months, days stop being a useful unit
        return _length(round(seconds / (30.44 * 86400)), "month", lang)
    for unit, size in _UNITS:
        if seconds >= size or unit == "minute":
            return _length(max(1, int(seconds // size)), unit, lang)
    raise AssertionError("unreachable")


def hours(value: float, lang: str) -> str:
    """ "1 hour", "9 hours", "2,5 ore"."""
    return _length(value, "hour", lang)


def number(value: float, lang: str) -> str:
    """ "2.5", "2,5": at most two decimals."""
    return format_decimal(value, "#,##0.##", locale=locale_of(lang))


def _length(value: float, unit: str, lang: str) -> str:
    """Babel's "2 jours", with a plain space (French puts a no-break one) as in the text around."""
    text = format_unit(value, f"duration-{unit}", length="long", locale=locale_of(lang))
    return text.replace("\N{NO-BREAK SPACE}", " ")
