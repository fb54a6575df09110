"""A mailbox signed in with the maker's own Google or Microsoft account (``auth``): ``authorize``
against the fake provider over real HTTP (requests, msal), then IMAP against a Dovecot whose
``oauth2`` passdb asks the provider about each token, and SMTP XOAUTH2 against aiosmtpd."""

from __future__ import annotations

import json
import stat
import threading
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import requests
from fixtures_imap import Mailbox, SmtpServer, mail, new_mailbox
from fixtures_oauth import OAuthServer

from banco.config import Secret
from banco.config.sentence import Sentence
from banco.connectors.base import Context
from banco.connectors.errors import NeedsUser, TryLater
from banco.connectors.imap import ImapConnector
from banco.connectors.imap.tokens import token_file


@pytest.fixture
def box(oauth_dovecot: Any, monkeypatch: pytest.MonkeyPatch) -> Mailbox:
    made = new_mailbox(oauth_dovecot, monkeypatch)
    made.append("INBOX", [mail(1)])
    return made


class Maker:
    """Reads what ``authorize`` prints and does what it says: opens the Google address in a
    browser on this computer (or, with ``paste``, on another one and pastes where it ended), or
    enters Microsoft's code."""

    def __init__(self, oauth: OAuthServer, user: str, paste: bool = False) -> None:
        self.oauth, self.user, self.paste = oauth, user, paste
        self.lines: list[str] = []
        self.browsers: list[threading.Thread] = []
        oauth.provider.user = user

    def echo(self, line: str) -> None:
        self.lines.append(line)
        if isinstance(line, Sentence) and "code" in line.values:
            self.oauth.approve(line.values["code"], self.user)
        elif line.startswith(self.oauth.http_url) and not self.paste:
            browser = threading.Thread(target=requests.get, args=(line,), kwargs={"timeout": 30})
            browser.start()
            self.browsers.append(browser)

    def prompt(self, label: str) -> str:
        if not self.paste:
            raise EOFError  # nothing typed: the browser comes back by itself
        [url] = [line for line in self.lines if line.startswith(self.oauth.http_url)]
        return requests.get(url, allow_redirects=False, timeout=30).headers["Location"]


def connector(
    box: Mailbox, home: Path, provider: str, oauth: OAuthServer, **more: Any
) -> ImapConnector:
    keys: dict[str, Any] = {"password": None, "auth": provider, **more}
    if provider == "google":
        keys.setdefault("oauth_client", Secret("file", str(oauth.google_client(home))))
    else:
        keys.setdefault("oauth_client_id", "banco-test-client")
        keys.setdefault("oauth_authority", oauth.authority())
    home.mkdir(exist_ok=True)
    return ImapConnector("mail", box.settings(**keys), Context(home, ZoneInfo("Europe/Rome")))


def signed_in(box: Mailbox, home: Path, provider: str, oauth: OAuthServer, **more: Any) -> Maker:
    maker = Maker(oauth, box.name)
    made = connector(box, home, provider, oauth, **more)
    try:
        made.authorize(maker.echo, maker.prompt)
    finally:
        made.close()
    return maker


def collected(made: ImapConnector) -> int:
    try:
        return sum(len(page.records) for page in made.fetch({}))
    finally:
        made.close()


@pytest.mark.parametrize("paste", [False, True], ids=["browser-here", "browser-elsewhere"])
def test_google_sign_in_then_collect_over_xoauth2(
    box: Mailbox, oauth: OAuthServer, tmp_path: Path, paste: bool
) -> None:
    maker = Maker(oauth, box.name, paste=paste)
    made = connector(box, tmp_path, "google", oauth)
    made.authorize(maker.echo, maker.prompt)
    made.close()
    # the address asks for mail, PKCE, offline access, and comes back to a loopback port
    [url] = [line for line in maker.lines if line.startswith(oauth.http_url)]
    assert "redirect_uri=http%3A%2F%2F127.0.0.1%3A" in url
    assert "code_challenge_method=S256" in url and "access_type=offline" in url
    assert "scope=https%3A%2F%2Fmail.google.com%2F" in url
    [exchange] = [f for f in oauth.provider.posted if f["grant_type"] == "authorization_code"]
    assert exchange["code_verifier"] and exchange["redirect_uri"].startswith("http://127.0.0.1:")
    # the check at the end logged in: the summary is the last line
    assert maker.lines[-1].startswith("mail: IMAP ")
    saved = token_file(tmp_path, "mail")
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600
    kept = json.loads(saved.read_text())
    assert kept["provider"] == "google" and kept["refresh_token"] in oauth.provider.refresh_tokens
    assert not any(token in saved.read_text() for token in oauth.provider.access_tokens)
    assert collected(connector(box, tmp_path, "google", oauth)) == 1
    for browser in maker.browsers:
        browser.join()


def test_microsoft_device_code_then_collect(
    box: Mailbox, oauth: OAuthServer, tmp_path: Path
) -> None:
    oauth.provider.rotate = True  # Microsoft hands a new refresh token each time
    maker = signed_in(box, tmp_path, "microsoft", oauth)
    [told] = [line for line in maker.lines if isinstance(line, Sentence) and "code" in line.values]
    assert told.values["address"] == "https://microsoft.com/devicelogin"
    first = json.loads(token_file(tmp_path, "mail").read_text())["refresh_token"]
    assert collected(connector(box, tmp_path, "microsoft", oauth)) == 1
    refreshed = [f for f in oauth.provider.posted if f["grant_type"] == "refresh_token"]
    assert "offline_access" in refreshed[-1]["scope"]
    assert "https://outlook.office.com/IMAP.AccessAsUser.All" in refreshed[-1]["scope"]
    newest = json.loads(token_file(tmp_path, "mail").read_text())["refresh_token"]
    assert newest != first and newest in oauth.provider.refresh_tokens


def test_an_account_not_signed_in_names_the_command(
    box: Mailbox, oauth: OAuthServer, tmp_path: Path
) -> None:
    with pytest.raises(NeedsUser, match=r"not signed in yet: run `banco auth mail`"):
        collected(connector(box, tmp_path, "google", oauth))


def test_a_withdrawn_sign_in_needs_the_maker_with_the_one_command(
    box: Mailbox, oauth: OAuthServer, tmp_path: Path
) -> None:
    signed_in(box, tmp_path, "google", oauth)
    oauth.provider.revoke()  # she removed Banco at myaccount.google.com/permissions
    with pytest.raises(NeedsUser) as caught:
        collected(connector(box, tmp_path, "google", oauth))
    said = str(caught.value)
    assert "expired or was withdrawn" in said and "Run `banco auth mail`" in said


def test_a_token_endpoint_that_stalls_is_tried_again_later(
    box: Mailbox, oauth: OAuthServer, tmp_path: Path
) -> None:
    signed_in(box, tmp_path, "google", oauth)
    oauth.provider.stalled.set()
    with pytest.raises(TryLater, match="could not reach Google"):
        collected(connector(box, tmp_path, "google", oauth, timeout_seconds=1))
    oauth.provider.release.set()
    oauth.provider.stalled.clear()
    assert collected(connector(box, tmp_path, "google", oauth)) == 1


def test_a_token_the_server_refuses_names_the_command(
    box: Mailbox, oauth: OAuthServer, tmp_path: Path
) -> None:
    signed_in(box, tmp_path, "google", oauth)
    made = connector(box, tmp_path, "google", oauth)
    made._ready().login.token.reveal()  # type: ignore[union-attr]
    oauth.provider.access_tokens.clear()  # the access token was cut short; Dovecot refuses it
    with pytest.raises(
        NeedsUser, match=r"refused the sign-in of the account \"mail\".*banco auth mail"
    ):
        collected(made)


def test_replies_are_sent_with_the_same_sign_in_over_smtp_xoauth2(
    box: Mailbox, oauth: OAuthServer, tmp_path: Path, smtp_server: SmtpServer
) -> None:
    signed_in(box, tmp_path, "google", oauth)
    made = connector(box, tmp_path, "google", oauth, **smtp_server.account())
    token = made._ready().login.token.reveal()  # type: ignore[union-attr]
    smtp_server.recorder.user, smtp_server.recorder.secret = box.name, token
    try:
        assert made.check().warnings == []
        smtp_server.recorder.secret = "another token"
        [warning] = made.check().warnings
    finally:
        made.close()
    assert "refused the sign-in for sending replies" in warning
    assert "banco auth mail" in warning


def test_auth_and_a_password_together_are_one_plain_line(
    box: Mailbox, oauth: OAuthServer, tmp_path: Path
) -> None:
    made = connector(box, tmp_path, "google", oauth, password=Secret("env", box.password_env))
    with pytest.raises(NeedsUser, match="remove them, or remove `auth`"):
        made.check()


def test_a_password_account_has_nothing_to_sign_in_to(box: Mailbox, tmp_path: Path) -> None:
    made = ImapConnector("mail", box.settings(), Context(tmp_path, ZoneInfo("Europe/Rome")))
    with pytest.raises(NeedsUser, match="logs in with its password"):
        made.authorize(print, input)
