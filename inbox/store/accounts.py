"""Each account's state in the store: when it was last collected, how it last failed, and where
the next collect of each of its streams starts (its cursor)."""

from __future__ import annotations

import json
from typing import Any, TypedDict, cast

from banco.inbox.store.database import Store


class AccountState(TypedDict):
    account: str
    kind: str | None
    last_attempt_at: str | None
    last_success_at: str | None
    last_error: str | None
    error_kind: str | None
    failures: int
    details: str | None


def account_states(store: Store) -> dict[str, AccountState]:
    """Every account Banco has tried to collect, by name."""
    rows = cast(list[AccountState], store.all("select * from account_state"))
    return {row["account"]: row for row in rows}


class CollectOutcome(TypedDict, total=False):
    """What a collect of an account writes of its state (``last_success_at`` only on success)."""

    account: str
    kind: str
    last_attempt_at: str | None
    last_success_at: str | None
    failures: int
    last_error: str | None
    error_kind: str | None


def failures_in_a_row(store: Store, account: str) -> int:
    """How many collects of ``account`` failed in a row, up to the last one."""
    return int(store.scalar("select failures from account_state where account = ?", [account]) or 0)


def save_collect_outcome(store: Store, outcome: CollectOutcome) -> None:
    store.db.table("account_state").upsert(dict(outcome), pk="account")


def save_cursor(
    store: Store,
    account: str,
    stream: str,
    cursor: str,
    updated_at: str,
    source_count: int | None,
) -> None:
    """Where the next collect of a stream starts (``cursor``, JSON), and how many records the
    stream holds at the source, when the connector could tell."""
    store.db.table("sync_state").upsert(
        {
            "account": account,
            "stream": stream,
            "cursor": cursor,
            "updated_at": updated_at,
            **({"source_count": source_count} if source_count is not None else {}),
        },
        pk=("account", "stream"),
    )


def account_state(store: Store, account: str) -> AccountState | None:
    row = store.one("select * from account_state where account = ?", [account])
    return cast(AccountState | None, row)


def save_details(store: Store, account: str, kind: str, details: str) -> None:
    """What ``banco check`` learned of the account at its source (``details``, JSON)."""
    store.db.table("account_state").upsert(
        {"account": account, "kind": kind, "details": details}, pk="account"
    )


def failing_accounts(store: Store) -> list[dict[str, Any]]:
    """Accounts whose last collects failed, those that need the maker first."""
    return store.all(
        "select * from account_state where failures > 0"
        " order by error_kind = 'needs_you' desc, account"
    )


def source_counts(store: Store) -> list[dict[str, Any]]:
    """Each stream whose source said how many records it holds: account, stream, source_count."""
    return store.all(
        "select account, stream, source_count from sync_state"
        " where source_count is not null order by account, stream"
    )


def cursors(store: Store, account: str) -> dict[str, Any]:
    """Where each stream of ``account`` stands: the cursor saved with its last page."""
    return {
        row["stream"]: json.loads(row["cursor"])
        for row in store.all("select stream, cursor from sync_state where account = ?", [account])
    }
