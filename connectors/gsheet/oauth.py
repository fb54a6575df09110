"""``banco auth ACCOUNT``: sign in once with your own Google account ("installed app" OAuth).

For makers who cannot create a service account. They create an OAuth client of type "Desktop
app" in the Google Cloud console and point ``oauth_client`` at its JSON file. Then:

1. Banco prints Google's sign-in address (with PKCE and a random ``state``);
2. the maker opens it, signs in and allows read-only access to their sheets; Google then sends
   the browser to ``http://localhost/?code=...``, a page that does not load: that is expected;
3. the maker pastes that address (or only the code) back; Banco trades the code at the token
   endpoint for a refresh token and saves it, with the client, as an authorized-user JSON file in
   the shop folder (``gsheet-ACCOUNT.json``, readable by the maker only). It is never written in
   banco.toml nor in the store, and it is used whenever ``credentials`` is left out.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, unquote, urlencode, urlsplit

import requests

from banco.config import Secret, SecretError
from banco.config.sentence import Sentence
from banco.connectors.errors import NeedsUser, TryLater
from banco.connectors.private_file import write_private_json

from .client import SCOPES, RedirectSession

AUTH_URI = "https://accounts.google.com/o/oauth2/auth"
TOKEN_URI = "https://oauth2.googleapis.com/token"
REDIRECT_URI = "http://localhost"
CLIENT_HELP = Sentence(
    'In the Google Cloud console open "APIs & Services", "Credentials", "Create credentials", '
    '"OAuth client ID", choose "Desktop app", download its JSON file, and write '
    'oauth_client = {file = "path/to/client.json"} in the account\'s block of banco.toml.'
)


@dataclass(frozen=True)
class OAuthClient:
    """An OAuth client of type "Desktop app", as Google's downloaded JSON describes it."""

    client_id: str
    client_secret: str
    auth_uri: str = AUTH_URI
    token_uri: str = TOKEN_URI
    redirect_uri: str = REDIRECT_URI


@dataclass(frozen=True)
class Attempt:
    """One sign-in in progress: what Google must send back, and the PKCE secret."""

    state: str
    verifier: str

    @property
    def challenge(self) -> str:
        digest = hashlib.sha256(self.verifier.encode("ascii")).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def new_attempt() -> Attempt:
    return Attempt(state=secrets.token_urlsafe(24), verifier=secrets.token_urlsafe(64))


def load_client(account: str, secret: Secret | None) -> OAuthClient:
    """The OAuth client in ``oauth_client``."""
    if secret is None:
        raise NeedsUser(
            'To sign in with your own Google account, "{account}" needs an OAuth client. '
            "{help} Then run `banco auth {account}` again (or use a service account: see"
            " credentials).",
            account=account,
            help=CLIENT_HELP,
        )
    try:
        text = secret.reveal()
    except SecretError as e:
        raise NeedsUser(
            'Banco cannot read the oauth_client of "{account}": {said}.',
            account=account,
            said=e.sentence,
        ) from None
    try:
        info = json.loads(text)
    except ValueError:
        info = None
    body = _client_body(info)
    if body is None:
        raise NeedsUser(
            'The oauth_client of "{account}" in banco.toml is not a Google OAuth client file. '
            "{help}",
            account=account,
            help=CLIENT_HELP,
        )
    redirects = body.get("redirect_uris")
    redirect = next(
        (u for u in redirects if isinstance(u, str) and u.startswith("http://localhost")),
        REDIRECT_URI,
    ) if isinstance(redirects, list) else REDIRECT_URI  # fmt: skip
    return OAuthClient(
        client_id=str(body["client_id"]),
        client_secret=str(body.get("client_secret", "")),
        auth_uri=str(body.get("auth_uri") or AUTH_URI),
        token_uri=str(body.get("token_uri") or TOKEN_URI),
        redirect_uri=redirect,
    )


def _client_body(info: Any) -> Mapping[str, Any] | None:
    if not isinstance(info, Mapping):
        return None
    for kind in ("installed", "web"):
        body = info.get(kind)
        if isinstance(body, Mapping) and isinstance(body.get("client_id"), str):
            return body
    return None


def sign_in_url(client: OAuthClient, attempt: Attempt) -> str:
    """The address the maker opens to allow Banco to read their sheets."""
    query = {
        "client_id": client.client_id,
        "redirect_uri": client.redirect_uri,
        "response_type": "code",
        "scope": " ".join(SCOPES),
        "access_type": "offline",  # a refresh token, so that collects work for months
        "prompt": "consent",
        "state": attempt.state,
        "code_challenge": attempt.challenge,
        "code_challenge_method": "S256",
    }
    return f"{client.auth_uri}?{urlencode(query)}"


def code_from_answer(answer: str, attempt: Attempt) -> str:
    """The code in what the maker pasted: the whole address Google sent them to, or the code."""
    text = answer.strip()
    if not text:
        raise NeedsUser("Nothing was pasted. Run `banco auth` again and paste the address.")
    if not any(mark in text for mark in ("code=", "error=", "state=", "://", "localhost")):
        return unquote(text)  # only the code, as in "4/0AeaYSH..." (or "4%2F0AeaYSH...")
    query = parse_qs(urlsplit(text).query or text.lstrip("?"))
    if query.get("error"):
        raise NeedsUser(
            "Google says access was not allowed "
            '({said}). Run `banco auth` again and click "Allow".',
            said=query["error"][0],
        )
    if query.get("state", [attempt.state])[0] != attempt.state:
        raise NeedsUser(
            "That address belongs to another sign-in. Run `banco auth` again and paste the "
            "address Google shows after this one."
        )
    codes = query.get("code")
    if not codes or not codes[0].strip():
        raise NeedsUser(
            "There is no code in that address. Paste the whole address shown after you click "
            '"Allow" (it contains "code=").'
        )
    return codes[0].strip()


def exchange_code(
    client: OAuthClient, code: str, attempt: Attempt, api_url: str, timeout: float
) -> dict[str, Any]:
    """The authorized-user token for ``code``: what ``google.oauth2.credentials`` reads back."""
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "client_id": client.client_id,
        "client_secret": client.client_secret,
        "redirect_uri": client.redirect_uri,
        "code_verifier": attempt.verifier,
    }
    with RedirectSession(api_url) as session:
        try:
            response = session.post(client.token_uri, data=form, timeout=timeout)
        except requests.exceptions.RequestException:
            raise TryLater(
                "Banco could not reach Google to finish signing in; run `banco auth` again later."
            ) from None
    try:
        answer = response.json()
    except ValueError:
        answer = {}
    if response.status_code >= 500 or response.status_code == 429:
        raise TryLater(
            "Google could not finish the sign-in (error {status}); run `banco "
            "auth` again in a few minutes.",
            status=response.status_code,
        )
    if not response.ok or not isinstance(answer, Mapping):
        said = answer if isinstance(answer, Mapping) else {}
        reason = (
            said.get("error_description") or said.get("error") or f"error {response.status_code}"
        )
        raise NeedsUser(
            "Google did not accept that code ({reason}). "
            "Codes work once and for a few minutes: run `banco auth` again and paste the "
            "whole address right away.",
            reason=reason,
        )
    if not answer.get("refresh_token"):
        raise NeedsUser(
            "Google gave Banco no lasting permission. Remove Banco at "
            "https://myaccount.google.com/permissions, then run `banco auth` again."
        )
    return {
        "type": "authorized_user",
        "client_id": client.client_id,
        "client_secret": client.client_secret,
        "refresh_token": answer["refresh_token"],
        "token_uri": client.token_uri,
        "scopes": list(SCOPES),
    }


#: Written readable by the maker only (0600), replacing any earlier one at once.
save_token = write_private_json
