"""The ``banco`` command: its group, with the commands of each module of ``cli``, and ``main``.
Every command is a thin layer over a function of the inbox package."""

from __future__ import annotations

from pathlib import Path

import click

from banco.inbox import logs
from banco.inbox.cli import backup, facts, messages, orders, outbox, routines, senders, setup, shop
from banco.inbox.cli.app import BancoGroup
from banco.inbox.cli.customers import customers, orders_merge
from banco.inbox.clock import SystemClock
from banco.inbox.i18n.catalogs import N_
from banco.inbox.shop import default_home


@click.group(
    "banco",
    cls=BancoGroup,
    help=N_(
        "Banco: your orders from email, Telegram and forms, in one place.\n\n"
        "New here? Run `banco demo` to see a made-up shop, then `banco init` to set up yours."
    ),
)
@click.option(
    "--home",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="BANCO_HOME",
    help=N_("The shop folder (default: $BANCO_HOME, else your user data folder)."),
)
@click.version_option(package_name="banco", help=N_("Show the version and exit."))
@click.pass_context
def cli(ctx: click.Context, home: Path | None) -> None:
    ctx.ensure_object(dict)
    logs.setup()  # every command: warnings to stderr, secrets hidden; run and -v ask for more
    ctx.obj["home"] = (home or default_home()).expanduser().resolve()
    ctx.obj.setdefault("clock", SystemClock())


for command in (
    shop.init,
    setup.setup,
    shop.check,
    shop.auth,
    shop.collect,
    shop.search,
    shop.digest,
    shop.demo,
    shop.forms,
    messages.messages,
    messages.reply,
    senders.senders,
    outbox.outbox,
    orders.orders,
    orders.tasks,
    customers,
    orders.status,
    routines.run_command,
    routines.routine,
    routines.plan,
    routines.serve_command,
    routines.schedule,
    routines.service,
    backup.backup_command,
    backup.restore_command,
    backup.export_command,
):
    cli.add_command(command)
orders.orders.add_command(orders_merge)  # two orders of one job (customers)
for fact_command in facts.COMMANDS:  # what is true about an order
    orders.orders.add_command(fact_command)


def main() -> None:
    """Console entry point."""
    cli(obj={})
