"""Customers: the list, heard from last first, a page at a time; one customer with her addresses
(each that mail bounced from marked, with a button saying it works again), her orders, and the
merges Banco suggests, each a button she presses or dismisses; splitting an address off."""

from __future__ import annotations

from starlette.responses import Response
from starlette.routing import Route

from banco.inbox.clock import iso
from banco.inbox.customers import merging
from banco.inbox.customers.suggestions import suggestions
from banco.inbox.customers.view import KIND_WORDS, RULE_WORDS, customer_view
from banco.inbox.i18n.catalogs import gettext as _
from banco.inbox.store import customers as store_customers
from banco.inbox.web.context import Ctx, NotFound, page
from banco.inbox.web.paging import Paging


@page
def customer_list(ctx: Ctx) -> Response:
    paging = Paging.of(ctx.request)
    store = ctx.shop.store
    return ctx.render(
        "customers.html",
        title=_("Customers"),
        customers=store_customers.list_customers(store, limit=paging.size, offset=paging.offset),
        total=store_customers.count_customers(store),
        paging=paging,
        suggested=suggestions(store),
        rules={rule: _(words) for rule, words in RULE_WORDS.items()},
    )


def _customer_id(ctx: Ctx) -> int:
    """The customer the address names; Not Found for one that is not (merged, or never was)."""
    contact_id: int = ctx.request.path_params["contact_id"]
    if not store_customers.is_customer(ctx.shop.store, contact_id):
        raise NotFound(_("There is no customer {id}.").format(id=contact_id))
    return contact_id


@page
def customer(ctx: Ctx) -> Response:
    contact_id = _customer_id(ctx)
    view = customer_view(ctx.shop.store, contact_id)
    return ctx.render(
        "customer.html",
        title=view.name or _("Customer {id}").format(id=contact_id),
        c=view,
        kinds={kind: _(words) for kind, words in KIND_WORDS.items()},
        rules={rule: _(words) for rule, words in RULE_WORDS.items()},
    )


@page
def merge(ctx: Ctx) -> Response:
    """She confirms two customers are one: the other joins this one."""
    kept = _customer_id(ctx)
    other = merging.find_customer(ctx.shop.store, ctx.field("other"))
    merging.merge(ctx.shop.store, kept, other, ctx.shop.clock.now())
    return ctx.back(
        f"/customers/{kept}",
        _("Customer {second} is now part of this customer.").format(second=other),
    )


@page
def split(ctx: Ctx) -> Response:
    contact_id = _customer_id(ctx)
    handle = ctx.field("handle")
    new_id = merging.split(ctx.shop.store, contact_id, handle, ctx.shop.clock.now())
    return ctx.back(
        f"/customers/{new_id}", _("{handle} is customer {id} now.").format(handle=handle, id=new_id)
    )


@page
def works_again(ctx: Ctx) -> Response:
    """She says mail to an address that bounced works again."""
    contact_id = _customer_id(ctx)
    value = merging.works_again(ctx.shop.store, contact_id, ctx.field("handle"))
    return ctx.back(
        f"/customers/{contact_id}",
        _("{address} works again: replies go to it.").format(address=value),
    )


@page
def merge_orders(ctx: Ctx) -> Response:
    kept, merged = merging.merge_orders(
        ctx.shop.store, ctx.field("first"), ctx.field("second"), ctx.shop.clock.now()
    )
    return ctx.back(
        f"/orders/{kept}", _("{second} is merged into {first}.").format(first=kept, second=merged)
    )


@page
def dismiss(ctx: Ctx) -> Response:
    """She says two customers (or two orders) are not one: never suggested again."""
    kind, (one, other) = merging.pair(
        ctx.shop.store,
        ctx.field("first"),
        ctx.field("second"),
        of_orders=ctx.field("kind") == "orders",
    )
    store_customers.dismiss(ctx.shop.store, kind, one, other, iso(ctx.shop.clock.now()) or "")
    return ctx.back("/customers", _("Not suggested again."))


routes = [
    Route("/customers", customer_list, name="customers"),
    Route("/customers/dismiss", dismiss, methods=["POST"]),
    Route("/customers/merge-orders", merge_orders, methods=["POST"]),
    Route("/customers/{contact_id:int}", customer, name="customer"),
    Route("/customers/{contact_id:int}/merge", merge, methods=["POST"]),
    Route("/customers/{contact_id:int}/split", split, methods=["POST"]),
    Route("/customers/{contact_id:int}/works-again", works_again, methods=["POST"]),
]
