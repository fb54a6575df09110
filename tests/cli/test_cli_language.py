"""The `banco` command in the maker's language: every listing of an Italian or a French shop
holds no English phrase of Banco's own, a price is read the way her language writes numbers, and
a command without a shop speaks the computer's language."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import SHOP_HEADER
from language import PLACEHOLDER, english
from sources import CsvSource, MaildirSource

from banco.inbox.cli.main import cli
from banco.inbox.i18n.catalogs import translations

LISTINGS = [
    ["collect"],
    ["messages"],
    ["messages", "show", "1"],
    ["orders"],
    ["orders", "show", "B-0001"],
    ["status"],
    ["tasks"],
    ["outbox"],
    ["search", "tazze"],
    ["schedule"],
    ["orders", "price", "B-0001", "42"],
    ["orders", "estimate", "B-0001", "3"],
    ["orders", "deadline", "B-0001", "2026-12-20"],
]


def speaking_shop(tmp_path: Path, write_shop, lang: str) -> Path:
    mail = MaildirSource(tmp_path / "Maildir", 4)
    form = CsvSource(tmp_path / "answers.csv", 2)
    return write_shop(
        f'\n[[accounts]]\nname = "mail"\n{mail.account()}\n'
        f'[[accounts]]\nname = "form"\n{form.account()}',
        header=SHOP_HEADER.replace('languages = ["en"]', f'languages = ["{lang}"]'),
    )


def english_runs(lang: str) -> list[str]:
    """The longest run of words of each English string of Banco's, between its placeholders,
    unless ``lang`` says it the same way ("Conversation (" in French)."""
    catalog = translations(lang)
    runs = []
    for msgid, forms in english().items():
        said = catalog.ngettext(*forms[:2], 2) if len(forms) > 1 else catalog.gettext(msgid)
        run = max(PLACEHOLDER.split(msgid), key=len).strip()
        if len(run) > 8 and run not in said:
            runs.append(run)
    return runs


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("it", ["nuovi ordini", "Conversazione (", "Stato:", "consegna"]),
        ("fr", ["nouvelles commandes", "Conversation (", "Statut :", "pour le"]),
    ],
)
def test_every_listing_speaks_the_makers_language(
    lang: str, words: list[str], tmp_path: Path, write_shop, run
) -> None:
    home = ["--home", str(speaking_shop(tmp_path, write_shop, lang))]
    screen = []
    for args in LISTINGS:
        result = run(*home, *args)
        assert result.exit_code == 0, result.output
        screen.append(result.output)
    screen.append(run(*home, "orders", "show", "B-0001").output)
    text = "\n".join(screen)
    assert all(word in text for word in words), text
    assert [phrase for phrase in english_runs(lang) if phrase in text] == []


def test_an_italian_price_is_read_the_italian_way(tmp_path: Path, write_shop, run) -> None:
    home = ["--home", str(speaking_shop(tmp_path, write_shop, "it"))]
    assert run(*home, "collect").exit_code == 0
    priced = run(*home, "orders", "price", "B-0001", "1.250,50")
    assert priced.exit_code == 0, priced.output
    assert "1.250,50" in priced.output
    assert json.loads(run(*home, "orders", "show", "B-0001", "--json").output)["price"] == 1250.5
    refused = run(*home, "orders", "price", "B-0001", "1,250")
    assert refused.exit_code == 2  # a wrong value on the command line, as click's own
    assert refused.output.splitlines() == [
        'Errore: "1,250" ha più di due decimali; scrivilo come 1.250,50'
    ]
    assert json.loads(run(*home, "orders", "show", "B-0001", "--json").output)["price"] == 1250.5


@pytest.mark.parametrize(("tag", "words"), [("it_IT.UTF-8", "Ho scritto"), ("de_DE", "Wrote")])
def test_a_command_without_a_shop_speaks_the_computers_language(
    tag: str, words: str, tmp_path: Path, clock
) -> None:
    result = CliRunner().invoke(
        cli,
        ["--home", str(tmp_path / "new"), "init"],
        obj={"clock": clock},
        env={"LANGUAGE": "", "LC_ALL": "", "LC_MESSAGES": "", "LANG": tag},
    )
    assert result.exit_code == 0 and words in result.output


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        (
            "it",
            ["Errore: Valore non valido per 'STATUS'", "Il comando 'nosuch' non esiste.", "Uso:"],
        ),
        (
            "fr",
            [
                "Erreur : Valeur non valide pour 'STATUS'",
                "La commande 'nosuch' n'existe pas.",
                "Utilisation :",
            ],
        ),
    ],
)
def test_clicks_own_words_are_in_the_makers_language(
    lang: str, words: list[str], tmp_path: Path, write_shop, run
) -> None:
    home = ["--home", str(speaking_shop(tmp_path, write_shop, lang))]
    assert run(*home, "collect").exit_code == 0
    said = [
        run(*home, "orders", "status", "B-0001", "finished"),
        run(*home, "nosuch"),
        run(*home, "orders", "price"),
    ]
    assert [result.exit_code for result in said] == [2, 2, 2]
    text = "\n".join(result.output for result in said)
    assert all(word in text for word in words), text
    assert "Usage:" not in text and "Error:" not in text and "Missing argument" not in text
    english = run("--home", str(tmp_path / "elsewhere"), "nosuch").output
    assert "Error: No such command 'nosuch'." in english


@pytest.mark.parametrize("lang", ["it", "fr"])
def test_every_word_of_click_is_in_the_catalog(lang: str) -> None:
    import click
    from babel.messages.extract import extract_from_dir
    from babel.messages.pofile import read_po

    from banco.inbox.i18n.catalogs import LOCALE_DIR

    with (LOCALE_DIR / lang / "click.po").open("rb") as po:
        catalog = read_po(po, locale=lang)
    problems = []
    for _, _, message, _, _ in extract_from_dir(str(Path(click.__file__).parent)):
        forms = message if isinstance(message, tuple) else (message,)
        entry = catalog.get(forms if len(forms) > 1 else forms[0])
        strings = () if entry is None else entry.string
        strings = strings if isinstance(strings, tuple) else (strings,)
        wanted = set(PLACEHOLDER.findall(" ".join(forms)))
        if (
            not strings
            or not all(strings)
            or any(set(PLACEHOLDER.findall(text)) != wanted and len(forms) == 1 for text in strings)
        ):
            problems.append(forms[0])
    assert problems == []
