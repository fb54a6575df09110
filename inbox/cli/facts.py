"""``banco orders facts``, ``set``, ``confirm`` and ``dismiss``: what is true about an order, and
what Banco read in the customer's messages for the maker to confirm (``orders.facts``)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any

import click

from banco.inbox.cli.app import (
    NUMBER_ARGUMENT,
    WrongValue,
    command,
    day_text,
    json_option,
    print_json,
    with_shop,
)
from banco.inbox.i18n.catalogs import N_, _, current_language
from banco.inbox.i18n.numbers import NumberError
from banco.inbox.orders.fact_words import NOT_KNOWN, fact_lines, proposal_words
from banco.inbox.orders.facts import (
    SETTABLE,
    Days,
    FactError,
    OrderFacts,
    confirm,
    dismiss,
    facts_of,
    pending,
    set_fact,
)
from banco.inbox.shop import Shop
from banco.inbox.store.facts import Proposal
from banco.inbox.store.orders import LARGEST_ID, find_order

DAY = click.DateTime(["%Y-%m-%d", "%d/%m/%Y"])


@command("facts", help=N_("Show what is known about an order, and what to confirm."))
@click.argument("ref")
@json_option
@with_shop
def order_facts(shop: Shop, ref: str, as_json: bool) -> None:
    order = find_order(shop.store, ref)
    facts = facts_of(order, shop.config.shop.currency)
    proposals = pending(shop, order["id"])
    if as_json:
        print_json(
            {"ref": order["ref"], "facts": _json(facts), "proposals": proposals_json(proposals)}
        )
        return
    click.echo(_("What Banco knows about {ref}:").format(ref=order["ref"]))
    for label, value in fact_lines(facts, day_text):
        click.echo(f"  {label}: {value or _(NOT_KNOWN)}")
    if not proposals:
        click.echo(_("Nothing to confirm."))
        return
    click.echo("")
    click.echo(_("Read in the customer's messages, to confirm or dismiss:"))
    for found in proposals:
        click.echo(f"  [{found.id}] {proposal_words(found, facts.currency, day_text)}")
        click.echo("      " + _("“{sentence}”").format(sentence=found.sentence))
    click.echo(
        _(
            "Confirm with `banco orders confirm {ref} NUMBER`,"
            " or dismiss with `banco orders dismiss {ref} NUMBER`."
        ).format(ref=order["ref"])
    )


def _json(facts: OrderFacts) -> dict[str, Any]:
    values = {
        k: str(v) if v is not None and not isinstance(v, str | int) else v
        for k, v in asdict(facts).items()
    }
    balance = facts.balance
    return {
        **values,
        "deposit_received": facts.deposit_received,
        "balance": str(balance) if balance is not None else None,
    }


def proposals_json(proposals: list[Proposal]) -> list[dict[str, Any]]:
    return [
        {
            "id": p.id,
            "fact": p.fact,
            "value": p.value,
            "sentence": p.sentence,
            "message_id": p.message_id,
        }
        for p in proposals
    ]


@command(
    "set",
    help=N_(
        "Set a fact of an order: items, quantity, price, deposit, method, address or quote"
        ' (amounts as you write numbers, "-" to clear).'
    ),
    context_settings=NUMBER_ARGUMENT,
)
@click.argument("ref")
@click.argument("fact", type=click.Choice(list(SETTABLE)), metavar="FACT")
@click.argument("value")
@click.option("--asked", type=DAY, help=N_("The day the deposit was asked for."))
@click.option("--received", type=DAY, help=N_("The day the deposit was received."))
@click.option("--on", "sent_on", type=DAY, help=N_("The day the quote was sent."))
@with_shop
def order_set(
    shop: Shop,
    ref: str,
    fact: str,
    value: str,
    asked: datetime | None,
    received: datetime | None,
    sent_on: datetime | None,
) -> None:
    days = Days(
        asked=asked.date() if asked else None,
        received=received.date() if received else None,
        on=sent_on.date() if sent_on else None,
    )
    try:
        order = set_fact(shop, ref, fact, value, current_language(), days)
    except (FactError, NumberError) as e:
        raise WrongValue(str(e)) from None
    _show_facts(shop, order)


@command(
    "confirm",
    help=N_(
        "Confirm what Banco read in a customer's message (its number in `banco orders facts`)."
    ),
)
@click.argument("ref")
@click.argument("number", type=click.IntRange(1, LARGEST_ID), metavar="NUMBER")
@with_shop
def order_confirm(shop: Shop, ref: str, number: int) -> None:
    found = confirm(shop, ref, number)
    order = find_order(shop.store, ref)
    click.echo(
        _("Confirmed for {ref}: {what}.").format(
            ref=order["ref"], what=proposal_words(found, _currency(shop, order), day_text)
        )
    )
    _show_facts(shop, order)


@command("dismiss", help=N_("Dismiss what Banco read in a customer's message: it is not so."))
@click.argument("ref")
@click.argument("number", type=click.IntRange(1, LARGEST_ID), metavar="NUMBER")
@with_shop
def order_dismiss(shop: Shop, ref: str, number: int) -> None:
    found = dismiss(shop, ref, number)
    order = find_order(shop.store, ref)
    click.echo(
        _("Dismissed for {ref}: {what}.").format(
            ref=order["ref"], what=proposal_words(found, _currency(shop, order), day_text)
        )
    )


def _currency(shop: Shop, order: dict[str, Any]) -> str:
    return facts_of(order, shop.config.shop.currency).currency


def _show_facts(shop: Shop, order: dict[str, Any]) -> None:
    for label, value in fact_lines(facts_of(order, shop.config.shop.currency), day_text):
        if value:
            click.echo(f"  {label}: {value}")


COMMANDS = (order_facts, order_set, order_confirm, order_dismiss)
