"""A banco.toml with mistakes is said in the maker's language: every problem line of the command
and of the page that says banco.toml needs fixing, in Italian and French, the English exactly as
before. The language is the one banco.toml names when that much of it can be read, else the
computer's (the command). Whatever the file holds, the problems are plain lines in every language.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner
from fixtures_web import web_server  # noqa: F401 (a fixture)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from banco.config import ConfigError, Secret, SecretError, parse_config
from banco.config.load import SECTIONS
from banco.connectors import load_registry
from banco.inbox.cli.main import cli
from banco.inbox.i18n.catalogs import said, speaking
from banco.inbox.web import RunningServer

MISTAKES = """
[shop]
name = "Bottega"
nmae = "Bottega Giulia"
timezone = "Europe/Rome"
languages = ["{lang}"]

[digest]
due_days = "seven"

[web]
password = "hunter2"
"""
SAID = {
    "en": [
        'shop.nmae: unknown key; did you mean "name"?',
        'digest.due_days: is "seven"; expected a whole number from 0 to 366'
        " (how many days ahead deadlines are shown)",
        "web.password: secrets are never written in banco.toml; use a reference such as"
        ' {env = "NAME"}, {file = "path"} or {command = "pass show ..."}',
        "Fix banco.toml, then run the command again.",
    ],
    "it": [
        'shop.nmae: chiave sconosciuta; forse intendevi "name"?',
        'digest.due_days: vale "seven"; ci vuole un numero intero da 0 a 366'
        " (quanti giorni prima si vedono le scadenze)",
        "web.password: i segreti non si scrivono mai in banco.toml; usa un riferimento come"
        ' {env = "NAME"}, {file = "percorso"} o {command = "pass show ..."}',
        "Sistema banco.toml, poi rilancia il comando.",
    ],
    "fr": [
        'shop.nmae : clé inconnue ; vouliez-vous dire "name" ?',
        'digest.due_days : vaut "seven" ; il faut un nombre entier de 0 à 366'
        " (combien de jours à l'avance les échéances s'affichent)",
        "web.password : les secrets ne s'écrivent jamais dans banco.toml ; utilisez une référence"
        ' comme {env = "NAME"}, {file = "chemin"} ou {command = "pass show ..."}',
        "Corrigez banco.toml, puis relancez la commande.",
    ],
}
ENGLISH_COMPUTER = {"LANGUAGE": "", "LC_ALL": "", "LC_MESSAGES": "", "LANG": "C.UTF-8"}


def banco(home: Path, *args: str, lang: str = "C.UTF-8") -> tuple[int, list[str]]:
    """Run ``banco`` on a computer speaking ``lang``: its exit status and the lines it printed,
    the file's own path (before each problem) left out."""
    result = CliRunner().invoke(
        cli, ["--home", str(home), *args], env={**ENGLISH_COMPUTER, "LANG": lang}
    )
    config = str(home / "banco.toml")
    return result.exit_code, [
        re.sub(f"^{re.escape(config)} ?: ", "", line) for line in result.output.splitlines()
    ]


@pytest.mark.parametrize("lang", ["en", "it", "fr"])
@pytest.mark.parametrize("command", ["check", "orders"])
def test_every_problem_of_banco_toml_is_said_in_her_language(
    lang: str, command: str, write_shop: Callable[..., Path]
) -> None:
    home = write_shop(header=MISTAKES.replace("{lang}", lang))
    assert banco(home, command) == (2, SAID[lang])


@pytest.mark.parametrize(
    ("text", "computer", "said"),
    [
        (
            '[shop]\nlanguages = ["it"]\nnmae = "x"\n',
            "fr_FR.UTF-8",
            "shop.nmae: chiave sconosciuta",
        ),
        ("[shop\nlanguages = ", "fr_FR.UTF-8", "ce n'est pas du TOML valide : "),
        ("[shop\nlanguages = ", "it_IT.UTF-8", "non è TOML valido: "),
        ("[shop]\nlanguages = 3\n", "it_IT.UTF-8", "shop.languages: vale 3; ci vuole un elenco"),
    ],
)
def test_the_language_banco_toml_names_else_the_computers(
    text: str, computer: str, said: str, write_shop: Callable[..., Path]
) -> None:
    home = write_shop(header=text)
    status, lines = banco(home, "orders", lang=computer)
    assert status == 2 and lines[0].startswith(said)


@pytest.mark.parametrize("lang", ["en", "it", "fr"])
def test_the_page_says_every_problem_in_her_language(
    lang: str,
    write_shop: Callable[..., Path],
    web_server: Callable[..., RunningServer],  # noqa: F811 (the fixture)
) -> None:
    home = write_shop(header=MISTAKES.replace("{lang}", lang))
    response = httpx.get(web_server(home).url + "/orders")
    assert response.status_code == 500
    page = response.text.replace("&#34;", '"').replace("&#39;", "'")
    for line in SAID[lang][:-1]:
        assert f"{home / 'banco.toml'}{' :' if lang == 'fr' else ':'} {line}" in page


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("en", "the environment variable SHOP_NO_SUCH_VAR is not set"),
        ("it", "la variabile d'ambiente SHOP_NO_SUCH_VAR non è impostata"),
        ("fr", "la variable d'environnement SHOP_NO_SUCH_VAR n'est pas définie"),
    ],
)
def test_a_secret_that_cannot_be_read_is_said_in_her_language(lang: str, words: str) -> None:
    with pytest.raises(SecretError) as refused, speaking(lang):
        Secret("env", "SHOP_NO_SUCH_VAR").reveal()
    with speaking(lang):
        assert said(refused.value) == words


# Any banco.toml -----------------------------------------------------------------------------------
KINDS = load_registry().options()
NAMES = [*SECTIONS, "accounts", "shopp", "x"]
KEYS = sorted({key for options in SECTIONS.values() for key in options} | {"kind", "nmae", ""})
SCALARS = st.one_of(
    st.integers(-5, 30),
    st.integers(-(2**70), 2**70),
    st.booleans(),
    st.floats(),
    st.dates() | st.times() | st.datetimes(),
    st.text(max_size=12),
    st.sampled_from(
        [
            "en",
            "it",
            "de",
            "Europe/Rome",
            "Mars/x",
            "mon-fri 08:00",
            "25:00",
            "eur",
            "2026-12-24",
            "09:00",
            "fri-mon 08:00",
            "a\nb\x85c\u2028",
            *KINDS,
        ]
    ),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(KEYS), inner, max_size=3)
    ),
    max_leaves=6,
)
TABLES = st.dictionaries(st.sampled_from(KEYS), VALUES, max_size=5)
CONFIGS = st.dictionaries(
    st.sampled_from(NAMES), TABLES | st.lists(TABLES, max_size=2) | SCALARS, max_size=5
)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(data=CONFIGS)
def test_any_banco_toml_is_plain_lines_in_every_language(data: dict[str, Any]) -> None:
    try:
        parse_config(Path("/shop/banco.toml"), data, KINDS)
    except ConfigError as e:
        assert e.problems and e.language in ("", "en", "it", "fr")
        for lang in ("en", "it", "fr"):
            with speaking(lang):
                lines = [said(line) for line in e.lines]
            assert all(line.startswith("/shop/banco.toml") for line in lines)
            assert all(len(line.splitlines()) == 1 for line in lines)  # one line each
        assert "\n".join(said(line) for line in e.lines) == str(e)  # English: as written
