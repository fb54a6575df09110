"""What an account's first collect filed, in the store: its messages (``messages.history``) and
the orders it opened (``orders.history``: 'past' or 'live'); see ``inbox/collect/backfill.py``
for what they mean to the maker."""

from __future__ import annotations

from dataclasses import dataclass

from banco.inbox.store.database import Store

#: an order the first collect opened, answered or old: out of the "new" column
PAST = "past"
#: an order the first collect opened that still waits for the maker
LIVE = "live"


def has_history(store: Store, account: str) -> bool:
    """Whether ``account`` already filed history (a first collect stopped midway)."""
    return bool(
        store.scalar(
            "select exists(select 1 from messages where account = ? and history = 1)", [account]
        )
    )


def mark_past(store: Store, order_id: int) -> None:
    """The first collect opened ``order_id``: past until its end finds it still waiting."""
    store.conn.execute("update orders set history = ? where id = ?", [PAST, order_id])


def revive(store: Store, order_id: int) -> None:
    """The customer wrote again after the first collect: the order is news again."""
    store.conn.execute(
        "update orders set history = ? where id = ? and history = ?", [LIVE, order_id, PAST]
    )


def settle(store: Store, account: str, recent_since: str, at: str) -> None:
    """At the end of ``account``'s first collect: its orders with a message still waiting
    for the maker sent since ``recent_since`` are live; the others' waiting messages (old,
    unanswered before Banco) stop waiting, handled as history at ``at``, and so do the messages
    of its conversations on no order (``collect.triage``) sent before ``recent_since``."""
    with store.db.atomic():
        store.db.execute(
            "update orders set history = ? where account = ? and history = ? and exists("
            "select 1 from messages m where m.order_id = orders.id and m.waiting = 1"
            " and m.sent_at >= ?)",
            [LIVE, account, PAST, recent_since],
        )
        store.db.execute(
            "update messages set waiting = 0, handled_at = ?, handled_how = 'history'"
            " where waiting = 1 and history = 1 and order_id in"
            " (select id from orders where account = ? and history = ?)",
            [at, account, PAST],
        )
        # triage's conversations (on no order): an old one was settled outside Banco too
        store.db.execute(
            "update messages set waiting = 0, handled_at = ?, handled_how = 'history'"
            " where waiting = 1 and history = 1 and account = ? and order_id is null"
            " and sent_at < ?",
            [at, account, recent_since],
        )


@dataclass(frozen=True, slots=True)
class Imported:
    """The conversations first collects opened: answered or old (past), and still waiting."""

    past: int
    waiting: int


def imported_since(store: Store, since: str) -> Imported:
    """What first collects imported since ``since`` (stored time): the digest's summary."""
    counts = dict(
        store.conn.execute(
            "select history, count(*) from orders where created_at >= ?"
            " and history is not null group by history",
            [since],
        ).fetchall()
    )
    return Imported(past=counts.get(PAST, 0), waiting=counts.get(LIVE, 0))
