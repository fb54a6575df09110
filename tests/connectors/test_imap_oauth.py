"""A mailbox signed in with the maker's own Google or Microsoft account (``auth``): ``authorize``
against the fake provider over real HTTP (requests, msal), then IMAP against a Dovecot whose
``oauth2`` passdb asks the provider about each token, and SMTP XOAUTH2 against aiosmtpd."""

from __future__ import annotations

import json
import stat
import tempfile
import threading
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import requests
from fixtures_imap import Mailbox, SmtpServer, mail, new_mailbox
from fixtures_oauth import OAuthServer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from banco.config import Secret
from banco.config.sentence import Sentence
from banco.connectors.base import Context
from banco.connectors.errors import NeedsUser, TryLater
from banco.connectors.imap import ImapConnector
from banco.connectors.imap.tokens import ask_token, read_saved, token_file


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


SAVED_KEYS = ["provider", "client_id", "client_secret", "token_uri", "scope", "refresh_token"]
ANY_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from([*SAVED_KEYS, "x"]) | st.text(max_size=5), inner, max_size=8
        )
    ),
    max_leaves=12,
)
SCALAR = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12)
#: what a token endpoint answers, mostly of the right shape
ANSWER = st.fixed_dictionaries(
    {},
    optional={
        "access_token": st.text(max_size=12) | SCALAR,
        "expires_in": SCALAR | st.floats().map(str),
        "refresh_token": SCALAR,
        "error": SCALAR,
        "error_description": SCALAR,
    },
)


@settings(max_examples=60)
@given(data=st.binary(max_size=200) | ANY_JSON.map(lambda v: json.dumps(v).encode()))
def test_any_sign_in_file_is_read_or_names_the_command(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "mail-mail.json"
        path.write_bytes(data)
        try:
            saved = read_saved("mail", path)
        except NeedsUser as e:
            assert "`banco auth mail`" in str(e)
        else:
            assert isinstance(saved.refresh_token, str)


@settings(max_examples=80, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    status=st.sampled_from([200, 400, 401, 403, 429, 500, 503]),
    body=st.binary(max_size=80) | (ANY_JSON | ANSWER).map(lambda v: json.dumps(v).encode()),
)
def test_any_token_endpoint_answer_is_a_token_or_a_plain_sentence(
    oauth_server: OAuthServer, status: int, body: bytes
) -> None:
    oauth_server.provider.canned = (status, body)
    try:
        granted = ask_token(
            f"{oauth_server.http_url}/token",
            {"grant_type": "refresh_token"},
            "google",
            "mail",
            5,
            True,
        )
    except NeedsUser as e:
        assert status < 500 and status != 429 and "`banco auth mail`" in str(e)
    except TryLater:
        assert status >= 500 or status == 429
    else:
        assert status == 200 and granted.access_token and 0 <= granted.expires_in <= 86400
    finally:
        oauth_server.provider.canned = None


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(expires_in=SCALAR | st.floats().map(str))
def test_an_access_token_lasts_a_believable_time_whatever_the_endpoint_says(
    oauth_server: OAuthServer, expires_in: Any
) -> None:
    answer = {"access_token": "at-fuzz", "expires_in": expires_in}
    oauth_server.provider.canned = (200, json.dumps(answer).encode())
    try:
        granted = ask_token(
            f"{oauth_server.http_url}/token",
            {"grant_type": "refresh_token"},
            "google",
            "mail",
            5,
            True,
        )
    finally:
        oauth_server.provider.canned = None
    assert 0 <= granted.expires_in <= 86400


def test_a_sign_in_she_cancels_says_so_and_keeps_nothing(
    box: Mailbox, oauth: OAuthServer, tmp_path: Path
) -> None:
    oauth.provider.deny = True
    with pytest.raises(NeedsUser, match="access was not allowed"):
        signed_in(box, tmp_path, "google", oauth)
    assert not token_file(tmp_path, "mail").exists()


def test_an_access_token_is_renewed_once_it_expires_and_not_before(
    box: Mailbox, oauth: OAuthServer, tmp_path: Path
) -> None:
    signed_in(box, tmp_path, "google", oauth)
    tokens = connector(box, tmp_path, "google", oauth)._ready().login.token
    assert tokens is not None

    def renewals() -> int:
        return sum(f["grant_type"] == "refresh_token" for f in oauth.provider.posted)

    before = renewals()
    first = tokens.reveal()
    assert tokens.reveal() == first and renewals() == before + 1  # an hour left: kept
    oauth.provider.lifetime = 60  # less than Banco's margin: expired as soon as it is given
    tokens = connector(box, tmp_path, "google", oauth)._ready().login.token
    assert tokens is not None
    assert tokens.reveal() != tokens.reveal() and renewals() == before + 3
