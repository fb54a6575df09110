"""The web page's application: routes, middleware and error pages, put together for one shop."""

from __future__ import annotations

import hmac
import logging
from pathlib import Path

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import HTTPConnection, Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from banco.config import Secret, load_config
from banco.connectors import Registry, load_registry
from banco.inbox.clock import Clock, SystemClock
from banco.inbox.i18n.catalogs import N_, speaking
from banco.inbox.i18n.catalogs import gettext as _
from banco.inbox.shop import CONFIG_NAME
from banco.inbox.store.database import Store
from banco.inbox.web import (
    accounts,
    board,
    customers,
    facts,
    inbox,
    login,
    plan,
    senders,
    session,
    today,
)
from banco.inbox.web.auth import Gate, LoginLimiter
from banco.inbox.web.calendar import calendar_key
from banco.inbox.web.context import CRASH, Web, environment, error_page
from banco.inbox.web.password import PagePassword
from banco.inbox.web.safety import SecurityHeaders
from banco.inbox.web.sessions import SessionKey, Sessions

log = logging.getLogger("banco.web")
STATIC = Path(__file__).parent / "static"
HTTP_WORDS = {
    403: N_("You cannot do that here."),
    404: N_("There is no such page."),
    405: N_("That page does not take this kind of request."),
}


def create_app(
    home: Path,
    clock: Clock | None = None,
    registry: Registry | None = None,
    password: str | None = None,
    host: str = "127.0.0.1",
) -> Starlette:
    """Banco's page for the shop in ``home``. With a ``password``, every page needs signing in;
    without one it answers only on the loopback names (``serve`` makes sure of that). A new
    password in banco.toml replaces ``password`` at the next request (``password.py``)."""
    home = Path(home)
    Store(home).close()  # the store's migrations run once now, not in two requests at a time
    clock = clock or SystemClock()
    registry = registry or load_registry()
    config = home / CONFIG_NAME

    def configured_password() -> Secret | None:
        password: Secret | None = load_config(config, registry.options()).web["password"]
        return password

    page_password = PagePassword(password or None, config, configured_password)
    web = Web(
        home=home,
        clock=clock,
        registry=registry,
        password=page_password,
        sessions=SessionKey(home, page_password.current),
        templates=environment(),
        limiter=LoginLimiter(clock),
        host=host,
    )
    calendar = calendar_key(web.secret)

    def calendar_with_key(connection: HTTPConnection) -> bool:
        given = connection.query_params.get("key", "")
        return connection.url.path == "/plan.ics" and hmac.compare_digest(
            given.encode(), calendar.encode()
        )

    async def http_error(request: Request, exc: Exception) -> Response:
        status = exc.status_code if isinstance(exc, HTTPException) else 500
        with speaking(await run_in_threadpool(web.language)):
            return error_page(
                web, request, status, _(HTTP_WORDS.get(status, N_("Something went wrong."))), []
            )

    async def crash(request: Request, exc: Exception) -> Response:
        # Pages catch their own failures (context.page); this is for the machinery around them.
        log.error("the page %s failed: %s: %s", request.url.path, type(exc).__name__, exc)
        return PlainTextResponse(CRASH, status_code=500)

    app = Starlette(
        routes=[
            *today.routes,
            *inbox.routes,
            *board.routes,
            *facts.routes,
            *customers.routes,
            *session.routes,
            *senders.routes,
            *plan.routes,
            *accounts.routes,
            *login.routes,
            Mount("/static", StaticFiles(directory=STATIC), name="static"),
        ],
        middleware=[
            Middleware(SecurityHeaders),
            Middleware(Sessions, key=web.sessions),
            Middleware(Gate, login_required=web.login_required, open_path=calendar_with_key),
        ],
        exception_handlers={HTTPException: http_error, Exception: crash},
    )
    app.state.web = web
    return app
