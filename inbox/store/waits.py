"""Who waits on whom for each open order, most urgent first, read from what the order row keeps:
its last word and since when a message waits for the maker (m026, kept by triggers on
messages). A view reads the orders it shows and counts the rest; no read of every message of
every open order.

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
    """Every open order with ``contact`` (its customer's name), ``last_direction``,
    ``waiting_on`` and ``since``; a past conversation a first collect imported only once she
    moves it or the customer writes again (``collect.backfill``)."""
    sql = (
        "select o.*, c.name as contact, l.direction as last_direction, case"
        " when o.waiting_since is not null then 'us'"
        " when l.id is null then null"
        " when exists (select 1 from failing_addresses f where f.returned_id = l.id) then 'us'"
        f" when o.status in ({_marks(rules.work_stages)}) then 'work'"
        f" when l.direction = 'out' or o.status in ({_marks(rules.customer_moves)})"
        " then 'customer' end as waiting_on,"
        " coalesce(o.waiting_since, l.sent_at) as last_at"
        " from orders o left join contacts c on c.id = o.contact_id"
        " left join messages l on l.id = o.last_word_id"
        f" where o.status not in ({_marks(CLOSED)}) and not (o.status = 'new' and o.history is 'past')"
    )
    return sql, [*rules.work_stages, *rules.customer_moves, *CLOSED]


def open_orders_waiting(
    store: Store,
    rules: WaitRules,
    *,
    waiting_on: str | None = None,
    limit: int | None = None,
) -> list[dict[str, Any]]:
    """The open orders (those waiting on ``waiting_on`` when given), most urgent first, the first
    ``limit`` of them (all when ``None``). ``since`` is when the wait began (``None`` when
    nobody waits)."""
    sql, params = _waits(rules)
    chosen = " where waiting_on = ?" if waiting_on is not None else ""
    rows = store.all(
        "select *, case when waiting_on is not null then last_at end as since"
        f" from ({sql}){chosen} order by waiting_on is not 'us', coalesce(since, ''), id limit ?",
        [
            *params,
            *([waiting_on] if waiting_on is not None else []),
            -1 if limit is None else limit,
        ],
    )
    for row in rows:
        del row["last_at"]
    return rows


def count_open_orders(store: Store, rules: WaitRules, *, waiting_on: str | None = None) -> int:
    """How many open orders there are (waiting on ``waiting_on`` when given)."""
    sql, params = _waits(rules)
    chosen = " where waiting_on = ?" if waiting_on is not None else ""
    found = store.scalar(
        f"select count(*) from ({sql}){chosen}",
        [*params, *([waiting_on] if waiting_on is not None else [])],
    )
    return int(found or 0)
