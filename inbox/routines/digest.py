"""The daily digest: what came in, who is waiting, what is due, and what went wrong.

It reads in a minute however busy the shop: what needs the maker today comes first (the messages
waiting longest, deadlines passed or at risk, failing accounts, replies that may have been
sent), then the new orders and the day's work, then the rest; each section names its true count
and shows its first ``SECTION_ROWS`` rows, then "and 40 more: banco messages --waiting".

``build_digest`` gathers the facts from the store, ``add_outbox`` the replies the maker must decide
about (they may have been sent) and those going out today; ``render_text`` and
``render_html`` say them in the maker's language. The routine that delivers it by email and
Telegram builds on these.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar, overload

from banco.inbox.clock import iso, parse_iso
from banco.inbox.collect.backfill import summary
from banco.inbox.i18n.words import duration, number, say
from banco.inbox.replies.outbox import uncertain
from banco.inbox.routines.plan import format_day
from banco.inbox.store import accounts, messages, orders, queries
from banco.inbox.store.backfill import Imported, imported_since
from banco.inbox.store.copies import stored_count
from banco.inbox.store.database import Store
from banco.inbox.store.outbox import scheduled_before
from banco.inbox.store.runs import last_run

if TYPE_CHECKING:
    import jinja2

    from banco.inbox.shop import Shop

TEMPLATES = Path(__file__).parent / "templates"
#: the rows a section of the digest shows; its heading counts them all
SECTION_ROWS = 10


Raw = TypeVar("Raw")
Shown = TypeVar("Shown")


class ShownWhenRead(Sequence[Shown], Generic[Raw, Shown]):
    """A section's rows, each made ready to show (a sentence in her words, a row of the page)
    only when read: a digest shows the first few and counts the rest, and formatting thousands
    of rows it never shows cost half a second on a big shop."""

    def __init__(self, rows: Sequence[Raw], show: Callable[[Raw], Shown]) -> None:
        self._rows, self._show = rows, show

    def __len__(self) -> int:
        return len(self._rows)

    @overload
    def __getitem__(self, index: int) -> Shown: ...
    @overload
    def __getitem__(self, index: slice) -> list[Shown]: ...
    def __getitem__(self, index: int | slice) -> Shown | list[Shown]:
        if isinstance(index, slice):
            return [self._show(row) for row in self._rows[index]]
        return self._show(self._rows[index])

    def __iter__(self) -> Iterator[Shown]:
        return (self._show(row) for row in self._rows)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sequence) and list(self) == list(other)

    __hash__ = None  # type: ignore[assignment]


@dataclass
class Digest:
    shop: str
    now: datetime
    since: datetime
    due_days: int
    #: each section below holds its first ``SECTION_ROWS`` rows, and its ``_count`` all of them
    new_orders: list[dict[str, Any]] = field(default_factory=list)
    new_orders_count: int = 0
    #: what first collects imported since the last digest, said in one line instead of listed
    imported: Imported = Imported(past=0, waiting=0)
    #: the first ``SECTION_ROWS`` messages waiting for the maker, and how many wait in all
    waiting: list[dict[str, Any]] = field(default_factory=list)
    waiting_count: int = 0
    #: the first ``SECTION_ROWS`` open orders due within ``due_days`` and past their deadline,
    #: and how many of each in all
    due: list[dict[str, Any]] = field(default_factory=list)
    due_count: int = 0
    overdue: list[dict[str, Any]] = field(default_factory=list)
    overdue_count: int = 0
    failing: list[dict[str, Any]] = field(default_factory=list)
    unreadable: list[dict[str, Any]] = field(default_factory=list)
    unreadable_count: int = 0
    too_large: list[dict[str, Any]] = field(default_factory=list)
    too_large_count: int = 0
    gaps: list[dict[str, Any]] = field(default_factory=list)
    # Filled by the daily routine (deliver.daily_digest): today's plan, whom the maker waits
    # for, and past clients worth a note.
    plan_today: list[dict[str, Any]] = field(default_factory=list)
    #: the plan's first warnings, and how many it has
    plan_warnings: Sequence[str] = field(default_factory=list)
    plan_warnings_count: int = 0
    #: the first ``SECTION_ROWS`` open orders waiting on their customer, and how many in all
    waiting_on_customers: Sequence[dict[str, Any]] = field(default_factory=list)
    waiting_on_customers_count: int = 0
    checkins: list[dict[str, Any]] = field(default_factory=list)
    # Filled by ``add_outbox``: replies that may have been sent (never sent again by themselves:
    # the maker decides), and scheduled replies going out today.
    uncertain: list[dict[str, Any]] = field(default_factory=list)
    scheduled_today: list[dict[str, Any]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not any(
            (
                self.uncertain,
                self.scheduled_today,
                self.plan_today,
                self.plan_warnings,
                self.waiting_on_customers,
                self.checkins,
                self.new_orders,
                self.imported.past,
                self.imported.waiting,
                self.waiting,
                self.due,
                self.overdue,
                self.failing,
                self.unreadable,
                self.too_large,
                self.gaps,
            )
        )


def last_digest_at(store: Store) -> datetime | None:
    return last_run(store, "digest", ok_only=True)


def build_digest(
    store: Store,
    shop: str,
    now: datetime,
    today: date,
    *,
    due_days: int = 7,
    since: datetime | None = None,
) -> Digest:
    """Facts for the digest. ``today`` is the date in the shop's time zone; new orders are those
    created since ``since`` (default: the last delivered digest, or the last 24 hours)."""
    since = since or last_digest_at(store) or now - timedelta(days=1)
    digest = Digest(shop, now, since, due_days)
    digest.new_orders = orders.created_since(store, iso(since) or "", SECTION_ROWS)
    digest.new_orders_count = orders.count_created_since(store, iso(since) or "")
    digest.imported = imported_since(store, iso(since) or "")
    # a reply in the outbox answers a message
    digest.waiting = messages.waiting_with_refs(store, SECTION_ROWS)
    digest.waiting_count = queries.waiting_count(store)
    yesterday, due_by = (
        (today - timedelta(days=1)).isoformat(),
        (today + timedelta(days=due_days)).isoformat(),
    )
    digest.overdue = orders.open_with_deadline(store, yesterday, limit=SECTION_ROWS)
    digest.overdue_count = orders.count_with_deadline(store, yesterday)
    digest.due = orders.open_with_deadline(
        store, due_by, since=today.isoformat(), limit=SECTION_ROWS
    )
    digest.due_count = orders.count_with_deadline(store, due_by, since=today.isoformat())
    digest.failing = accounts.failing_accounts(store)
    digest.unreadable = messages.with_status(store, "unreadable", SECTION_ROWS)
    digest.unreadable_count = messages.count_with_status(store, "unreadable")
    digest.too_large = messages.with_status(store, "too_large", SECTION_ROWS)
    digest.too_large_count = messages.count_with_status(store, "too_large")
    counted = accounts.source_counts(store)
    for row in counted:
        row["stored"] = stored_count(store, row["account"], row["stream"])
    digest.gaps = [row for row in counted if row["source_count"] > row["stored"]]
    return digest


def add_outbox(digest: Digest, shop: Shop) -> None:
    """The replies the digest must mention: each that may have been sent, for the maker to
    decide, and the scheduled ones going out before midnight in her time zone (one whose time
    has passed goes with the next delivery)."""
    zone = shop.config.shop.timezone
    digest.uncertain = [{**row, "who": _recipient(row)} for row in uncertain(shop)]
    tomorrow = digest.now.astimezone(zone).date() + timedelta(days=1)
    midnight = datetime.combine(tomorrow, time(0), tzinfo=zone)
    rows = scheduled_before(shop.store, midnight)
    digest.scheduled_today = [
        {**row, "who": _recipient(row), "at": f"{parse_iso(row['send_at']).astimezone(zone):%H:%M}"}
        for row in rows
    ]


def _recipient(row: dict[str, Any]) -> str:
    """The customer of the reply's order, else the address or chat it is written to."""
    return str(row["customer"] or json.loads(row["to_handle"])[1])


def _environment(lang: str, digest: Digest, today: date) -> jinja2.Environment:
    # imported here: every command imports this module, few render the digest
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        # compiling the digest's templates took a fifth of `banco digest`: Jinja keeps the
        # compiled code in an owner-only folder of the system's temporary directory, checked
        # against each template's text
        bytecode_cache=jinja2.FileSystemBytecodeCache(),
        autoescape=jinja2.select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )

    def age(moment: str) -> str:
        return duration(digest.now - parse_iso(moment), lang)

    def until(day: str) -> str:
        delta = date.fromisoformat(day) - today
        if delta.days == 0:
            return say(lang, "due_today")
        if delta.days < 0:
            return say(lang, "late_by", age=duration(-delta, lang))
        return say(lang, "due_in", age=duration(delta, lang))

    def snippet(row: dict[str, Any]) -> str:
        text = " ".join((row.get("subject") or row["text"] or "").split())
        return text[:70] + ("…" if len(text) > 70 else "")

    def more_line(total: int, where: str) -> str:
        """ "  and 40 more: banco messages --waiting" and its line end, when a section of
        ``total`` rows is cut."""
        left = total - SECTION_ROWS
        return f"  {say(lang, 'more', n=left, where=where)}\n" if left > 0 else ""

    env.globals.update(
        cap=SECTION_ROWS,
        more_line=more_line,
        say=lambda key, **kw: say(lang, key, **kw),
        age=age,
        until=until,
        snippet=snippet,
        day=lambda value: format_day(date.fromisoformat(value), lang),
        megabytes=lambda size: number(round(size / 1048576, 1), lang),
        imported=lambda: summary(digest.imported, lang),
    )
    return env


def render_text(digest: Digest, lang: str, today: date) -> str:
    return (
        _environment(lang, digest, today).get_template("digest.txt").render(d=digest, today=today)
    )


def render_html(digest: Digest, lang: str, today: date) -> str:
    return (
        _environment(lang, digest, today)
        .get_template("digest.html")
        .render(d=digest, today=today, lang=lang)
    )
