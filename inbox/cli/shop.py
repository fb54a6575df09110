"""``banco`` commands to set up a shop and look through it: init, check, auth, collect, search,
digest, demo, forms."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import click

from banco.connectors import load_registry
from banco.inbox.cli.app import (
    NUMBER_ARGUMENT,
    Problem,
    WrongValue,
    command,
    group,
    json_option,
    local,
    print_json,
    today,
    verbose_option,
    with_shop,
)
from banco.inbox.cli.listing import echo_more, listing_options, rows_asked
from banco.inbox.errors import BUG, NEEDS_YOU, WILL_RETRY
from banco.inbox.i18n.catalogs import N_, SUPPORTED, _, ngettext, said
from banco.inbox.orders.pipeline import STATUS_WORDS
from banco.inbox.shop import CONFIG_NAME, Shop
from banco.inbox.store import queries
from banco.inbox.store.search_index import NoWords

if TYPE_CHECKING:  # a type only: collecting is imported by the commands that collect
    from banco.inbox.collect.ingest import Counts


# Setting up -------------------------------------------------------------------------------------
@command(help=N_("Write a commented banco.toml in the shop folder to fill in."))
@click.pass_context
def init(ctx: click.Context) -> None:
    from banco.inbox.setup.toml_writer import example_text, machine_timezone

    home: Path = ctx.obj["home"]
    path = home / CONFIG_NAME
    if path.exists():
        raise Problem(_("{path} already exists; edit it, then run `banco check`").format(path=path))
    home.mkdir(parents=True, exist_ok=True)
    kinds = ", ".join(sorted(load_registry().kinds))
    path.write_text(example_text(kinds, machine_timezone()), encoding="utf-8")
    click.echo(_("Wrote {path}.").format(path=path))
    click.echo(_("Open it in a text editor, add your accounts, then run `banco check`."))
    click.echo(_("Or let `banco setup` ask you a few questions and fill it in with you."))


@command(help=N_("Check the config and reach every account; say what works and what to fix."))
@click.option(
    "--fix", is_flag=True, help=N_("Also repair what can be repaired (e.g. a Telegram webhook).")
)
@with_shop
def check(shop: Shop, fix: bool) -> None:
    from banco.inbox.collect.checks import run_checks

    ok = run_checks(shop, click.echo, fix=fix)
    if not ok:
        raise Problem(_("some accounts need attention (see above)"))


@command(help=N_("Sign in to an account that needs your permission once (e.g. a Google sheet)."))
@click.argument("account")
@with_shop
def auth(shop: Shop, account: str) -> None:
    connector = shop.connector(account)
    try:
        authorize = getattr(connector, "authorize", None)
        if authorize is None:
            raise Problem(
                _("{account} needs no sign-in; `banco check` tests it").format(account=account)
            )
        # a mailbox's sign-in speaks in sentences, said in her language
        authorize(lambda line: click.echo(said(line)), lambda label: click.prompt(said(label)))
    finally:
        connector.close()


@command(help=N_("Fetch everything new from every account."))
@click.option("--account", "accounts", multiple=True, help=N_("Only this account (repeatable)."))
@verbose_option
@with_shop
def collect(shop: Shop, accounts: tuple[str, ...], verbose: bool) -> None:
    from banco.inbox import logs
    from banco.inbox.collect.progress import ProgressLine

    logs.setup(verbose=verbose)
    from banco.inbox.collect.sync import collect as run_collect

    with ProgressLine() as progress:
        results = run_collect(shop, list(accounts) or None, progress=progress.update)
    for r in results:
        if r.ok:
            click.echo(collected_line(r.account, r.counts))
        else:
            how = _(FAILURE_WORDS.get(r.error_kind or "", FAILURE_WORDS[WILL_RETRY]))
            click.echo(
                _("{account}: failed ({how}): {error}").format(
                    account=r.account, how=how, error=r.error
                ),
                err=True,
            )
    if not results:
        click.echo(_("No accounts yet: add one to banco.toml (see `banco init`)."))
    if any(not r.ok for r in results):
        raise Problem(_("some accounts could not be collected (see above)"))


#: what happens after an account failed to collect, as the line says it
FAILURE_WORDS = {
    NEEDS_YOU: N_("needs you"),
    BUG: N_("a bug in Banco"),
    WILL_RETRY: N_("will retry"),
}


def collected_line(account: str, c: Counts) -> str:
    """ "mail: 3 new, 0 updated, 1 new orders", in her language."""
    parts = [
        ngettext("{n} new", "{n} new", c.new).format(n=c.new),
        ngettext("{n} updated", "{n} updated", c.updated).format(n=c.updated),
        ngettext("{n} new order", "{n} new orders", c.orders).format(n=c.orders),
    ]
    if c.unreadable:
        parts.append(
            ngettext("{n} unreadable", "{n} unreadable", c.unreadable).format(n=c.unreadable)
        )
    return f"{account}: " + ", ".join(parts)


@command(
    help=N_(
        "Search every message and order (words, names, references), the best matches first,"
        " the newest first among equals."
    ),
    context_settings=NUMBER_ARGUMENT,  # "-0", "-tazze": words to look for, not an option
)
@click.argument("query")
@json_option
@listing_options
@with_shop
def search(shop: Shop, query: str, as_json: bool, limit: int | None, show_all: bool) -> None:
    asked = rows_asked(limit, show_all, as_json)
    try:
        rows = queries.search(shop.store, query, limit=asked)
    except NoWords:  # empty, or only punctuation or emoji
        raise WrongValue(_('say what to look for, for example: banco search "blue mugs"')) from None
    if as_json:
        print_json(rows)
        return
    for r in rows:
        if r["type"] == "order":
            status, kind = _(STATUS_WORDS[r["status"]]), _("order")
            click.echo(f"{kind:<7} {r['ref']}  {r['title']} ({status})")
        else:
            kind = _("message")
            click.echo(
                f"{kind:<7} {r['id']:>6}  {local(shop, r['sent_at'])}"
                f" {r['sender'] or '?'}: {r['subject']}"
            )
    if not rows:
        click.echo(_('Nothing found for "{query}".').format(query=query))
    echo_more(rows, asked, lambda: queries.search_count(shop.store, query))


@command(
    help=N_("Print today's digest: new orders, who is waiting, deadlines, today's plan, problems.")
)
@click.option("--html", "as_html", is_flag=True, help=N_("Print the HTML version."))
@with_shop
def digest(shop: Shop, as_html: bool) -> None:
    from banco.inbox.routines.digest import render_html, render_text
    from banco.inbox.routines.digest_delivery import daily_digest

    facts = daily_digest(shop)
    render = render_html if as_html else render_text
    click.echo(render(facts, shop.config.shop.language, today(shop)), nl=False)


@command(
    help=N_("Build a made-up shop, collect it and show its digest. Nothing of yours is touched.")
)
@click.argument("folder", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--language",
    type=click.Choice(SUPPORTED),
    help=N_("The demo maker's language (default: this computer's, if Banco speaks it, else en)."),
)
@click.pass_context
def demo(ctx: click.Context, folder: Path | None, language: str | None) -> None:
    from banco.inbox.cli.demo import run_demo
    from banco.inbox.i18n.catalogs import system_language

    run_demo(folder, ctx.obj["clock"], click.echo, language or system_language(os.environ))


@group(help=N_("Order forms: see how Banco reads your form's columns."))
def forms() -> None:
    """The group of `banco forms headers`; nothing to do before its command."""


@forms.command(
    "headers",
    help=N_(
        "Print the form's columns and the mapping Banco guesses, ready to paste into banco.toml."
    ),
)
@click.argument("account")
@with_shop
def forms_headers(shop: Shop, account: str) -> None:
    from banco.connectors.forms.mapping import guess_mapping, mapping_as_toml

    connector = shop.connector(account)
    headers = getattr(connector, "headers", None)
    if headers is None:
        raise Problem(_("{account} is not an order form account").format(account=account))
    columns = headers()
    mapping = dict(shop.config.account(account).settings.get("mapping") or guess_mapping(columns))
    click.echo(mapping_as_toml(columns, mapping, _("Kept as custom fields of each order:")))
