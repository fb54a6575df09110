"""``banco demo``: build a made-up shop, collect it, and show what Banco makes of it."""

from __future__ import annotations

import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path

from babel.numbers import format_decimal

from banco.inbox.clock import Clock
from banco.inbox.collect.ingest import Counts
from banco.inbox.collect.sync import collect
from banco.inbox.demo import write_demo_shop
from banco.inbox.demo.history import apply_history, remember_answers
from banco.inbox.errors import WrongInput
from banco.inbox.i18n.catalogs import _, ngettext, speaking
from banco.inbox.i18n.money import locale_of
from banco.inbox.routines import day as routines
from banco.inbox.routines.digest import render_text
from banco.inbox.routines.digest_delivery import daily_digest, today
from banco.inbox.shop import Shop

MARKER = ".banco-demo"


class DemoError(WrongInput):
    """The demo folder cannot be used."""


def prepare_folder(folder: Path) -> None:
    """An empty folder for the demo; a previous demo there is replaced, anything else is refused."""
    if folder.exists() and any(folder.iterdir()):
        if not (folder / MARKER).exists():
            raise DemoError(
                _(
                    "{folder} already holds other files; choose another folder:"
                    " banco demo OTHER-FOLDER"
                ).format(folder=folder)
            )
        shutil.rmtree(folder)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / MARKER).write_text(
        "This folder was made by `banco demo` and may be replaced by it.\n"
    )


def run_demo(folder: Path | None, clock: Clock, echo: Callable[[str], None], lang: str) -> None:
    """Build the demo shop for a maker speaking ``lang`` and tell what Banco makes of it, in it."""
    with speaking(lang):
        _run(folder, clock, echo, lang)


def _run(folder: Path | None, clock: Clock, echo: Callable[[str], None], lang: str) -> None:
    started = time.monotonic()
    folder = (folder or Path("banco-demo")).resolve()
    prepare_folder(folder)
    write_demo_shop(folder, clock.now(), lang)
    shop = Shop.open(folder, clock=clock)
    try:
        echo(
            _(
                "Made a demo shop in {folder}: a mailbox and an order form of a ceramics studio."
            ).format(folder=folder)
        )
        echo(_("Collecting everything, as Banco does at 08:00 every day..."))
        remember_answers(shop)  # her earlier "an order" about two past clients (triage)
        for result in collect(shop):
            echo("  " + _collected(result.account, result.counts))
        apply_history(shop)  # the quotes, bookings and estimates the demo maker made before today
        routines.status(shop)
        routines.plan(shop)
        echo("")
        echo(render_text(daily_digest(shop, lang), lang, today(shop)))
    finally:
        shop.close()
    home = f"{typed_command()} --home {folder}"
    seconds = format_decimal(round(time.monotonic() - started, 1), "0.0", locale=locale_of(lang))
    echo(_("(done in {seconds} s) Try next:").format(seconds=seconds))
    for command, what in (
        (f"{home} orders", _("the open orders")),
        (f"{home} orders show B-0001", _("one order with its whole conversation")),
        (f"{home} messages --waiting", _("messages waiting for a reply")),
        (f'{home} search "tazze"', _("search every message and order")),
        (f"{home} digest --html > digest.html", _("the digest as a web page")),
        (f"{typed_command()} setup", _("set up your own shop")),
    ):
        echo(f"  {command:<55} {what}")


def typed_command() -> str:
    """What she types to run this Banco: `banco` when her shell finds this one, else its path
    (./scripts/demo installs Banco into .venv, which is not on the PATH)."""
    here = Path(sys.executable).with_name("banco")
    found = shutil.which("banco")
    if not here.exists() or (found is not None and Path(found).resolve() == here.resolve()):
        return "banco"
    return str(here)


def _collected(account: str, counts: Counts) -> str:
    """ "shop-mail: 42 messages, 9 new orders, 1 could not be read" """
    parts = [
        ngettext("{n} message", "{n} messages", counts.new).format(n=counts.new),
        ngettext("{n} new order", "{n} new orders", counts.orders).format(n=counts.orders),
    ]
    if counts.unreadable:
        parts.append(
            ngettext("{n} could not be read", "{n} could not be read", counts.unreadable).format(
                n=counts.unreadable
            )
        )
    return f"{account}: " + ", ".join(parts)
