"""The bounds every listing of ``banco`` shares: a screenful by default, ``--limit N`` and
``--all``, and the closing line that says how many rows were left out.

A listing on a shop of five years prints as much as one on a new shop: the first
``DEFAULT_ROWS`` (newest or most urgent first, each command's help says which), then "and 70
more: --all to see them all". ``--json`` is for scripts: every matching row unless ``--limit``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from banco.inbox.i18n.catalogs import N_, ngettext

F = TypeVar("F", bound=Callable[..., Any])

#: the rows a listing prints when she asks for no number: a screenful or two
DEFAULT_ROWS = 50

limit_option = click.option(
    "--limit", type=click.IntRange(min=1), help=N_("Show at most this many.")
)
all_option = click.option(
    "--all", "show_all", is_flag=True, help=N_("Show every row, however many.")
)


def listing_options(fn: F) -> F:
    """``--limit N`` and ``--all`` on a listing command."""
    return limit_option(all_option(fn))


def rows_asked(limit: int | None, show_all: bool, as_json: bool) -> int | None:
    """How many rows to print, ``None`` for every one: the number given with ``--limit``,
    else every row for ``--all`` and for ``--json`` (a script wants them all), else a screenful."""
    if limit is not None:
        return limit
    return None if show_all or as_json else DEFAULT_ROWS


def first(rows: list[Any], asked: int | None) -> list[Any]:
    """The rows a listing prints of ``rows``, all of them when ``asked`` is ``None``."""
    return rows if asked is None else rows[:asked]


def echo_more(rows: list[Any], asked: int | None, count: Callable[[], int]) -> None:
    """ "and 70 more: --all to see them all" when the listing left rows out; ``count`` (every
    matching row) is asked only when ``rows`` filled what was asked."""
    if asked is None or len(rows) < asked:
        return
    left = count() - len(rows)
    if left > 0:
        click.echo(
            ngettext(
                "and {n} more: --all to see it", "and {n} more: --all to see them all", left
            ).format(n=left)
        )
