"""`banco --help` and every command's and subcommand's `--help` in the maker's language: the
command's text, its line in its group's listing and every option's help are said in the shop's
language, none left in English; an English shop's help is as written; languages do not leak into
each other in one process."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import click
import pytest
from click.testing import Result
from conftest import SHOP_HEADER

from banco.inbox.cli.app import HELP_OPTION
from banco.inbox.cli.main import cli
from banco.inbox.i18n.catalogs import translations

Run = Callable[..., Result]


def commands() -> Iterator[tuple[list[str], click.Command]]:
    """The group, every command and every subcommand, as the command line names them."""
    yield [], cli
    context = click.Context(cli)
    for name in cli.list_commands(context):  # loaded as the command line loads them
        command = cli.get_command(context, name)
        assert command is not None, name
        yield [name], command
        for sub_name, sub in getattr(command, "commands", {}).items():
            yield [name, sub_name], sub


def help_texts(command: click.Command) -> list[str]:
    """The English of a command's help: its text and its options' (--help included)."""
    texts = [command.help or ""] + [
        param.help for param in command.params if isinstance(param, click.Option) and param.help
    ]
    return [*texts, HELP_OPTION]


def short_help(text: str) -> str:
    """A command's line in its group's listing: its first sentence, at least as far as shown."""
    return text.split(". ")[0][:30]


def flat(text: str) -> str:
    """Text without its white space, so a line wrapped anywhere still matches."""
    return re.sub(r"\s+", "", text)


def shop(tmp_path: Path, lang: str) -> Path:
    home = tmp_path / lang
    home.mkdir()
    header = SHOP_HEADER.replace('languages = ["en"]', f'languages = ["{lang}"]')
    (home / "banco.toml").write_text(header, encoding="utf-8")
    return home


def help_screen(run: Run, home: Path, names: list[str]) -> str:
    result = run("--home", str(home), *names, "--help")
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.parametrize("lang", ["it", "fr"])
def test_every_help_is_said_in_the_shops_language(lang: str, tmp_path: Path, run: Run) -> None:
    home = shop(tmp_path, lang)
    catalog = translations(lang)
    left_english, not_said = [], []
    for names, command in commands():
        screen = flat(help_screen(run, home, names))
        expected = [(text, catalog.gettext(text)) for text in help_texts(command)] + [
            (short_help(sub.help or ""), short_help(catalog.gettext(sub.help or "")))
            for sub in getattr(command, "commands", {}).values()
        ]
        for english, said in expected:
            if flat(said) not in screen:
                not_said.append(f"banco {' '.join(names)}: {said!r}")
            if said != english and flat(english) in screen:
                left_english.append(f"banco {' '.join(names)}: {english!r}")
    assert left_english == [] and not_said == []


def test_an_english_shop_reads_its_help_as_written(tmp_path: Path, run: Run) -> None:
    home = shop(tmp_path, "en")
    for names, command in commands():
        screen = flat(help_screen(run, home, names))
        assert all(flat(text) in screen for text in help_texts(command)), names
    assert "  --version         Show the version and exit.\n" in help_screen(run, home, [])
    assert re.search(r"\n  orders +List open orders\.\n", help_screen(run, home, []))


def test_languages_do_not_leak_into_each_other(tmp_path: Path, run: Run) -> None:
    homes = {lang: shop(tmp_path, lang) for lang in ("en", "it", "fr")}
    first = {lang: help_screen(run, home, ["orders"]) for lang, home in homes.items()}
    again = {lang: help_screen(run, home, ["orders"]) for lang, home in reversed(homes.items())}
    assert again == first
    assert "Elenca gli ordini aperti." in first["it"] and "Mostra questo messaggio" in first["it"]
    assert "Liste les commandes en cours." in first["fr"] and "Affiche ce message" in first["fr"]
    assert "Show this message and exit." in first["en"]
