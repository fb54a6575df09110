"""What every command of ``banco`` shares: its errors as plain lines, the shop it opens, the
maker's language and times, the --json and --limit options.

Every command speaks the maker's language (``shop.languages[0]``) once its shop is open; before
that (``banco init``, a broken banco.toml) the computer's language when Banco speaks it, else
English."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any

import click
from babel.dates import format_date, format_time

from banco.config import ConfigError
from banco.inbox.clock import parse_iso
from banco.inbox.errors import is_said
from banco.inbox.i18n.catalogs import _, current_language, said, speaking
from banco.inbox.i18n.money import locale_of
from banco.inbox.shop import Shop


class Problem(click.ClickException):
    """A one-line error for the maker; exit status 1."""


class BancoGroup(click.Group):
    """Turns every failure into plain lines and an exit status; never a traceback. Click's own
    words (usage, errors of the command line) are in the maker's language too."""

    def main(self, args: Sequence[str] | None = None, *more: Any, **options: Any) -> Any:
        from banco.inbox.cli.click_language import click_speaking, peeked_language

        argv = list(sys.argv[1:] if args is None else args)
        with click_speaking(peeked_language(argv, os.environ)):
            return super().main(argv, *more, **options)

    def invoke(self, ctx: click.Context) -> Any:
        from banco.inbox.cli.demo import system_language

        ctx.with_resource(speaking(system_language(os.environ)))  # until the shop is open
        try:
            return super().invoke(ctx)
        except ConfigError as e:  # said in the language banco.toml names, if it got that far
            with speaking(e.language or current_language()):
                for line in e.lines:
                    click.echo(said(line), err=True)
                click.echo(_("Fix banco.toml, then run the command again."), err=True)
            raise click.exceptions.Exit(2) from None
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Exception as e:
            if is_said(e):  # needs you, will retry, wrong input: its own sentence
                raise Problem(str(e)) from None
            if os.environ.get("BANCO_DEBUG"):
                raise
            click.echo(
                _("Error: Banco hit a problem it did not expect ({error}).").format(
                    error=f"{type(e).__name__}: {e}"
                ),
                err=True,
            )
            click.echo(
                _(
                    "Nothing was lost. Run again with BANCO_DEBUG=1 for details,"
                    " and please report it."
                ),
                err=True,
            )
            raise click.exceptions.Exit(1) from None


def open_shop(ctx: click.Context) -> Shop:
    """The shop of this command, opened once; from here on the command speaks her language."""
    root = ctx.find_root()
    obj = root.obj
    if "shop" not in obj:
        obj["shop"] = Shop.open(obj["home"], clock=obj["clock"], registry=obj.get("registry"))
        ctx.call_on_close(obj["shop"].close)
        root.with_resource(speaking(obj["shop"].config.shop.language))
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
    there = parse_iso(moment).astimezone(shop.config.shop.timezone)
    return f"{day_text(there.date())} {format_time(there, 'HH:mm', locale=_locale())}"


def day_text(day: date | str | None) -> str:
    """A date as her language writes it in a listing: 2026-12-20 (en), 20/12/26 (it), 20/12/2026
    (fr)."""
    if not day:
        return ""
    if isinstance(day, str):
        day = date.fromisoformat(day[:10])
    if current_language() == "en":
        return day.isoformat()
    return format_date(day, "short", locale=_locale())


def _locale() -> str:
    return locale_of(current_language())


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


def one_line(text: str | None, width: int = 60) -> str:
    flat = " ".join((text or "").split())
    return flat[:width] + ("…" if len(flat) > width else "")
