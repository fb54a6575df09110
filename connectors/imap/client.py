"""Opening an IMAP session, and what its failures mean for the maker.

Every call to the server goes through :func:`imap_errors`, which turns a failure into
:class:`NeedsUser` (the maker must change something: login refused, wrong security setting, a
certificate that cannot be trusted) or :class:`TryLater` (network, timeout, dropped connection,
a server error). A read timeout raises the builtin ``TimeoutError``, not an imapclient error, and
after it or a dropped connection the session cannot be used again.
"""

from __future__ import annotations

import logging
import re
import socket
import ssl
from collections.abc import Iterator
from contextlib import contextmanager, suppress

from imapclient import IMAPClient, SocketTimeout
from imapclient.exceptions import (
    CapabilityError,
    IMAPClientAbortError,
    IMAPClientError,
    LoginError,
)

from banco.config.sentence import Sentence
from banco.connectors.errors import ConnectorError, NeedsUser, TryLater

from .settings import ImapSettings

#: Connecting is quick or not at all; reading a large message may take a while.
CONNECT_SECONDS = 30
#: Response codes (RFC 5530) that say a login failed for a passing reason.
_PASSING_LOGIN_CODES = ("[UNAVAILABLE]", "[INUSE]", "[SERVERBUG]", "[LIMIT]")
_DROPPED = re.compile(r"socket error|EOF|connection (?:reset|closed)", re.IGNORECASE)
#: TLS failures that mean the port and `security` do not match, not a passing network fault.
_MISMATCH = ("WRONG_VERSION_NUMBER", "UNKNOWN_PROTOCOL", "RECORD_LAYER_FAILURE", "HTTP_REQUEST")


class SessionLost(TryLater):
    """The connection broke; the session must not be used again."""


def tls_context(verify: bool) -> ssl.SSLContext:
    context = ssl.create_default_context()
    if not verify:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


def open_session(settings: ImapSettings) -> IMAPClient:
    """A logged-in session. Raises NeedsUser or TryLater, in words."""
    with imap_errors(settings):
        context = tls_context(settings.tls_verify)
        timeout = SocketTimeout(
            connect=min(CONNECT_SECONDS, settings.timeout), read=settings.timeout
        )
        client = IMAPClient(
            settings.host,
            port=settings.port,
            ssl=settings.security == "ssl",
            ssl_context=context,
            timeout=timeout,
        )
        try:
            if settings.security == "starttls":
                client.starttls(context)
            _log_in(client, settings)
        except BaseException:
            close_session(client)
            raise
        client.normalise_times = False  # INTERNALDATE with its time zone
        _quiet(client)
        return client


def _quiet(client: IMAPClient) -> None:
    """imapclient turns imaplib's debug output on, and imaplib formats every response for it,
    bodies included, whether or not anyone logs it: about a tenth of a collect's time and a copy
    of each batch in memory. It stays on only when its logger would show it."""
    if not logging.getLogger("imapclient.imaplib").isEnabledFor(logging.DEBUG):
        imap = getattr(client, "_imap", None)
        if imap is not None:
            imap.debug = 0


def close_session(client: IMAPClient, *, log_out: bool = True) -> None:
    """Log out (unless the session broke: a hung server would make that wait for the timeout),
    then close the socket in any case. The connection may be gone already: nothing to report."""
    if log_out:
        with suppress(Exception):
            client.logout()
            return
    with suppress(Exception):
        client.shutdown()


def _log_in(client: IMAPClient, settings: ImapSettings) -> None:
    kind, secret = settings.login.reveal()
    try:
        if kind == "oauth2":
            client.oauth2_login(settings.login.username, secret)
        else:
            client.login(settings.login.username, secret)
    except LoginError as e:
        # imapclient reports a connection dropped during login as a LoginError too.
        text = str(e)
        if _DROPPED.search(text) or any(code in text for code in _PASSING_LOGIN_CODES):
            raise SessionLost(
                "The mail server {host} could not log you in just now ({said});"
                " Banco will try again.",
                host=settings.host,
                said=_said(text),
            ) from None
        raise


@contextmanager
def imap_errors(settings: ImapSettings) -> Iterator[None]:
    """Translate whatever the network or the server raises into NeedsUser or TryLater."""
    host = settings.host
    where = Sentence('the account "{account}"', account=settings.account)
    try:
        yield
    except ConnectorError:
        raise
    except LoginError as e:
        if settings.login.auth:
            raise NeedsUser(
                "The mail server {host} refused the sign-in of {where} ({said}): run `banco auth"
                " {account}` to sign in again.",
                host=host,
                where=where,
                said=_said(str(e)),
                account=settings.account,
            ) from None
        how = (
            Sentence("OAuth2 token") if settings.login.token else Sentence("user name or password")
        )
        raise NeedsUser(
            "The mail server {host} refused the {how} of {where} ({said}). Check"
            " `username` and `password` in banco.toml; Gmail and Microsoft 365 need an app"
            " password or `oauth2_token`.",
            host=host,
            how=how,
            where=where,
            said=_said(str(e)),
        ) from None
    except CapabilityError as e:
        raise NeedsUser(
            "The mail server {host} does not offer what {where} asks for ({said}):"
            ' try `security = "ssl"` with port 993.',
            host=host,
            where=where,
            said=_said(str(e)),
        ) from None
    except IMAPClientAbortError as e:
        raise SessionLost(
            "The connection to the mail server {host} was lost ({said}); Banco will try again.",
            host=host,
            said=_said(str(e)),
        ) from None
    except IMAPClientError as e:
        raise SessionLost(
            "The mail server {host} answered with an error ({said}); Banco will try again.",
            host=host,
            said=_said(str(e)),
        ) from None
    except ssl.SSLCertVerificationError as e:
        raise NeedsUser(
            "The security certificate of the mail server {host} cannot be trusted"
            " ({reason}). Check `host` in {where}.",
            host=host,
            reason=e.verify_message,
            where=where,
        ) from None
    except ssl.SSLError as e:
        if any(code in str(e) for code in _MISMATCH):
            raise NeedsUser(
                "Banco could not open a secure connection to {host} on port {port}:"
                ' check `security` and `port` in {where} ("ssl" goes with port 993, "starttls"'
                " with 143).",
                host=host,
                port=settings.port,
                where=where,
            ) from None
        raise SessionLost(
            "The secure connection to the mail server {host} failed ({said}); Banco will try again.",
            host=host,
            said=str(e),
        ) from None
    except TimeoutError:
        raise SessionLost(
            "The mail server {host} took too long to answer; Banco will try again.", host=host
        ) from None
    except socket.gaierror:
        raise SessionLost(
            "Banco could not find the mail server {host}: check the internet connection, and"
            " `host` in {where} if this lasts.",
            host=host,
            where=where,
        ) from None
    except ConnectionRefusedError:
        raise SessionLost(
            "The mail server {host} refused the connection on port {port}; Banco will"
            " try again (check `port` in {where} if this lasts).",
            host=host,
            port=settings.port,
            where=where,
        ) from None
    except OSError as e:
        raise SessionLost(
            "Banco could not reach the mail server {host} ({reason}); Banco will try again.",
            host=host,
            reason=(e.strerror or str(e)).lower(),
        ) from None


def _said(text: str) -> str:
    """What the server said, without imaplib's prefixes, on one short line."""
    text = re.sub(r"^(?:\w+ command error: )?(?:BAD|NO) ", "", text.strip())
    text = re.sub(r"^\[?b?['\"]|['\"]\]?$", "", text)
    return " ".join(text.split())[:160] or "no reason given"
