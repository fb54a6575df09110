"""The digest reads in a minute however busy the shop: what needs the maker today first, then
what is new and the day's work, then the rest; each section counts all its rows and shows ten,
then how many more and the command that lists them."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from busy_shop import BUSY, busy_maildir

from banco.inbox.routines.digest import (
    SECTION_ROWS,
    Digest,
    build_digest,
    render_html,
    render_text,
)

TODAY = date(2026, 11, 20)
NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
#: every section's heading, in the order the digest says them, each with 12 rows
HEADINGS = [
    "Messages waiting for your reply (12)",
    "Overdue (12)",
    "Deadlines at risk (12)",
    "Accounts that need attention (12)",
    "Replies that may have been sent (12)",
    "New orders (12)",
    "Today's work",
    "Scheduled replies going out today (12)",
    "Deadlines in the next 7 days (12)",
    "Customers you are waiting for (12)",
    "Messages Banco could not read (12)",
    "Messages too large to download (12)",
    "Sources holding messages Banco does not have (12)",
    "Past clients worth a note (12)",
]
#: where each section's "and 2 more" sends her, in the same order
WHERE = [
    "banco messages --waiting",
    "banco plan",
    "banco plan",
    "banco check",
    "banco outbox",
    "banco orders",
    "banco plan",
    "banco outbox",
    "banco plan",
    "banco status",
    "banco messages --unreadable",
    "banco messages --unreadable",
    "banco check",
    "banco reply",
]


def full_day(n: int = 12) -> Digest:
    """A digest with ``n`` rows in every section."""
    d = Digest("Bottega", NOW, NOW - timedelta(days=1), 7)
    at, ago = NOW.isoformat(), (NOW - timedelta(days=3)).isoformat()
    rows = range(n)
    d.waiting = [
        {"ref": f"B-{i:04}", "sender": f"W{i}", "channel": "email", "sent_at": ago}
        | {"subject": f"waiting {i}", "text": ""}
        for i in rows
    ]
    d.waiting_count = n
    d.overdue = [
        {"ref": f"B-{i:04}", "contact": f"O{i}", "title": "late", "deadline": "2026-11-10"}
        for i in rows
    ]
    d.overdue_count = d.plan_warnings_count = n
    d.plan_warnings = [f"B-{i:04} cannot be ready" for i in rows]
    d.failing = [
        {"account": f"acct{i}", "error_kind": "needs_you", "last_error": "refused"}
        | {"failures": 2, "last_success_at": None}
        for i in rows
    ]
    d.uncertain = [
        {"id": i, "ref": None, "who": f"U{i}", "handed_over_at": at, "created_at": at}
        | {"subject": None, "text": "maybe"}
        for i in rows
    ]
    d.new_orders = [
        {"ref": f"B-{i:04}", "contact": f"N{i}", "title": "new"} | {"deadline": None} for i in rows
    ]
    d.plan_today = [
        {"ref": f"B-{i:04}", "title": "work", "start": NOW, "end": NOW + timedelta(hours=1)}
        for i in rows
    ]
    d.scheduled_today = [
        {"id": i, "ref": None, "who": f"S{i}", "at": "15:00", "subject": None, "text": "later"}
        for i in rows
    ]
    d.due = [
        {"ref": f"B-{i:04}", "contact": f"D{i}", "title": "soon", "deadline": "2026-11-25"}
        for i in rows
    ]
    d.due_count = n
    d.waiting_on_customers = [
        {"ref": f"B-{i:04}", "contact": f"C{i}", "title": "quoted", "since": ago}
        | {"stale_quote": False, "nudge": False}
        for i in rows[:10]
    ]
    d.waiting_on_customers_count = len(rows)
    d.unreadable = [{"account": "mail", "id": i, "problem": "broken"} for i in rows]
    d.new_orders_count = d.unreadable_count = d.too_large_count = n
    d.too_large = [
        {"account": "mail", "id": i, "sender": None, "subject": "big", "text": "", "size": 9e7}
        for i in rows
    ]
    d.gaps = [
        {"account": f"acct{i}", "stream": "INBOX", "source_count": 9, "stored": 8} for i in rows
    ]
    d.checkins = [
        {"contact": f"K{i}", "title": "mugs", "ref": f"B-{i:04}", "closed_at": ago} for i in rows
    ]
    return d


def test_the_text_says_what_needs_her_today_first_each_section_ten_rows() -> None:
    text = render_text(full_day(), "en", TODAY)
    places = [text.index(heading + "\n") for heading in HEADINGS]
    assert places == sorted(places)
    sections = re.split("\n\n", text.strip())[1:]  # after the title
    assert len(sections) == len(HEADINGS)
    for section, where in zip(sections, WHERE, strict=True):
        first_line, *rows, more = section.split("\n")
        assert more == f"  and 2 more: {where}"
        # a failing account and an uncertain reply take two lines each, a row one
        assert len([r for r in rows if not r.startswith("    ")]) == SECTION_ROWS


def test_the_html_in_the_same_order_and_as_bounded() -> None:
    html = render_html(full_day(), "en", TODAY)
    said = re.findall(r"<h2[^>]*>(.*?)</h2>", html)
    assert [h.replace("&#39;", "'") for h in said] == HEADINGS
    assert html.count("<li>") == len(HEADINGS) * SECTION_ROWS
    mores = re.findall(r'<p class="muted">and 2 more: (.*?)</p>', html)
    assert mores == WHERE


def test_a_section_that_fits_says_no_more() -> None:
    text = render_text(full_day(SECTION_ROWS), "en", TODAY)
    assert "more:" not in text and "Overdue (10)" in text
    assert "more:" not in render_html(full_day(SECTION_ROWS), "en", TODAY)


def test_more_in_her_language() -> None:
    assert "  e altri 2: banco messages --waiting\n" in render_text(full_day(), "it", TODAY)
    assert "  et 2 de plus : banco messages --waiting\n" in render_text(full_day(), "fr", TODAY)


def test_a_first_collect_of_a_busy_mailbox_leaves_a_digest_read_in_a_minute(
    tmp_path: Path, write_shop, run
) -> None:
    home = write_shop(f'\n[[accounts]]\nname = "mail"\n{busy_maildir(tmp_path / "Maildir")}')
    assert run("--home", str(home), "collect").exit_code == 0
    digest = run("--home", str(home), "digest")
    assert digest.exit_code == 0, digest.output
    text = digest.output
    waiting = f"Messages waiting for your reply ({BUSY})"
    assert waiting in text  # the count is true
    # the ones waiting longest first: customer 0 wrote first
    section = text[text.index(waiting) :].split("\n\n")[0].splitlines()
    assert section[1].split()[1:3] == ["Customer", "0"]
    assert len(section) == 1 + SECTION_ROWS + 1
    assert section[-1] == f"  and {BUSY - SECTION_ROWS} more: banco messages --waiting"
    assert len(text.splitlines()) < 80  # was one line per order and per message: 250 here


def test_the_digest_reads_only_the_waiting_messages_it_shows(
    tmp_path: Path, write_shop, run, open_shop
) -> None:
    """A backfill leaves thousands waiting: the digest (and the page /) fetch the ten it shows
    and count the rest, not every waiting message."""
    home = write_shop(f'\n[[accounts]]\nname = "mail"\n{busy_maildir(tmp_path / "Maildir")}')
    assert run("--home", str(home), "collect").exit_code == 0
    shop = open_shop(home)
    d = build_digest(shop.store, "Bottega", NOW, TODAY)
    assert d.waiting_count == BUSY
    assert len(d.waiting) == SECTION_ROWS
    assert d.waiting[0]["sender"].startswith("Customer 0")
