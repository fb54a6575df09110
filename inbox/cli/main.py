"""The ``banco`` command. Every command is a thin layer over a function of the inbox package."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from datetime import date, datetime
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from banco.config import ConfigError
from banco.connectors import load_registry
from banco.inbox.clock import SystemClock, iso, parse_iso
from banco.inbox.orders.pipeline import STATUS_WORDS, STATUSES, OrderError
from banco.inbox.routines.digest import render_html, render_text
from banco.inbox.shop import CONFIG_NAME, Shop, default_home
from banco.inbox.store import queries
from banco.inbox.store.database import StoreError

if TYPE_CHECKING:
    from banco.inbox.replies.outbox import Delivery

EXAMPLE_CONFIG = "banco.example.toml"


class Problem(click.ClickException):
    """A one-line error for the maker; exit status 1."""


class BancoGroup(click.Group):
    """Turns every failure into plain lines and an exit status; never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        from banco.config import SecretError
        from banco.connectors import ConnectorError
        from banco.inbox.cli.demo import DemoError
        from banco.inbox.replies.outbox import OutboxError

        try:
            return super().invoke(ctx)
        except ConfigError as e:
            for problem in e.problems:
                click.echo(f"{e.path}: {problem}", err=True)
            click.echo("Fix banco.toml, then run the command again.", err=True)
            raise click.exceptions.Exit(2) from None
        except (OrderError, StoreError, ConnectorError, SecretError, DemoError, OutboxError) as e:
            raise Problem(str(e)) from None
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Exception as e:
            if os.environ.get("BANCO_DEBUG"):
                raise
            click.echo(
                f"Error: Banco hit a problem it did not expect ({type(e).__name__}: {e}).", err=True
            )
            click.echo(
                "Nothing was lost. Run again with BANCO_DEBUG=1 for details, and please report it.",
                err=True,
            )
            raise click.exceptions.Exit(1) from None


@click.group(cls=BancoGroup)
@click.option(
    "--home",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="BANCO_HOME",
    help="The shop folder (default: $BANCO_HOME, else your user data folder).",
)
@click.version_option(package_name="banco")
@click.pass_context
def cli(ctx: click.Context, home: Path | None) -> None:
    """Banco: your orders from email, Telegram and forms, in one place.

    New here? Run `banco demo` to see a made-up shop, then `banco init` to set up yours.
    """
    ctx.ensure_object(dict)
    ctx.obj["home"] = (home or default_home()).expanduser().resolve()
    ctx.obj.setdefault("clock", SystemClock())


def open_shop(ctx: click.Context) -> Shop:
    obj = ctx.find_root().obj
    if "shop" not in obj:
        obj["shop"] = Shop.open(obj["home"], clock=obj["clock"], registry=obj.get("registry"))
        ctx.call_on_close(obj["shop"].close)
    shop: Shop = obj["shop"]
    return shop


def with_shop(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Decorator: load the shop (config checked, store opened) and pass it as the first argument."""

    @click.pass_context
    def wrapper(ctx: click.Context, *args: Any, **kwargs: Any) -> Any:
        return ctx.invoke(fn, open_shop(ctx), *args, **kwargs)

    wrapper.__name__ = fn.__name__
    wrapper.__doc__ = fn.__doc__
    return wrapper


def local(shop: Shop, moment: str | None) -> str:
    """A stored UTC time as the maker reads it: in the shop's time zone, to the minute."""
    if not moment:
        return ""
    return parse_iso(moment).astimezone(shop.config.shop.timezone).strftime("%Y-%m-%d %H:%M")


def today(shop: Shop) -> date:
    return shop.clock.now().astimezone(shop.config.shop.timezone).date()


def print_json(rows: Any) -> None:
    click.echo(json.dumps(rows, ensure_ascii=False, indent=2, default=_json_default))


def _json_default(value: Any) -> Any:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, date | datetime):
        return value.isoformat()
    raise TypeError(type(value).__name__)


json_option = click.option(
    "--json", "as_json", is_flag=True, help="Print every matching row as JSON."
)
limit_option = click.option("--limit", type=click.IntRange(min=1), help="Show at most this many.")


# Setting up -------------------------------------------------------------------------------------
@cli.command()
@click.pass_context
def init(ctx: click.Context) -> None:
    """Write a commented banco.toml in the shop folder to fill in."""
    home: Path = ctx.obj["home"]
    path = home / CONFIG_NAME
    if path.exists():
        raise Problem(f"{path} already exists; edit it, then run `banco check`")
    home.mkdir(parents=True, exist_ok=True)
    kinds = ", ".join(sorted(load_registry().kinds))
    example = resources.files("banco.config").joinpath(EXAMPLE_CONFIG).read_text(encoding="utf-8")
    path.write_text(example.replace("{kinds}", kinds), encoding="utf-8")
    click.echo(f"Wrote {path}.")
    click.echo("Open it in a text editor, add your accounts, then run `banco check`.")


@cli.command()
@click.option(
    "--fix", is_flag=True, help="Also repair what can be repaired (e.g. a Telegram webhook)."
)
@with_shop
def check(shop: Shop, fix: bool) -> None:
    """Check the config and reach every account; say what works and what to fix."""
    from banco.inbox.collect.checks import run_checks

    ok = run_checks(shop, click.echo, fix=fix)
    if not ok:
        raise Problem("some accounts need attention (see above)")


@cli.command()
@click.argument("account")
@with_shop
def auth(shop: Shop, account: str) -> None:
    """Sign in to an account that needs your permission once (e.g. a Google sheet)."""
    connector = shop.connector(account)
    try:
        authorize = getattr(connector, "authorize", None)
        if authorize is None:
            raise Problem(f"{account} needs no sign-in; `banco check` tests it")
        authorize(click.echo, click.prompt)
    finally:
        connector.close()


@cli.command()
@click.option("--account", "accounts", multiple=True, help="Only this account (repeatable).")
@with_shop
def collect(shop: Shop, accounts: tuple[str, ...]) -> None:
    """Fetch everything new from every account."""
    from banco.inbox.collect.progress import ProgressLine
    from banco.inbox.collect.sync import collect as run_collect

    with ProgressLine() as progress:
        results = run_collect(shop, list(accounts) or None, progress=progress.update)
    for r in results:
        c = r.counts
        if r.ok:
            click.echo(
                f"{r.account}: {c.new} new, {c.updated} updated, {c.orders} new orders"
                + (f", {c.unreadable} unreadable" if c.unreadable else "")
            )
        else:
            how = "needs you" if r.error_kind == "needs_you" else "will retry"
            click.echo(f"{r.account}: failed ({how}): {r.error}", err=True)
    if not results:
        click.echo("No accounts yet: add one to banco.toml (see `banco init`).")
    if any(not r.ok for r in results):
        raise Problem("some accounts could not be collected (see above)")


# Messages ---------------------------------------------------------------------------------------
@cli.group(invoke_without_command=True)
@click.option("--waiting", is_flag=True, help="Only messages waiting for your reply.")
@click.option("--unreadable", is_flag=True, help="Only messages Banco could not read or download.")
@click.option(
    "--channel", type=click.Choice(["email", "telegram", "form"]), help="Only this channel."
)
@click.option("--account", help="Only this account.")
@click.option("--order", "order_ref", help="Only messages of this order (e.g. B-0042).")
@json_option
@limit_option
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
) -> None:
    """List messages, oldest first. `banco messages show ID` shows one."""
    if ctx.invoked_subcommand:
        return
    shop = open_shop(ctx)
    rows = queries.list_messages(
        shop.store,
        waiting=waiting,
        unreadable=unreadable,
        channel=channel,
        account=account,
        order=order_ref,
        limit=limit,
    )
    if as_json:
        print_json(rows)
        return
    for m in rows:
        arrow = "→" if m["direction"] == "out" else "←"
        flag = {"unreadable": " [unreadable]", "too_large": " [too large]"}.get(m["status"], "")
        wait = " [waiting]" if m["waiting"] else ""
        click.echo(
            f"{m['id']:>6} {local(shop, m['sent_at'])} {arrow} {m['channel']:<8} "
            f"{(m['order_ref'] or '-'):<7} {m['sender'] or '?'}: "
            f"{m['subject'] or one_line(m['text'])}{flag}{wait}"
        )
    if not rows:
        click.echo("No messages match.")


def one_line(text: str | None, width: int = 60) -> str:
    flat = " ".join((text or "").split())
    return flat[:width] + ("…" if len(flat) > width else "")


@messages.command("show")
@click.argument("message_id", type=int)
@json_option
@with_shop
def message_show(shop: Shop, message_id: int, as_json: bool) -> None:
    """Show one message in full."""
    row = queries.get_message(shop.store, message_id)
    if row is None:
        raise Problem(f"no message {message_id}; `banco messages` lists them")
    row.pop("raw")
    if as_json:
        print_json(row)
        return
    click.echo(
        f"Message {row['id']} ({row['channel']}, {row['account']}), order {row['order_ref'] or '-'}"
    )
    click.echo(f"From:    {row['sender'] or '?'} <{row['sender_handle'] or '?'}>")
    click.echo(f"Date:    {local(shop, row['sent_at'])}")
    click.echo(f"Subject: {row['subject']}")
    if row["status"] != "ok":
        click.echo(f"Note:    {row['problem']} (the original: banco messages raw {row['id']})")
    for a in row["attachments"]:
        click.echo(
            f"Attached: {a['filename']} ({a['content_type']}, {a['size']} bytes)"
            + (f" at {shop.home / a['path']}" if a["path"] else " (not downloaded)")
        )
    click.echo("")
    click.echo(row["text"] or "")


@messages.command("raw")
@click.argument("message_id", type=int)
@with_shop
def message_raw(shop: Shop, message_id: int) -> None:
    """Print a message exactly as it was received (save it as .eml to open it in a mail program)."""
    row = queries.get_message(shop.store, message_id)
    if row is None:
        raise Problem(f"no message {message_id}; `banco messages` lists them")
    sys.stdout.buffer.write(row["raw"] or b"")
    sys.stdout.flush()


@messages.command("reply")
@click.argument("message_id", type=int)
@click.option("--text", help="The reply (default: write it in your editor).")
@click.option(
    "--send/--queue", "send_now", default=True, help="Send now (default) or only queue it."
)
@click.option("--at", "at", help='Send it then, not now: "tomorrow 09:00", "friday 17:00".')
@with_shop
def message_reply(
    shop: Shop, message_id: int, text: str | None, send_now: bool, at: str | None
) -> None:
    """Answer a message on the channel it came from, through the outbox."""
    from banco.inbox.replies.outbox import deliver, queue_reply

    send_at = send_time(shop, at) if at is not None else None
    if text is None:
        text = click.edit("\n# Write your reply above. Lines starting with # are dropped.\n") or ""
        text = "\n".join(line for line in text.splitlines() if not line.startswith("#")).strip()
    outbox_id = queue_reply(shop, message_id, text, send_at=send_at)
    if send_at is not None:
        click.echo(
            f"Reply {outbox_id} scheduled for {local(shop, iso(send_at))}; `banco outbox cancel"
            f" {outbox_id}` cancels it until then."
        )
        return
    if not send_now:
        click.echo(f"Reply {outbox_id} queued; `banco outbox send` sends it.")
        return
    [result] = deliver(shop, [outbox_id])
    click.echo(delivery_line(result))
    if result.status != "sent":
        raise click.exceptions.Exit(1)


def send_time(shop: Shop, text: str) -> datetime:
    """The time the maker wrote for a scheduled reply, or one plain line and exit 1."""
    from banco.inbox.replies.session import send_time as read_time
    from banco.inbox.replies.when import WhenError

    try:
        return read_time(shop, text)
    except WhenError as e:
        raise Problem(str(e)) from None


def delivery_line(result: Delivery) -> str:
    """What became of one reply just handed to its channel, in the maker's words."""
    words = {
        "sent": "sent",
        "queued": "kept in the outbox; Banco tries again at the next collect",
        "failed": "refused",
        "may_have_been_sent": "may have been sent",
        "elsewhere": "is being sent by another Banco right now",
    }
    line = f"Reply {result.outbox_id} {words.get(result.status, result.status)}"
    line += f": {result.error}" if result.error and result.status != "elsewhere" else "."
    if result.status == "may_have_been_sent":
        line += (
            f" Look, then `banco outbox resend {result.outbox_id}` or"
            f" `banco outbox mark-sent {result.outbox_id}`."
        )
    return line


@cli.command()
@with_shop
def reply(shop: Shop) -> None:
    """Hold a reply session: every message waiting for you, one order at a time."""
    from banco.inbox.replies.terminal import run_terminal_session

    run_terminal_session(shop, click.echo, click.prompt, click.edit)


@cli.group(invoke_without_command=True)
@json_option
@click.option("--all", "include_sent", is_flag=True, help="Include sent and cancelled replies.")
@click.pass_context
def outbox(ctx: click.Context, as_json: bool, include_sent: bool) -> None:
    """Replies waiting to go out, and what happened to them."""
    if ctx.invoked_subcommand:
        return
    from banco.inbox.replies.outbox import state_words

    shop = open_shop(ctx)
    where = "" if include_sent else "where status not in ('sent', 'cancelled')"
    rows = shop.store.all(
        "select id, account, channel, to_handle, subject, text, status, attempts, error, created_at,"
        f" send_at, sent_at from outbox {where} order by id"
    )
    if as_json:
        print_json(rows)
        return
    for r in rows:
        to = json.loads(r["to_handle"])[1]
        state = state_words(r)
        if r["send_at"] and r["status"] == "queued":
            state += f" for {local(shop, r['send_at'])}"
        click.echo(
            f"{r['id']:>5} {state:<26} {r['account']} -> {to}: {one_line(r['text'], 50)}"
            + (f"  ({r['error']})" if r["error"] else "")
        )
    if any(r["status"] == "may_have_been_sent" for r in rows):
        click.echo(
            "A reply that may have been sent is never sent again by itself: look at the chat or"
            " your Sent folder, then `banco outbox resend ID` or `banco outbox mark-sent ID`."
        )
    if not rows:
        click.echo("The outbox is empty.")


@outbox.command("send")
@with_shop
def outbox_send(shop: Shop) -> None:
    """Send every queued reply now."""
    from banco.inbox.replies.outbox import deliver

    results = deliver(shop)
    for r in results:
        click.echo(delivery_line(r))
    if not results:
        click.echo("Nothing to send.")


@outbox.command("cancel")
@click.argument("outbox_id", type=int)
@with_shop
def outbox_cancel(shop: Shop, outbox_id: int) -> None:
    """Take a reply out of the outbox without sending it (a scheduled one too)."""
    from banco.inbox.replies.outbox import decide

    decide(shop, outbox_id, "cancel")
    click.echo(f"Reply {outbox_id} cancelled.")


@outbox.command("resend")
@click.argument("outbox_id", type=int)
@with_shop
def outbox_resend(shop: Shop, outbox_id: int) -> None:
    """Send a refused or maybe-sent reply again (you checked: it did not arrive)."""
    from banco.inbox.replies.outbox import decide

    decide(shop, outbox_id, "resend")
    click.echo(f"Reply {outbox_id} queued again; `banco outbox send` sends it.")


@outbox.command("mark-sent")
@click.argument("outbox_id", type=int)
@with_shop
def outbox_mark_sent(shop: Shop, outbox_id: int) -> None:
    """A reply that may have been sent did arrive: record it as sent, never send it again."""
    from banco.inbox.replies.outbox import decide

    decide(shop, outbox_id, "mark_sent")
    click.echo(f"Reply {outbox_id} marked sent.")


# Orders -----------------------------------------------------------------------------------------
@cli.group(invoke_without_command=True)
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


@cli.group(invoke_without_command=True)
@json_option
@click.pass_context
def tasks(ctx: click.Context, as_json: bool) -> None:
    """Open tasks of open orders, the ones due first. `banco tasks done ID` ticks one off."""
    if ctx.invoked_subcommand:
        return
    shop = open_shop(ctx)
    rows = shop.store.all(
        "select t.id, o.ref, t.title, t.due, t.stage from tasks t join orders o on o.id = t.order_id"
        " where t.done_at is null and o.status not in ('completed', 'lost', 'cancelled')"
        " order by t.due is null, t.due, t.id"
    )
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
    from banco.inbox.clock import iso

    changed = shop.store.db.conn.execute(
        "update tasks set done_at = ? where id = ? and done_at is null",
        [iso(shop.clock.now()), task_id],
    ).rowcount
    if not changed:
        raise Problem(f"no open task {task_id}; `banco tasks` lists them")
    click.echo(f"Task {task_id} done.")


@cli.command()
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


# Search and digest ------------------------------------------------------------------------------
@cli.command()
@click.argument("query")
@json_option
@limit_option
@with_shop
def search(shop: Shop, query: str, as_json: bool, limit: int | None) -> None:
    """Search every message and order (words, names, references)."""
    if not query.strip():
        raise Problem('say what to look for, for example: banco search "blue mugs"')
    rows = queries.search(shop.store, query, limit)
    if as_json:
        print_json(rows)
        return
    for r in rows:
        if r["type"] == "order":
            click.echo(f"order   {r['ref']}  {r['title']} ({STATUS_WORDS[r['status']]})")
        else:
            click.echo(
                f"message {r['id']:>6}  {local(shop, r['sent_at'])} {r['sender'] or '?'}: "
                f"{r['subject']}"
            )
    if not rows:
        click.echo(f'Nothing found for "{query}".')


@cli.command()
@click.option("--html", "as_html", is_flag=True, help="Print the HTML version.")
@with_shop
def digest(shop: Shop, as_html: bool) -> None:
    """Print today's digest: new orders, who is waiting, deadlines, today's plan, problems."""
    from banco.inbox.routines.digest_delivery import daily_digest

    facts = daily_digest(shop)
    render = render_html if as_html else render_text
    click.echo(render(facts, shop.config.shop.language, today(shop)), nl=False)


@cli.command()
@click.argument("folder", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.pass_context
def demo(ctx: click.Context, folder: Path | None) -> None:
    """Build a made-up shop, collect it and show its digest. Nothing of yours is touched."""
    from banco.inbox.cli.demo import run_demo

    run_demo(folder, ctx.obj["clock"], click.echo)


@cli.group()
def forms() -> None:
    """Order forms: see how Banco reads your form's columns."""


@forms.command("headers")
@click.argument("account")
@with_shop
def forms_headers(shop: Shop, account: str) -> None:
    """Print the form's columns and the mapping Banco guesses, ready to paste into banco.toml."""
    from banco.connectors.forms.mapping import guess_mapping, mapping_as_toml

    connector = shop.connector(account)
    headers = getattr(connector, "headers", None)
    if headers is None:
        raise Problem(f"{account} is not an order form account")
    columns = headers()
    mapping = dict(shop.config.account(account).settings.get("mapping") or guess_mapping(columns))
    click.echo(mapping_as_toml(columns, mapping))


# The daily routine --------------------------------------------------------------------------------
@cli.command("run")
@click.pass_context
def run_command(ctx: click.Context) -> None:
    """Run your day: every routine at its time in [schedule], until stopped (Ctrl-C)."""
    import logging

    from banco.inbox.routines import day as routines
    from banco.inbox.store.runs import last_run
    from banco.scheduler.runner import AlreadyRunning, serve

    shop = open_shop(ctx)  # the config is checked before anything starts
    obj = ctx.find_root().obj
    home = shop.home

    def fresh() -> Shop:
        return Shop.open(home, clock=obj["clock"], registry=obj.get("registry"))

    def run_routine(name: str) -> None:
        try:
            current = fresh()
        except ConfigError as e:  # banco.toml broke while running: say so, keep the schedule
            logging.getLogger("banco").error("%s skipped: %s", name, e)
            return
        try:
            routines.run(current, name)
        finally:
            current.close()

    def with_fresh(step: Callable[[Shop], object]) -> Callable[[], None]:
        def run_step() -> None:
            current = fresh()
            try:
                step(current)
            except Exception as e:  # logged; the schedule goes on
                logging.getLogger("banco").error("%s failed: %s", step.__name__, e)
            finally:
                current.close()

        return run_step

    def collect_frequent(current: Shop) -> None:
        routines.collect(current, routines.frequent_accounts(current))

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    page = None
    if shop.config.web["enabled"]:
        from banco.inbox.web import WebError, start

        web = shop.config.web
        try:
            page = start(
                home,
                web["host"],
                web["port"],
                clock=obj["clock"],
                registry=obj.get("registry"),
                password=web["password"],
            )
        except WebError as e:
            raise Problem(str(e)) from None
        click.echo(f"Banco's page: {page.url}")
    try:
        serve(
            home,
            shop.config,
            run_routine,
            last_runs=lambda: {r: last_run(shop.store, r) for r in routines.ROUTINES},
            now=shop.clock.now,
            collect_frequent=with_fresh(collect_frequent)
            if routines.frequent_accounts(shop)
            else None,
            every_minute=with_fresh(routines.each_minute),
            ready=click.echo,
        )
    except AlreadyRunning as e:
        raise Problem(str(e)) from None
    finally:
        if page is not None:
            page.stop()
    click.echo("Stopped.")


@cli.command()
@click.argument("name", type=click.Choice(["collect", "reply", "status", "plan", "digest"]))
@with_shop
def routine(shop: Shop, name: str) -> None:
    """Run one routine now, as the schedule would."""
    from banco.inbox.routines import day as routines

    if not routines.run(shop, name):
        raise Problem(f"the {name} routine failed; see `banco check`")
    click.echo(f"{name}: done.")


@cli.command()
@click.option("--ics", "as_ics", is_flag=True, help="Print the calendar file (plan.ics) instead.")
@with_shop
def plan(shop: Shop, as_ics: bool) -> None:
    """Your work laid out over the next weeks, earliest deadline first; writes plan.ics."""
    from banco.inbox.routines.ics import plan_ics, write_plan_ics
    from banco.inbox.routines.plan import build_plan, render_plan_text

    config = shop.config
    laid_out = build_plan(shop.store, config.plan, config.shop.timezone, shop.clock.now())
    data = plan_ics(laid_out, config.shop.name, config.shop.timezone, lang=config.shop.language)
    path = write_plan_ics(shop.home, data)
    if as_ics:
        click.echo(data.decode(), nl=False)
        return
    click.echo(render_plan_text(laid_out, config.shop.language, config.plan["weeks"]), nl=False)
    click.echo(f"\nCalendar file for your phone or computer: {path}")


@cli.command("serve")
@click.option(
    "--host",
    help="Where to listen (default [web] host, 127.0.0.1); another address needs [web] password.",
)
@click.option("--port", type=click.IntRange(0, 65535), help="The port (default [web] port, 8765).")
@with_shop
def serve_command(shop: Shop, host: str | None, port: int | None) -> None:
    """Open Banco's page in your browser: today, inbox, orders, replies, plan, accounts."""
    from banco.inbox.web import WebError, serve

    web = shop.config.web
    try:
        serve(
            shop.home,
            host or web["host"],
            web["port"] if port is None else port,
            clock=shop.clock,
            registry=shop.registry,
            password=web["password"],
            ready=click.echo,
        )
    except WebError as e:
        raise Problem(str(e)) from None


@cli.command()
@with_shop
def schedule(shop: Shop) -> None:
    """When each routine runs next, in your time zone."""
    from banco.inbox.routines.day import frequent_accounts
    from banco.scheduler.runner import FREQUENT_COLLECT_MINUTES, upcoming

    zone = shop.config.shop.timezone
    for name, when in upcoming(shop.config, shop.clock.now()):
        slots = ", ".join(s.text for s in shop.config.schedule[name]) or "no times set"
        at = when.astimezone(zone).strftime("%a %d %b %H:%M") if when else "never"
        click.echo(f"{name:<8} next {at:<16} ({slots})")
    if frequent := frequent_accounts(shop):
        click.echo(
            f"also every {FREQUENT_COLLECT_MINUTES} minutes while `banco run` is on:"
            f" collect {', '.join(frequent)}"
        )


@cli.group()
def service() -> None:
    """Start `banco run` with your computer."""


@service.command("install")
@with_shop
def service_install(shop: Shop) -> None:
    """Write the service that starts `banco run` at login (systemd; instructions for a Mac)."""
    from banco.scheduler import service as svc

    if sys.platform == "darwin":
        name = svc.service_name(shop.home)
        click.echo(
            "On a Mac, save this as ~/Library/LaunchAgents/org.banco."
            f"{name}.plist, then run: launchctl load ~/Library/LaunchAgents/org.banco.{name}.plist"
        )
        click.echo(svc.launchd_plist(shop.home))
        return
    path, commands = svc.install_systemd(shop.home)
    click.echo(f"Wrote {path}. To start it now and at every login, run:")
    for line in commands:
        click.echo(f"  {line}")


# Entry point ------------------------------------------------------------------------------------
def main() -> None:
    """Console entry point."""
    cli(obj={})
