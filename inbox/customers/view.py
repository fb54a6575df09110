"""One customer as the screens show her: her handles (each address mail bounced from marked),
her orders, her last message, and who she may be the same person as."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field

from banco.inbox.customers.suggestions import Suggestion, suggestions_about
from banco.inbox.i18n.catalogs import N_, _
from banco.inbox.store import customers as store_customers
from banco.inbox.store.contacts import contact_name
from banco.inbox.store.customers import LastMessage, OrderLine
from banco.inbox.store.database import Store

#: a handle's kind, as the screens name it
KIND_WORDS = {
    "email": N_("email"),
    "phone": N_("phone"),
    "telegram": N_("Telegram"),
    "telegram_username": N_("Telegram"),
}
#: why two customers may be one, or two orders one job
RULE_WORDS = {
    "phone": N_("the same phone"),
    "email": N_("the same email address, written another way"),
    "name": N_("the same name, another address"),
    "job": N_("the same job"),
}


@dataclass(frozen=True)
class HandleView:
    id: int
    kind: str
    value: str
    #: when mail to it bounced ("" when it did not)
    failed_at: str


@dataclass(frozen=True)
class CustomerView:
    id: int
    name: str
    handles: list[HandleView]
    orders: list[OrderLine]
    last: LastMessage | None
    #: the suggestions that name her or one of her orders
    suggested: list[Suggestion] = field(default_factory=list)

    @property
    def failing(self) -> list[HandleView]:
        return [h for h in self.handles if h.failed_at]


def customer_view(store: Store, contact_id: int) -> CustomerView:
    failing = store_customers.failing_of(store, contact_id)
    handles = [
        HandleView(h.id, h.kind, h.value, failing.get(h.value, ""))
        for h in store_customers.handles_of(store, contact_id)
    ]
    orders = store_customers.orders_of(store, contact_id)
    suggested = suggested_for(store, contact_id, {o["id"] for o in orders})
    return CustomerView(
        contact_id,
        contact_name(store, contact_id) or "",
        handles,
        orders,
        store_customers.last_message(store, contact_id),
        suggested,
    )


def suggested_for(
    store: Store, contact_id: int | None, order_ids: Collection[int]
) -> list[Suggestion]:
    """The suggestions that name the customer ``contact_id`` or one of ``order_ids``: shown
    where she reads that customer or order (her page, the reply session, the order's page)."""
    people = set(store_customers.customers_of_orders(store, order_ids))
    if contact_id is not None:
        people.add(contact_id)
    return [
        s
        for s in suggestions_about(store, people)
        if (s.kind == "customers" and contact_id in (s.first, s.second))
        or (s.kind == "orders" and set(order_ids) & {s.first, s.second})
    ]


def suggestion_line(suggestion: Suggestion) -> str:
    """One suggestion and the command that confirms it, in the maker's language."""
    first, second = suggestion.labels
    if suggestion.kind == "orders":
        return _(
            "{first} and {second} may be one job ({why}: {evidence}):"
            " `banco orders merge {first} {second}`"
        ).format(
            first=first,
            second=second,
            why=_(RULE_WORDS[suggestion.rule]),
            evidence=suggestion.evidence,
        )
    return _(
        "{a} ({first}) and {b} ({second}) may be one person ({why}: {evidence}):"
        " `banco customers merge {first} {second}`"
    ).format(
        a=first,
        b=second,
        first=suggestion.first,
        second=suggestion.second,
        why=_(RULE_WORDS[suggestion.rule]),
        evidence=suggestion.evidence,
    )
