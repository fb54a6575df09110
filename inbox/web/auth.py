"""Who may use the page, and proof that a form came from it.

* Sessions: a cookie signed with a key generated once and kept in the shop folder (``web-secret``,
  readable by the maker only, never in banco.toml). HttpOnly, SameSite=Lax, and Secure when the page
  is served over https (directly or behind a local proxy that says so).
* CSRF: every session holds a random token; every POST must carry it (a hidden ``csrf`` field, or
  the ``X-CSRF-Token`` header for Banco's own script) and, when the browser says where it comes
  from, come from this page's own origin. This holds on loopback too.
* Login: with a password, every page but the login page needs a signed-in session. Wrong passwords
  are limited per address (``LoginLimiter``).
* Without a password the page answers only to the loopback names (127.0.0.1, localhost, [::1]), so a
  web site cannot reach it by pointing a name of its own at 127.0.0.1 (DNS rebinding).
"""

from __future__ import annotations

import hmac
import os
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from starlette.datastructures import FormData
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import HTTPConnection, Request
from starlette.responses import PlainTextResponse, RedirectResponse
from starlette.types import ASGIApp, Receive, Scope, Send

SECRET_FILE = "web-secret"
COOKIE = "banco_session"
SESSION_DAYS = 14
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
#: Reached without signing in: the login page itself and Banco's own CSS, script and icon.
OPEN_PATHS = ("/login", "/static/")


class CsrfError(Exception):
    """A POST without this page's token (an old form, or another site trying)."""


def is_local(host: str) -> bool:
    """True for the loopback names the page may serve without a password."""
    return host.strip("[]").lower() in LOCAL_HOSTS


def load_secret(home: Path) -> str:
    """The key that signs session cookies: made once, kept in the shop folder, owner-only."""
    path = home / SECRET_FILE
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        os.chmod(path, 0o600)
        key = path.read_text(encoding="ascii").strip()
        if len(key) >= 32:
            return key
        fd = os.open(path, os.O_WRONLY | os.O_TRUNC)
    key = secrets.token_urlsafe(48)
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(key + "\n")
    return key


def sign(secret: str, purpose: str) -> str:
    """A stable token for ``purpose`` (the calendar link), valid as long as the secret."""
    return hmac.new(secret.encode(), purpose.encode(), "sha256").hexdigest()[:32]


class Sessions:
    """Starlette's signed-cookie sessions, with the Secure flag when the request came over https."""

    def __init__(self, app: ASGIApp, secret: str) -> None:
        options: dict[str, Any] = {
            "secret_key": secret,
            "session_cookie": COOKIE,
            "max_age": SESSION_DAYS * 86400,
            "same_site": "lax",
        }
        self.plain = SessionMiddleware(app, https_only=False, **options)
        self.secure = SessionMiddleware(app, https_only=True, **options)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        chosen = self.secure if scope.get("scheme") in ("https", "wss") else self.plain
        await chosen(scope, receive, send)


# CSRF ---------------------------------------------------------------------------------------------
def csrf_token(session: dict[str, Any]) -> str:
    token = session.get("csrf")
    if not isinstance(token, str):
        token = session["csrf"] = secrets.token_urlsafe(32)
    return token


def check_csrf(request: Request, form: FormData) -> None:
    """Raise CsrfError unless the POST carries the session's token and comes from this page."""
    expected = request.session.get("csrf")
    given = form.get("csrf") or request.headers.get("x-csrf-token") or ""
    if not isinstance(expected, str) or not isinstance(given, str):
        raise CsrfError("no token")
    if not hmac.compare_digest(expected.encode(), given.encode()):
        raise CsrfError("wrong token")
    origin = request.headers.get("origin")
    if origin and origin != "null" and urlsplit(origin).netloc != request.headers.get("host"):
        raise CsrfError("another origin")
    if request.headers.get("sec-fetch-site") == "cross-site":
        raise CsrfError("another site")


# Login --------------------------------------------------------------------------------------------
class LoginLimiter:
    """At most ``attempts`` wrong passwords per address in ``window`` seconds."""

    def __init__(
        self,
        attempts: int = 5,
        window: float = 300.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.attempts = attempts
        self.window = window
        self.monotonic = monotonic
        self.failures: dict[str, deque[float]] = {}
        self.lock = threading.Lock()

    def wait_seconds(self, address: str) -> int:
        """0 when ``address`` may try now, else how long until it may."""
        with self.lock:
            recent = self._recent(address)
            if len(recent) < self.attempts:
                return 0
            return max(1, int(recent[0] + self.window - self.monotonic()) + 1)

    def failed(self, address: str) -> None:
        with self.lock:
            self._recent(address).append(self.monotonic())

    def succeeded(self, address: str) -> None:
        with self.lock:
            self.failures.pop(address, None)

    def _recent(self, address: str) -> deque[float]:
        recent = self.failures.setdefault(address, deque())
        cutoff = self.monotonic() - self.window
        while recent and recent[0] < cutoff:
            recent.popleft()
        return recent


def password_matches(expected: str, given: str) -> bool:
    return hmac.compare_digest(expected.encode(), given.encode())


def signed_in(connection: HTTPConnection) -> bool:
    return connection.session.get("user") is True


def safe_next(target: str | None, default: str = "/") -> str:
    """A path on this site to go back to; anything else (another site, ``//host``) is the default."""
    if (
        not target
        or not target.startswith("/")
        or target.startswith("//")
        or "\\" in target
        or any(ord(c) < 32 or ord(c) == 127 for c in target)  # browsers drop tabs: "/\t/evil"
    ):
        return default
    return target


class Gate:
    """ASGI middleware in front of every page: the host check (no password) or the login check."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        login_required: bool,
        open_path: Callable[[HTTPConnection], bool] = lambda connection: False,
    ) -> None:
        self.app = app
        self.login_required = login_required
        self.open_path = open_path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        connection = HTTPConnection(scope)
        if not self.login_required:
            if not is_local(_hostname(connection.headers.get("host", ""))):
                refusal = PlainTextResponse(
                    "Banco's page answers only at http://127.0.0.1 on this computer.", 421
                )
                await refusal(scope, receive, send)
                return
        elif not (
            signed_in(connection)
            or scope["path"].startswith(OPEN_PATHS)
            or self.open_path(connection)
        ):
            target = scope["path"] + (
                f"?{scope['query_string'].decode()}" if scope["query_string"] else ""
            )
            if scope["method"] not in ("GET", "HEAD"):
                target = "/"
            response = RedirectResponse(f"/login?next={_quote(target)}", status_code=303)
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


def _hostname(host_header: str) -> str:
    try:
        return urlsplit(f"//{host_header}").hostname or ""
    except ValueError:  # "[" and other broken Host headers: not a loopback name
        return ""


def _quote(text: str) -> str:
    return quote(text, safe="/")
