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


#: an open order (one a first collect imported as past only once it lives again), its closed
#: statuses written out as the partial indexes of m027 name them
_OPEN = "o.status not in ({}) and not (o.status = 'new' and o.history is 'past')".format(
    ", ".join(f"'{status}'" for status in CLOSED)
)


#: her last word came back: she must reach the customer another way
_BOUNCED = "exists (select 1 from failing_addresses f where f.returned_id = o.last_word_id)"


def _work(rules: WaitRules) -> tuple[str, list[Any]]:
    return f"o.status in ({_marks(rules.work_stages)})", [*rules.work_stages]


def _customer_moves(rules: WaitRules) -> tuple[str, list[Any]]:
    return (
        f"(o.last_direction = 'out' or o.status in ({_marks(rules.customer_moves)}))",
        [*rules.customer_moves],
    )


def _waits(rules: WaitRules) -> tuple[str, list[Any]]:
    """Every open order's ``id``, ``waiting_on`` and ``last_at`` (when the wait began, once
    someone waits); a past conversation a first collect imported only once she moves it or
    the customer writes again (``collect.backfill``)."""
    (work, work_params), (moves, moves_params) = _work(rules), _customer_moves(rules)
    sql = (
        "select o.id, case"
        " when o.waiting_since is not null then 'us'"
        " when o.last_word_id is null then null"
        f" when {_BOUNCED} then 'us'"
        f" when {work} then 'work'"
        f" when {moves} then 'customer' end as waiting_on,"
        " coalesce(o.waiting_since, o.last_word_at) as last_at"
        f" from orders o where {_OPEN}"
    )
    return sql, [*work_params, *moves_params]


#: without statistics SQLite would rather take the orders of the work stages by their status
#: index, and sort them all; the walk along the last words stops at the page's end
_LAST_WORDS = "orders o indexed by idx_orders_last_word"


def _on_work_or_customer(rules: WaitRules, waiting_on: str) -> tuple[str, list[Any]]:
    """The open orders waiting on the maker's ``work`` or on their ``customer``, as ``_waits``
    tells them but without its ``case``: SQLite then walks the index of last words (m027) in
    waiting order, stopping at the page's end, and counts on that index alone."""
    (work, work_params), (moves, moves_params) = _work(rules), _customer_moves(rules)
    sql = f"o.waiting_since is null and o.last_word_id is not null and {_OPEN} and not {_BOUNCED}"
    if waiting_on == "work":
        return f"{sql} and {work}", work_params
    return f"{sql} and not {work} and {moves}", [*work_params, *moves_params]


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
    if waiting_on in ("work", "customer"):
        where, params = _on_work_or_customer(rules, waiting_on)
        # waiting since her last word (``_waits``' ``last_at``: nothing of theirs waits)
        return store.all(
            "select o.*, c.name as contact, ? as waiting_on, o.last_word_at as since"
            f" from {_LAST_WORDS} left join contacts c on c.id = o.contact_id where {where}"
            " order by coalesce(o.last_word_at, ''), o.id limit ?",
            [waiting_on, *params, -1 if limit is None else limit],
        )
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
        return int(store.scalar(f"select count(*) from orders o where {_OPEN}"))
    if waiting_on in ("work", "customer"):
        where, params = _on_work_or_customer(rules, waiting_on)
        return int(store.scalar(f"select count(*) from {_LAST_WORDS} where {where}", params))
    sql, params = _waits(rules)
    return int(
        store.scalar(f"select count(*) from ({sql}) where waiting_on = ?", [*params, waiting_on])
    )
