"""An account's first large collect is history, not news: a real Maildir of a first 90-day
backfill (answered, closed and still-waiting conversations among a thousand old ones), collected
with the command, then read by the digest in three languages and by the board over HTTP."""

# Fixtures imported from fixtures_web are parameters of the tests below, by name.
# ruff: noqa: F811

from __future__ import annotations

import html
import json
import re
import subprocess
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

import httpx
import pytest
from click.testing import Result
from conftest import SHOP_HEADER
from crashed import BANCO, collect_until_killed
from fixtures_web import web_server  # noqa: F401 (fixture)

from banco.inbox.clock import FixedClock
from banco.inbox.collect.backfill import BACKFILL_RECORDS
from banco.inbox.store.database import Store
from banco.inbox.web import RunningServer

OWNER = "giulia@shop.example"
#: old conversations nobody answered in Banco: the bulk of a first backfill
OLD = BACKFILL_RECORDS


class Mailbox:
    """A Maildir the test writes mail into, dated against the test's clock."""

    def __init__(self, root: Path, clock: FixedClock) -> None:
        self.root = root
        self.clock = clock
        self.count = 0
        for sub in ("cur", "new", "tmp"):
            (root / sub).mkdir(parents=True, exist_ok=True)

    def mail(
        self, sender: str, to: str, subject: str, days_ago: float, replies_to: str = ""
    ) -> str:
        """Deliver one mail sent ``days_ago``; its Message-ID."""
        self.count += 1
        msg = EmailMessage()
        msg["From"] = sender
        msg["To"] = to
        msg["Subject"] = subject
        msg["Date"] = format_datetime(self.clock.now() - timedelta(days=days_ago))
        msg["Message-ID"] = f"<m{self.count}@test.example>"
        if replies_to:
            msg["In-Reply-To"] = replies_to
            msg["References"] = replies_to
        # each asks a price: an inquiry, which triage makes an order (collect/triage.py)
        msg.set_content(f"{subject}\nHow much would it cost?\n")
        (self.root / "cur" / f"{self.count}.test:2,S").write_bytes(msg.as_bytes())
        return str(msg["Message-ID"])


def first_backfill(root: Path, clock: FixedClock) -> Mailbox:
    box = Mailbox(root, clock)
    for n in range(OLD):  # asked 40 to 90 days ago, settled outside Banco
        box.mail(f"old{n}@example.com", OWNER, f"Question {n}", 40 + n % 50)
    asked = box.mail("anna@example.com", OWNER, "Anna: a vase", 30)
    box.mail(OWNER, "anna@example.com", "Re: Anna: a vase", 29, asked)
    asked = box.mail("bruno@example.com", OWNER, "Bruno: six plates", 3)
    box.mail(OWNER, "bruno@example.com", "Re: Bruno: six plates", 2, asked)
    box.mail("carla@example.com", OWNER, "Carla: a teapot", 20)  # never answered, too old
    asked = box.mail("dario@example.com", OWNER, "Dario: cups", 30)
    answer = box.mail(OWNER, "dario@example.com", "Re: Dario: cups", 29, asked)
    box.mail("dario@example.com", OWNER, "Re: Dario: cups", 2, answer)  # still waiting
    box.mail("elena@example.com", OWNER, "Elena: a bowl", 1)  # still waiting
    return box


@pytest.fixture
def backfill(tmp_path: Path, clock: FixedClock) -> Mailbox:
    return first_backfill(tmp_path / "Maildir", clock)


def shop_toml(home: Path, mail: Path, lang: str) -> None:
    header = SHOP_HEADER.replace('languages = ["en"]', f'languages = ["{lang}"]')
    account = f'\n[[accounts]]\nname = "mail"\nkind = "maildir"\npath = "{mail}"\n'
    (home / "banco.toml").write_text(header + account, encoding="utf-8")


@pytest.fixture
def home(tmp_path: Path, backfill: Mailbox, run: Callable[..., Result]) -> Path:
    folder = tmp_path / "shop"
    folder.mkdir()
    shop_toml(folder, backfill.root, "en")
    collected = run("--home", str(folder), "collect")
    assert collected.exit_code == 0, collected.output
    return folder


def histories(home: Path) -> dict[str, str | None]:
    """Each order's customer address and its history mark."""
    store = Store(home)
    try:
        rows = store.all(
            "select h.value, o.history from orders o join handles h on h.contact_id = o.contact_id"
        )
    finally:
        store.close()
    return {row["value"]: row["history"] for row in rows}


def waiting(home: Path) -> dict[str, str | None]:
    """Each customer message's sender and how it was handled, for those no longer waiting."""
    store = Store(home)
    try:
        rows = store.all(
            "select sender_handle, waiting, handled_how from messages where direction = 'in'"
        )
    finally:
        store.close()
    return {r["sender_handle"]: "waiting" if r["waiting"] else r["handled_how"] for r in rows}


def test_a_first_collect_keeps_only_the_conversations_still_waiting_live(home: Path) -> None:
    orders = histories(home)
    assert orders["anna@example.com"] == "past"  # she answered, a month ago
    assert orders["bruno@example.com"] == "past"  # she answered last, two days ago
    assert orders["carla@example.com"] == "past"  # unanswered for 20 days: settled elsewhere
    assert orders["dario@example.com"] == "live"  # he wrote again two days ago
    assert orders["elena@example.com"] == "live"
    assert sum(1 for h in orders.values() if h == "past") == OLD + 3
    messages = waiting(home)
    assert messages["dario@example.com"] == "waiting"
    assert messages["elena@example.com"] == "waiting"
    assert messages["carla@example.com"] == "history"  # not waiting, never said answered
    assert messages["old0@example.com"] == "history"
    assert messages["bruno@example.com"] == "replied"


@pytest.mark.parametrize(
    ("lang", "line"),
    [
        ("en", "1,003 past conversations imported; 2 still waiting for you"),
        ("it", "1.003 conversazioni passate importate; 2 ancora in attesa di una tua risposta"),
        ("fr", "1 003 conversations passées importées ; 2 attendent encore votre réponse"),
    ],
)
def test_the_first_digest_summarises_the_backfill_in_her_language(
    home: Path, backfill: Mailbox, run: Callable[..., Result], lang: str, line: str
) -> None:
    shop_toml(home, backfill.root, lang)
    digest = run("--home", str(home), "digest")
    assert digest.exit_code == 0, digest.output
    said = digest.output.replace("\N{NARROW NO-BREAK SPACE}", " ").replace("\xa0", " ")
    assert line in said
    for customer in ("Anna", "Bruno", "Carla", "Question 7"):  # never listed as new orders
        assert customer not in said


def test_after_the_backfill_new_mail_is_news_again(
    home: Path, backfill: Mailbox, clock: FixedClock, run: Callable[..., Result]
) -> None:
    clock.at += timedelta(days=2)  # the next day's collect, after the first digest
    backfill.mail("fabio@example.com", OWNER, "Fabio: a jug", 0.1)
    backfill.mail("carla@example.com", OWNER, "Carla: about that teapot", 0.1)
    assert run("--home", str(home), "collect").exit_code == 0
    orders = histories(home)
    assert orders["fabio@example.com"] is None  # a new order, as any
    assert orders["carla@example.com"] == "live"  # she wrote again: news
    digest = run("--home", str(home), "digest").output
    assert "New orders (1)" in digest and "Fabio: a jug" in digest
    assert "past conversation" not in digest and "Anna: a vase" not in digest


def test_the_board_holds_past_conversations_out_of_new(
    home: Path, web_server: Callable[..., RunningServer]
) -> None:
    server = web_server(home)
    page = httpx.get(f"{server.url}/orders").text
    new_column = page.split('data-drop="new"', 1)[1].split("</section>", 1)[0]
    past = page.split('<details class="past"', 1)[1].split("</details>", 1)[0]
    assert "Dario: cups" in new_column and "Elena: a bowl" in new_column
    for title in ("Anna: a vase", "Bruno: six plates", "Carla: a teapot", "Question 1"):
        assert title not in new_column
    assert re.search(r"data-count>\s*2\s*<", new_column)
    assert "Past conversations" in past and f'class="count">{OLD + 3}<' in past
    assert "Anna: a vase" in past and "Dario: cups" not in past
    # its "more" leads to a list of the past conversations alone, paged with the count
    more = re.search(r'<p class="more"><a href="([^"]+)"', past)
    assert more is not None
    listed = httpx.get(f"{server.url}{html.unescape(more[1])}").text
    assert f"{OLD + 3} orders, newest first." in listed
    assert "Anna: a vase" in listed and "Dario: cups" not in listed
    live = httpx.get(f"{server.url}/orders?view=list&status=new&past=0").text
    assert "2 orders, newest first." in live and "Anna: a vase" not in live


def test_banco_orders_leaves_the_past_out_and_lists_it_on_request(
    home: Path, run: Callable[..., Result]
) -> None:
    listed = run("--home", str(home), "orders")
    assert "Dario: cups" in listed.output and "Anna: a vase" not in listed.output
    assert f"{OLD + 3:,} past conversations from your first collect: banco orders --past" in (
        listed.output
    )
    past = run("--home", str(home), "orders", "--past", "--json")
    refs = {row["title"] for row in json.loads(past.output)}
    assert len(refs) == OLD + 3 and "Anna: a vase" in refs and "Dario: cups" not in refs
    every = run("--home", str(home), "orders", "--all", "--json")
    assert len(json.loads(every.output)) == OLD + 3 + 2  # --all: every order, past ones too


def test_a_first_collect_killed_and_run_again_files_the_same_history(tmp_path: Path) -> None:
    # real processes on the real clock: the mail is dated against it
    box = first_backfill(tmp_path / "Maildir", FixedClock(datetime.now(UTC)))
    homes = {}
    for name in ("clean", "crashed"):
        homes[name] = tmp_path / name
        homes[name].mkdir()
        shop_toml(homes[name], box.root, "en")
    subprocess.run([*BANCO, "--home", str(homes["clean"]), "collect"], check=True)
    # killed while it files, then past the point where what is left looks small
    for at_least in (200, 700, box.count - 3):
        collect_until_killed(homes["crashed"], at_least)
    subprocess.run([*BANCO, "--home", str(homes["crashed"]), "collect"], check=True)
    clean = (histories(homes["clean"]), waiting(homes["clean"]))
    assert clean[0]["dario@example.com"] == "live" and clean[0]["anna@example.com"] == "past"
    assert (histories(homes["crashed"]), waiting(homes["crashed"])) == clean
