"""``banco demo``: build a made-up shop, collect it, and show what Banco makes of it."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from pathlib import Path

from banco.inbox.clock import Clock
from banco.inbox.collect.sync import collect
from banco.inbox.demo import write_demo_shop
from banco.inbox.demo.history import apply_history
from banco.inbox.errors import WrongInput
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
                f"{folder} already holds other files; choose another folder: banco demo OTHER-FOLDER"
            )
        shutil.rmtree(folder)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / MARKER).write_text(
        "This folder was made by `banco demo` and may be replaced by it.\n"
    )


def run_demo(folder: Path | None, clock: Clock, echo: Callable[[str], None]) -> None:
    started = time.monotonic()
    folder = (folder or Path("banco-demo")).resolve()
    prepare_folder(folder)
    write_demo_shop(folder, clock.now())
    shop = Shop.open(folder, clock=clock)
    try:
        echo(f"Made a demo shop in {folder}: a mailbox and an order form of a ceramics studio.")
        echo("Collecting everything, as Banco does at 08:00 every day...")
        for result in collect(shop):
            c = result.counts
            echo(
                f"  {result.account}: {c.new} messages, {c.orders} new orders"
                + (f", {c.unreadable} could not be read" if c.unreadable else "")
            )
        apply_history(shop)  # the quotes, bookings and estimates the demo maker made before today
        routines.status(shop)
        routines.plan(shop)
        echo("")
        echo(render_text(daily_digest(shop, "en"), "en", today(shop)))
    finally:
        shop.close()
    home = f"--home {folder}"
    echo(f"(done in {time.monotonic() - started:.1f} s) Try next:")
    for command, what in (
        (f"banco {home} orders", "the open orders"),
        (f"banco {home} orders show B-0001", "one order with its whole conversation"),
        (f"banco {home} messages --waiting", "messages waiting for a reply"),
        (f'banco {home} search "tazze"', "search every message and order"),
        (f"banco {home} digest --html > digest.html", "the digest as a web page"),
        ("banco init", "set up your own shop"),
    ):
        echo(f"  {command:<55} {what}")
