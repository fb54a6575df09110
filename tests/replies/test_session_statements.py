"""The reply session prepares the item it shows, not every one waiting: the page and the terminal
run as many statements, and guess as many customers' languages, for 500 waiting customers as for
50 (statements counted with a sqlite3 trace callback, as tests/store/test_query_plans.py does; a
guess is kept on the contact, so the contacts with a language are the ones guessed). How fast
the session is on a big shop is measured in ``bench/views.py``, never here."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import click
import httpx
import pytest
from click.testing import CliRunner
from fixtures_web import web_server  # noqa: F401 (fixture)
from listsource import ListConnector

from banco.connectors import Registry
from banco.inbox.collect.sync import collect
from banco.inbox.replies.terminal import run_terminal_session
from banco.inbox.shop import Shop
from banco.inbox.web import RunningServer

#: statements the page may run whatever the number waiting (63 today: the item's facts to
#: confirm, whether its sender was answered about, its customer's merge suggestions)
MOST = 75
ITALIAN = "Ciao, vorrei delle tazze per il mio negozio: sono per una cena con gli amici"


@pytest.fixture
def registry(registry: Registry) -> Registry:
    return Registry(kinds={**registry.kinds, "list": ListConnector})  # type: ignore[dict-item]


def waiting_shop(
    customers: int, write_shop: Callable[[str], Path], open_shop: Callable[[Path], Shop]
) -> Shop:
    """``customers`` customers who each wrote once in Italian, none answered."""
    home = write_shop('\n[[accounts]]\nname = "mail"\nkind = "list"\npath = "items.json"\n')
    start = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
    items = [
        {
            "id": f"i{k}",
            "at": (start + timedelta(minutes=k)).isoformat(),
            "from": f"c{k}@example.com",
            "name": f"Cliente {k}",
            "subject": "Tazze",
            "text": ITALIAN,
        }
        for k in range(customers)
    ]
    (home / "items.json").write_text(json.dumps(items))
    shop = open_shop(home)
    collect(shop)
    return shop


def guessed(shop: Shop) -> int:
    return int(shop.store.scalar("select count(*) from contacts where language is not null"))


@pytest.mark.parametrize("customers", [50, 500])
def test_the_session_page_prepares_only_the_item_it_shows(
    customers: int,
    write_shop,
    open_shop,
    statements: list[str],
    web_server: Callable[..., RunningServer],  # noqa: F811 (fixture)
) -> None:
    shop = waiting_shop(customers, write_shop, open_shop)
    server = web_server(shop.home)
    statements.clear()  # the store opened at start: its migrations are no view
    response = httpx.get(server.url + "/session")
    assert response.status_code == 200, response.text
    assert "Cliente 0" in response.text and "Per prepararti un preventivo" in response.text
    assert len(statements) <= MOST, f"{len(statements)} statements"
    assert guessed(shop) == 1


@pytest.mark.parametrize("customers", [50, 500])
def test_the_terminal_session_prepares_each_item_when_it_comes(
    customers: int, write_shop, open_shop
) -> None:
    shop = waiting_shop(customers, write_shop, open_shop)

    @click.command()
    def reply() -> None:
        run_terminal_session(shop, click.echo, click.prompt, click.edit)

    result = CliRunner().invoke(reply, input="q\n")  # she stops at the first
    assert result.exit_code == 0, result.output
    assert f"{customers} messages waiting, from {customers} customers." in result.output
    assert "(ask for details, in Italian)" in result.output and "Cliente 0 ·" in result.output
    assert guessed(shop) == 1
