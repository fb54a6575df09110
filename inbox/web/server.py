"""``banco serve``: the page on 127.0.0.1 (no password needed), or on another address with one.

``serve`` runs until stopped (Ctrl-C); ``start`` runs the same server in a thread, for ``banco run``
and the tests, and returns a handle to stop it. With ``[web] tls_cert`` and ``tls_key`` the page is
served over HTTPS (uvicorn reads the files; they are checked here first, so a wrong one is one
line at start). ``X-Forwarded-For`` and ``X-Forwarded-Proto`` are believed only from the addresses
in ``[web] trusted_proxies`` (none by default): anyone else could write them.
"""

from __future__ import annotations

import ipaddress
import json
import socket
import ssl
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import uvicorn

from banco.config import Secret
from banco.connectors import Registry
from banco.inbox.clock import Clock
from banco.inbox.i18n.catalogs import N_, _, said
from banco.inbox.web.app import create_app
from banco.inbox.web.auth import is_local
from banco.inbox.web.password import PasswordError, revealed

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
EXAMPLE_PASSWORD = '{env = "BANCO_WEB_PASSWORD"}'
PASSWORD_HINT = N_(
    "Set one in banco.toml: [web] password = {example} (or {{file = ...}} or {{command = ...}},"
    " like an account's password)"
)


class WebError(Exception):
    """The page cannot start (no password for a public address, port taken); said in words."""


class SettingError(WebError):
    """A ``[web]`` value of banco.toml that cannot be used (a certificate, a proxy's address): the
    command stops with exit status 2, as for any wrong value in banco.toml."""


@dataclass(frozen=True)
class Tls:
    """The certificate and its private key that serve the page over HTTPS."""

    cert: Path
    key: Path

    @classmethod
    def configured(cls, web: Mapping[str, Any], home: Path) -> Tls | None:
        """``[web] tls_cert`` and ``tls_key`` (relative to the shop folder), or None if neither."""
        cert, key = web["tls_cert"], web["tls_key"]
        if not cert and not key:
            return None
        if not cert or not key:
            raise SettingError(_("[web] tls_cert and tls_key go together: set both, or neither."))
        return cls(home / Path(cert).expanduser(), home / Path(key).expanduser())

    def check(self) -> None:
        """Raise SettingError unless the files are a certificate and its key, readable now."""
        for path in (self.cert, self.key):
            try:
                path.read_bytes()
            except OSError as e:
                raise SettingError(
                    _("[web] cannot read {path}: {reason}").format(path=path, reason=e.strerror)
                ) from None
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        try:
            # A key locked with a passphrase fails here instead of asking for it on the terminal.
            context.load_cert_chain(self.cert, self.key, password=lambda: b"")
        except ssl.SSLError as e:
            raise SettingError(
                _(
                    "[web] tls_cert and tls_key are not a certificate and its unlocked private"
                    " key ({reason})."
                ).format(reason=e.reason or e)
            ) from None


@dataclass
class RunningServer:
    """A server started by ``start``: its address, what to tell her about it, ``stop`` to end it."""

    url: str
    server: uvicorn.Server
    thread: threading.Thread
    sock: socket.socket = field(repr=False)
    notice: str | None = None

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.sock.close()


@dataclass
class _Prepared:
    server: uvicorn.Server
    sock: socket.socket
    url: str
    notice: str | None


def _password(password: str | Secret | None) -> str | None:
    try:
        return revealed(password)
    except PasswordError as e:
        raise WebError(
            _("the page's password cannot be read: {reason}").format(reason=said(e))
        ) from None


def checked_proxies(addresses: Sequence[str]) -> list[str]:
    """``[web] trusted_proxies`` checked: addresses or networks (``192.168.1.0/24``)."""
    for address in addresses:
        try:
            ipaddress.ip_network(address, strict=False)
        except ValueError:
            raise SettingError(
                _(
                    '[web] trusted_proxies: {value} is not an address, such as "192.168.1.10".'
                ).format(
                    value=json.dumps(address)  # in quotes, and on one line whatever it holds
                )
            ) from None
    return list(addresses)


def _no_password_notice(secret: str | None) -> str | None:
    if secret:
        return None
    return _(
        "The page has no password, so anyone who uses this computer can open it. {hint}."
    ).format(hint=_(PASSWORD_HINT).format(example=EXAMPLE_PASSWORD))


def _prepare(
    home: Path,
    host: str,
    port: int,
    clock: Clock | None,
    registry: Registry | None,
    password: str | Secret | None,
    tls: Tls | None,
    trusted_proxies: Sequence[str],
) -> _Prepared:
    secret = _password(password)
    if not is_local(host) and not secret:
        raise WebError(
            _(
                "Banco's page on {host} could be opened from other computers, so it needs a"
                " password. {hint}, or leave out --host to keep the page on this computer only."
            ).format(host=host, hint=_(PASSWORD_HINT).format(example=EXAMPLE_PASSWORD))
        )
    proxies = checked_proxies(trusted_proxies)
    if tls is not None:
        tls.check()
    sock = _bind(host, port)
    bound_port = sock.getsockname()[1]
    app = create_app(home, clock=clock, registry=registry, password=secret, host=host)
    config = uvicorn.Config(
        app,
        log_level="warning",
        access_log=False,
        log_config=None,  # its lines go to Banco's handlers, which hide secrets (inbox/logs.py)
        lifespan="off",
        server_header=False,
        # The client's address and scheme from a trusted proxy's headers; nobody else's.
        proxy_headers=bool(proxies),
        forwarded_allow_ips=proxies,
        ssl_certfile=tls.cert if tls else None,
        ssl_keyfile=tls.key if tls else None,
    )
    shown = f"[{host}]" if ":" in host else host
    url = f"{'https' if tls else 'http'}://{shown}:{bound_port}"
    return _Prepared(uvicorn.Server(config), sock, url, _no_password_notice(secret))


def _bind(host: str, port: int) -> socket.socket:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as e:
        raise WebError(
            _('"{host}" is not an address of this computer ({reason})').format(
                host=host, reason=e.strerror
            )
        ) from None
    family, kind, proto, _name, address = infos[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
    except OSError as e:
        sock.close()
        if e.errno in (98, 48):  # EADDRINUSE on Linux and macOS
            raise WebError(
                _(
                    "port {port} on {host} is already in use (is Banco's page already open?);"
                    " choose another with --port"
                ).format(port=port, host=host)
            ) from None
        raise WebError(
            _("cannot open the page on {host}:{port}: {reason}").format(
                host=host, port=port, reason=e.strerror
            )
        ) from None
    sock.listen(128)
    return sock


def serve(
    home: Path,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    clock: Clock | None = None,
    registry: Registry | None = None,
    password: str | Secret | None = None,
    ready: Callable[[str], object] | None = print,
    *,
    tls: Tls | None = None,
    trusted_proxies: Sequence[str] = (),
) -> None:
    """Serve the page until stopped. Raises WebError (a sentence for the maker) when it cannot."""
    prepared = _prepare(home, host, port, clock, registry, password, tls, trusted_proxies)
    if ready is not None:
        ready(_("Banco's page is open at {url} (Ctrl-C stops it).").format(url=prepared.url))
        if prepared.notice:
            ready(prepared.notice)
    try:
        prepared.server.run(sockets=[prepared.sock])
    except KeyboardInterrupt:  # Ctrl-C: uvicorn has finished the requests under way; stop quietly
        pass
    finally:
        prepared.sock.close()


def start(
    home: Path,
    host: str = DEFAULT_HOST,
    port: int = 0,
    clock: Clock | None = None,
    registry: Registry | None = None,
    password: str | Secret | None = None,
    *,
    tls: Tls | None = None,
    trusted_proxies: Sequence[str] = (),
) -> RunningServer:
    """Serve the page in a thread (port 0: any free port); returns once it answers."""
    prepared = _prepare(home, host, port, clock, registry, password, tls, trusted_proxies)
    server, sock = prepared.server, prepared.sock
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name="banco-web", daemon=True
    )
    thread.start()
    while not server.started:
        if not thread.is_alive():
            sock.close()
            raise WebError(_("the page stopped while starting; see the messages above"))
        thread.join(timeout=0.02)
    return RunningServer(prepared.url, server, thread, sock, prepared.notice)
