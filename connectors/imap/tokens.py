"""A mailbox's own sign-in (``auth = "google"`` or ``"microsoft"``): the refresh token that
``banco auth ACCOUNT`` saved, and the short-lived access tokens Banco logs in with.

The refresh token lives in ``mail-ACCOUNT.json`` in the shop folder, readable by the maker only;
never in banco.toml, a log or the store. Each access token is asked of the provider's token
endpoint when the last one is about to expire (about an hour for both providers); a refresh
token the provider no longer takes (expired, or withdrawn by the maker: ``invalid_grant``) needs
the maker and names the one command that fixes it, and a token endpoint that cannot be reached
or does not answer in time is tried again at the next collect.
"""

from __future__ import annotations

import json
import re
import threading
import time
import warnings
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import requests
from urllib3.exceptions import InsecureRequestWarning

from banco.config.secrets import remember
from banco.connectors.errors import NeedsUser, TryLater
from banco.connectors.private_file import write_private_json

#: What each provider is called in a sentence
PROVIDERS = {"google": "Google", "microsoft": "Microsoft"}
#: An access token is renewed this many seconds before the provider says it expires.
MARGIN_SECONDS = 120


@dataclass(frozen=True)
class SavedSignIn:
    """What ``banco auth`` keeps: enough to ask for a new access token without the maker."""

    provider: str
    client_id: str
    client_secret: str
    token_uri: str
    scope: str
    refresh_token: str


@dataclass(frozen=True)
class Granted:
    """A token endpoint's answer: an access token, how long it lasts, maybe a new refresh token."""

    access_token: str
    expires_in: float
    refresh_token: str | None


def token_file(home: Path, account: str) -> Path:
    """Where ``banco auth`` keeps the account's sign-in: the shop folder, never banco.toml."""
    return home / f"mail-{re.sub(r'[^A-Za-z0-9._-]', '-', account)}.json"


def save(path: Path, saved: SavedSignIn) -> None:
    remember(saved.refresh_token)
    write_private_json(path, asdict(saved))


def read_saved(account: str, path: Path) -> SavedSignIn:
    """The saved sign-in; NeedsUser naming `banco auth` when there is none or it is unreadable."""
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
        saved = SavedSignIn(**{key: str(value[key]) for key in SavedSignIn.__dataclass_fields__})
    except FileNotFoundError:
        raise NeedsUser(
            'The account "{account}" is not signed in yet: run `banco auth {account}`.',
            account=account,
        ) from None
    except (OSError, ValueError, KeyError, TypeError):
        raise NeedsUser(
            'Banco cannot read the sign-in of the account "{account}" ({path}): run'
            " `banco auth {account}` to sign in again.",
            account=account,
            path=path,
        ) from None
    remember(saved.refresh_token)
    return saved


class Http(requests.Session):
    """The token endpoints' HTTP client (msal's too), with the timeout and the certificate check
    on each request (a session's own ``verify``, as msal sets it, loses to
    ``REQUESTS_CA_BUNDLE`` in requests)."""

    def __init__(self, verify: bool, timeout: float) -> None:
        super().__init__()
        self.check_certificate, self.timeout = verify, timeout

    def request(self, method: str, url: str | bytes, *args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("timeout", self.timeout)
        kwargs.setdefault("verify", self.check_certificate)
        with warnings.catch_warnings():  # tls_verify = false was her choice: no warning each time
            warnings.simplefilter("ignore", InsecureRequestWarning)
            return super().request(method, url, *args, **kwargs)


def ask_token(
    url: str, form: Mapping[str, str], provider: str, account: str, timeout: float, verify: bool
) -> Granted:
    """POST ``form`` to a token endpoint (any grant): what it granted, or NeedsUser / TryLater."""
    name = PROVIDERS[provider]
    try:
        with Http(verify, timeout) as http:
            response = http.post(url, data=dict(form))
    except requests.exceptions.RequestException:
        raise TryLater(
            'Banco could not reach {provider} to sign in to the account "{account}"; it will'
            " try again.",
            provider=name,
            account=account,
        ) from None
    try:
        answer: Any = response.json()
    except ValueError:
        answer = {}
    said = answer if isinstance(answer, Mapping) else {}
    if response.status_code >= 500 or response.status_code == 429:
        raise TryLater(
            '{provider} could not sign in the account "{account}" just now (error {status});'
            " Banco will try again.",
            provider=name,
            account=account,
            status=response.status_code,
        )
    token = said.get("access_token")
    if not response.ok or not isinstance(token, str) or not token:
        reason = said.get("error_description") or said.get("error") or response.status_code
        raise NeedsUser(
            '{provider} no longer accepts the sign-in of the account "{account}" ({reason}):'
            " it has expired or was withdrawn. Run `banco auth {account}` to sign in again.",
            provider=name,
            account=account,
            reason=str(reason).splitlines()[0][:160],
        )
    remember(token)
    refresh = said.get("refresh_token")
    refresh = refresh if isinstance(refresh, str) else ""
    if refresh:
        remember(refresh)
    return Granted(token, _seconds(said.get("expires_in")), refresh or None)


def _seconds(value: Any) -> float:
    """``expires_in``: a number of seconds (Microsoft's may be a string); an hour if missing or
    past belief (negative, over a day, not a number)."""
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        return 3600.0
    return seconds if 0 <= seconds <= 86400 else 3600.0  # NaN fails both comparisons


class AccessTokens:
    """A fresh access token whenever one is asked for (``reveal``, as a secret is read)."""

    def __init__(self, account: str, path: Path, timeout: float, verify: bool) -> None:
        self.account = account
        self.path = path
        self.timeout = timeout
        self.verify = verify
        self._token: str | None = None
        self._until = 0.0  # time.monotonic(): a token's lifetime is a duration, not a date
        self._lock = threading.Lock()

    def reveal(self) -> str:
        with self._lock:
            if self._token is None or time.monotonic() >= self._until:
                granted = self._refresh(read_saved(self.account, self.path))
                self._token = granted.access_token
                self._until = time.monotonic() + max(granted.expires_in - MARGIN_SECONDS, 0)
            return self._token

    def _refresh(self, saved: SavedSignIn) -> Granted:
        form = {
            "grant_type": "refresh_token",
            "refresh_token": saved.refresh_token,
            "client_id": saved.client_id,
            "scope": saved.scope,
        }
        if saved.client_secret:  # Google's desktop clients have one (it is not secret)
            form["client_secret"] = saved.client_secret
        granted = ask_token(
            saved.token_uri, form, saved.provider, self.account, self.timeout, self.verify
        )
        if granted.refresh_token and granted.refresh_token != saved.refresh_token:
            # Microsoft hands a new refresh token with each access token: keep the newest.
            save(
                self.path, SavedSignIn(**{**asdict(saved), "refresh_token": granted.refresh_token})
            )
        return granted
