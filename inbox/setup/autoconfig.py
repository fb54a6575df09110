"""Finding a mailbox's servers the way Thunderbird does: its public database of providers (ISPDB,
https://autoconfig.thunderbird.net/v1.1/<domain>), then the domain's own autoconfig file.

Both answer the ISPDB XML format (``clientConfig/emailProvider/incomingServer``). The places are
templates with ``{domain}`` and ``{address}``, so that the tests point them at a local server."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass

import httpx

from banco.inbox.i18n.catalogs import _
from banco.inbox.setup.providers import Servers

PLACES = (
    "https://autoconfig.thunderbird.net/v1.1/{domain}",
    "https://autoconfig.{domain}/mail/config-v1.1.xml?emailaddress={address}",
)
TIMEOUT_SECONDS = 10.0
#: an answer larger than this is no provider's settings
MAX_BYTES = 200_000
_SECURITY = {"SSL": "ssl", "STARTTLS": "starttls", "plain": "none"}


@dataclass(frozen=True)
class Lookup:
    """Where and how long to look."""

    places: Sequence[str] = PLACES
    timeout: float = TIMEOUT_SECONDS


class NotFound(Exception):
    """No place knew the domain's servers: ``str()`` is one line for the maker."""


def look_up(
    address: str, domain: str, places: Sequence[str] = PLACES, timeout: float = TIMEOUT_SECONDS
) -> Servers:
    """The servers of ``domain`` from the first place that knows them. NotFound says why not
    (the last place's reason: a lookup that took too long, or no answer)."""
    reason = _("nobody knows the mail servers of {domain}").format(domain=domain)
    for place in places:
        url = place.format(domain=domain, address=address)
        try:
            text = _get(url, timeout)
        except httpx.TimeoutException:
            reason = _("looking up the mail servers of {domain} took too long").format(
                domain=domain
            )
            continue
        except httpx.HTTPError:
            continue
        servers = parse(text) if text else None
        if servers is not None:
            return servers
    raise NotFound(reason)


def _get(url: str, timeout: float) -> str | None:
    with (
        httpx.Client(timeout=timeout, follow_redirects=True) as client,
        client.stream("GET", url) as answer,
    ):
        if answer.status_code != 200:
            return None
        body = b""
        for chunk in answer.iter_bytes():
            body += chunk
            if len(body) > MAX_BYTES:
                return None
    return body.decode("utf-8", "replace")


def parse(text: str) -> Servers | None:
    """The first IMAP and SMTP servers of an ISPDB file; None when it has no IMAP server or is
    not one. (Python's expat refuses the entity expansions of a hostile file.)"""
    try:
        root = ET.fromstring(text)
    except ET.ParseError:
        return None
    imap = root.find(".//emailProvider/incomingServer[@type='imap']")
    smtp = root.find(".//emailProvider/outgoingServer[@type='smtp']")
    if imap is None or smtp is None:
        return None
    try:
        imap_host, imap_port, imap_security, login = _server(imap)
        smtp_host, smtp_port, smtp_security, _login = _server(smtp)
    except (KeyError, ValueError):
        return None
    return Servers(
        imap_host,
        imap_port,
        imap_security,
        smtp_host,
        smtp_port,
        smtp_security,
        login_is_address=login != "%EMAILLOCALPART%",
    )


def _server(element: ET.Element) -> tuple[str, int, str, str]:
    host = (element.findtext("hostname") or "").strip()
    if not host or "%" in host:  # "%EMAILDOMAIN%" hosts are rare: asked by hand
        raise ValueError(host)
    port = int(element.findtext("port") or "")
    if not 0 < port < 65536:
        raise ValueError(port)
    security = _SECURITY[(element.findtext("socketType") or "").strip()]
    return host, port, security, (element.findtext("username") or "").strip()
