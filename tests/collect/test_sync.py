"""The sync runner: pages and cursors, failing accounts, and what the maker is told."""

from __future__ import annotations

import json
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest
from listsource import ListConnector

from banco.connectors import Registry
from banco.inbox.collect.sync import collect
from banco.inbox.store.accounts import cursors
from banco.inbox.store.database import Store


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
            "text": "How much would it cost?",  # an inquiry: triage makes it an order
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
    assert cursors(shop.store, "a") == {"main": 5}
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
    assert results["crashy"].error_kind == "bug"  # said as a bug, not as something passing
    assert results["crashy"].error.startswith("Banco hit a bug reading this account (RuntimeError")
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
    assert cursors(shop.store, "flaky") == {"main": 2}
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


def test_a_failure_after_a_check_kept_the_accounts_details_counts_one(
    write_shop, open_shop
) -> None:
    # `banco check` keeps what it learnt of an account before any collect: no count of failures yet
    home = write_shop(accounts(("broken", "needs_user")))
    write_items(home, "broken", items(1))
    shop = open_shop(home)
    shop.store.db.table("account_state").insert({"account": "broken", "details": "{}"})
    [result] = collect(shop)
    assert result.error_kind == "needs_you"
    assert shop.store.scalar("select failures from account_state") == 1


def test_indexes_an_earlier_banco_set_aside_are_built_when_the_store_opens(
    write_shop, open_shop
) -> None:
    # Banco used to file a first collect without three view indexes, keeping their definitions
    # in set_aside_indexes until it built them again; a process stopped in between left them so.
    home = write_shop(accounts(("a", "")))
    Store(home).close()
    with sqlite3.connect(home / "banco.db") as db:
        sql = db.execute(
            "select sql from sqlite_master where name = 'idx_messages_contact_id'"
        ).fetchone()[0]
        db.execute("create table set_aside_indexes (name text primary key, sql text not null)")
        db.execute("insert into set_aside_indexes values ('idx_messages_contact_id', ?)", [sql])
        db.execute("drop index idx_messages_contact_id")
        db.execute("delete from _sqlite_migrations where name = 'm017_no_indexes_set_aside'")
    shop = open_shop(home)
    plan = shop.store.all("explain query plan select id from messages where contact_id = 1")
    assert "idx_messages_contact_id" in plan[0]["detail"]
    assert "set_aside_indexes" not in shop.store.db.table_names()


def test_a_long_run_keeps_the_log_short(write_shop, open_shop, monkeypatch) -> None:
    monkeypatch.setattr("banco.inbox.collect.sync.LONG_RUN", 4)
    monkeypatch.setattr("banco.inbox.store.checkpoint.RESTART_EVERY", 4)
    home = write_shop(accounts(("a", "")))
    write_items(home, "a", [{**item, "text": "x" * 4_000} for item in items(400)])
    shop = open_shop(home)
    [result] = collect(shop)
    assert result.ok and result.counts.new == 400
    # Copied on a thread but never started again, the log would hold the whole run (43 MB).
    assert (home / "banco.db-wal").stat().st_size < 8_000_000
    assert shop.store.scalar("pragma wal_autocheckpoint") == 1000
    assert shop.store.scalar("pragma integrity_check") == "ok"
