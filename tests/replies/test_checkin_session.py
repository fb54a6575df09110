"""Past-client check-ins come up in the reply session; a note goes only when the maker says so."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from listsource import ListConnector

from banco.connectors import Registry
from banco.inbox.collect.sync import collect
from banco.inbox.orders.status import suggest_checkins
from banco.inbox.replies.terminal import run_terminal_session


@pytest.fixture
def registry(registry: Registry) -> Registry:
    return Registry(kinds={**registry.kinds, "list": ListConnector})  # type: ignore[dict-item]


def test_a_check_in_is_written_only_when_the_maker_sends_it(write_shop, open_shop, clock) -> None:
    long_ago = datetime(2025, 11, 1, 10, 0, tzinfo=UTC)
    items = [
        {
            "id": f"i{k}",
            "at": (long_ago + timedelta(days=k)).isoformat(),
            "from": f"c{k}@example.com",
            "name": f"Client {k}",
            "subject": "A plate",
            "text": "How much would it cost?",
        }
        for k in range(2)
    ]
    home = write_shop('\n[[accounts]]\nname = "mail"\nkind = "list"\npath = "items.json"\n')
    (home / "items.json").write_text(json.dumps(items))
    shop = open_shop(home)
    collect(shop)
    shop.store.db.execute("update messages set waiting = 0")
    shop.store.db.execute(
        "update orders set status = 'completed', closed_at = ?",
        [(long_ago + timedelta(days=5)).isoformat()],
    )
    assert len(suggest_checkins(shop, clock.now())) == 2

    answers = iter(["s", "d"])
    lines: list[str] = []
    summary = run_terminal_session(
        shop, lines.append, lambda *a, **k: next(answers), lambda text: text
    )
    assert any(line.startswith("Past client: Client 0, B-0001") for line in lines)
    [sent] = json.loads((home / "items.sent.json").read_text())
    assert sent["to"] == "c0@example.com" and "since your order (A plate)" in sent["text"]
    assert summary.count("sent") == 1
    done = shop.store.all("select done_at from checkins order by id")
    assert all(row["done_at"] for row in done)  # one written, one she had already done herself
    lines.clear()
    run_terminal_session(shop, lines.append, lambda *a, **k: "s", lambda text: text)
    assert not any("Past client" in line for line in lines)  # never suggested twice
