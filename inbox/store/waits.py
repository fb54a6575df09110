"""Who waits on whom for each open order, most urgent first, read from what the order row keeps:
its last word (who, when) and since when a message waits for the maker (m026, kept by
triggers on messages), never from the messages themselves. A view reads the orders it shows
and counts the rest.

An open order waits on:
- ``us`` (the maker): a message waits for her (since the oldest), or her last mail bounced and
  she must reach the customer another way (since she wrote it);
- ``work``: someone wrote and the order is in a stage where the next move is her work;
- ``customer``: her message was last, or the order is in a stage where the customer moves;
- nobody (``None``): no message yet.

Most urgent first: the customers waiting for her, the longest waiting first; then the orders
waiting on nobody, then the others waiting longest first; the oldest order first among equals.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from banco.inbox.store.database import Store
from banco.inbox.store.orders import CLOSED


@dataclass(frozen=True)
class WaitRules:
    """The stages that decide who moves when a message does not: the maker's work
    (``work_stages``) or the customer (``customer_moves``)."""

    work_stages: tuple[str, ...]
    customer_moves: tuple[str, ...]


def _marks(values: tuple[str, ...]) -> str:
    return ",".join("?" * len(values))


def _waits(rules: WaitRules) -> tuple[str, list[Any]]:
    """Every open order's ``id``, ``waiting_on`` and ``last_at`` (when the wait began, once
    someone waits); a past conversation a first collect imported only once she moves it or
    the customer writes again (``collect.backfill``)."""
    sql = (
        "select o.id, case"
        " when o.waiting_since is not null then 'us'"
        " when o.last_word_id is null then null"
        " when exists (select 1 from failing_addresses f where f.returned_id = o.last_word_id)"
        " then 'us'"
        f" when o.status in ({_marks(rules.work_stages)}) then 'work'"
        f" when o.last_direction = 'out' or o.status in ({_marks(rules.customer_moves)})"
        " then 'customer' end as waiting_on,"
        " coalesce(o.waiting_since, o.last_word_at) as last_at"
        f" from orders o where {_OPEN}"
    )
    return sql, [*rules.work_stages, *rules.customer_moves, *CLOSED]


#: an open order (one a first collect imported as past only once it lives again)
_OPEN = f"o.status not in ({_marks(CLOSED)}) and not (o.status = 'new' and o.history is 'past')"


def open_orders_waiting(
    store: Store,
    rules: WaitRules,
    *,
    waiting_on: str | None = None,
    limit: int | None = None,
) -> list[dict[str, Any]]:
    """The open orders (those waiting on ``waiting_on`` when given), most urgent first, the first
    ``limit`` of them (all when ``None``), with ``contact`` (the customer's name),
    ``last_direction``, ``waiting_on`` and ``since`` (when the wait began, ``None`` when nobody
    waits). Only the orders shown are read whole."""
    sql, params = _waits(rules)
    chosen = " where waiting_on = ?" if waiting_on is not None else ""
    return store.all(
        "select o.*, c.name as contact, w.waiting_on, w.since"
        " from (select id, waiting_on, case when waiting_on is not null then last_at end as since"
        f" from ({sql}){chosen} order by waiting_on is not 'us', coalesce(since, ''), id limit ?) w"
        " join orders o on o.id = w.id left join contacts c on c.id = o.contact_id"
        " order by w.waiting_on is not 'us', coalesce(w.since, ''), w.id",
        [
            *params,
            *([waiting_on] if waiting_on is not None else []),
            -1 if limit is None else limit,
        ],
    )


def count_open_orders(store: Store, rules: WaitRules, *, waiting_on: str | None = None) -> int:
    """How many open orders there are (waiting on ``waiting_on`` when given)."""
    if waiting_on is None:
        return int(store.scalar(f"select count(*) from orders o where {_OPEN}", list(CLOSED)))
    sql, params = _waits(rules)
    return int(
        store.scalar(f"select count(*) from ({sql}) where waiting_on = ?", [*params, waiting_on])
    )
