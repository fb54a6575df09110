"""Each command loads its own code: listing orders does not import the guided setup's HTTP
client, the page's server, the collect or the demo (what a command costs at start is measured in
bench/views.py; this holds what it loads)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

#: what `banco orders` has no use for, and what importing it would cost every command
NOT_FOR_ORDERS = (
    "banco.inbox.cli.setup",
    "banco.inbox.setup",
    "banco.inbox.web",
    "banco.inbox.collect.sync",
    "banco.inbox.demo",
    "httpx",
    "uvicorn",
    "starlette",
    "apscheduler",
)

PROBE = """
import sys
from banco.inbox.cli.main import main
sys.argv = ["banco", "--home", sys.argv[1], *sys.argv[2:]]
try:
    main()
finally:
    print(" ".join(sorted(sys.modules)), file=sys.stderr)
"""


def loaded(home: Path, *args: str) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(home), *args], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return set(done.stderr.split())


def test_listing_orders_loads_no_other_commands_code(write_shop) -> None:
    modules = loaded(write_shop(), "orders")
    assert "banco.inbox.cli.orders" in modules
    assert [m for m in NOT_FOR_ORDERS if m in modules] == []


#: what the digest and the reply session's listing have no use for: reading a message for facts
#: (dateparser, a tenth of a second), filing one, and parsing mail (the digest sends none)
NOT_FOR_THE_DIGEST = (
    "dateparser",
    "banco.connectors.email.parse",
    "html2text",
    "banco.inbox.orders.proposals",
    "banco.inbox.collect.ingest",
    "banco.inbox.collect.sync",
)


def test_the_digest_loads_nothing_of_filing(write_shop) -> None:
    modules = loaded(write_shop(), "digest")
    assert "banco.inbox.routines.digest" in modules
    assert [m for m in NOT_FOR_THE_DIGEST if m in modules] == []


#: what a command that only reads an up-to-date store has no use for: sqlite-utils (about 60 ms
#: at import: its regexes, dateutil, and pluggy reading every installed package's entry points)
#: and the migrations, which import it
NOT_FOR_READING = ("sqlite_utils", "pluggy", "banco.inbox.store.migrations")


@pytest.mark.parametrize("command", ["orders", "digest", "status"])
def test_reading_an_up_to_date_store_loads_no_sqlite_utils(write_shop, command: str) -> None:
    from banco.inbox.store.database import Store

    home = write_shop()
    Store(home).close()  # the store made and migrated, as by the shop's first command
    modules = loaded(home, command)
    assert "banco.inbox.store.database" in modules
    assert [m for m in NOT_FOR_READING if m in modules] == []


def test_the_help_still_lists_every_command(write_shop) -> None:
    from banco.inbox.cli.main import COMMANDS

    home = write_shop()
    done = subprocess.run(
        [sys.executable, "-m", "banco.inbox", "--home", str(home), "--help"],
        capture_output=True,
        text=True,
    )
    listed = {line.split()[0] for line in done.stdout.split("Commands:")[1].splitlines() if line}
    assert listed == set(COMMANDS)


#: a real maker's accounts: a mailbox, a bot and a form's sheet, none reached by the commands below
EVERY_KIND = """
[[accounts]]
name = "gmail"
kind = "imap"
host = "imap.gmail.com"
username = "giulia@shop.example"
password = {env = "SHOP_MAIL_PASSWORD"}
sent_folder = "[Gmail]/Sent Mail"

[[accounts]]
name = "bot"
kind = "telegram"
token = {env = "SHOP_BOT_TOKEN"}

[[accounts]]
name = "form"
kind = "gsheet"
spreadsheet = "1AbCdEfGhIjKlMnOpQrStUvWxYz0123456789"
credentials = {file = "service-account.json"}

[[accounts]]
name = "local"
kind = "maildir"
path = "Maildir"

[[accounts]]
name = "answers"
kind = "csv"
path = "answers.csv"
"""

#: what checking those accounts' options has no use for: each connector, its client library and
#: the mail parser (imapclient, python-telegram-bot and gspread cost half a second together)
NOT_FOR_THE_OPTIONS = (
    "imapclient",
    "telegram",
    "gspread",
    "google.auth",
    "requests",
    *(f"banco.connectors.{kind}.connector" for kind in ("imap", "telegram", "gsheet")),
    *(f"banco.connectors.{kind}.connector" for kind in ("maildir", "csvfile")),
)


@pytest.mark.parametrize("command", ["digest", "orders"])
def test_reading_the_accounts_options_loads_no_connector(write_shop, command: str) -> None:
    modules = loaded(write_shop(EVERY_KIND), command)
    assert [m for m in NOT_FOR_THE_OPTIONS if m in modules] == []
    # each account was checked, against its kind's options alone
    assert {f"banco.connectors.{kind}" for kind in ("imap", "telegram", "gsheet")} <= modules
