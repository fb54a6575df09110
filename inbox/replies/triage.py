"""The one-key answer about a sender, asked in the reply session, on the web page, in the
owner chat and in the web inbox: an item with no order (a conversation triage did not make an
order) asks "an order?", and so does a message of the inbox waiting on no order. The keys are
the same on every screen: 1 an order, 2 not an order, 3 never a customer (this sender), 4 never
anyone at their mail domain (not offered for gmail.com and the like). Once answered, the question
is not asked again: ``banco senders`` and the Senders page change the answer."""

from __future__ import annotations

from dataclasses import dataclass, replace

from banco.connectors import Handle
from banco.inbox.i18n.catalogs import N_, _
from banco.inbox.orders.senders import Decided, decide, domain_of
from banco.inbox.replies.session import SessionItem, purpose_for, suggestion_for
from banco.inbox.shop import Shop
from banco.inbox.store.contacts import handles_of, unsorted_senders
from banco.inbox.store.orders import find_order
from banco.inbox.store.senders import Answer, SenderAnswer, answer_for


@dataclass(frozen=True, slots=True)
class TriageChoice:
    key: str
    answer: Answer
    domain: bool
    words: str  # in the maker's language


QUESTION = N_("Is this an order?")


def asks_triage(shop: Shop, item: SessionItem) -> bool:
    """Whether she is asked about the item: a conversation on no order, of a sender she has not
    answered about yet (her answer is changed with ``banco senders`` or the Senders page)."""
    contact_id = (item.contact or {}).get("id")
    if item.order is not None or not contact_id:
        return False
    return sender_answer(shop, contact_id) is None


def sender_answer(shop: Shop, contact_id: int) -> SenderAnswer | None:
    """Her answer about the contact (or their mail domain), if she gave one."""
    handles = [Handle(kind, value) for kind, value in handles_of(shop.store, contact_id)]
    return answer_for(shop.store, handles)


def triage_choices(shop: Shop, item: SessionItem) -> list[TriageChoice]:
    """The keys offered for the item, in the maker's language (empty when none is asked)."""
    if not asks_triage(shop, item):
        return []
    return _choices(item.latest.get("sender_handle") or "")


def message_choices(shop: Shop, message_ids: list[int]) -> dict[int, list[TriageChoice]]:
    """The keys offered for each of the inbox's messages she is asked about: waiting for a reply
    on no order, from a sender she has not answered about (as an item of the session)."""
    return {
        row.message_id: _choices(row.sender_handle)
        for row in unsorted_senders(shop.store, message_ids)
        if sender_answer(shop, row.contact_id) is None
    }


def answer_message(shop: Shop, message_id: int, choice: TriageChoice) -> Decided:
    """Her answer about the sender of inbox message ``message_id`` (one of its
    ``message_choices``), remembered and applied as in the session."""
    [row] = unsorted_senders(shop.store, [message_id])
    return _decide(shop, row.contact_id, row.thread_id, choice)


def _choices(sender_handle: str) -> list[TriageChoice]:
    choices = [
        TriageChoice("1", Answer.ORDER, False, _("an order")),
        TriageChoice("2", Answer.NOT_ORDER, False, _("not an order")),
        TriageChoice("3", Answer.NEVER, False, _("never a customer")),
    ]
    domain = domain_of(sender_handle)
    if domain is not None:
        words = _("never anyone at {domain}").format(domain="@" + domain)
        choices.append(TriageChoice("4", Answer.NEVER, True, words))
    return choices


def choices_line(shop: Shop, item: SessionItem) -> str:
    """ "Is this an order? [1] an order  [2] not an order ...", or "" when none is asked."""
    choices = triage_choices(shop, item)
    if not choices:
        return ""
    keys = "   ".join(f"[{c.key}] {c.words}" for c in choices)
    return f"{_(QUESTION)} {keys}"


def answer_sender(shop: Shop, item: SessionItem, choice: TriageChoice) -> Decided:
    """Remember and apply the maker's answer about the item's sender (``orders.senders``)."""
    contact_id = int((item.contact or {})["id"])
    return _decide(shop, contact_id, item.latest.get("thread_id"), choice)


def _decide(shop: Shop, contact_id: int, thread_id: int | None, choice: TriageChoice) -> Decided:
    return decide(
        shop.store,
        shop.clock.now(),
        shop.config.shop.order_prefix,
        contact_id,
        choice.answer,
        domain=choice.domain,
        thread_id=thread_id,
    )


def on_new_order(shop: Shop, item: SessionItem, ref: str) -> SessionItem:
    """The item again, now on the order her answer opened, with the suggestion for it."""
    order = find_order(shop.store, ref)
    return replace(
        item,
        order=order,
        messages=[{**m, "order_id": order["id"]} for m in item.messages],
        suggestion=suggestion_for(
            shop, purpose_for(order), item.suggestion.language, order, item.contact
        ),
    )


def decided_line(decided: Decided) -> str:
    """What her answer did, in one line."""
    if decided.opened:
        return _("Now an order: {refs}.").format(refs=", ".join(decided.opened))
    if decided.answer is Answer.NEVER:
        return _("Never a customer: their messages no longer wait for you.")
    return _("Not an order: it stays a conversation you can answer.")
