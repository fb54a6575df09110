"""``banco orders``, ``banco tasks`` and ``banco status``: the orders, their tasks, what is next."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import click

from banco.inbox.cli.app import (
    Problem,
    json_option,
    limit_option,
    local,
    open_shop,
    print_json,
    with_shop,
)
from banco.inbox.orders.pipeline import STATUS_WORDS, STATUSES
from banco.inbox.shop import Shop
from banco.inbox.store import queries
from banco.inbox.store.tasks import mark_done, open_tasks


@click.group(invoke_without_command=True)
@click.option("--status", type=click.Choice(STATUSES), help="Only orders in this status.")
@click.option(
    "--all", "include_closed", is_flag=True, help="Include completed, lost and cancelled."
)
@json_option
@limit_option
@click.pass_context
def orders(
    ctx: click.Context, status: str | None, include_closed: bool, as_json: bool, limit: int | None
) -> None:
    """List open orders. Subcommands show one and change it."""
    if ctx.invoked_subcommand:
        return
    shop = open_shop(ctx)
    rows = queries.list_orders(
        shop.store, status=status, include_closed=include_closed, limit=limit
    )
    if as_json:
        print_json(rows)
        return
    for o in rows:
        due = f" due {o['deadline']}" if o["deadline"] else ""
        wait = f", {o['waiting']} waiting" if o["waiting"] else ""
        click.echo(
            f"{o['ref']}  {STATUS_WORDS[o['status']]:<24} {o['contact'] or '?'}: {o['title']}"
            f"{due} ({o['messages']} message{'' if o['messages'] == 1 else 's'}{wait})"
        )
    if not rows:
        click.echo("No orders match.")


@orders.command("show")
@click.argument("ref")
@json_option
@with_shop
def order_show(shop: Shop, ref: str, as_json: bool) -> None:
    """Show an order with its whole conversation across channels."""
    from banco.inbox.cli.show import order_text

    detail = queries.order_detail(shop.store, ref)
    if as_json:
        print_json(detail)
    else:
        click.echo(order_text(detail, lambda t: local(shop, t)))


@orders.command("status")
@click.argument("ref")
@click.argument("status", type=click.Choice(STATUSES), metavar="STATUS")
@click.option("--note", default="", help="Why, in a few words (kept in the history).")
@with_shop
def order_status(shop: Shop, ref: str, status: str, note: str) -> None:
    """Move an order to another status (new, quoted, booked, in_progress, ...)."""
    from banco.inbox.orders.status import change_status

    order = change_status(shop, ref, status, note)
    click.echo(f"{order['ref']} is now {STATUS_WORDS[status]}.")


@orders.command("deadline")
@click.argument("ref")
@click.argument("day", metavar="DATE", type=click.DateTime(["%Y-%m-%d", "%d/%m/%Y"]))
@with_shop
def order_deadline(shop: Shop, ref: str, day: datetime) -> None:
    """Set the date an order must be ready (2026-12-20 or 20/12/2026)."""
    from banco.inbox.orders.pipeline import update_fields

    order = update_fields(shop.store, ref, {"deadline": day.date()}, shop.clock.now())
    click.echo(f"{order['ref']} is due on {order['deadline']}.")


@orders.command("estimate")
@click.argument("ref")
@click.argument("hours", type=click.FloatRange(min=0))
@with_shop
def order_estimate(shop: Shop, ref: str, hours: float) -> None:
    """Set how many hours of work an order needs."""
    from banco.inbox.orders.pipeline import update_fields

    order = update_fields(shop.store, ref, {"estimated_hours": hours}, shop.clock.now())
    click.echo(f"{order['ref']} needs about {hours:g} hours of work.")


@orders.command("price")
@click.argument("ref")
@click.argument("amount", type=click.FloatRange(min=0))
@click.option("--payment", type=click.Choice(["none", "deposit_paid", "paid", "refunded"]))
@with_shop
def order_price(shop: Shop, ref: str, amount: float, payment: str | None) -> None:
    """Set an order's price (and, optionally, what has been paid)."""
    from banco.inbox.orders.pipeline import update_fields

    changes: dict[str, Any] = {"price": amount}
    if payment:
        changes["payment"] = payment
    order = update_fields(shop.store, ref, changes, shop.clock.now())
    click.echo(f"{order['ref']} costs {amount:g}; payment: {order['payment']}.")


@orders.command("task")
@click.argument("ref")
@click.argument("title")
@click.option("--due", type=click.DateTime(["%Y-%m-%d", "%d/%m/%Y"]), help="When it is due.")
@with_shop
def order_task(shop: Shop, ref: str, title: str, due: datetime | None) -> None:
    """Add a task to an order."""
    from banco.inbox.orders.pipeline import add_task

    add_task(shop.store, ref, title, shop.clock.now(), due.date() if due else None)
    click.echo(f"Task added to {ref.upper()}: {title}")


@orders.command("note")
@click.argument("ref")
@click.argument("text")
@with_shop
def order_note(shop: Shop, ref: str, text: str) -> None:
    """Add a note to an order's history."""
    from banco.inbox.orders.pipeline import add_note

    add_note(shop.store, ref, text, shop.clock.now())
    click.echo(f"Note added to {ref.upper()}.")


@orders.command("link")
@click.argument("message_id", type=int)
@with_shop
def order_link(shop: Shop, message_id: int) -> None:
    """Link a new sender to the customer of the order their message is on (same person)."""
    from banco.inbox.orders.pipeline import link_sender

    linked = link_sender(shop.store, message_id, shop.clock.now())
    click.echo(f"{linked.sender} is now {linked.customer}, the customer of {linked.ref}.")


@click.group(invoke_without_command=True)
@json_option
@click.pass_context
def tasks(ctx: click.Context, as_json: bool) -> None:
    """Open tasks of open orders, the ones due first. `banco tasks done ID` ticks one off."""
    if ctx.invoked_subcommand:
        return
    shop = open_shop(ctx)
    rows = open_tasks(shop.store)
    if as_json:
        print_json(rows)
        return
    for t in rows:
        due = f" (due {t['due']})" if t["due"] else ""
        click.echo(f"{t['id']:>5}  {t['ref']}  {t['title']}{due}")
    if not rows:
        click.echo("No open tasks.")


@tasks.command("done")
@click.argument("task_id", type=int)
@with_shop
def task_done(shop: Shop, task_id: int) -> None:
    """Mark a task as done."""
    if not mark_done(shop.store, task_id, shop.clock.now()):
        raise Problem(f"no open task {task_id}; `banco tasks` lists them")
    click.echo(f"Task {task_id} done.")


@click.command()
@json_option
@with_shop
def status(shop: Shop, as_json: bool) -> None:
    """Every open order: what is next, who is waiting on whom and since when."""
    from dataclasses import asdict

    from banco.inbox.orders.status import check_orders

    states = check_orders(shop, shop.clock.now())
    if as_json:
        print_json([asdict(s) for s in states])
        return
    for s in states:
        who = {"us": "waiting for you", "customer": "you wait for the customer"}.get(
            s.waiting_on or "", "nobody waiting"
        )
        since = f" since {local(shop, s.since)}" if s.since else ""
        flags = " [quote unanswered]" if s.stale_quote else " [time to nudge]" if s.nudge else ""
        click.echo(f"{s.ref}  {STATUS_WORDS[s.status]:<24} {s.contact}: {who}{since}{flags}")
        if s.next_task:
            click.echo(f"        next: {s.next_task}")
        for title in s.overdue_tasks:
            click.echo(f"        overdue: {title}")
    if not states:
        click.echo("No open orders.")
