"""The ``banco`` command: its group, with the commands of each module of ``cli``, and ``main``.
Every command is a thin layer over a function of the inbox package."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import cast

import click

from banco.inbox import logs
from banco.inbox.cli.app import BancoGroup
from banco.inbox.clock import SystemClock
from banco.inbox.i18n.catalogs import N_
from banco.inbox.shop import default_home

#: every command of ``banco`` and where it lives (module of ``cli``, name): a command's module is
#: imported when that command runs or its help is shown, so each command pays for its own code
#: only (the guided setup's HTTP client, the page's server, the demo's collect are not loaded
#: to list orders)
COMMANDS = {
    "init": ("shop", "init"),
    "setup": ("setup", "setup"),
    "check": ("shop", "check"),
    "auth": ("shop", "auth"),
    "collect": ("shop", "collect"),
    "search": ("shop", "search"),
    "digest": ("shop", "digest"),
    "demo": ("shop", "demo"),
    "forms": ("shop", "forms"),
    "messages": ("messages", "messages"),
    "reply": ("messages", "reply"),
    "senders": ("senders", "senders"),
    "outbox": ("outbox", "outbox"),
    "orders": ("orders", "orders"),
    "tasks": ("orders", "tasks"),
    "customers": ("customers", "customers"),
    "status": ("orders", "status"),
    "run": ("routines", "run_command"),
    "routine": ("routines", "routine"),
    "plan": ("routines", "plan"),
    "serve": ("routines", "serve_command"),
    "schedule": ("routines", "schedule"),
    "service": ("routines", "service"),
    "backup": ("backup", "backup_command"),
    "restore": ("backup", "restore_command"),
    "export": ("backup", "export_command"),
}


class CommandsWhenUsed(BancoGroup):
    """The ``banco`` group, loading each command's module when the command is asked for."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        module, name = COMMANDS[cmd_name]
        command = getattr(importlib.import_module(f"banco.inbox.cli.{module}"), name)
        if cmd_name == "orders":
            _add_order_commands(command)
        return cast(click.Command, command)


def _add_order_commands(orders: click.Group) -> None:
    """The order subcommands that live with their own part: two orders of one job
    (customers), what is true about an order (facts)."""
    from banco.inbox.cli import customers, facts

    for command in (customers.orders_merge, *facts.COMMANDS):
        orders.add_command(command)


@click.group(
    "banco",
    cls=CommandsWhenUsed,
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


def main() -> None:
    """Console entry point."""
    cli(obj={})
