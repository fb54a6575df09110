"""Who may use the page, and proof that a form came from it.

* Sessions: signed cookies whose key follows the password and ends with signing out
  (``sessions.py``).
* CSRF: every session holds a random token; every POST must carry it (a hidden ``csrf`` field, or
  the ``X-CSRF-Token`` header for Banco's own script) and, when the browser says where it comes
  from, come from this page's own origin. This holds on loopback too.
* Login: with a password, every page but the login page needs a signed-in session. Wrong passwords
  are limited per connecting address (``LoginLimiter``); the address is the one the connection
  came from, or the one a trusted proxy forwards (``[web] trusted_proxies``; uvicorn reads it).
* Without a password the page answers only to the loopback names (127.0.0.1, localhost, [::1]), so a
  web site cannot reach it by pointing a name of its own at 127.0.0.1 (DNS rebinding).
"""

from __future__ import annotations

import hmac
import secrets
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote, urlsplit

from starlette.datastructures import FormData
from starlette.requests import HTTPConnection, Request
from starlette.responses import PlainTextResponse, RedirectResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from banco.inbox.clock import Clock

#: A day without a wrong password from an address starts its count again.
FORGET = timedelta(days=1)
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
#: Reached without signing in: the login page itself and Banco's own CSS, script and icon.
OPEN_PATHS = ("/login", "/static/")


class CsrfError(Exception):
    """A POST without this page's token (an old form, or another site trying)."""


def is_local(host: str) -> bool:
    """True for the loopback names the page may serve without a password."""
    return host.strip("[]").lower() in LOCAL_HOSTS


def sign(secret: str, purpose: str) -> str:
    """A stable token for ``purpose`` (the calendar link), valid as long as the secret."""
    return hmac.new(secret.encode(), purpose.encode(), "sha256").hexdigest()[:32]


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
    """Wrong passwords per connecting address: ``free`` of them, then a wait before each next try
    that doubles with every further wrong one (5 minutes, 10, 20, ... at most ``longest``). A right
    password, or a day without a wrong one, starts the count again. Time is the page's clock."""

    def __init__(
        self,
        clock: Clock,
        free: int = 5,
        first_wait: timedelta = timedelta(minutes=5),
        longest: timedelta = timedelta(hours=1),
    ) -> None:
        self.clock = clock
        self.free = free
        self.first_wait = first_wait
        self.longest = longest
        #: address -> (wrong passwords in a row, when the last one came)
        self.failures: dict[str, tuple[int, datetime]] = {}
        self.lock = threading.Lock()

    def may_try_at(self, address: str) -> datetime | None:
        """When ``address`` may try again; None when it may try now."""
        with self.lock:
            count, last = self.failures.get(address, (0, self.clock.now()))
            if count < self.free:
                return None
            doublings = min(count - self.free, 16)  # past ``longest`` already; no overflow
            until = last + min(self.first_wait * 2**doublings, self.longest)
            return until if self.clock.now() < until else None

    def failed(self, address: str) -> None:
        now = self.clock.now()
        with self.lock:
            # Forget addresses quiet for a day, so a stream of new ones cannot fill the memory.
            for old in [a for a, (_, last) in self.failures.items() if now - last > FORGET]:
                del self.failures[old]
            count, _last = self.failures.get(address, (0, now))
            self.failures[address] = (count + 1, now)

    def succeeded(self, address: str) -> None:
        with self.lock:
            self.failures.pop(address, None)


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
