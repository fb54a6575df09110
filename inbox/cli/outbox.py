"""``banco outbox``: the replies waiting to go out, and what happened to them."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import click

from banco.inbox.cli.app import (
    RowId,
    group,
    json_option,
    local,
    one_line,
    open_shop,
    print_json,
    with_shop,
)
from banco.inbox.cli.listing import echo_more, first, limit_option, rows_asked
from banco.inbox.i18n.catalogs import N_, _
from banco.inbox.shop import Shop
from banco.inbox.store.outbox import listed_replies

if TYPE_CHECKING:
    from banco.inbox.replies.outbox import Delivery

#: a reply's number in the outbox, as she types it
REPLY_ID = RowId(N_("no reply {id} in the outbox; `banco outbox` lists them"))


def delivery_line(result: Delivery) -> str:
    """What became of one reply just handed to its channel, in the maker's words."""
    what = _(DELIVERY_WORDS[result.status]) if result.status in DELIVERY_WORDS else result.status
    line = _("Reply {id} {what}").format(id=result.outbox_id, what=what)
    line += f": {result.error}" if result.error and result.status != "elsewhere" else "."
    if result.status == "may_have_been_sent":
        line += " " + _(
            "Look, then `banco outbox resend {id}` or `banco outbox mark-sent {id}`."
        ).format(id=result.outbox_id)
    return line


#: what became of a reply handed to its channel, after "Reply 12 ..."
DELIVERY_WORDS = {
    "sent": N_("sent"),
    "queued": N_("kept in the outbox; Banco tries again at the next collect"),
    "failed": N_("refused"),
    "may_have_been_sent": N_("may have been sent"),
    "elsewhere": N_("is being sent by another Banco right now"),
}


@group(
    invoke_without_command=True,
    help=N_("Replies waiting to go out, and what happened to them, in the order written."),
)
@json_option
@click.option(
    "--all",
    "show_all",
    is_flag=True,
    help=N_("Every reply, however many: sent and cancelled ones too."),
)
@limit_option
@click.pass_context
def outbox(ctx: click.Context, as_json: bool, show_all: bool, limit: int | None) -> None:
    if ctx.invoked_subcommand:
        return
    from banco.inbox.replies.outbox import state_words

    shop = open_shop(ctx)
    every = listed_replies(shop.store, include_done=show_all)
    asked = rows_asked(limit, show_all, as_json)
    rows = first(every, asked)
    if as_json:
        print_json(rows)
        return
    for r in rows:
        to = json.loads(r["to_handle"])[1]
        state = _(state_words(r))
        if r["send_at"] and r["status"] == "queued":
            state = _("{state} for {time}").format(state=state, time=local(shop, r["send_at"]))
        click.echo(
            f"{r['id']:>5} {state:<26} {r['account']} -> {to}: {one_line(r['text'], 50)}"
            + (f"  ({r['error']})" if r["error"] else "")
        )
    if any(r["status"] == "may_have_been_sent" for r in every):
        click.echo(
            _(
                "A reply that may have been sent is never sent again by itself: look at the chat"
                " or your Sent folder, then `banco outbox resend ID` or"
                " `banco outbox mark-sent ID`."
            )
        )
    if not rows:
        click.echo(_("The outbox is empty."))
    echo_more(rows, asked, lambda: len(every))


@outbox.command("send", help=N_("Send every queued reply now."))
@with_shop
def outbox_send(shop: Shop) -> None:
    from banco.inbox.replies.outbox import deliver

    results = deliver(shop)
    for r in results:
        click.echo(delivery_line(r))
    if not results:
        click.echo(_("Nothing to send."))


@outbox.command(
    "cancel", help=N_("Take a reply out of the outbox without sending it (a scheduled one too).")
)
@click.argument("outbox_id", type=REPLY_ID)
@with_shop
def outbox_cancel(shop: Shop, outbox_id: int) -> None:
    from banco.inbox.replies.outbox import decide

    decide(shop, outbox_id, "cancel")
    click.echo(_("Reply {id} cancelled.").format(id=outbox_id))


@outbox.command(
    "resend", help=N_("Send a refused or maybe-sent reply again (you checked: it did not arrive).")
)
@click.argument("outbox_id", type=REPLY_ID)
@with_shop
def outbox_resend(shop: Shop, outbox_id: int) -> None:
    from banco.inbox.replies.outbox import decide

    decide(shop, outbox_id, "resend")
    click.echo(_("Reply {id} queued again; `banco outbox send` sends it.").format(id=outbox_id))


@outbox.command(
    "mark-sent",
    help=N_("A reply that may have been sent did arrive: record it as sent, never send it again."),
)
@click.argument("outbox_id", type=REPLY_ID)
@with_shop
def outbox_mark_sent(shop: Shop, outbox_id: int) -> None:
    from banco.inbox.replies.outbox import decide

    decide(shop, outbox_id, "mark_sent")
    click.echo(_("Reply {id} marked sent.").format(id=outbox_id))
