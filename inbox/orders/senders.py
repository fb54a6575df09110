"""The maker's answer about a sender, applied: order / not an order / never a customer.

She answers once, in the reply session, the web page or the owner chat, for the sender or (for
mail) the sender's whole domain; ``banco senders`` lists the answers, changes and forgets them.
The answer is remembered (``store.senders``) and decides that sender's next first messages
(``collect.triage``); it is applied at once to their conversations still waiting:

- "order": the conversation answered about (else each one waiting) becomes a ``new`` order, and
  its messages move onto it;
- "not an order": they stay conversations, still waiting for a reply;
- "never a customer": their messages stop waiting (nothing is sent).

Orders opened earlier stay: closing one is a status change she makes herself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from banco.config.sentence import Sentence
from banco.connectors import HANDLE_KINDS, normalise_handle
from banco.inbox.clock import iso
from banco.inbox.errors import WrongInput
from banco.inbox.i18n.catalogs import N_, _
from banco.inbox.orders.pipeline import create_order
from banco.inbox.store import senders
from banco.inbox.store.contacts import handles_of
from banco.inbox.store.database import Store
from banco.inbox.store.messages import handled_without_reply
from banco.inbox.store.orders import order_row
from banco.inbox.store.senders import DOMAIN, Answer, Conversation

#: Mail domains shared by many people: "never anyone at gmail.com" would hide customers.
SHARED_DOMAINS = frozenset(
    [
        "gmail.com",
        "googlemail.com",
        "outlook.com",
        "outlook.it",
        "outlook.fr",
        "hotmail.com",
        "hotmail.it",
        "hotmail.fr",
        "live.com",
        "live.it",
        "live.fr",
        "msn.com",
        "yahoo.com",
        "yahoo.it",
        "yahoo.fr",
        "ymail.com",
        "icloud.com",
        "me.com",
        "mac.com",
        "aol.com",
        "proton.me",
        "protonmail.com",
        "gmx.com",
        "gmx.de",
        "gmx.net",
        "web.de",
        "libero.it",
        "virgilio.it",
        "tiscali.it",
        "alice.it",
        "tin.it",
        "tim.it",
        "fastwebnet.it",
        "email.it",
        "orange.fr",
        "wanadoo.fr",
        "free.fr",
        "laposte.net",
        "sfr.fr",
        "neuf.fr",
        "bbox.fr",
    ]
)


class SenderError(WrongInput):
    """An answer about a sender that cannot be given (no such sender, a shared domain)."""


@dataclass(frozen=True, slots=True)
class Decided:
    """What an answer did: which orders it opened, how many messages stopped waiting."""

    answer: Answer
    opened: list[str] = field(default_factory=list)
    stopped: int = 0


def domain_of(handle_value: str) -> str | None:
    """The mail domain a "never anyone at ..." answer may name, or None (a chat, a shared
    domain such as gmail.com)."""
    if "@" not in handle_value:
        return None
    domain = handle_value.rsplit("@", 1)[1].lower()
    return None if _shared(domain) or not domain else domain


def _shared(domain: str) -> bool:
    """Whether ``domain`` is shared by many people; a name under ``.example`` (the domain kept
    for examples: the demo's Chiara at libero.example) as that name is anywhere."""
    if domain.endswith(".example"):
        name = domain.removesuffix(".example")
        return any(shared.rsplit(".", 1)[0] == name for shared in SHARED_DOMAINS)
    return domain in SHARED_DOMAINS


def decide(
    store: Store,
    now: datetime,
    prefix: str,
    contact_id: int,
    answer: Answer,
    *,
    domain: bool = False,
    thread_id: int | None = None,
) -> Decided:
    """The maker's ``answer`` about the contact (with ``domain``, about everyone at their mail
    domain), remembered and applied; ``thread_id``: the conversation she answered about."""
    kind, value = _about(store, contact_id, domain)
    with store.db.atomic():
        senders.remember(store, kind, value, answer, iso(now) or "")
        return _apply(store, now, prefix, kind, value, answer, thread_id)


def change(
    store: Store, now: datetime, prefix: str, kind: str, value: str, answer: Answer
) -> Decided:
    """Give the sender (or domain) ``value`` a new answer, applied to their waiting
    conversations (``banco senders set``)."""
    with store.db.atomic():
        senders.remember(store, kind, value, answer, iso(now) or "")
        return _apply(store, now, prefix, kind, value, answer, None)


def _about(store: Store, contact_id: int, domain: bool) -> tuple[str, str]:
    """The handle (or domain) an answer about the contact is remembered for: their first."""
    handles = handles_of(store, contact_id)
    if not handles:
        raise SenderError(Sentence("this sender has no address to remember"))
    if not domain:
        return handles[0]
    found = next((d for k, v in handles if k == "email" and (d := domain_of(v))), None)
    if found is None:
        raise SenderError(
            Sentence("this sender's address is shared by many people: answer for the sender alone")
        )
    return DOMAIN, found


def _apply(
    store: Store,
    now: datetime,
    prefix: str,
    kind: str,
    value: str,
    answer: Answer,
    thread_id: int | None,
) -> Decided:
    conversations = senders.open_conversations(store, senders.contacts_with(store, kind, value))
    if answer is Answer.ORDER:
        chosen = [c for c in conversations if thread_id in (None, c.thread_id)]
        return Decided(answer, opened=[_open_order(store, now, prefix, c) for c in chosen])
    if answer is Answer.NEVER:
        waiting = [m for c in conversations for m in c.waiting]
        if waiting:
            handled_without_reply(store, waiting, now)
        return Decided(answer, stopped=len(waiting))
    return Decided(answer)


def _open_order(store: Store, now: datetime, prefix: str, conversation: Conversation) -> str:
    """A ``new`` order from the conversation, its messages moved onto it: its reference."""
    order_id = create_order(
        store,
        prefix,
        now,
        contact_id=conversation.contact_id,
        title=conversation.subject or _("New inquiry"),
        account=conversation.account,
        via=conversation.channel,
    )
    senders.move_to_order(store, conversation.thread_id, order_id)
    order = order_row(store, order_id)
    assert order is not None  # made above, in this transaction
    return str(order["ref"])


#: The words of each answer, for every screen.
ANSWER_WORDS = {
    Answer.ORDER: N_("an order"),
    Answer.NOT_ORDER: N_("not an order"),
    Answer.NEVER: N_("never a customer"),
}


def sender_key(text: str) -> tuple[str, str]:
    """The sender (or domain) the maker names: "ann@example.com", a domain ("@supplier.example"
    or "supplier.example"), a chat ("telegram:12345"). Raises SenderError."""
    text = text.strip()
    kind, _colon, rest = text.partition(":")
    if kind in HANDLE_KINDS and normalise_handle(kind, rest):
        return kind, normalise_handle(kind, rest)
    if "@" in text.lstrip("@"):
        return "email", normalise_handle("email", text)
    domain = text.lstrip("@").lower()
    if "." in domain and " " not in domain and domain.strip("."):
        return DOMAIN, domain
    raise SenderError(
        Sentence(
            '"{text}" is not an address, a domain or a chat: write ann@example.com,'
            " @example.com or telegram:12345",
            text=text,
        )
    )
