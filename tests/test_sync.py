"""The sync runner: pages and cursors, failing accounts, and what the maker is told."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from listsource import ListConnector

from banco.connectors import Registry
from banco.inbox.sync import collect


@pytest.fixture
def registry(registry: Registry) -> Registry:
    return Registry(kinds={**registry.kinds, "list": ListConnector})  # type: ignore[dict-item]


def items(n: int, start: int = 0) -> list[dict[str, str]]:
    return [
        {
            "id": f"i{k}",
            "at": f"2026-11-0{1 + k % 9}T10:00:00+00:00",
            "from": f"c{k % 3}@example.com",
            "subject": f"Order {k}",
        }
        for k in range(start, start + n)
    ]


def accounts(*specs: tuple[str, str]) -> str:
    return "".join(
        f'\n[[accounts]]\nname = "{name}"\nkind = "list"\npath = "{name}.json"\nfail = "{fail}"\n'
        for name, fail in specs
    )


def write_items(home: Path, name: str, data: list[dict[str, str]]) -> None:
    (home / f"{name}.json").write_text(json.dumps(data))


def test_collect_saves_every_page_and_moves_the_cursor(write_shop, open_shop) -> None:
    home = write_shop(accounts(("a", "")))
    write_items(home, "a", items(5))
    shop = open_shop(home)
    [result] = collect(shop)
    assert result.ok and result.counts.new == 5 and result.counts.orders == 3
    assert shop.store.cursors("a") == {"main": 5}
    write_items(home, "a", items(7))
    [again] = collect(shop)
    assert again.counts.new == 2
    assert shop.store.scalar("select count(*) from messages") == 7


def test_one_failing_account_never_stops_the_others(write_shop, open_shop, clock) -> None:
    home = write_shop(
        accounts(("broken", "needs_user"), ("busy", "try_later"), ("crashy", "crash"), ("good", ""))
    )
    for name in ("broken", "busy", "crashy", "good"):
        write_items(home, name, items(3))
    shop = open_shop(home)
    results = {r.account: r for r in collect(shop)}
    assert results["good"].ok and results["good"].counts.new == 3
    assert (results["broken"].error_kind, results["busy"].error_kind) == ("needs_you", "will_retry")
    assert results["crashy"].error == "unexpected error (RuntimeError: boom); Banco will try again"
    clock.at += timedelta(hours=4)
    collect(shop)
    state = {r["account"]: r for r in shop.store.all("select * from account_state")}
    assert state["broken"]["failures"] == 2
    assert (
        state["broken"]["last_error"]
        == "the password was refused: check `password` for this account"
    )
    assert state["broken"]["last_success_at"] is None
    assert (
        state["good"]["failures"] == 0
        and state["good"]["last_success_at"] == "2026-11-20T13:00:00+00:00"
    )
    run = shop.store.one("select * from runs where routine = 'collect' order by id desc limit 1")
    assert run["status"] == "failed"
    assert json.loads(run["counts"])["good"]["new"] == 0  # nothing after the cursor


def test_a_failure_mid_account_keeps_the_pages_already_saved(write_shop, open_shop) -> None:
    home = write_shop(accounts(("flaky", "after_first_page")))
    write_items(home, "flaky", items(6))
    shop = open_shop(home)
    [result] = collect(shop)
    assert result.error_kind == "will_retry"
    assert shop.store.cursors("flaky") == {"main": 2}
    assert shop.store.scalar("select count(*) from messages") == 2


def test_success_after_failures_resets_the_count(write_shop, open_shop) -> None:
    home = write_shop(accounts(("a", "after_first_page")))
    write_items(home, "a", items(2))
    shop = open_shop(home)
    collect(shop)  # two items fit on the first page: the failure comes after it
    (home / "banco.toml").write_text(
        (home / "banco.toml").read_text().replace('"after_first_page"', '""')
    )
    shop2 = open_shop(home)
    [result] = collect(shop2)
    assert result.ok
    assert shop2.store.scalar("select failures from account_state") == 0
