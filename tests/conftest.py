"""Shared fixtures: a fixed clock, a shop folder written from TOML text, a CLI runner."""

from __future__ import annotations

import sqlite3
import textwrap
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from hypothesis import settings

from banco.connectors import Registry, load_registry
from banco.inbox.cli.main import cli
from banco.inbox.clock import FixedClock
from banco.inbox.shop import Shop
from banco.inbox.store import database
from banco.inbox.store.database import Store

# Real local peers (Dovecot, aiosmtpd, a Bot API server, a Sheets API server, an autoconfig
# server), one module each.
pytest_plugins = [
    "fixtures_imap",
    "fixtures_telegram",
    "fixtures_sheets",
    "fixtures_oauth",
    "fixtures_autoconfig",
]

# No time limit on a hypothesis example: speed is measured in bench/, never asserted in a test,
# and on a busy machine a real command or page can take longer than hypothesis's 200 ms.
settings.register_profile("banco", deadline=None)
settings.load_profile("banco")

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)

SHOP_HEADER = """
[shop]
name = "Test shop"
owner = "Giulia"
addresses = ["giulia@shop.example"]
timezone = "Europe/Rome"
languages = ["en"]
"""


@pytest.fixture(autouse=True)
def no_user_services(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reaches the systemd user manager of the machine it runs on: `banco service
    install` would start a test shop's service on a developer's own session."""
    monkeypatch.setenv("XDG_RUNTIME_DIR", "/nonexistent/banco-tests")
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    """A new, empty store."""
    opened = Store(tmp_path / "shop")
    yield opened
    opened.close()


@pytest.fixture
def registry() -> Registry:
    return load_registry()


@pytest.fixture
def write_shop(tmp_path: Path) -> Callable[[str], Path]:
    """Write banco.toml (the [shop] header plus ``body``) in a fresh shop folder."""

    def write(body: str = "", header: str = SHOP_HEADER) -> Path:
        home = tmp_path / "shop"
        home.mkdir(exist_ok=True)
        (home / "banco.toml").write_text(header + textwrap.dedent(body), encoding="utf-8")
        return home

    return write


@pytest.fixture
def open_shop(clock: FixedClock, registry: Registry) -> Iterator[Callable[[Path], Shop]]:
    opened: list[Shop] = []

    def open_(home: Path) -> Shop:
        shop = Shop.open(home, clock=clock, registry=registry)
        opened.append(shop)
        return shop

    yield open_
    for shop in opened:
        shop.close()


@pytest.fixture
def run(clock: FixedClock, registry: Registry) -> Callable[..., Result]:
    """Run the banco CLI in-process: ``run("--home", str(home), "orders")``."""

    def invoke(*args: str, input: str | None = None) -> Result:
        return CliRunner().invoke(
            cli, list(args), obj={"clock": clock, "registry": registry}, input=input
        )

    return invoke


@pytest.fixture
def statements(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every statement any store opened from now on runs, as SQLite expanded it."""
    ran: list[str] = []
    connect = database._connect

    def traced(path: str, **query: str) -> sqlite3.Connection:
        connection = connect(path, **query)
        connection.set_trace_callback(ran.append)
        return connection

    monkeypatch.setattr(database, "_connect", traced)
    yield ran
