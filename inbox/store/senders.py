"""The maker's answers about senders, in the store: for one address or chat, or for a whole mail
domain, whether their first messages open an order (see ``collect.triage``)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from banco.connectors import Handle
from banco.inbox.store.database import Store

#: the ``kind`` of an answer about a whole mail domain ("example.com"); other answers are about
#: one handle and take its kind ("email", "telegram", ...)
DOMAIN = "domain"


class Answer(StrEnum):
    """The maker's answer about a sender."""

    ORDER = "order"
    NOT_ORDER = "not_order"
    NEVER = "never"


@dataclass(frozen=True, slots=True)
class SenderAnswer:
    kind: str
    value: str
    answer: Answer
    decided_at: str


def remember(store: Store, kind: str, value: str, answer: Answer, at: str) -> None:
    """Remember ``answer`` for the handle (or domain) ``value``, replacing an earlier one."""
    store.conn.execute(
        "insert into senders (kind, value, answer, decided_at) values (?, ?, ?, ?)"
        " on conflict (kind, value) do update set answer = excluded.answer,"
        " decided_at = excluded.decided_at",
        [kind, value, str(answer), at],
    )


def forget(store: Store, kind: str, value: str) -> bool:
    """Forget the answer for ``value``; False when there was none."""
    gone = store.conn.execute("delete from senders where kind = ? and value = ?", [kind, value])
    return gone.rowcount > 0


def answer_for(store: Store, handles: list[Handle]) -> SenderAnswer | None:
    """The answer for the first of ``handles`` that has one, else for the first email domain
    that has one: the sender's own answer comes before their domain's."""
    domains = [h.value.rsplit("@", 1)[1] for h in handles if h.kind == "email" and "@" in h.value]
    for kind, value in [(h.kind, h.value) for h in handles] + [(DOMAIN, d) for d in domains]:
        row = store.conn.execute(
            "select kind, value, answer, decided_at from senders where kind = ? and value = ?",
            [kind, value],
        ).fetchone()
        if row is not None:
            return SenderAnswer(row[0], row[1], Answer(row[2]), row[3])
    return None


def all_answers(store: Store) -> list[SenderAnswer]:
    """Every answer, domains first, then by value."""
    rows = store.conn.execute(
        "select kind, value, answer, decided_at from senders order by kind != ?, value",
        [DOMAIN],
    ).fetchall()
    return [SenderAnswer(k, v, Answer(a), at) for k, v, a, at in rows]


def is_customer(store: Store, contact_id: int) -> bool:
    """Whether the contact has an order, open or closed: a customer, no longer an unknown sender."""
    return bool(
        store.scalar("select exists(select 1 from orders where contact_id = ?)", [contact_id])
    )


@dataclass(frozen=True, slots=True)
class Conversation:
    """A conversation on no order with a message still waiting: what an answer applies to."""

    thread_id: int
    account: str
    channel: str
    subject: str
    contact_id: int
    waiting: list[int]  # its waiting messages' ids


def contacts_with(store: Store, kind: str, value: str) -> list[int]:
    """The contacts an answer about ``value`` is about: the handle's one, or every contact with
    an address at the domain."""
    if kind == DOMAIN:
        rows = store.conn.execute(
            "select distinct contact_id from handles where kind = 'email'"
            " and substr(value, instr(value, '@') + 1) = ?",
            [value],
        ).fetchall()
    else:
        rows = store.conn.execute(
            "select contact_id from handles where kind = ? and value = ?", [kind, value]
        ).fetchall()
    return [int(row[0]) for row in rows]


def open_conversations(store: Store, contact_ids: list[int]) -> list[Conversation]:
    """The conversations of ``contact_ids`` on no order with a message waiting, oldest first."""
    if not contact_ids:
        return []
    marks = ",".join("?" * len(contact_ids))
    rows = store.conn.execute(
        "select t.id, t.account, t.channel, t.subject, m.contact_id, group_concat(m.id)"
        " from threads t join messages m on m.thread_id = t.id"
        f" where t.order_id is null and m.waiting = 1 and m.contact_id in ({marks})"
        " group by t.id order by min(m.sent_at), t.id",
        contact_ids,
    ).fetchall()
    return [
        Conversation(t, a, c, s or "", int(contact), sorted(int(i) for i in ids.split(",")))
        for t, a, c, s, contact, ids in rows
    ]


def move_to_order(store: Store, thread_id: int, order_id: int) -> None:
    """The conversation and all its messages go onto ``order_id``."""
    store.conn.execute("update threads set order_id = ? where id = ?", [order_id, thread_id])
    store.conn.execute(
        "update messages set order_id = ? where thread_id = ? and order_id is null",
        [order_id, thread_id],
    )
