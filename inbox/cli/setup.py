"""``banco setup``: the guided flow that writes banco.toml with her (mail, Telegram, her order form,
her day), and one command per step (``banco setup mail``...). The flow's logic is in
``banco.inbox.setup``; this module only reads the command line."""

from __future__ import annotations

import click

from banco.inbox.cli.app import group
from banco.inbox.i18n.catalogs import N_


@group(
    invoke_without_command=True,
    help=N_(
        "Set up your shop step by step: your mailbox, your Telegram bot, your order form and"
        " your day. Each step can be skipped, and run again alone (`banco setup mail`)."
    ),
)
@click.pass_context
def setup(ctx: click.Context) -> None:
    if ctx.invoked_subcommand is None:
        click.echo(ctx.get_help())
