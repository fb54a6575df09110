"""What every command of ``banco`` shares: its errors as plain lines, the shop it opens, the
maker's language and times, the --json option (a listing's bounds: listing.py).

Every command speaks the maker's language (``shop.languages[0]``) once its shop is open; before
that (``banco init``, a broken banco.toml) the computer's language when Banco speaks it, else
English."""

from __future__ import annotations

import copy
import json
import os
import sys
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any, Self, TypeVar

import click
from babel.dates import format_date, format_time

from banco.config import ConfigError
from banco.inbox.clock import parse_iso
from banco.inbox.errors import is_said
from banco.inbox.i18n.catalogs import N_, _, current_language, said, speaking
from banco.inbox.i18n.money import locale_of
from banco.inbox.i18n.numbers import NumberError
from banco.inbox.shop import Shop, default_home
from banco.inbox.store.database import store_error
from banco.inbox.store.orders import LARGEST_ID

T = TypeVar("T")


class Problem(click.ClickException):
    """A one-line error for the maker; exit status 1."""


class WrongValue(Problem):
    """A value typed on the command line that Banco cannot use: one line, exit status 2 like
    click's own errors of the command line."""

    exit_code = 2


#: a command whose argument is a number she types: "-5" is that argument (refused in words),
#: not an unknown option
NUMBER_ARGUMENT = {"ignore_unknown_options": True}


def typed_value(parse: Callable[[str, str], T], text: str) -> T:
    """``parse(text, language)`` of a number typed on the command line, in the maker's language;
    a number Banco cannot be sure of is one line and exit status 2."""
    try:
        return parse(text, current_language())
    except NumberError as e:
        raise WrongValue(str(e)) from None


#: the --help option's text (click writes its own once, in the language of that moment)
HELP_OPTION = N_("Show this message and exit.")


class BancoCommand(click.Command):
    """A command whose help (its text, its line in a listing, its options') is said in the
    language spoken when it is shown. The texts are msgids (``help=N_("...")``); the command and
    its options are shared by every language, so each showing formats a said copy of them."""

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        super(BancoCommand, self.said(ctx)).format_help(ctx, formatter)

    def get_short_help_str(self, limit: int = 45) -> str:
        return super(BancoCommand, self.said()).get_short_help_str(limit)

    def said(self, ctx: click.Context | None = None) -> Self:
        """A copy of this command in the current language; with ``ctx``, its options too."""
        spoken = replace_copy(
            self,
            help=said_text(self.help),
            short_help=said_text(self.short_help),
            epilog=said_text(self.epilog),
        )
        if ctx is not None:
            help_option = self.get_help_option(ctx)
            spoken.params = [
                replace_copy(p, help=said_text(HELP_OPTION if p is help_option else p.help))
                for p in self.get_params(ctx)
            ]
            spoken.add_help_option = False  # it is among the params above
        return spoken


class Group(BancoCommand, click.Group):
    """A group of commands whose help is said in the maker's language, as are its commands'."""

    command_class = BancoCommand


Group.group_class = Group  # its subgroups too (and never of the root's class below)


def said_text(text: str | None) -> str | None:
    return _(text) if text else text


def replace_copy(thing: T, **attributes: Any) -> T:
    """A shallow copy of ``thing`` with ``attributes`` set; ``thing`` itself is left alone."""
    twin = copy.copy(thing)
    for name, value in attributes.items():
        setattr(twin, name, value)
    return twin


def command(
    name: str | None = None, **attributes: Any
) -> Callable[[Callable[..., Any]], BancoCommand]:
    """``click.command`` for a command whose help is said in the maker's language."""
    return click.command(name, cls=BancoCommand, **attributes)


def group(name: str | None = None, **attributes: Any) -> Callable[[Callable[..., Any]], Group]:
    """``click.group`` for a group whose help is said in the maker's language."""
    return click.group(name, cls=Group, **attributes)


class BancoGroup(Group):
    """The ``banco`` group. Turns every failure into plain lines and an exit status; never a
    traceback. Click's own words (usage, errors of the command line) and Banco's help are in the
    maker's language too, from the moment click reads the command line."""

    def main(self, args: Sequence[str] | None = None, *more: Any, **options: Any) -> Any:
        from banco.inbox.cli.click_language import click_speaking, peeked_language

        argv = list(sys.argv[1:] if args is None else args)
        lang = peeked_language(argv, os.environ)
        with click_speaking(lang), speaking(lang):
            return super().main(argv, *more, **options)

    def invoke(self, ctx: click.Context) -> Any:
        # Until the shop is open, the language peeked from its banco.toml (``main``) is spoken.
        try:
            result = super().invoke(ctx)
            sys.stdout.flush()  # a reader gone (`| head`) is found here, not at the exit
            return result
        except BrokenPipeError:
            raise click.exceptions.Exit(reader_gone()) from None
        except ConfigError as e:  # said in the language banco.toml names, if it got that far
            with speaking(e.language or current_language()):
                for line in e.lines:
                    click.echo(said(line), err=True)
                click.echo(_("Fix banco.toml, then run the command again."), err=True)
            raise click.exceptions.Exit(2) from None
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Exception as e:
            # the disk, the folder or the store file refused: said as that, never as a bug
            e = store_error(e, (ctx.obj or {}).get("home") or default_home()) or e
            if is_said(e):  # needs you, will retry, wrong input: its own sentence
                raise Problem(said(e)) from None
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


class RowId(click.ParamType):
    """The number of a message, a task or a reply, as she types it. One larger than any the store
    can hold names nothing: ``missing`` says so ("no message 99999999999999999999999"), exit
    status 1 like any number that names nothing."""

    name = "integer"

    def __init__(self, missing: str) -> None:
        self.missing = missing

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        number: int = value if isinstance(value, int) else click.INT.convert(value, param, ctx)
        if abs(number) > LARGEST_ID:
            if ctx is not None:
                open_shop(ctx)  # from here on in her language
            raise Problem(_(self.missing).format(id=number))
        return number


#: the status of a command whose reader stopped reading (``banco search tazza | head -1``): 128 +
#: SIGPIPE, as cat, grep or git end there, so a script with ``set -o pipefail`` sees what it sees
#: of them
PIPE_CLOSED = 128 + 13


def reader_gone() -> int:
    """Stop writing to a pipe nobody reads: what is still buffered goes nowhere, quietly (else
    Python says so on its way out)."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
    return PIPE_CLOSED


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
    "--json", "as_json", is_flag=True, help=N_("Print every matching row as JSON.")
)
verbose_option = click.option(
    "-v", "--verbose", is_flag=True, help=N_("Also log Banco's own details (secrets stay hidden).")
)


def one_line(text: str | None, width: int = 60) -> str:
    flat = " ".join((text or "").split())
    return flat[:width] + ("…" if len(flat) > width else "")
