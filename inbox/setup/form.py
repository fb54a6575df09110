"""``banco setup form``: her order form's answers, as a Google sheet (read through Google's API)
or a CSV file she downloads from Google Forms."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from banco.inbox.i18n.catalogs import _
from banco.inbox.setup.prompts import Asker
from banco.inbox.setup.toml_writer import TOMLDocument, put_account

KINDS = {"sheet": "gsheet", "csv": "csv"}


def run_form_step(asker: Asker, doc: TOMLDocument, home: Path) -> str:
    """Ask and write one form account into ``doc``; its name."""
    kind = asker.choose(
        "form-kind",
        _("Where are your form's answers: its Google sheet, or a CSV file you download?"),
        KINDS,
        "sheet",
    )
    account = asker.ask("form-account", _("A short name for this form in Banco"), "order-form")
    if kind == "csv":
        path = asker.ask("csv", _("The CSV file of the answers"), check=_readable_file(home))
        put_account(doc, {"name": account, "kind": "csv", "path": path}, {})
    else:
        put_account(doc, _sheet_account(asker, account), {})
    asker.say(
        _("`banco forms headers {account}` shows which column Banco reads as each field.").format(
            account=account
        )
    )
    return account


def _sheet_account(asker: Asker, account: str) -> dict[str, Any]:
    sheet = asker.ask(
        "sheet", _("The address of the form's answer sheet (open it, copy the address bar)")
    )
    key = asker.ask(
        "service-account",
        _("A Google service account's key file, or '-' to sign in with `banco auth` instead"),
        "-",
    )
    settings: dict[str, Any] = {"name": account, "kind": "gsheet", "spreadsheet": sheet}
    if key != "-":
        settings["credentials"] = {"file": key}
    else:
        asker.say(
            _("After this step, run `banco auth {account}` to let Banco read the sheet.").format(
                account=account
            )
        )
    return settings


def _readable_file(home: Path) -> Callable[[str], str | None]:
    def check(answer: str) -> str | None:
        path = Path(answer).expanduser()
        if not path.is_absolute():
            path = home / path
        if path.is_file():
            return None
        return _("There is no file {path}.").format(path=path)

    return check
