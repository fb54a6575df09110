"""Every command of `banco`, its help included, in an Italian and a French shop: no English of
Banco's own in what it prints.

The extracted-strings checks (test_catalogs.py) only see strings marked for translation; this one
reads what the commands really print, so a sentence written without `_()` (an f-string, a
connector's problem, a stored note) is caught too. English is found as a run of three words with
an English function word in it ("from a email", "the mail server") that the demo's own data (its
customers write in English too) does not hold."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import click
import pytest
from click.testing import Result
from crashed import BANCO
from language import data_text, english_phrases

# (arguments, whether it may fail): every command and subcommand, after `--home <shop>`.
COMMANDS: list[list[str]] = [
    ["--help"],
    ["check"],
    ["collect"],
    ["search", "tazze"],
    ["digest"],
    ["forms", "headers", "order-form"],
    ["messages"],
    ["messages", "--waiting"],
    ["messages", "show", "1"],
    ["messages", "show", "22"],  # the unreadable one, after the supplier's mail (triage)
    ["orders"],
    ["orders", "--all"],
    ["orders", "show", "B-0001"],
    ["orders", "show", "B-0005"],
    ["orders", "status", "B-0005", "booked"],
    ["orders", "deadline", "B-0005", "2026-12-20"],
    ["orders", "estimate", "B-0005", "3"],
    ["orders", "price", "B-0005", "1250"],
    ["orders", "task", "B-0005", "Smaltare le tazze"],
    ["orders", "note", "B-0005", "Acconto ricevuto"],
    ["orders", "undo", "B-0005"],
    ["customers"],
    ["customers", "show", "Paolo Greco"],  # mail to him bounced
    ["customers", "suggestions"],
    ["orders", "merge", "B-0003", "B-0009"],
    ["customers", "split", "Paolo Greco", "paolo_greco"],
    ["tasks"],
    ["tasks", "done", "1"],
    ["senders"],  # triage: her answers about senders
    ["senders", "set", "@argille-emiliane.example", "never"],
    ["senders", "set", "marta.rinaldi@libero.example", "order"],
    ["senders", "forget", "@argille-emiliane.example"],
    ["status"],
    ["outbox"],
    ["plan"],
    ["schedule"],
    ["setup", "schedule", "--no-input"],  # setup: her day, then the checks
    ["setup", "form", "--no-input", "--form-kind", "csv"],  # setup: the flag it needs
    ["routine", "collect"],
    ["routine", "status"],
    ["routine", "plan"],
    ["routine", "digest"],
    ["orders", "show", "B-0005"],
]


def help_of_every_command(run: Callable[..., Result], home: list[str]) -> list[list[str]]:
    """`--help` of the group, every command and every subcommand, as the listing names them."""
    from banco.inbox.cli.main import cli

    calls = []
    context = click.Context(cli)
    for name in cli.list_commands(context):  # loaded as the command line loads them
        command = cli.get_command(context, name)
        calls.append([name, "--help"])
        for sub in getattr(command, "commands", {}):
            calls.append([name, sub, "--help"])
    return calls


@pytest.mark.parametrize("lang", ["it", "fr"])
def test_no_command_prints_english_of_its_own(
    lang: str, tmp_path: Path, run: Callable[..., Result]
) -> None:
    shop = tmp_path / "demo"
    assert run("demo", str(shop), "--language", lang).exit_code == 0
    home = ["--home", str(shop)]
    screens = []
    for args in COMMANDS + help_of_every_command(run, home):
        result = run(*home, *args)
        screens.append(f"$ banco {' '.join(args)}\n{result.output}")
    found = english_phrases("\n".join(screens), data_text(shop))
    assert found == [], "\n".join(found)


@pytest.mark.parametrize(
    ("lang", "words"), [("it", "La pagina di Banco"), ("fr", "La page de Banco")]
)
def test_banco_serve_says_where_the_page_is_in_her_language(
    lang: str, words: str, tmp_path: Path, run: Callable[..., Result]
) -> None:
    shop = tmp_path / "demo"
    assert run("demo", str(shop), "--language", lang).exit_code == 0
    serving = subprocess.Popen(
        [*BANCO, "--home", str(shop), "serve", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "BROWSER": "true"},  # no browser window from the test
    )
    try:
        assert serving.stdout is not None
        first = serving.stdout.readline()
    finally:
        serving.terminate()
        serving.wait()
    assert first.startswith(words), first


# Wrong input: each refusal is one line in her language.
REFUSALS = [
    ["outbox", "cancel", "999"],
    ["orders", "show", "B-9999"],
    ["messages", "reply", "1", "--text", "Grazie!", "--at", "2020-01-01 09:00"],
    ["messages", "reply", "1", "--text", "Grazie!", "--at", "25:70"],
]


@pytest.mark.parametrize("lang", ["it", "fr"])
def test_a_refusal_is_said_in_her_language(
    lang: str, tmp_path: Path, run: Callable[..., Result]
) -> None:
    shop = tmp_path / "demo"
    assert run("demo", str(shop), "--language", lang).exit_code == 0
    screens = []
    for args in REFUSALS:
        result = run("--home", str(shop), *args)
        assert result.exit_code != 0, result.output
        screens.append(result.output)
    found = english_phrases("\n".join(screens), data_text(shop))
    assert found == [], "\n".join(screens)
