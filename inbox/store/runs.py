"""The ``runs`` table: one row per routine run, the audit trail behind catch-up and the digest."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, TypedDict, cast

from banco.inbox.clock import iso, parse_iso
from banco.inbox.store.database import Store


def record_run(
    store: Store,
    routine: str,
    started: datetime,
    finished: datetime,
    *,
    ok: bool,
    counts: dict[str, Any] | None = None,
    error: str | None = None,
    account: str | None = None,
) -> int:
    return store.insert(
        "runs",
        {
            "routine": routine,
            "account": account,
            "started_at": iso(started),
            "finished_at": iso(finished),
            "status": "ok" if ok else "failed",
            "counts": json.dumps(counts or {}, ensure_ascii=False),
            "error": error,
        },
    )


def last_run(store: Store, routine: str, *, ok_only: bool = False) -> datetime | None:
    """When ``routine`` last ran for the whole shop (runs limited to some accounts don't count)."""
    at = store.scalar(
        "select max(started_at) from runs where routine = ? and account is null"
        + (" and status = 'ok'" if ok_only else ""),
        [routine],
    )
    return parse_iso(at) if at else None


class LatestRun(TypedDict):
    started_at: str
    status: str


def latest_run(store: Store, routine: str) -> LatestRun | None:
    """When ``routine`` last started (for the whole shop or some accounts) and how it ended."""
    row = store.one(
        "select started_at, status from runs where routine = ?"
        " order by started_at desc, id desc limit 1",
        [routine],
    )
    return cast(LatestRun | None, row)
