"""An order's history in the store: each event (created, a status, changed fields, a note, a
sender linked) as one row of ``order_events``."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from banco.inbox.clock import iso
from banco.inbox.store.database import Store


def add_event(
    store: Store,
    order_id: int,
    now: datetime,
    kind: str,
    *,
    from_status: str | None = None,
    to_status: str | None = None,
    note: str = "",
    data: dict[str, Any] | None = None,
) -> None:
    store.insert(
        "order_events",
        {
            "order_id": order_id,
            "at": iso(now),
            "kind": kind,
            "from_status": from_status,
            "to_status": to_status,
            "note": note,
            "data": json.dumps(data, ensure_ascii=False) if data else None,
        },
    )
