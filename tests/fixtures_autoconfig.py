"""The peers of `banco setup mail`'s lookup (tests/setup): an autoconfig server over real HTTP
serving ISPDB files, and one that takes the connection and never answers."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

ISPDB = Path(__file__).parent / "setup" / "ispdb"


@dataclass
class AutoconfigServer:
    """Serves ``files[domain]`` at ``/v1.1/<domain>``, as autoconfig.thunderbird.net does."""

    files: dict[str, str] = field(default_factory=dict)
    asked: list[str] = field(default_factory=list)
    port: int = 0

    @property
    def place(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1.1/{{domain}}"


@pytest.fixture
def autoconfig() -> Iterator[AutoconfigServer]:
    server_state = AutoconfigServer()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            server_state.asked.append(self.path)
            body = server_state.files.get(self.path.removeprefix("/v1.1/"))
            if body is None:
                self.send_error(404)
                return
            data = body.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/xml")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server_state.port = httpd.server_address[1]
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield server_state
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def stalling() -> Iterator[str]:
    """An autoconfig place whose server takes the connection and never answers."""
    listener = socket.create_server(("127.0.0.1", 0))
    held: list[socket.socket] = []
    done = threading.Event()

    def hold() -> None:
        listener.settimeout(None)
        while not done.is_set():
            try:
                connection, _ = listener.accept()
            except OSError:
                return
            held.append(connection)

    thread = threading.Thread(target=hold, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}/v1.1/{{domain}}"
    done.set()
    listener.close()
    for connection in held:
        connection.close()


def ispdb(name: str) -> str:
    return (ISPDB / name).read_text(encoding="utf-8")
