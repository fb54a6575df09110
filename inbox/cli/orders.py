"""``banco orders``, ``banco tasks`` and ``banco status``: the orders, their tasks, what is next."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import click
from babel.numbers import format_decimal

from banco.inbox.cli.app import (
    NUMBER_ARGUMENT,
    Problem,
    RowId,
    command,
    day_text,
    group,
    json_option,
    local,
    open_shop,
    print_json,
    typed_value,
    with_shop,
)
from banco.inbox.cli.listing import echo_more, first, limit_option, listing_options, rows_asked
from banco.inbox.cli.messages import MESSAGE_ID
from banco.inbox.i18n.catalogs import N_, _, current_language, ngettext
from banco.inbox.i18n.money import format_money, locale_of, parse_amount
from banco.inbox.i18n.numbers import parse_hours
from banco.inbox.i18n.words import number
from banco.inbox.orders.history import PAYMENT_WORDS
from banco.inbox.orders.pipeline import STATUS_WORDS, STATUSES
from banco.inbox.shop import Shop
from banco.inbox.store import queries
from banco.inbox.store.tasks import open_tasks


@group(
    invoke_without_command=True,
    help=N_("List open orders. Newest first; subcommands show one and change it."),
)
@click.option("--status", type=click.Choice(STATUSES), help=N_("Only orders in this status."))
@click.option(
    "--all",
    "show_all",
    is_flag=True,
    help=N_("Every order, however many: completed, lost and cancelled too."),
)
@click.option(
    "--past",
    "only_past",
    is_flag=True,
    help=N_(
        "Only the past conversations your first collect brought in (answered, or old),"
        " which the other lists leave out."
    ),
)
@json_option
@limit_option
@click.pass_context
def orders(
    ctx: click.Context,
    status: str | None,
    show_all: bool,
    only_past: bool,
    as_json: bool,
    limit: int | None,
) -> None:
    if ctx.invoked_subcommand:
        return
    shop = open_shop(ctx)
    asked = rows_asked(limit, show_all, as_json)
    chosen: dict[str, Any] = {
        "status": status,
        "include_closed": show_all,
        "past": True if only_past else None if show_all else False,
    }
    rows = queries.list_orders(shop.store, **chosen, limit=asked, newest_first=True)
    if as_json:
        print_json(rows)
        return
    for o in rows:
        count = ngettext("{n} message", "{n} messages", o["messages"]).format(n=o["messages"])
        if o["waiting"]:
            count += ", " + _("{n} waiting").format(n=o["waiting"])
        click.echo(
            f"{o['ref']}  {_(STATUS_WORDS[o['status']]):<24} {o['contact'] or '?'}: {o['title']}"
            f"{due_text(o['deadline'])} ({count})"
        )
    if not rows:
        click.echo(_("No orders match."))
    echo_more(rows, asked, lambda: queries.count_orders(shop.store, **chosen))
    if chosen["past"] is False and (
        past := queries.count_orders(shop.store, status=status, past=True)
    ):
        click.echo(
            ngettext(
                "{n} past conversation from your first collect: banco orders --past",
                "{n} past conversations from your first collect: banco orders --past",
                past,
            ).format(n=number(past, current_language()))
        )


def due_text(deadline: str | None) -> str:
    """ " due 2026-12-20" after an order or a task, or nothing."""
    return " " + _("due {date}").format(date=day_text(deadline)) if deadline else ""


def hours_text(hours: float) -> str:
    return _("{hours} hours").format(
        hours=format_decimal(hours, locale=locale_of(current_language()))
    )


@orders.command("show", help=N_("Show an order with its whole conversation across channels."))
@click.argument("ref")
@json_option
@with_shop
def order_show(shop: Shop, ref: str, as_json: bool) -> None:
    from banco.inbox.cli.show import order_text
    from banco.inbox.orders.edits import message_edits

    detail = queries.order_detail(shop.store, ref)
    if as_json:
        print_json(detail)
    else:
        edits = message_edits(shop.store, detail["conversation"])
        click.echo(order_text(detail, lambda t: local(shop, t), shop.config.shop.currency, edits))


@orders.command(
    "status", help=N_("Move an order to another status (new, quoted, booked, in_progress, ...).")
)
@click.argument("ref")
@click.argument("status", type=click.Choice(STATUSES), metavar="STATUS")
@click.option("--note", default="", help=N_("Why, in a few words (kept in the history)."))
@with_shop
def order_status(shop: Shop, ref: str, status: str, note: str) -> None:
    from banco.inbox.orders.status import change_status

    order = change_status(shop, ref, status, note)
    click.echo(_("{ref} is now {status}.").format(ref=order["ref"], status=_(STATUS_WORDS[status])))


@orders.command(
    "deadline", help=N_("Set the date an order must be ready (2026-12-20 or 20/12/2026).")
)
@click.argument("ref")
@click.argument("day", metavar="DATE", type=click.DateTime(["%Y-%m-%d", "%d/%m/%Y"]))
@with_shop
def order_deadline(shop: Shop, ref: str, day: datetime) -> None:
    from banco.inbox.orders.pipeline import update_fields

    order = update_fields(shop.store, ref, {"deadline": day.date()}, shop.clock.now())
    click.echo(
        _("{ref} is due on {date}.").format(ref=order["ref"], date=day_text(order["deadline"]))
    )


@orders.command(
    "estimate",
    help=N_("Set how many hours of work an order needs, written as you write numbers (2,5)."),
    context_settings=NUMBER_ARGUMENT,
)
@click.argument("ref")
@click.argument("hours")
@with_shop
def order_estimate(shop: Shop, ref: str, hours: str) -> None:
    from banco.inbox.orders.pipeline import update_fields

    needed = float(typed_value(parse_hours, hours))
    order = update_fields(shop.store, ref, {"estimated_hours": needed}, shop.clock.now())
    click.echo(
        _("{ref} needs about {hours} of work.").format(ref=order["ref"], hours=hours_text(needed))
    )


@orders.command(
    "price",
    help=N_(
        "Set an order's price, written as you write numbers (1.250,50 in Italian), and,"
        " optionally, what has been paid."
    ),
    context_settings=NUMBER_ARGUMENT,
)
@click.argument("ref")
@click.argument("amount")
@click.option("--payment", type=click.Choice(list(PAYMENT_WORDS)))
@with_shop
def order_price(shop: Shop, ref: str, amount: str, payment: str | None) -> None:
    from banco.inbox.orders.pipeline import update_fields

    currency = shop.config.shop.currency
    price = typed_value(lambda text, lang: parse_amount(text, lang, currency), amount)
    # the store's number holds every amount to the cent below LARGEST exactly as written back
    changes: dict[str, Any] = {"price": float(price)}
    if payment:
        changes["payment"] = payment
    order = update_fields(shop.store, ref, changes, shop.clock.now())
    click.echo(
        _("{ref} costs {price}; payment: {payment}.").format(
            ref=order["ref"],
            price=format_money(price, currency, current_language()),
            payment=_(PAYMENT_WORDS.get(order["payment"], order["payment"])),
        )
    )


@orders.command("task", help=N_("Add a task to an order."))
@click.argument("ref")
@click.argument("title")
@click.option("--due", type=click.DateTime(["%Y-%m-%d", "%d/%m/%Y"]), help=N_("When it is due."))
@with_shop
def order_task(shop: Shop, ref: str, title: str, due: datetime | None) -> None:
    from banco.inbox.orders.pipeline import add_task

    add_task(shop.store, ref, title, shop.clock.now(), due.date() if due else None)
    click.echo(_("Task added to {ref}: {title}").format(ref=ref.upper(), title=title))


@orders.command("note", help=N_("Add a note to an order's history."))
@click.argument("ref")
@click.argument("text")
@with_shop
def order_note(shop: Shop, ref: str, text: str) -> None:
    from banco.inbox.orders.pipeline import add_note

    add_note(shop.store, ref, text, shop.clock.now())
    click.echo(_("Note added to {ref}.").format(ref=ref.upper()))


@orders.command(
    "undo",
    help=N_(
        "Undo the last change to an order (a status, a date, a price, a task ticked off);"
        " again to undo the one before."
    ),
)
@click.argument("ref")
@with_shop
def order_undo(shop: Shop, ref: str) -> None:
    from banco.inbox.orders.history import event_words
    from banco.inbox.orders.undo import undo_last

    undone = undo_last(shop.store, ref, shop.clock.now())
    change = event_words(undone.event, shop.config.shop.currency, day_text).change
    click.echo(_("Undone on {ref}: {change}").format(ref=undone.ref, change=change))


@orders.command(
    "link",
    help=N_("Link a new sender to the customer of the order their message is on (same person)."),
)
@click.argument("message_id", type=MESSAGE_ID)
@with_shop
def order_link(shop: Shop, message_id: int) -> None:
    from banco.inbox.orders.pipeline import link_sender

    linked = link_sender(shop.store, message_id, shop.clock.now())
    click.echo(
        _("{sender} is now {customer}, the customer of {ref}.").format(
            sender=linked.sender, customer=linked.customer, ref=linked.ref
        )
    )


@group(
    invoke_without_command=True,
    help=N_("Open tasks of open orders, the ones due first. `banco tasks done ID` ticks one off."),
)
@json_option
@listing_options
@click.pass_context
def tasks(ctx: click.Context, as_json: bool, limit: int | None, show_all: bool) -> None:
    if ctx.invoked_subcommand:
        return
    shop = open_shop(ctx)
    every = open_tasks(shop.store)
    asked = rows_asked(limit, show_all, as_json)
    rows = first(every, asked)
    if as_json:
        print_json(rows)
        return
    for t in rows:
        due = " (" + _("due {date}").format(date=day_text(t["due"])) + ")" if t["due"] else ""
        click.echo(f"{t['id']:>5}  {t['ref']}  {t['title']}{due}")
    if not rows:
        click.echo(_("No open tasks."))
    echo_more(rows, asked, lambda: len(every))


NO_TASK = N_("no open task {id}; `banco tasks` lists them")


@tasks.command("done", help=N_("Mark a task as done."))
@click.argument("task_id", type=RowId(NO_TASK))
@with_shop
def task_done(shop: Shop, task_id: int) -> None:
    from banco.inbox.orders.pipeline import tick_task

    if tick_task(shop.store, task_id, shop.clock.now()) is None:
        raise Problem(_(NO_TASK).format(id=task_id))
    click.echo(_("Task {id} done.").format(id=task_id))


@command(
    help=N_(
        "Every open order: what is next, who is waiting on whom and since when;"
        " the customers waiting longest for you first."
    )
)
@json_option
@listing_options
@with_shop
def status(shop: Shop, as_json: bool, limit: int | None, show_all: bool) -> None:
    from dataclasses import asdict

    from banco.inbox.orders.status import check_orders, count_orders

    asked = rows_asked(limit, show_all, as_json)
    states = check_orders(shop, shop.clock.now(), limit=asked)
    if as_json:
        print_json([asdict(s) for s in states])
        return
    for s in states:
        who = _(WAITING_WORDS.get(s.waiting_on or "", WAITING_WORDS[""]))
        since = " " + _("since {time}").format(time=local(shop, s.since)) if s.since else ""
        flag = _("quote unanswered") if s.stale_quote else _("time to nudge") if s.nudge else ""
        flags = f" [{flag}]" if flag else ""
        status_words = _(STATUS_WORDS[s.status])
        click.echo(f"{s.ref}  {status_words:<24} {s.contact}: {who}{since}{flags}")
        if s.next_task:
            click.echo("        " + _("next: {task}").format(task=s.next_task))
        for title in s.overdue_tasks:
            click.echo("        " + _("overdue: {task}").format(task=title))
    if not states:
        click.echo(_("No open orders."))
    echo_more(states, asked, lambda: count_orders(shop))


#: who an open order waits on
WAITING_WORDS = {
    "us": N_("waiting for you"),
    "customer": N_("you wait for the customer"),
    "work": N_("waiting for your work"),
    "": N_("nobody waiting"),
}
