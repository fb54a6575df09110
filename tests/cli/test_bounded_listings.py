"""Every listing of ``banco`` is bounded: a screenful, newest or most urgent first, then how many
more and how to see them, in her language; ``--limit N``, ``--all``, and ``--json`` for scripts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from busy_shop import BUSY, busy_maildir

from banco.inbox.cli.listing import DEFAULT_ROWS

MORE = {
    "en": "and {n} more: --all to see them all",
    "it": "e altri {n}: --all per vederli tutti",
    "fr": "et {n} de plus : --all pour tout voir",
}
HEADER = """
[shop]
name = "Bottega"
addresses = ["giulia@shop.example"]
timezone = "Europe/Rome"
languages = ["{lang}"]
"""


def busy(tmp_path: Path, write_shop, run, lang: str = "en") -> list[str]:
    account = busy_maildir(tmp_path / "Maildir")
    home = write_shop(f'\n[[accounts]]\nname = "mail"\n{account}', header=HEADER.format(lang=lang))
    result = run("--home", str(home), "collect")
    assert result.exit_code == 0, result.output
    return ["--home", str(home)]


@pytest.fixture
def home(tmp_path: Path, write_shop, run) -> list[str]:
    return busy(tmp_path, write_shop, run)


def lines(run, *args: str) -> list[str]:
    result = run(*args)
    assert result.exit_code == 0, result.output
    return result.output.splitlines()


def rows_of(shown: list[str]) -> list[str]:
    """The listing's rows and closing line, without the status' "next:" lines under a row."""
    return [line for line in shown if not line.startswith(" " * 8)]


LISTINGS = [["messages"], ["messages", "--waiting"], ["orders"], ["status"], ["search", "tazze"]]


@pytest.mark.parametrize("listing", LISTINGS, ids=" ".join)
def test_a_listing_shows_a_screenful_then_how_many_more(home, run, listing) -> None:
    shown = lines(run, *home, *listing)
    rows = rows_of(shown)
    total = BUSY if listing[0] != "search" else 2 * BUSY  # each customer's order and message
    assert rows[-1] == MORE["en"].format(n=total - DEFAULT_ROWS)
    assert len(rows) == DEFAULT_ROWS + 1


@pytest.mark.parametrize("listing", LISTINGS, ids=" ".join)
def test_all_shows_every_row_and_limit_as_many_as_asked(home, run, listing) -> None:
    every = rows_of(lines(run, *home, *listing, "--all"))
    total = BUSY if listing[0] != "search" else 2 * BUSY
    assert len(every) == total and "more" not in every[-1]
    limited = rows_of(lines(run, *home, *listing, "--limit", "7"))
    assert limited[:-1] == every[:7] and limited[-1] == MORE["en"].format(n=total - 7)


@pytest.mark.parametrize("listing", LISTINGS, ids=" ".join)
def test_json_gives_a_script_every_row_unless_limited(home, run, listing) -> None:
    total = BUSY if listing[0] != "search" else 2 * BUSY
    assert len(json.loads(run(*home, *listing, "--json").output)) == total
    assert len(json.loads(run(*home, *listing, "--json", "--limit", "3").output)) == 3


def test_the_newest_or_the_most_urgent_come_first(home, run) -> None:
    # customer 0 wrote first: the newest message is customer 119's, and so is the newest order;
    # the one waiting longest (customer 0) tops the waiting list and the status
    assert "Customer 119" in lines(run, *home, "messages")[0]
    assert "Customer 0:" in lines(run, *home, "messages", "--waiting")[0]
    assert lines(run, *home, "orders")[0].startswith(f"B-{BUSY:04}  ")
    assert lines(run, *home, "status")[0].split()[0] == "B-0001"


def test_a_listing_that_fits_says_nothing_more(home, run) -> None:
    shown = lines(run, *home, "messages", "--limit", str(BUSY))
    assert len(shown) == BUSY and "--all" not in shown[-1]
    assert lines(run, *home, "tasks") == lines(run, *home, "tasks", "--all")
    assert lines(run, *home, "outbox") == lines(run, *home, "outbox", "--all")


@pytest.mark.parametrize("lang", ["it", "fr"])
def test_how_many_more_in_her_language(tmp_path: Path, write_shop, run, lang: str) -> None:
    home = busy(tmp_path, write_shop, run, lang)
    assert lines(run, *home, "orders")[-1] == MORE[lang].format(n=BUSY - DEFAULT_ROWS)
    one_more = lines(run, *home, "orders", "--limit", str(BUSY - 1))[-1]
    assert (
        one_more
        == {
            "it": "e ancora 1: --all per vederlo",
            "fr": "et 1 de plus : --all pour le voir",
        }[lang]
    )
