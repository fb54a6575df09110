"""Handing a reply to the SMTP server, and what its answers mean for the maker.

    login refused, no login offered over TLS, sender refused for good  -> NeedsUser
    recipient or message refused for good (5xx)                        -> Rejected
    anything passing: 4xx, network, timeout, a dropped connection     -> TryLater
    after the message's bytes started: a timeout or a dropped
    connection before the server's answer                              -> MayHaveBeenSent

The server logs in with the password (or OAuth2 token, as XOAUTH2) only when it offers AUTH: a
relay on the maker's own network may take mail without one.
"""

from __future__ import annotations

import smtplib
import socket
import ssl
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from banco.config.sentence import Sentence
from banco.connectors.errors import ConnectorError, MayHaveBeenSent, NeedsUser, Rejected, TryLater

from .client import tls_context
from .settings import SmtpSettings


def send_mail(
    settings: SmtpSettings,
    sender: str,
    recipient: str,
    data: bytes,
    handing_over: Callable[[], None],
) -> None:
    """Send ``data`` (CRLF line endings) from ``sender`` to ``recipient``.

    ``handing_over`` is called once the server took the sender and the recipient, right before
    DATA: whatever fails before it left nothing with the server. After it, only the server's own
    answer to the message is certain; a timeout or a dropped connection may have delivered it.
    """
    with smtp_errors(settings, sender):
        smtp = _connect(settings)
        polite = True
        try:
            _log_in(smtp, settings)
            _envelope(smtp, sender, recipient, len(data))
            handing_over()
            try:
                smtp.data(data)
            except smtplib.SMTPResponseException:
                raise  # the server answered: certain, said by ``smtp_errors``
            except OSError as e:  # timeout, reset, closed: the server may hold the message
                polite = False  # no QUIT to a server that stopped answering
                raise _may_have_been_sent(settings, e) from None
        finally:
            if polite:
                _close(smtp)
            else:
                smtp.close()


def _envelope(smtp: smtplib.SMTP, sender: str, recipient: str, size: int) -> None:
    """MAIL FROM and RCPT TO, as ``sendmail`` says them, before any byte of the message."""
    smtp.ehlo_or_helo_if_needed()
    options = [f"size={size}"] if smtp.does_esmtp and smtp.has_extn("size") else []
    code, said = smtp.mail(sender, options)
    if code != 250:
        raise smtplib.SMTPSenderRefused(code, said, sender)
    code, said = smtp.rcpt(recipient)
    if code not in (250, 251):
        raise smtplib.SMTPRecipientsRefused({recipient: (code, said)})


def _may_have_been_sent(settings: SmtpSettings, error: OSError) -> MayHaveBeenSent:
    what = _dropped(error)
    return MayHaveBeenSent(
        "The mail server {host}:{port} {what} after the reply was handed to"
        " it, so it may have gone out. Look in your Sent folder or ask the customer, then resend"
        " it or mark it sent.",
        host=settings.host,
        port=settings.port,
        what=what,
    )


def check_smtp(settings: SmtpSettings) -> None:
    """Connect and log in, send nothing: can replies go out?"""
    with smtp_errors(settings, ""):
        smtp = _connect(settings)
        try:
            _log_in(smtp, settings)
        finally:
            _close(smtp)


def _connect(settings: SmtpSettings) -> smtplib.SMTP:
    context = tls_context(settings.tls_verify)
    smtp: smtplib.SMTP
    if settings.security == "ssl":
        smtp = smtplib.SMTP_SSL(
            settings.host, settings.port, timeout=settings.timeout, context=context
        )
    else:
        smtp = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
    try:
        smtp.ehlo()
        if settings.security == "starttls":
            smtp.starttls(context=context)
            smtp.ehlo()
    except BaseException:
        _close(smtp)
        raise
    return smtp


def _log_in(smtp: smtplib.SMTP, settings: SmtpSettings) -> None:
    if not smtp.has_extn("auth"):
        return
    kind, secret = settings.login.reveal()
    if kind == "oauth2":
        smtp.auth("XOAUTH2", _xoauth2(settings.login.username, secret), initial_response_ok=True)
    else:
        smtp.login(settings.login.username, secret)


def _xoauth2(user: str, token: str) -> Callable[..., str]:
    def respond(challenge: bytes | None = None) -> str:
        # After a refusal the server sends its reason as a challenge and waits for an empty line.
        return "" if challenge else f"user={user}\x01auth=Bearer {token}\x01\x01"

    return respond


def _close(smtp: smtplib.SMTP) -> None:
    try:
        smtp.quit()
    except Exception:  # the server may have gone already
        smtp.close()


@contextmanager
def smtp_errors(settings: SmtpSettings, sender: str) -> Iterator[None]:
    host = f"{settings.host}:{settings.port}"
    where = Sentence('the account "{account}"', account=settings.login.account)
    try:
        yield
    except ConnectorError:
        raise
    except smtplib.SMTPAuthenticationError as e:
        if settings.login.auth:
            raise NeedsUser(
                "The mail server {host} refused the sign-in for sending replies ({said}): run"
                " `banco auth {account}` to sign in again.",
                host=host,
                said=_said(e),
                account=settings.login.account,
            ) from None
        raise NeedsUser(
            "The mail server {host} refused the login for sending replies ({said}). Check"
            " `smtp_username` and `smtp_password` (or `username` and `password`) in {where}.",
            host=host,
            said=_said(e),
            where=where,
        ) from None
    except smtplib.SMTPNotSupportedError as e:
        raise NeedsUser(
            "The mail server {host} does not offer what sending needs ({said}). Check"
            ' `smtp_security` in {where}: "ssl" goes with port 465, "starttls" with 587.',
            host=host,
            said=str(e),
            where=where,
        ) from None
    except smtplib.SMTPRecipientsRefused as e:
        address, (code, text) = next(iter(e.recipients.items()))
        reason = _text(text)
        if code >= 500:
            raise Rejected(
                "The mail server refused the address {address}: {reason}",
                address=address,
                reason=reason,
            ) from None
        raise TryLater(
            "The mail server cannot take mail for {address} just now ({reason}); Banco will"
            " try again.",
            address=address,
            reason=reason,
        ) from None
    except smtplib.SMTPSenderRefused as e:
        if e.smtp_code == 530:  # "authentication required"
            raise NeedsUser(
                "The mail server {host} wants a login before sending, and did not offer one"
                ' on this connection. Check `smtp_security` in {where}: "ssl" goes with port'
                ' 465, "starttls" with 587.',
                host=host,
                where=where,
            ) from None
        if e.smtp_code >= 500:
            raise NeedsUser(
                "The mail server {host} refuses to send from {sender} ({said}). Check"
                " `from_address` in {where}.",
                host=host,
                sender=sender,
                said=_said(e),
                where=where,
            ) from None
        raise TryLater(
            "The mail server {host} cannot send just now ({said}); Banco will try again.",
            host=host,
            said=_said(e),
        ) from None
    except smtplib.SMTPDataError as e:
        if e.smtp_code >= 500:
            raise Rejected("The mail server refused this message: {said}", said=_said(e)) from None
        raise TryLater(
            "The mail server {host} cannot send just now ({said}); Banco will try again.",
            host=host,
            said=_said(e),
        ) from None
    except smtplib.SMTPServerDisconnected as e:
        what = _dropped(e)
        raise TryLater(
            "The mail server {host} {what}; Banco will try again.", host=host, what=what
        ) from None
    except smtplib.SMTPResponseException as e:
        raise TryLater(
            "The mail server {host} answered with an error ({said}); Banco will try again.",
            host=host,
            said=_said(e),
        ) from None
    except ssl.SSLCertVerificationError as e:
        raise NeedsUser(
            "The security certificate of the mail server {host} cannot be trusted"
            " ({reason}). Check `smtp_host` in {where}.",
            host=host,
            reason=e.verify_message,
            where=where,
        ) from None
    except ssl.SSLError as e:
        if "WRONG_VERSION_NUMBER" in str(e) or "UNKNOWN_PROTOCOL" in str(e):
            raise NeedsUser(
                "Banco could not open a secure connection to {host} for sending: check"
                ' `smtp_security` and `smtp_port` in {where} ("ssl" goes with port 465,'
                ' "starttls" with 587).',
                host=host,
                where=where,
            ) from None
        raise TryLater(
            "The secure connection to {host} failed ({said}); Banco will try again.",
            host=host,
            said=str(e),
        ) from None
    except TimeoutError:
        raise TryLater(
            "The mail server {host} took too long to answer; Banco will try again.", host=host
        ) from None
    except socket.gaierror:
        raise TryLater(
            "Banco could not find the mail server {host}: check the internet"
            " connection, and `smtp_host` in {where} if this lasts.",
            host=settings.host,
            where=where,
        ) from None
    except OSError as e:
        raise TryLater(
            "Banco could not reach the mail server {host} ({reason}); Banco will try again.",
            host=host,
            reason=(e.strerror or str(e)).lower(),
        ) from None


def _dropped(error: OSError) -> Sentence:
    """What the server did when the connection ended without an answer."""
    if _timed_out(error):
        return Sentence("took too long to answer")
    return Sentence("closed the connection")


def _timed_out(error: OSError) -> bool:
    # smtplib reports a timeout while reading an answer as a lost connection ("Connection
    # unexpectedly closed: timed out")
    return isinstance(error, TimeoutError) or str(error).endswith("timed out")


def _said(error: smtplib.SMTPResponseException) -> str:
    return f"{error.smtp_code} {_text(error.smtp_error)}"


def _text(value: bytes | str) -> str:
    text = value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
    return " ".join(text.split())[:200]
