"""``banco customers``: the customers, one of them, merging two into one and splitting one off,
the suggestions of who may be one person; and ``banco orders merge`` for two orders of one job."""

from __future__ import annotations

from dataclasses import asdict

import click

from banco.inbox.cli.app import command, group, json_option, local, open_shop, print_json, with_shop
from banco.inbox.cli.listing import echo_more, listing_options, rows_asked
from banco.inbox.clock import iso
from banco.inbox.customers import merging
from banco.inbox.customers.suggestions import suggestions
from banco.inbox.customers.view import (
    KIND_WORDS,
    CustomerView,
    customer_view,
    suggestion_line,
)
from banco.inbox.i18n.catalogs import N_, _, ngettext
from banco.inbox.orders.pipeline import STATUS_WORDS
from banco.inbox.shop import Shop
from banco.inbox.store import customers as store_customers


@group(
    invoke_without_command=True,
    help=N_(
        "List your customers, the ones heard from last first; subcommands show one, merge two"
        " into one and split one off."
    ),
)
@listing_options
@json_option
@click.pass_context
def customers(ctx: click.Context, limit: int | None, show_all: bool, as_json: bool) -> None:
    if ctx.invoked_subcommand:
        return
    shop = open_shop(ctx)
    asked = rows_asked(limit, show_all, as_json)
    rows = store_customers.list_customers(shop.store, limit=asked)
    if as_json:
        print_json(rows)
        return
    for row in rows:
        count = ngettext("{n} order", "{n} orders", row["orders"]).format(n=row["orders"])
        if row["open_orders"]:
            count += ", " + _("{n} open").format(n=row["open_orders"])
        heard = _("last heard from {when}").format(when=local(shop, row["last_at"]))
        click.echo(
            f"{row['id']:>4}  {row['name'] or '?'}  {' '.join(row['handles'])}  ({count}; {heard})"
        )
    if not rows:
        click.echo(_("No customers yet."))
    echo_more(rows, asked, lambda: store_customers.count_customers(shop.store))
    waiting = len(suggestions(shop.store))
    if waiting and not as_json:
        click.echo(
            ngettext(
                "{n} suggestion of customers or orders that may be one:"
                " `banco customers suggestions`",
                "{n} suggestions of customers or orders that may be one:"
                " `banco customers suggestions`",
                waiting,
            ).format(n=waiting)
        )


@customers.command(
    "show",
    help=N_(
        "Show a customer (her number, an address, a phone, a chat or her name): addresses, orders,"
        " last message."
    ),
)
@click.argument("who")
@json_option
@with_shop
def customer_show(shop: Shop, who: str, as_json: bool) -> None:
    view = customer_view(shop.store, merging.find_customer(shop.store, who))
    if as_json:
        print_json(asdict(view))
        return
    click.echo(_("Customer {id}: {name}").format(id=view.id, name=view.name or "?"))
    for handle in view.handles:
        line = f"  {_(KIND_WORDS.get(handle.kind, handle.kind))}: {handle.value}"
        if handle.failed_at:
            line += "  " + _("(mail to it bounced on {when})").format(
                when=local(shop, handle.failed_at)
            )
        click.echo(line)
    if view.failing:
        click.echo(
            _(
                "Ask this customer for another way to reach them: another address, a phone, Telegram."
            )
        )
    click.echo(_("Orders:") if view.orders else _("No orders."))
    for order in view.orders:
        status = _(STATUS_WORDS.get(order["status"], order["status"]))
        merged = " " + _("(merged into another order)") if order["merged_into"] else ""
        click.echo(f"  {order['ref']}  {status}: {order['title']}{merged}")
    if view.last is not None:
        said = (
            _("Last message, from them:")
            if view.last["direction"] == "in"
            else _("Last message, from you:")
        )
        text = " ".join((view.last["subject"] or view.last["text"]).split())[:70]
        click.echo(f"{said} {local(shop, view.last['sent_at'])}  {text}")
    for suggestion in view.suggested:
        click.echo(suggestion_line(suggestion))


@customers.command(
    "suggestions",
    help=N_(
        "Customers who may be one person, and orders that may be one job: nothing changes until"
        " you merge them."
    ),
)
@json_option
@with_shop
def customer_suggestions(shop: Shop, as_json: bool) -> None:
    found = suggestions(shop.store)
    if as_json:
        print_json([asdict(s) for s in found])
        return
    for suggestion in found:
        click.echo(suggestion_line(suggestion))
    if found:
        click.echo(
            _(
                "Not the same? `banco customers dismiss FIRST SECOND` and it is never suggested again."
            )
        )
    else:
        click.echo(_("No suggestions."))


@customers.command(
    "dismiss",
    help=N_("Two customers (or, with --orders, two orders) are not one: never suggest it again."),
)
@click.argument("first")
@click.argument("second")
@click.option("--orders", "of_orders", is_flag=True, help=N_("FIRST and SECOND are orders."))
@with_shop
def customer_dismiss(shop: Shop, first: str, second: str, of_orders: bool) -> None:
    kind, (one, other) = merging.pair(shop.store, first, second, of_orders=of_orders)
    store_customers.dismiss(shop.store, kind, one, other, iso(shop.clock.now()) or "")
    click.echo(_("Not suggested again."))


@customers.command(
    "merge",
    help=N_(
        "Merge customer SECOND into FIRST: addresses, conversations and orders become FIRST's."
        " `banco customers split` gives SECOND back."
    ),
)
@click.argument("first")
@click.argument("second")
@with_shop
def customer_merge(shop: Shop, first: str, second: str) -> None:
    kept = merging.find_customer(shop.store, first)
    merged = merging.find_customer(shop.store, second)
    merging.merge(shop.store, kept, merged, shop.clock.now())
    view: CustomerView = customer_view(shop.store, kept)
    click.echo(
        _("Customer {second} is now part of {first} ({name}).").format(
            second=merged, first=kept, name=view.name or "?"
        )
    )


@customers.command(
    "split",
    help=N_(
        "Split an address, phone or chat off a customer, with its conversations; a customer"
        " merged in with it comes back whole."
    ),
)
@click.argument("who")
@click.argument("handle")
@with_shop
def customer_split(shop: Shop, who: str, handle: str) -> None:
    contact_id = merging.find_customer(shop.store, who)
    new_id = merging.split(shop.store, contact_id, handle, shop.clock.now())
    click.echo(_("{handle} is customer {id} now.").format(handle=handle, id=new_id))


@customers.command(
    "works-again",
    help=N_(
        "Mail to a customer's address that bounced works again (you sorted it out with them):"
        " replies go to it again. A mail from that address does this by itself."
    ),
)
@click.argument("who")
@click.argument("address")
@with_shop
def customer_works_again(shop: Shop, who: str, address: str) -> None:
    contact_id = merging.find_customer(shop.store, who)
    value = merging.works_again(shop.store, contact_id, address)
    click.echo(_("{address} works again: replies go to it.").format(address=value))


@command(
    "merge",
    help=N_(
        "Merge order SECOND into FIRST (one job): its messages, tasks and history move, and it"
        " closes as merged."
    ),
)
@click.argument("first")
@click.argument("second")
@with_shop
def orders_merge(shop: Shop, first: str, second: str) -> None:
    kept, merged = merging.merge_orders(shop.store, first, second, shop.clock.now())
    click.echo(_("{second} is merged into {first}.").format(first=kept, second=merged))
