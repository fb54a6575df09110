"""What Banco read in a customer's message and proposes as a fact of her order (``fact_proposals``):
each with the sentence it came from, pending until the maker confirms or dismisses it. The facts
themselves are columns of ``orders`` (migration ``m023_facts``), written through
``orders.pipeline.update_fields`` so the history keeps each change."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from banco.inbox.clock import iso
from banco.inbox.store.backfill import LIVE
from banco.inbox.store.database import Store

PENDING, CONFIRMED, DISMISSED = "pending", "confirmed", "dismissed"


@dataclass(frozen=True, slots=True)
class Proposal:
    """A fact Banco read in a message: ``fact`` (see ``orders.facts.PROPOSED``), its ``value``
    as the store writes it, and the ``sentence`` it came from."""

    id: int
    order_id: int
    message_id: int
    fact: str
    value: str
    sentence: str
    state: str
    #: when the message was sent (stored time): a payment announced is dated by it
    sent_at: str


@dataclass(frozen=True, slots=True)
class Unread:
    """A customer's message whose facts were not read when it was filed (a first collect's)."""

    id: int
    order_id: int
    text: str | None
    sent_at: str


@dataclass(frozen=True, slots=True)
class NewProposal:
    fact: str
    value: str
    sentence: str


_COLUMNS = (
    "p.id, p.order_id, p.message_id, p.fact, p.value, p.sentence, p.state,"
    " coalesce(m.sent_at, p.created_at)"
)


def add_proposals(
    store: Store, order_id: int, message_id: int, found: list[NewProposal], now: datetime
) -> int:
    """Keep what was read in message ``message_id``; the same fact read again from the same
    message (a collect repeated) is kept once. How many are new."""
    before = store.conn.total_changes
    store.conn.executemany(
        "insert or ignore into fact_proposals"
        " (order_id, message_id, fact, value, sentence, created_at) values (?, ?, ?, ?, ?, ?)",
        [(order_id, message_id, f.fact, f.value, f.sentence, iso(now)) for f in found],
    )
    return store.conn.total_changes - before


def still_waiting_unread(store: Store, account: str) -> list[Unread]:
    """The messages of ``account``'s first collect that still wait for the maker on an order
    it found live: a person's own words (no form answer, nothing automatic)."""
    rows = store.conn.execute(
        "select m.id, m.order_id, m.text, m.sent_at from messages m"
        " join orders o on o.id = m.order_id where o.account = ? and o.history = ?"
        " and m.waiting = 1 and m.history = 1 and m.direction = 'in' and m.auto is null"
        " and m.order_fields is null and m.status != 'unreadable' order by m.id",
        [account, LIVE],
    ).fetchall()
    return [Unread(*row) for row in rows]


def pending_proposals(store: Store, order_id: int) -> list[Proposal]:
    """The order's proposals the maker has not decided yet, the latest message's first (what
    she answers now)."""
    rows = store.conn.execute(
        f"select {_COLUMNS} from fact_proposals p left join messages m on m.id = p.message_id"
        " where p.order_id = ? and p.state = ? order by m.sent_at desc, p.id",
        [order_id, PENDING],
    ).fetchall()
    return [Proposal(*row) for row in rows]


def proposal(store: Store, proposal_id: int) -> Proposal | None:
    row = store.conn.execute(
        f"select {_COLUMNS} from fact_proposals p left join messages m on m.id = p.message_id"
        " where p.id = ?",
        [proposal_id],
    ).fetchone()
    return Proposal(*row) if row is not None else None


def decide(store: Store, proposal_id: int, state: str, now: datetime) -> bool:
    """Mark a pending proposal confirmed or dismissed; False when it was decided already (in
    another window, a moment ago)."""
    cursor = store.conn.execute(
        "update fact_proposals set state = ?, decided_at = ? where id = ? and state = ?",
        [state, iso(now), proposal_id, PENDING],
    )
    return cursor.rowcount == 1
