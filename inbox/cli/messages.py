"""``banco messages`` (list, show, raw, reply) and ``banco reply``, the reply session."""

from __future__ import annotations

import sys
from datetime import datetime
from typing import Any

import click

from banco.inbox.cli.app import (
    Problem,
    RowId,
    command,
    group,
    json_option,
    local,
    one_line,
    open_shop,
    print_json,
    with_shop,
)
from banco.inbox.cli.listing import echo_more, listing_options, rows_asked
from banco.inbox.cli.outbox import delivery_line
from banco.inbox.clock import iso
from banco.inbox.i18n.catalogs import N_, _
from banco.inbox.shop import Shop
from banco.inbox.store import queries

NO_MESSAGE = N_("no message {id}; `banco messages` lists them")
MESSAGE_ID = RowId(NO_MESSAGE)


@group(
    invoke_without_command=True,
    help=N_(
        "List messages, newest first (with --waiting, the one waiting longest first)."
        " `banco messages show ID` shows one."
    ),
)
@click.option("--waiting", is_flag=True, help=N_("Only messages waiting for your reply."))
@click.option(
    "--unreadable", is_flag=True, help=N_("Only messages Banco could not read or download.")
)
@click.option(
    "--channel", type=click.Choice(["email", "telegram", "form"]), help=N_("Only this channel.")
)
@click.option("--account", help=N_("Only this account."))
@click.option("--order", "order_ref", help=N_("Only messages of this order (e.g. B-0042)."))
@json_option
@listing_options
@click.pass_context
def messages(
    ctx: click.Context,
    waiting: bool,
    unreadable: bool,
    channel: str | None,
    account: str | None,
    order_ref: str | None,
    as_json: bool,
    limit: int | None,
    show_all: bool,
) -> None:
    if ctx.invoked_subcommand:
        return
    shop = open_shop(ctx)
    filters: dict[str, Any] = {
        "waiting": waiting,
        "unreadable": unreadable,
        "channel": channel,
        "account": account,
        "order": order_ref,
    }
    asked = rows_asked(limit, show_all, as_json)
    rows = queries.list_messages(
        shop.store,
        **filters,
        limit=asked,
        newest_first=not waiting,  # what waits longest is the first to answer
    )
    if as_json:
        print_json(rows)
        return
    for m in rows:
        arrow = "→" if m["direction"] == "out" else "←"
        flag = _flag({"unreadable": _("unreadable"), "too_large": _("too large")}.get(m["status"]))
        wait = _flag(_("waiting") if m["waiting"] else None)
        click.echo(
            f"{m['id']:>6} {local(shop, m['sent_at'])} {arrow} {m['channel']:<8} "
            f"{(m['order_ref'] or '-'):<7} {m['sender'] or '?'}: "
            f"{m['subject'] or one_line(m['text'])}{flag}{wait}"
        )
    if not rows:
        click.echo(_("No messages match."))
    echo_more(rows, asked, lambda: queries.count_messages(shop.store, **filters))


def _flag(word: str | None) -> str:
    return f" [{word}]" if word else ""


@messages.command("show", help=N_("Show one message in full."))
@click.argument("message_id", type=MESSAGE_ID)
@json_option
@with_shop
def message_show(shop: Shop, message_id: int, as_json: bool) -> None:
    row = queries.get_message(shop.store, message_id)
    if row is None:
        raise Problem(no_message(message_id))
    row.pop("raw")
    if as_json:
        print_json(row)
        return
    click.echo(
        _("Message {id} ({channel}, {account}), order {order}").format(
            id=row["id"],
            channel=row["channel"],
            account=row["account"],
            order=row["order_ref"] or "-",
        )
    )
    click.echo(
        _("From:    {sender} <{handle}>").format(
            sender=row["sender"] or "?", handle=row["sender_handle"] or "?"
        )
    )
    click.echo(_("Date:    {date}").format(date=local(shop, row["sent_at"])))
    click.echo(_("Subject: {subject}").format(subject=row["subject"]))
    if row["status"] != "ok":
        click.echo(
            _("Note:    {problem} (the original: banco messages raw {id})").format(
                problem=row["problem"], id=row["id"]
            )
        )
    for a in row["attachments"]:
        click.echo(attachment_line(shop, a))
    click.echo("")
    click.echo(row["text"] or "")


@messages.command(
    "raw",
    help=N_(
        "Print a message exactly as it was received (save it as .eml to open it in a mail program)."
    ),
)
@click.argument("message_id", type=MESSAGE_ID)
@with_shop
def message_raw(shop: Shop, message_id: int) -> None:
    row = queries.get_message(shop.store, message_id)
    if row is None:
        raise Problem(no_message(message_id))
    sys.stdout.buffer.write(row["raw"] or b"")
    sys.stdout.flush()


@messages.command(
    "reprocess",
    help=N_(
        "Read the stored email messages again with this Banco's parser: their text, subject "
        "and attachments are replaced (the old ones kept); unreadable ones may become readable."
    ),
)
@click.option("--unreadable", is_flag=True, help=N_("Only messages Banco could not read."))
@click.option("--account", help=N_("Only this account."))
@with_shop
def message_reprocess(shop: Shop, unreadable: bool, account: str | None) -> None:
    from banco.inbox.collect.reprocess import reprocess

    done = reprocess(shop, unreadable=unreadable, account=account)
    click.echo(
        _(
            "Read again: {read}; changed: {changed}; readable now: {readable};"
            " still unreadable: {unreadable}."
        ).format(
            read=done.read,
            changed=done.changed,
            readable=done.now_readable,
            unreadable=done.still_unreadable,
        )
    )


@messages.command(
    "reply", help=N_("Answer a message on the channel it came from, through the outbox.")
)
@click.argument("message_id", type=MESSAGE_ID)
@click.option("--text", help=N_("The reply (default: write it in your editor)."))
@click.option(
    "--send/--queue", "send_now", default=True, help=N_("Send now (default) or only queue it.")
)
@click.option("--at", "at", help=N_('Send it then, not now: "tomorrow 09:00", "friday 17:00".'))
@click.option(
    "--yes", is_flag=True, help=N_("Do not ask before a reply to a bounce or a no-reply address.")
)
@with_shop
def message_reply(
    shop: Shop, message_id: int, text: str | None, send_now: bool, at: str | None, yes: bool
) -> None:
    from banco.inbox.replies.editor import EditorFailed, edit
    from banco.inbox.replies.outbox import deliver, queue_reply, warning_for

    send_at = send_time(shop, at) if at is not None else None
    warning = warning_for(shop, message_id)
    if warning and not yes:
        click.echo(warning, err=True)
        if not click.confirm(_("Send it anyway?"), default=False, err=True):
            raise Problem(_("Nothing was queued."))
    if text is None:
        try:
            written = edit(
                "\n# " + _("Write your reply above. Lines starting with # are dropped.") + "\n"
            )
        except EditorFailed as e:
            raise Problem(str(e)) from None
        text = "\n".join(line for line in (written or "").splitlines() if not line.startswith("#"))
        text = text.strip()
    outbox_id = queue_reply(shop, message_id, text, send_at=send_at, confirmed=bool(warning))
    if send_at is not None:
        click.echo(
            _(
                "Reply {id} scheduled for {time}; `banco outbox cancel {id}` cancels it until then."
            ).format(id=outbox_id, time=local(shop, iso(send_at)))
        )
        return
    if not send_now:
        click.echo(_("Reply {id} queued; `banco outbox send` sends it.").format(id=outbox_id))
        return
    [result] = deliver(shop, [outbox_id])
    click.echo(delivery_line(result))
    if result.status != "sent":
        raise click.exceptions.Exit(1)


def no_message(message_id: int) -> str:
    return _(NO_MESSAGE).format(id=message_id)


def attachment_line(shop: Shop, a: dict[str, Any]) -> str:
    where = (
        _(" at {path}").format(path=shop.home / a["path"]) if a["path"] else _(" (not downloaded)")
    )
    return (
        _("Attached: {filename} ({type}, {size} bytes)").format(
            filename=a["filename"], type=a["content_type"], size=a["size"]
        )
        + where
    )


def send_time(shop: Shop, text: str) -> datetime:
    """The time the maker wrote for a scheduled reply, or one plain line and exit 1."""
    from banco.inbox.replies.session import send_time as read_time
    from banco.inbox.replies.when import WhenError

    try:
        return read_time(shop, text)
    except WhenError as e:
        raise Problem(str(e)) from None


@command(help=N_("Hold a reply session: every message waiting for you, one order at a time."))
@with_shop
def reply(shop: Shop) -> None:
    from banco.inbox.replies.editor import edit
    from banco.inbox.replies.terminal import run_terminal_session

    run_terminal_session(shop, click.echo, click.prompt, edit)
