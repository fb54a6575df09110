"""Merging and splitting customers, and merging two orders for one job: only ever done because
the maker asked (a command, a button), each in one transaction.

A merge is recorded (see store/customers.py), so ``split`` of a handle that came with a merge
gives the merged customer back exactly as she was; a handle that did not is split off alone with
the conversations it wrote in."""

from __future__ import annotations

from datetime import datetime

from banco.connectors.base import normalise_handle
from banco.inbox.clock import iso
from banco.inbox.errors import WrongInput
from banco.inbox.i18n.catalogs import _
from banco.inbox.store import customers as store_customers
from banco.inbox.store.database import Store
from banco.inbox.store.events import add_event
from banco.inbox.store.orders import CLOSED, find_order, update_order


class CustomerError(WrongInput):
    """A customer command cannot be done (nobody by that name, two people by it, a handle she
    does not have, a merge with herself)."""


def find_customer(store: Store, text: str) -> int:
    """The one customer ``text`` names (number, address, phone, chat or name)."""
    found = store_customers.customer_ids_named(store, text)
    if not found:
        raise CustomerError(
            _('no customer "{name}"; `banco customers` lists them').format(name=text)
        )
    if len(found) > 1:
        raise CustomerError(
            _('{n} customers are called "{name}": use a number ({numbers})').format(
                n=len(found), name=text, numbers=", ".join(map(str, found))
            )
        )
    return found[0]


def pair(store: Store, first: str, second: str, *, of_orders: bool) -> tuple[str, tuple[int, int]]:
    """The two customers (or orders) a suggestion named: its kind and their ids."""
    if of_orders:
        return "orders", (find_order(store, first)["id"], find_order(store, second)["id"])
    return "customers", (find_customer(store, first), find_customer(store, second))


def merge(store: Store, first: int, second: int, now: datetime) -> int:
    """Merge customer ``second`` into ``first``; the merge's number."""
    if first == second:
        raise CustomerError(_("that is the same customer twice"))
    with store.db.atomic():
        return store_customers.merge_contacts(store, second, first, iso(now) or "")


def split(store: Store, contact_id: int, handle_text: str, now: datetime) -> int:
    """Split ``handle_text`` off customer ``contact_id``: the customer merged in with it comes
    back whole; otherwise the handle and its conversations go to a new customer. Her number."""
    handles = store_customers.handles_of(store, contact_id)
    handle = _handle_of(contact_id, handles, handle_text)
    if len(handles) == 1:
        raise CustomerError(
            _("{handle} is this customer's only address").format(handle=handle_text)
        )
    with store.db.atomic():
        merge_record = store_customers.merge_bringing(store, contact_id, handle.id)
        if merge_record is not None:
            store_customers.split_back(store, merge_record, iso(now) or "")
            new_id = merge_record.merged_id
        else:
            name = handle.display if handle.display and handle.display != handle.value else ""
            new_id = store_customers.split_handle(store, contact_id, handle, name, iso(now) or "")
        # she split them: two people, never suggested as one again (as "Not the same" says)
        store_customers.dismiss(store, "customers", contact_id, new_id, iso(now) or "")
        return new_id


def merge_orders(store: Store, kept_ref: str, merged_ref: str, now: datetime) -> tuple[str, str]:
    """Move everything of order ``merged_ref`` onto ``kept_ref`` and close it as merged into it;
    both references."""
    kept, merged = find_order(store, kept_ref), find_order(store, merged_ref)
    if kept["id"] == merged["id"]:
        raise CustomerError(_("that is the same order twice"))
    if merged["merged_into"] is not None or kept["merged_into"] is not None:
        raise CustomerError(_("one of these orders is already merged into another"))
    with store.db.atomic():
        store_customers.merge_orders(store, merged["id"], kept["id"])
        closing = merged["status"] if merged["status"] in CLOSED else "cancelled"
        update_order(
            store,
            merged["id"],
            {"status": closing, "closed_at": iso(now) or "", "updated_at": iso(now) or ""},
        )
        add_event(
            store,
            merged["id"],
            now,
            "merged_into",
            from_status=merged["status"],
            to_status=closing,
            data={"ref": kept["ref"]},
        )
        add_event(store, kept["id"], now, "merged_from", data={"ref": merged["ref"]})
    return kept["ref"], merged["ref"]


def works_again(store: Store, contact_id: int, handle_text: str) -> str:
    """The maker says mail to the customer's address ``handle_text`` works again (a bounce she
    sorted out with them): it is failing no more, replies go to it. The address, as stored."""
    handles = store_customers.handles_of(store, contact_id)
    handle = _handle_of(contact_id, handles, handle_text)
    if not store_customers.clear_failing(store, handle.kind, handle.value):
        raise CustomerError(
            _("mail to {handle} never bounced; nothing changed").format(handle=handle.value)
        )
    return handle.value


def _handle_of(
    contact_id: int, handles: list[store_customers.HandleRow], handle_text: str
) -> store_customers.HandleRow:
    if not handle_text.strip():
        raise CustomerError(_("say which address, phone or chat, for example ann@example.com"))
    found = next((h for h in handles if normalise_handle(h.kind, handle_text) == h.value), None)
    if found is None:
        raise CustomerError(
            _("customer {id} has no address, phone or chat {handle}").format(
                id=contact_id, handle=handle_text
            )
        )
    return found
