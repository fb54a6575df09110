"""The digest, the plan, its calendar and `banco demo` speak the maker's language: an Italian or
French maker reads no English phrase of Banco's own in them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from icalendar import Calendar
from language import PLACEHOLDER, english

from banco.inbox.clock import FixedClock
from banco.inbox.collect.sync import collect
from banco.inbox.demo import write_demo_shop
from banco.inbox.demo.history import apply_history
from banco.inbox.i18n.catalogs import system_language
from banco.inbox.routines import day as routines
from banco.inbox.routines.digest import render_html, render_text
from banco.inbox.routines.digest_delivery import daily_digest, today
from banco.inbox.routines.ics import plan_ics
from banco.inbox.routines.plan import build_plan, render_plan_text
from banco.inbox.shop import Shop

WORDS = {
    "it": ("la tua giornata", "Il lavoro di oggi", "Nuovi ordini", "mer 25 nov"),
    "fr": ("votre journée", "Le travail du jour", "Nouvelles commandes", "mer. 25 nov."),
}


def english_in(screen: str) -> list[str]:
    """Banco's English phrases (the longest run of words of each string) found in ``screen``."""
    runs = [max(PLACEHOLDER.split(m), key=len).strip() for m in english()]
    return [run for run in runs if len(run) > 12 and run in screen]


def demo_screens(home: Path, clock: FixedClock, lang: str) -> str:
    write_demo_shop(home, clock.now(), lang)
    shop = Shop.open(home, clock=clock)
    try:
        collect(shop)
        apply_history(shop)
        routines.status(shop)
        config = shop.config
        digest = daily_digest(shop, lang)
        plan = build_plan(shop.store, config.plan, config.shop.timezone, clock.now(), calendar=True)
        calendar = Calendar.from_ical(plan_ics(plan, config.shop.name, config.shop.timezone, lang))
        events = [f"{e['SUMMARY']} {e.get('DESCRIPTION', '')}" for e in calendar.walk("VEVENT")]
        return "\n".join(
            [
                render_text(digest, lang, today(shop)),
                render_html(digest, lang, today(shop)),
                render_plan_text(plan, lang, 2),
                str(calendar["X-WR-CALNAME"]),
                *events,
                (home / "banco.toml").read_text(encoding="utf-8"),
            ]
        )
    finally:
        shop.close()


@pytest.mark.parametrize("lang", ["it", "fr"])
def test_the_digest_and_the_plan_speak_the_makers_language(
    lang: str, tmp_path: Path, clock: FixedClock
) -> None:
    screen = demo_screens(tmp_path / "demo", clock, lang)

    assert all(words in screen for words in WORDS[lang])
    assert english_in(screen) == []


def test_an_english_maker_reads_english(tmp_path: Path, clock: FixedClock) -> None:
    screen = demo_screens(tmp_path / "demo", clock, "en")

    assert "your day" in screen and "Today's work" in screen and "Wed 25 Nov" in screen


@pytest.mark.parametrize("lang", ["it", "fr"])
def test_banco_demo_prints_its_digest_in_the_language_asked(
    lang: str, tmp_path: Path, run: Callable[..., Result]
) -> None:
    result = run("demo", str(tmp_path / "demo"), "--language", lang)

    assert result.exit_code == 0, result.output
    assert WORDS[lang][0] in result.output and "banco --home" in result.output
    assert english_in(result.output) == []


@pytest.mark.parametrize(
    ("environ", "lang"),
    [
        ({"LANG": "it_IT.UTF-8"}, "it"),
        ({"LC_ALL": "fr_CA.UTF-8", "LANG": "it_IT.UTF-8"}, "fr"),
        ({"LANGUAGE": "de:fr", "LANG": "fr_FR.UTF-8"}, "en"),
        ({"LANG": "C.UTF-8"}, "en"),
        ({}, "en"),
    ],
)
def test_the_demo_speaks_the_computers_language_when_banco_does(
    environ: dict[str, str], lang: str
) -> None:
    assert system_language(environ) == lang
