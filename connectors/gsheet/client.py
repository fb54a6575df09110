"""Signing in to Google, and the HTTP session gspread talks through.

Two ways to sign in, both read-only (``spreadsheets.readonly``):

* a **service account**: ``credentials`` holds its JSON key (Google Cloud console, "Keys", "Add
  key", JSON). google-auth signs a short JWT with the key and trades it at Google's token endpoint
  for an access token. The maker shares the sheet with the account's address (``client_email``).
* the maker's own **Google account**, for makers who cannot create a service account: ``banco
  auth ACCOUNT`` (see :mod:`.oauth`) saves an authorized-user token in the shop folder, used when
  ``credentials`` is left out.

gspread's request URLs are fixed constants, so ``api_url`` works by giving gspread a session that
sends every Google API address (``https://*.googleapis.com``: Sheets, the token endpoint) to
``api_url`` instead. With the default ``api_url`` nothing is rewritten.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import google.auth.credentials
import google.auth.transport.requests
import gspread
import requests
from google.auth.exceptions import DefaultCredentialsError, MalformedError
from google.oauth2 import credentials as user_credentials
from google.oauth2 import service_account

from banco.config import Secret, SecretError
from banco.config.sentence import Sentence
from banco.connectors.errors import NeedsUser

from .options import GOOGLE_API

SCOPES = ("https://www.googleapis.com/auth/spreadsheets.readonly",)
SERVICE_ACCOUNT_HELP = Sentence(
    "It should be the JSON key of a Google service account (Google Cloud console: IAM & Admin, "
    'Service accounts, your account, Keys, "Add key", JSON)'
)


def redirect(url: str, api_url: str) -> str:
    """``url``, sent to ``api_url`` instead when it is a Google API address and ``api_url`` is
    not Google's."""
    base = api_url.rstrip("/")
    if base == GOOGLE_API:
        return url
    parts = urlsplit(url)
    if parts.scheme != "https" or not (parts.hostname or "").endswith(".googleapis.com"):
        return url
    target = urlsplit(base)
    return urlunsplit(
        (target.scheme, target.netloc, target.path + parts.path, parts.query, parts.fragment)
    )


def check_api_url(account: str, api_url: str) -> None:
    """Raise NeedsUser unless ``api_url`` is a web address."""
    parts = urlsplit(api_url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise NeedsUser(
            'The api_url of "{account}" in banco.toml is not a web address (such as '
            '"{default}"): remove it to use Google\'s.',
            account=account,
            default=GOOGLE_API,
        )


class RedirectSession(requests.Session):
    """A plain session (for the token endpoint) that sends Google's addresses to ``api_url``."""

    # Kept when google-auth deep-copies the session for its background look-ups.
    __attrs__ = [*requests.Session.__attrs__, "api_url"]

    def __init__(self, api_url: str) -> None:
        super().__init__()
        self.api_url = api_url

    def request(self, method: str, url: str | bytes, *args: Any, **kwargs: Any) -> Any:
        return super().request(method, redirect(_text(url), self.api_url), *args, **kwargs)


class GoogleSession(google.auth.transport.requests.AuthorizedSession):
    """The signed-in session gspread uses, sending Google's addresses to ``api_url``."""

    def __init__(
        self, api_url: str, credentials: google.auth.credentials.Credentials, timeout: float
    ) -> None:
        self.auth_session = RedirectSession(api_url)
        super().__init__(
            credentials,
            refresh_timeout=timeout,
            auth_request=google.auth.transport.requests.Request(self.auth_session),
        )
        self.api_url = api_url

    def request(self, method: str, url: str | bytes, *args: Any, **kwargs: Any) -> Any:
        return super().request(method, redirect(_text(url), self.api_url), *args, **kwargs)

    def close(self) -> None:
        super().close()
        self.auth_session.close()


def _text(url: str | bytes) -> str:
    return url.decode("ascii") if isinstance(url, bytes) else url


@dataclass(frozen=True)
class SignIn:
    """How Banco signs in for one account."""

    credentials: google.auth.credentials.Credentials
    #: the service account's address (``client_email``); "" when signed in as the maker
    service_account: str = ""


def load_sign_in(name: str, secret: Secret | None, token_file: Path) -> SignIn:
    """The credentials of account ``name``: its ``credentials`` key, else the saved sign-in."""
    if secret is not None:
        return _from_credentials(name, secret)
    if token_file.exists():
        return _from_token_file(name, token_file)
    raise NeedsUser(
        'Banco has no way to sign in to Google for "{name}". Either set credentials = '
        '{{file = "service-account.json"}} in its [[accounts]] block (the JSON key of a service '
        "account the sheet is shared with), or run `banco auth "
        "{name}` once to sign in with your own Google account.",
        name=name,
    )


def _from_credentials(name: str, secret: Secret) -> SignIn:
    where = Sentence('credentials of "{name}"', name=name)
    try:
        text = secret.reveal()
    except SecretError as e:
        raise NeedsUser(
            "Banco cannot read the {where} in banco.toml: {said}.", where=where, said=e.sentence
        ) from None
    info = _json_object(text)
    path = _as_path(text, secret.base_dir)
    if info is None and path is not None:  # {env = "GOOGLE_APPLICATION_CREDENTIALS"}: a path
        info = _json_object(_read_path(where, path))
    if info is None:
        raise NeedsUser(
            "The {where} in banco.toml are not a Google key file (they are not JSON). "
            '{help}; write credentials = {{file = "path/to/key.json"}}.',
            where=where,
            help=SERVICE_ACCOUNT_HELP,
        )
    kind = info.get("type")
    if kind == "service_account":
        try:
            found = service_account.Credentials.from_service_account_info(info, scopes=SCOPES)
        except (ValueError, MalformedError) as e:
            raise NeedsUser(
                "The {where} in banco.toml are an incomplete service account key ({said}). "
                "Download a new JSON key for the service account and point credentials at it.",
                where=where,
                said=str(e),
            ) from None
        return SignIn(found, service_account=str(info.get("client_email", "")))
    if kind == "authorized_user":
        return SignIn(_user_credentials(name, info, f"the {where}"))
    if isinstance(info.get("installed"), Mapping) or isinstance(info.get("web"), Mapping):
        raise NeedsUser(
            "The {where} in banco.toml are an OAuth client, not a service account key. Write "
            "it as oauth_client instead and run `banco auth {name}`, or use a service "
            "account's JSON key as credentials.",
            where=where,
            name=name,
        )
    raise NeedsUser(
        "The {where} in banco.toml are not a service account key. {help}.",
        where=where,
        help=SERVICE_ACCOUNT_HELP,
    )


def _from_token_file(name: str, path: Path) -> SignIn:
    info = _json_object(_read_path(f"sign-in of {name}", path))
    if info is None:
        raise NeedsUser(
            "The sign-in saved in {path} is damaged: run `banco auth {name}` again.",
            path=path,
            name=name,
        )
    return SignIn(_user_credentials(name, info, str(path)))


def _user_credentials(
    name: str, info: Mapping[str, Any], where: str
) -> google.auth.credentials.Credentials:
    try:
        found: google.auth.credentials.Credentials = (
            user_credentials.Credentials.from_authorized_user_info(dict(info), scopes=SCOPES)
        )
    except (ValueError, DefaultCredentialsError, MalformedError):
        raise NeedsUser(
            "The Google sign-in in {where} is incomplete: run `banco auth {name}` again.",
            where=where,
            name=name,
        ) from None
    return found


def _json_object(text: str) -> dict[str, Any] | None:
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _as_path(text: str, base_dir: Path | None) -> Path | None:
    """The file ``text`` names, when it is a single line naming an existing file."""
    text = text.strip()
    if not text or "\n" in text or text.startswith(("{", "[")) or len(text) > 1024:
        return None
    path = Path(text).expanduser()
    if not path.is_absolute() and base_dir is not None:
        path = base_dir / path
    return path if path.is_file() else None


def _read_path(where: str, path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        reason = e.strerror if isinstance(e, OSError) else "it is not text"
        raise NeedsUser(
            "Banco cannot read {path}, the {where} ({reason}).",
            path=path,
            where=where,
            reason=reason,
        ) from None


def build_client(
    sign_in: SignIn, api_url: str, timeout: float
) -> tuple[gspread.Client, GoogleSession]:
    """A gspread client signed in with ``sign_in``, talking to ``api_url``, and its session."""
    session = GoogleSession(api_url, sign_in.credentials, timeout)
    client = gspread.Client(sign_in.credentials, session=session)
    client.set_timeout(timeout)
    return client, session
