"""``banco senders``: the maker's answers about senders (order / not an order / never a
customer), listed, changed and forgotten (see orders/senders.py)."""

from __future__ import annotations

import click

from banco.inbox.cli.app import (
    WrongValue,
    group,
    json_option,
    local,
    open_shop,
    print_json,
    with_shop,
)
from banco.inbox.i18n.catalogs import N_, _, ngettext, said
from banco.inbox.shop import Shop
from banco.inbox.store.senders import DOMAIN, Answer, SenderAnswer, all_answers

#: what she types for each answer: the same in every language, like the session's keys
TYPED = {"order": Answer.ORDER, "not-order": Answer.NOT_ORDER, "never": Answer.NEVER}


@group(
    invoke_without_command=True,
    help=N_(
        "Your answers about senders: whose first messages open an order, stay conversations, or"
        " never concern a customer (a supplier, a friend, a bank)."
    ),
)
@json_option
@click.pass_context
def senders(ctx: click.Context, as_json: bool) -> None:
    if ctx.invoked_subcommand:
        return
    from banco.inbox.orders.senders import ANSWER_WORDS

    shop = open_shop(ctx)
    rows = all_answers(shop.store)
    if as_json:
        print_json([_json(row) for row in rows])
        return
    for row in rows:
        click.echo(f"{_who(row)}  {_(ANSWER_WORDS[row.answer])}  ({local(shop, row.decided_at)})")
    if not rows:
        click.echo(_("No answers about senders yet: the reply session asks about each new one."))


@senders.command(
    "set",
    help=N_(
        "Answer for a sender (ann@example.com, telegram:12345) or a whole domain (@example.com):"
        " [order|not-order|never]. Their conversations waiting now follow the answer."
    ),
)
@click.argument("who")
@click.argument("answer", type=click.Choice(list(TYPED)))
@with_shop
def senders_set(shop: Shop, who: str, answer: str) -> None:
    from banco.inbox.orders.senders import ANSWER_WORDS, SenderError, change, sender_key

    try:
        kind, value = sender_key(who)
    except SenderError as e:
        raise WrongValue(said(e)) from None
    decided = change(
        shop.store, shop.clock.now(), shop.config.shop.order_prefix, kind, value, TYPED[answer]
    )
    click.echo(
        _("{who}: {answer}.").format(
            who=_who_text(kind, value), answer=_(ANSWER_WORDS[decided.answer])
        )
    )
    for ref in decided.opened:
        click.echo(_("Opened {ref} from their conversation.").format(ref=ref))
    if decided.stopped:
        click.echo(
            ngettext(
                "{n} of their messages no longer waits for you.",
                "{n} of their messages no longer wait for you.",
                decided.stopped,
            ).format(n=decided.stopped)
        )


@senders.command("forget", help=N_("Forget your answer for a sender or a domain."))
@click.argument("who")
@with_shop
def senders_forget(shop: Shop, who: str) -> None:
    from banco.inbox.orders.senders import SenderError, sender_key
    from banco.inbox.store.senders import forget

    try:
        kind, value = sender_key(who)
    except SenderError as e:
        raise WrongValue(said(e)) from None
    if not forget(shop.store, kind, value):
        raise WrongValue(
            _("no answer for {who}; `banco senders` lists them").format(who=_who_text(kind, value))
        )
    click.echo(
        _("Forgotten: the next new message from {who} is triaged again.").format(
            who=_who_text(kind, value)
        )
    )


def _who(row: SenderAnswer) -> str:
    return _who_text(row.kind, row.value)


def _who_text(kind: str, value: str) -> str:
    """A sender as she types it: an address, "@domain" for everyone there, "kind:value"."""
    if kind == DOMAIN:
        return "@" + value
    return value if kind == "email" else f"{kind}:{value}"


def _json(row: SenderAnswer) -> dict[str, str]:
    return {
        "kind": row.kind,
        "value": row.value,
        "answer": str(row.answer),
        "decided_at": row.decided_at,
    }
