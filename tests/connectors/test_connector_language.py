"""What a connector says reaches the maker in her language: a problem at `banco check` and
`banco collect`, the error kept on the account, the check lines; an English shop reads what it
always read."""

from __future__ import annotations

import pickle
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import SHOP_HEADER
from fixtures_imap import Mailbox, mail
from language import data_text, english_phrases

from banco.connectors.errors import NeedsUser
from banco.inbox.i18n.catalogs import said, speaking
from banco.inbox.shop import Shop
from banco.inbox.store.accounts import account_state

REFUSED = {
    "it": 'Il server di posta 127.0.0.1 ha rifiutato nome utente o password per l\'account "mail"',
    "fr": "Le serveur de mail 127.0.0.1 a refusé le nom d'utilisateur ou mot de passe pour le compte",
}
NO_CSV = {
    "en": "There is no file at {path}. In the form, open Responses",
    "it": "Non c'è nessun file in {path}. Nel modulo apri Risposte",
    "fr": "Il n'y a aucun fichier à {path}. Dans le formulaire, ouvrez Réponses",
}


def header(lang: str) -> str:
    return SHOP_HEADER.replace('languages = ["en"]', f'languages = ["{lang}"]')


@pytest.mark.parametrize("lang", ["it", "fr"])
def test_a_refused_login_reaches_her_in_her_language(
    lang: str,
    mailbox: Mailbox,
    write_shop: Callable[..., Path],
    run: Callable[..., Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    mailbox.append("INBOX", [mail(1)])
    home = write_shop(f'\n[[accounts]]\nname = "mail"\n{mailbox.account()}', header=header(lang))
    monkeypatch.setenv(mailbox.password_env, "wrong")
    check = run("--home", str(home), "check")
    assert check.exit_code == 1
    assert REFUSED[lang] in check.output, check.output
    collect = run("--home", str(home), "collect")
    assert collect.exit_code == 1
    assert REFUSED[lang] in collect.output, collect.output


@pytest.mark.parametrize("lang", ["en", "it", "fr"])
def test_a_missing_csv_is_kept_on_the_account_in_her_language(
    lang: str,
    write_shop: Callable[..., Path],
    run: Callable[..., Any],
    open_shop: Callable[[Path], Shop],
) -> None:
    home = write_shop(
        '\n[[accounts]]\nname = "form"\nkind = "csv"\npath = "answers.csv"\n',
        header=header(lang),
    )
    expected = NO_CSV[lang].format(path=home / "answers.csv")
    collect = run("--home", str(home), "collect")
    assert collect.exit_code == 1
    assert expected in collect.output, collect.output
    state = account_state(open_shop(home).store, "form")
    assert state is not None and expected in str(state["last_error"])
    check = run("--home", str(home), "check")
    assert expected in check.output, check.output


def test_a_connector_error_crosses_processes_with_its_template_and_values() -> None:
    error = NeedsUser("The mail folder {root} does not exist. {where}", root="/m", where="x")
    again = pickle.loads(pickle.dumps(error))
    assert str(again) == "The mail folder /m does not exist. x"
    assert again.sentence.template == "The mail folder {root} does not exist. {where}"
    with speaking("it"):
        assert said(again) == "La cartella di posta /m non esiste. x"


@pytest.mark.parametrize("lang", ["it", "fr"])
def test_check_of_the_demo_shop_has_no_english_line(
    lang: str, tmp_path: Path, run: Callable[..., Any]
) -> None:
    shop = tmp_path / "demo"
    assert run("demo", str(shop), "--language", lang).exit_code == 0
    checked = run("--home", str(shop), "check")
    assert checked.exit_code == 0, checked.output
    assert english_phrases(checked.output, data_text(shop)) == []
