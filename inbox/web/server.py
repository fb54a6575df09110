"""``banco serve``: the page on 127.0.0.1 (no password needed), or on another address with one.

``serve`` runs until stopped (Ctrl-C); ``start`` runs the same server in a thread, for ``banco run``
and the tests, and returns a handle to stop it.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import uvicorn

from banco.config import Secret, SecretError
from banco.connectors import Registry
from banco.inbox.clock import Clock
from banco.inbox.i18n.catalogs import N_, _, said
from banco.inbox.web.app import create_app
from banco.inbox.web.auth import is_local

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
EXAMPLE_PASSWORD = '{env = "BANCO_WEB_PASSWORD"}'
PASSWORD_HINT = N_(
    "Set one in banco.toml: [web] password = {example} (or {{file = ...}} or {{command = ...}},"
    " like an account's password)"
)


class WebError(Exception):
    """The page cannot start (no password for a public address, port taken); said in words."""


@dataclass
class RunningServer:
    """A server started by ``start``: its address, and ``stop`` to end it."""

    url: str
    server: uvicorn.Server
    thread: threading.Thread
    sock: socket.socket = field(repr=False)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.sock.close()


def _password(password: str | Secret | None) -> str | None:
    if isinstance(password, Secret):
        try:
            return password.reveal() or None
        except SecretError as e:
            raise WebError(
                _("the page's password cannot be read: {reason}").format(reason=said(e))
            ) from None
    return password or None


def _prepare(
    home: Path,
    host: str,
    port: int,
    clock: Clock | None,
    registry: Registry | None,
    password: str | Secret | None,
) -> tuple[uvicorn.Server, socket.socket, str]:
    secret = _password(password)
    if not is_local(host) and not secret:
        raise WebError(
            _(
                "Banco's page on {host} could be opened from other computers, so it needs a"
                " password. {hint}, or leave out --host to keep the page on this computer only."
            ).format(host=host, hint=_(PASSWORD_HINT).format(example=EXAMPLE_PASSWORD))
        )
    sock = _bind(host, port)
    bound_port = sock.getsockname()[1]
    app = create_app(home, clock=clock, registry=registry, password=secret)
    config = uvicorn.Config(
        app,
        log_level="warning",
        access_log=False,
        lifespan="off",
        server_header=False,
        # X-Forwarded-Proto from a proxy on this computer marks the session cookie Secure.
        proxy_headers=True,
        forwarded_allow_ips="127.0.0.1",
    )
    shown = f"[{host}]" if ":" in host else host
    return uvicorn.Server(config), sock, f"http://{shown}:{bound_port}"


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
) -> None:
    """Serve the page until stopped. Raises WebError (a sentence for the maker) when it cannot."""
    server, sock, url = _prepare(home, host, port, clock, registry, password)
    if ready is not None:
        ready(_("Banco's page is open at {url} (Ctrl-C stops it).").format(url=url))
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:  # Ctrl-C: uvicorn has finished the requests under way; stop quietly
        pass
    finally:
        sock.close()


def start(
    home: Path,
    host: str = DEFAULT_HOST,
    port: int = 0,
    clock: Clock | None = None,
    registry: Registry | None = None,
    password: str | Secret | None = None,
) -> RunningServer:
    """Serve the page in a thread (port 0: any free port); returns once it answers."""
    server, sock, url = _prepare(home, host, port, clock, registry, password)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name="banco-web", daemon=True
    )
    thread.start()
    while not server.started:
        if not thread.is_alive():
            sock.close()
            raise WebError(_("the page stopped while starting; see the messages above"))
        thread.join(timeout=0.02)
    return RunningServer(url, server, thread, sock)
