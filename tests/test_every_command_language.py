"""Every command of `banco`, its help included, in an Italian and a French shop: no English of
Banco's own in what it prints.

The extracted-strings checks (test_catalogs.py) only see strings marked for translation; this one
reads what the commands really print, so a sentence written without `_()` (an f-string, a
connector's problem, a stored note) is caught too. English is found as a run of three words with
an English function word in it ("from a email", "the mail server") that the demo's own data (its
customers write in English too) does not hold."""

from __future__ import annotations

import csv
import email
import email.policy
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

ENGLISH = {
    "the", "your", "and", "will", "with", "from", "this", "that", "have", "has", "not", "been",
    "of", "to", "is", "are", "was", "for", "no", "yet", "an", "it", "its", "at", "or", "be",
    "by", "can", "cannot", "any", "every", "each", "one", "which", "what", "when", "who",
    # and the nouns Banco says most, which no Italian or French sentence holds
    # ("message" is French too, "account" is Italian too)
    "answers", "columns", "collected", "found", "order", "orders", "reply", "replies", "waiting",
    "customer", "last", "new",
}  # fmt: skip
# Not Banco's words: a file's path, a command (`banco messages raw 21`, a listing's `  orders  `),
# an option (--waiting) and its choices ([new|quoted|...]), a placeholder of the usage line (REF),
# a routine's name in banco.toml's [schedule].
NOT_WORDS = re.compile(
    r"\S*/\S*|banco(?: [a-z-]+)+|^\s*[a-z-]+(?=\s{2})|--[a-z-]+|[\[{][^\]}]*\|[^\]}]*[\]}]"
    r"|\b[A-Z][A-Z_]+\b"
)
WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")

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
    ["messages", "show", "21"],
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
    ["tasks"],
    ["tasks", "done", "1"],
    ["status"],
    ["outbox"],
    ["plan"],
    ["schedule"],
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
    for name, command in cli.commands.items():
        calls.append([name, "--help"])
        for sub in getattr(command, "commands", {}):
            calls.append([name, sub, "--help"])
    return calls


def data_text(shop: Path) -> str:
    """Every word the demo's customers and the maker wrote: the mail and the form's answers."""
    parts = []
    for path in sorted((shop / "Maildir").rglob("*")):
        if path.is_file() and path.parent.name in {"cur", "new"}:
            mail = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            parts += [str(mail["subject"] or ""), str(mail["from"] or "")]
            parts += [p.get_content() for p in mail.walk() if p.get_content_maintype() == "text"]
    parts.append((shop / "banco.toml").read_text(encoding="utf-8"))  # her account names
    with (shop / "form-responses.csv").open(encoding="utf-8") as answers:
        parts += [" ".join(row) for row in csv.reader(answers)]
    return " " + " ".join(" ".join(WORD.findall(part.lower())) for part in parts) + " "


def english_phrases(screen: str, data: str) -> list[str]:
    """One finding per line: three words, one of them an English function word, of which neither
    pair of neighbours is in the data ("Sarah Mitchell: The plates" is the data's own)."""
    found = []
    for line in screen.splitlines():
        if line.startswith("$ banco"):
            continue
        words = WORD.findall(NOT_WORDS.sub(" ", line).lower())
        for i in range(len(words) - 2):
            three = words[i : i + 3]
            pairs = (" ".join(three[:2]), " ".join(three[1:]))
            if ENGLISH & set(three) and not any(f" {pair} " in data for pair in pairs):
                found.append(f"{' '.join(three)!r} in {line.strip()!r}")
                break
    return found


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
