"""Each account's state in the store: when it was last collected, and how it last failed."""

from __future__ import annotations

from typing import TypedDict, cast

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
