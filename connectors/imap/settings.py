"""The settings read from the keys of an ``imap`` account (the keys: ``options``).

The config loader has already checked each key's type; what it cannot check (exactly one of
``password``, ``oauth2_token`` and ``auth``, the form of ``backfill_days``, a sender address) is
checked here,
and a problem becomes :class:`NeedsUser` with a sentence the maker can act on.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from banco.config import Secret, SecretError
from banco.config.sentence import Sentence
from banco.connectors.email.parse import MB
from banco.connectors.errors import NeedsUser

from .options import OPTIONS
from .tokens import AccessTokens, token_file

IMAP_PORTS = {"ssl": 993, "starttls": 143, "none": 143}
SMTP_PORTS = {"ssl": 465, "starttls": 587, "none": 25}


@dataclass(frozen=True)
class Login:
    """A user name and either a password or an OAuth2 access token (read when needed): from
    ``oauth2_token``, or from the sign-in ``banco auth`` saved (``auth``, the provider)."""

    username: str
    password: Secret | None
    token: Secret | AccessTokens | None
    account: str
    auth: str = ""

    def reveal(self) -> tuple[str, str]:
        """("password" or "oauth2", the secret's value). NeedsUser when it cannot be read."""
        secret, kind = (self.token, "oauth2") if self.token else (self.password, "password")
        assert secret is not None
        try:
            return kind, secret.reveal()
        except SecretError as e:
            what = Sentence("OAuth2 token") if kind == "oauth2" else Sentence("password")
            raise NeedsUser(
                'Banco could not read the {what} of the account "{account}": {said}.',
                what=what,
                account=self.account,
                said=e.sentence,
            ) from None


@dataclass(frozen=True)
class SignInPlan:
    """What ``banco auth`` needs for a mailbox with ``auth`` (see ``signin``)."""

    account: str
    provider: str
    username: str
    #: Google: the OAuth client's JSON file
    client_file: Secret | None
    #: Microsoft: the application (client) id, and where its sign-in lives
    client_id: str
    authority: str
    path: Path
    timeout: float
    verify: bool


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    security: str
    login: Login
    timeout: float
    tls_verify: bool


@dataclass(frozen=True)
class ImapSettings:
    account: str
    host: str
    port: int
    security: str
    login: Login
    #: folder name -> direction of its mail ("in", or "out" for the sent folder)
    streams: dict[str, str]
    sent_folder: str
    #: None for "all"
    backfill_days: int | None
    max_bytes: int
    timeout: float
    tls_verify: bool
    smtp: SmtpSettings
    from_address: str
    from_name: str
    append_to_sent: bool
    #: None without ``auth``
    sign_in: SignInPlan | None = None

    def window_start(self, today: date) -> date | None:
        """The first day a first collect reaches back to; None for the whole folder."""
        return None if self.backfill_days is None else today - timedelta(days=self.backfill_days)


def read_settings(
    account: str, settings: Mapping[str, Any], home: Path | None = None
) -> ImapSettings:
    """The checked settings of one account (``home``: the shop folder, where ``banco auth``
    keeps a sign-in; the current folder when not given); NeedsUser for what the maker must
    change."""

    def get(key: str) -> Any:
        return settings.get(key, OPTIONS[key].default)

    where = Sentence('in the account "{account}" in banco.toml', account=account)
    security = get("security")
    port = get("port") or IMAP_PORTS[security]
    _check_port(port, security, where)
    timeout = float(get("timeout_seconds"))
    if timeout <= 0:
        raise NeedsUser("`timeout_seconds` must be more than 0 {where}.", where=where)
    auth = get("auth")
    token = get("oauth2_token")
    sign_in = None
    if auth:
        _one_way_in(get("password"), token, where)
        path = token_file(home or Path(), account)
        sign_in = SignInPlan(
            account,
            auth,
            get("username"),
            get("oauth_client"),
            get("oauth_client_id"),
            get("oauth_authority"),
            path,
            timeout,
            get("tls_verify"),
        )
        token = AccessTokens(account, path, timeout, get("tls_verify"))
    login = _login(account, get("username"), get("password"), token, where, auth)
    smtp_security = get("smtp_security") or security
    smtp_password = get("smtp_password")
    smtp_login = Login(
        get("smtp_username") or login.username,
        smtp_password or login.password,
        None if smtp_password else login.token,
        account,
        "" if smtp_password else auth,
    )
    sent = get("sent_folder")
    streams = {folder: "in" for folder in get("folders") if folder != sent}
    if sent:
        streams[sent] = "out"
    from_address = get("from_address") or login.username
    return ImapSettings(
        account=account,
        host=get("host"),
        port=port,
        security=security,
        login=login,
        streams=streams,
        sent_folder=sent,
        backfill_days=_backfill_days(get("backfill_days"), where),
        max_bytes=int(get("max_message_mb") * MB),
        timeout=timeout,
        tls_verify=get("tls_verify"),
        smtp=SmtpSettings(
            host=get("smtp_host") or get("host"),
            port=get("smtp_port") or SMTP_PORTS[smtp_security],
            security=smtp_security,
            login=smtp_login,
            timeout=timeout,
            tls_verify=get("tls_verify"),
        ),
        from_address=from_address,
        from_name=get("from_name"),
        append_to_sent=get("append_to_sent"),
        sign_in=sign_in,
    )


def _one_way_in(password: Secret | None, token: Secret | None, where: str) -> None:
    if password is not None or token is not None:
        raise NeedsUser(
            "`auth` signs in with your Google or Microsoft account, so `password` and"
            " `oauth2_token` are not needed {where}: remove them, or remove `auth`.",
            where=where,
        )


def _login(
    account: str,
    username: str,
    password: Secret | None,
    token: Secret | AccessTokens | None,
    where: str,
    auth: str,
) -> Login:
    if password is None and token is None:
        raise NeedsUser(
            "Banco needs a way to log in to the mailbox: add `password` (or `oauth2_token`"
            " for Gmail and Microsoft 365) {where}.",
            where=where,
        )
    if password is not None and token is not None:
        raise NeedsUser(
            "Both `password` and `oauth2_token` are set {where}: keep only the one your"
            " mail provider uses.",
            where=where,
        )
    return Login(username, password, token, account, auth)


def _check_port(port: int, security: str, where: str) -> None:
    """Ports 993 and 143 only go one way: say so instead of timing out."""
    if (port == 993 and security != "ssl") or (port == 143 and security == "ssl"):
        right = "ssl" if port == 993 else "starttls"
        raise NeedsUser(
            'Port {port} goes with `security = "{right}"`, not "{security}" {where}: change one'
            " of the two.",
            port=port,
            right=right,
            security=security,
            where=where,
        )


def _backfill_days(value: Any, where: str) -> int | None:
    if value == "all":
        return None
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    raise NeedsUser(
        '`backfill_days` is {value!r} {where}: write a number of days, such as 90, or "all".',
        value=value,
        where=where,
    )
