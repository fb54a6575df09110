"""``banco auth``: signing in once with the maker's own Google account instead of a service
account. The local server plays Google's token endpoint; ``consent`` plays the maker clicking
"Allow" in the browser."""

from __future__ import annotations

import json
import re
import stat
from collections.abc import Callable
from pathlib import Path

import pytest
from fixtures_sheets import SheetsApi, Spreadsheet, load_sheet

from banco.connectors.errors import NeedsUser
from banco.connectors.gsheet import GsheetConnector
from banco.inbox.collect.sync import collect
from banco.inbox.shop import Shop

MAKER = "giulia.ceramiche@gmail.com"


@pytest.fixture
def sheet(sheets_api: SheetsApi) -> Spreadsheet:
    sheet = load_sheet(sheets_api, "ordini")
    sheet.readers = {MAKER}  # her own sheet, shared with nobody
    return sheet


@pytest.fixture
def home(sheets_api: SheetsApi, sheet: Spreadsheet, write_shop, tmp_path: Path) -> Path:
    client = sheets_api.oauth_client_file(tmp_path / "client_secret.json")
    return write_shop(
        f'\n[[accounts]]\nname = "form"\nkind = "gsheet"\nspreadsheet = "{sheet.url}"\n'
        f'oauth_client = {{file = "{client}"}}\napi_url = "{sheets_api.url}"\n'
    )


class Browser:
    """The maker: reads what ``authorize`` prints, opens the address, pastes what Google shows."""

    def __init__(self, api: SheetsApi, user: str = MAKER, paste: str = "address") -> None:
        self.api, self.user, self.paste = api, user, paste
        self.lines: list[str] = []
        self.asked: list[str] = []

    def echo(self, line: str) -> None:
        self.lines.append(line)

    def prompt(self, text: str) -> str:
        self.asked.append(text)
        [url] = [line for line in self.lines if line.startswith("https://accounts.google.com/")]
        back = self.api.consent(url, self.user)
        if self.paste == "code":
            return back.split("code=")[1].split("&")[0]
        return back


def sign_in(shop: Shop, browser: Browser) -> None:
    connector = shop.connector("form")
    assert isinstance(connector, GsheetConnector)
    try:
        connector.authorize(browser.echo, browser.prompt)
    finally:
        connector.close()


@pytest.mark.parametrize("paste", ["address", "code"])
def test_sign_in_once_then_collect_with_the_saved_sign_in(
    sheets_api: SheetsApi, home: Path, open_shop: Callable[[Path], Shop], paste: str
) -> None:
    config = (home / "banco.toml").read_text(encoding="utf-8")
    shop = open_shop(home)
    browser = Browser(sheets_api, paste=paste)
    sign_in(shop, browser)
    assert browser.asked == ["Address"]
    assert browser.lines[-1] == (
        "form: Google sheet 'Ordini Ceramiche Bianchi (risposte)' / 'Risposte del modulo 1': "
        "4 answers, columns mapped: timestamp, name, email, phone, telegram, item, quantity, "
        "deadline, budget, notes, links"
    )
    token_file = home / "gsheet-form.json"
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
    token = json.loads(token_file.read_text(encoding="utf-8"))
    assert token["type"] == "authorized_user" and token["refresh_token"].startswith("1//")
    assert token["scopes"] == ["https://www.googleapis.com/auth/spreadsheets.readonly"]
    # Never in banco.toml, never in the store.
    assert (home / "banco.toml").read_text(encoding="utf-8") == config
    [result] = collect(shop)
    assert result.ok, result.error
    assert result.counts.orders == 4
    assert token["refresh_token"].encode() not in (home / "banco.db").read_bytes()
    grants = [r.form["grant_type"] for r in sheets_api.sign_ins()]
    assert grants == ["authorization_code", "refresh_token", "refresh_token"]


def test_the_sign_in_address_asks_for_read_only_access_with_pkce(
    sheets_api: SheetsApi, home: Path, open_shop: Callable[[Path], Shop]
) -> None:
    browser = Browser(sheets_api)
    sign_in(open_shop(home), browser)
    [url] = [line for line in browser.lines if line.startswith("https://")]
    assert url.startswith("https://accounts.google.com/o/oauth2/auth?client_id=123456789-banco")
    assert "scope=https%3A%2F%2Fwww.googleapis.com%2Fauth%2Fspreadsheets.readonly" in url
    assert "code_challenge_method=S256" in url and "access_type=offline" in url
    [exchange] = [r for r in sheets_api.sign_ins() if r.form["grant_type"] == "authorization_code"]
    assert len(exchange.form["code_verifier"]) >= 43
    assert exchange.form["redirect_uri"] == "http://localhost"


def test_an_address_from_another_sign_in_is_refused(
    sheets_api: SheetsApi, home: Path, open_shop: Callable[[Path], Shop]
) -> None:
    shop = open_shop(home)
    old = Browser(sheets_api)
    sign_in(shop, old)
    stale = sheets_api.consent(
        next(line for line in old.lines if line.startswith("https://")), MAKER
    )
    connector = shop.connector("form")
    assert isinstance(connector, GsheetConnector)
    with pytest.raises(NeedsUser, match="That address belongs to another sign-in"):
        connector.authorize(lambda line: None, lambda text: stale)


@pytest.mark.parametrize(
    ("pasted", "words"),
    [
        ("http://localhost/?error=access_denied", "Google says access was not allowed"),
        ("", "Nothing was pasted"),
        ("4/0Anot-a-code-google-gave", "Google did not accept that code (Bad Request)"),
        ("http://localhost/?scope=x", "There is no code in that address"),
    ],
)
def test_what_can_go_wrong_while_signing_in(
    home: Path, open_shop: Callable[[Path], Shop], pasted: str, words: str
) -> None:
    connector = open_shop(home).connector("form")
    assert isinstance(connector, GsheetConnector)
    with pytest.raises(NeedsUser, match=re.escape(words)):
        connector.authorize(lambda line: None, lambda text: pasted)
    assert not (home / "gsheet-form.json").exists()


def test_a_withdrawn_sign_in_says_to_sign_in_again(
    sheets_api: SheetsApi, home: Path, open_shop: Callable[[Path], Shop]
) -> None:
    shop = open_shop(home)
    sign_in(shop, Browser(sheets_api))
    sheets_api.refresh_tokens.clear()  # the maker removed Banco from her Google account
    [result] = collect(shop)
    assert result.error_kind == "needs_you"
    assert result.error == (
        'Google no longer accepts the sign-in saved for "form" (Token has been expired or '
        "revoked.): it was withdrawn or it expired. Run `banco auth form` again."
    )


def test_an_account_that_cannot_open_the_sheet(
    sheets_api: SheetsApi, home: Path, open_shop: Callable[[Path], Shop]
) -> None:
    shop = open_shop(home)
    with pytest.raises(NeedsUser, match="The Google account you signed in with"):
        sign_in(shop, Browser(sheets_api, user="someone.else@gmail.com"))
    assert (home / "gsheet-form.json").exists()  # signed in all the same; sharing is the fix


def test_without_an_oauth_client_it_says_how_to_make_one(
    sheets_api: SheetsApi, sheet: Spreadsheet, write_shop, open_shop: Callable[[Path], Shop]
) -> None:
    home = write_shop(
        f'\n[[accounts]]\nname = "form"\nkind = "gsheet"\nspreadsheet = "{sheet.url}"\n'
        f'api_url = "{sheets_api.url}"\n'
    )
    connector = open_shop(home).connector("form")
    assert isinstance(connector, GsheetConnector)
    with pytest.raises(NeedsUser) as caught:
        connector.authorize(lambda line: None, lambda text: "")
    assert '"OAuth client ID", choose "Desktop app"' in str(caught.value)
    assert "oauth_client = {file = " in str(caught.value)


def test_with_a_service_account_there_is_nothing_to_sign_in(
    sheets_api: SheetsApi, sheet: Spreadsheet, write_shop, open_shop, tmp_path: Path
) -> None:
    key_file = sheets_api.service_account_file(tmp_path / "service-account.json")
    home = write_shop(
        f'\n[[accounts]]\nname = "form"\nkind = "gsheet"\nspreadsheet = "{sheet.url}"\n'
        f'credentials = {{file = "{key_file}"}}\napi_url = "{sheets_api.url}"\n'
    )
    connector = open_shop(home).connector("form")
    with pytest.raises(NeedsUser, match="there is nothing to sign in to"):
        connector.authorize(lambda line: None, lambda text: "")


def test_banco_auth_on_the_command_line(sheets_api: SheetsApi, home: Path, run) -> None:
    code = sheets_api.issue_code(MAKER)
    result = run("--home", str(home), "auth", "form", input=code + "\n")
    assert result.exit_code == 0, result.output
    assert "Open this address in your browser" in result.output
    assert "Address: " in result.output
    assert f"Banco keeps the sign-in in {home / 'gsheet-form.json'}" in result.output
    assert "form: Google sheet 'Ordini Ceramiche Bianchi (risposte)'" in result.output
    collected = run("--home", str(home), "collect")
    assert "form: 4 new, 0 updated, 4 new orders" in collected.output


def test_collect_before_signing_in_says_to_run_banco_auth(home: Path, run) -> None:
    result = run("--home", str(home), "collect")
    assert result.exit_code == 1
    assert "form: failed (needs you): Banco has no way to sign in to Google" in result.output
    assert "run `banco auth form` once" in result.output
