"""One request's view of the shop, and the wrapper every page and form goes through.

Each request opens the shop (config checked, its own SQLite connection) in a worker thread and
closes it after, so a slow send never holds up the page and no connection crosses threads. Errors
become pages in plain words: a wrong banco.toml lists its problems, an unknown order is a 404, a
refused action comes back as a message on the page it was made from.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jinja2
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from banco.config import ConfigError
from banco.connectors import ConnectorError, Registry
from banco.inbox.clock import Clock
from banco.inbox.errors import BancoError
from banco.inbox.i18n import catalogs
from banco.inbox.i18n.catalogs import N_, speaking
from banco.inbox.i18n.catalogs import gettext as _
from banco.inbox.orders.pipeline import OrderError
from banco.inbox.shop import Shop
from banco.inbox.store import queries
from banco.inbox.store.database import StoreError
from banco.inbox.web.auth import (
    CsrfError,
    LoginLimiter,
    check_csrf,
    csrf_token,
    safe_next,
    signed_in,
)
from banco.inbox.web.formatting import Formats
from banco.inbox.web.password import PagePassword
from banco.inbox.web.sessions import SessionKey

log = logging.getLogger("banco.web")
TEMPLATES = Path(__file__).parent / "templates"
#: Problems the maker can act on (inbox.errors): said on the page, never as a crash.
REFUSALS = (BancoError, ConnectorError)
CRASH = N_(
    "Banco hit a problem it did not expect. Nothing was lost. Go back and try again; if it happens again, please report it."
)


class FormProblem(Exception):
    """A form value that cannot be used ("-3 hours"); said back to the maker."""


class NotFound(Exception):
    """The page asks for something that is not there (a message id, a file)."""


@dataclass
class Web:
    """What every request shares: where the shop is, how to open it, the login state."""

    home: Path
    clock: Clock
    registry: Registry
    password: PagePassword
    sessions: SessionKey
    templates: jinja2.Environment
    limiter: LoginLimiter
    #: the address the page listens on (a loopback one: this computer only)
    host: str = "127.0.0.1"
    #: one-time tokens of reply forms already sent (a double click must not answer twice)
    used_nonces: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def login_required(self) -> bool:
        return self.password.required

    @property
    def secret(self) -> str:
        """The shop's own secret (``web-secret``): it signs the calendar link."""
        return self.sessions.secret

    def open_shop(self) -> Shop:
        return Shop.open(self.home, clock=self.clock, registry=self.registry)

    def language(self) -> str:
        """The maker's language, for a page that opens no shop (signing in, a missing page): the
        one banco.toml names, even when it needs fixing; else the current one."""
        try:
            shop = self.open_shop()
        except ConfigError as e:
            return e.language or catalogs.current_language()
        except StoreError:
            return catalogs.current_language()
        try:
            return shop.config.shop.language
        finally:
            shop.close()

    def use_nonce(self, nonce: str) -> bool:
        """True the first time ``nonce`` is used."""
        with self.lock:
            if not nonce or nonce in self.used_nonces:
                return False
            self.used_nonces.add(nonce)
            return True


def environment() -> jinja2.Environment:
    """The templates, their words looked up in the catalog of the language each page is rendered in."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
        extensions=["jinja2.ext.i18n"],
    )
    env.policies["ext.i18n.trimmed"] = True
    env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=catalogs.gettext, ngettext=catalogs.ngettext, newstyle=True
    )
    return env


@dataclass
class Ctx:
    request: Request
    web: Web
    shop: Shop
    form: FormData | None

    @property
    def f(self) -> Formats:
        return Formats(self.shop)

    @property
    def session(self) -> dict[str, Any]:
        return self.request.session

    def field(self, name: str, default: str = "") -> str:
        value = self.form.get(name, default) if self.form is not None else default
        return value.strip() if isinstance(value, str) else default

    def query(self, name: str, default: str = "") -> str:
        return self.request.query_params.get(name, default).strip()

    @property
    def wants_json(self) -> bool:
        return "application/json" in self.request.headers.get("accept", "")

    def flash(self, text: str, kind: str = "ok") -> None:
        self.session.setdefault("flash", []).append([kind, text])

    def back(self, default: str, text: str = "", kind: str = "ok") -> Response:
        """Where a form goes after it is done: its ``next`` field, else ``default``."""
        if text:
            self.flash(text, kind)
        return RedirectResponse(safe_next(self.field("next"), default), status_code=303)

    def render(
        self,
        template: str,
        *,
        code: int = 200,
        headers: dict[str, str] | None = None,
        **values: Any,
    ) -> HTMLResponse:
        waiting = queries.waiting_count(self.shop.store)
        html = render_page(
            self.web,
            self.request,
            template,
            shop_name=self.shop.config.shop.name,
            lang=self.shop.config.shop.language,
            f=self.f,
            waiting_count=waiting,
            **values,
        )
        return HTMLResponse(html, status_code=code, headers=headers)


def render_page(web: Web, request: Request, template: str, **values: Any) -> str:
    """A page without a shop too (the login page, a broken banco.toml)."""
    values.setdefault("shop_name", "Banco")
    values.setdefault("lang", catalogs.current_language())
    values.setdefault("waiting_count", None)
    with speaking(values["lang"]):
        return web.templates.get_template(template).render(
            request=request,
            path=request.url.path,
            csrf=csrf_token(request.session),
            flashes=request.session.pop("flash", []),
            signed_in=signed_in(request),
            login_required=web.login_required,
            **values,
        )


def error_page(web: Web, request: Request, status: int, title: str, lines: list[str]) -> Response:
    if "application/json" in request.headers.get("accept", ""):
        return JSONResponse({"ok": False, "error": " ".join([title, *lines])}, status_code=status)
    html = render_page(web, request, "error.html", title=title, lines=lines)
    return HTMLResponse(html, status_code=status)


Handler = Callable[[Ctx], Response]
Endpoint = Callable[[Request], Awaitable[Response]]


def page(handler: Handler) -> Endpoint:
    """Turn ``handler(ctx)`` into an endpoint: the form read and its CSRF token checked (POST),
    then the handler run in a worker thread with the shop open."""

    async def endpoint(request: Request) -> Response:
        web: Web = request.app.state.web
        form = None
        if request.method == "POST":
            form = await request.form()
            try:
                check_csrf(request, form)
            except CsrfError:
                return error_page(
                    web,
                    request,
                    403,
                    _("This form is out of date."),
                    [_("Go back, reload the page and try again. Nothing was changed.")],
                )
        return await run_in_threadpool(_run, handler, web, request, form)

    endpoint.__name__ = handler.__name__
    return endpoint


def _run(handler: Handler, web: Web, request: Request, form: FormData | None) -> Response:
    try:
        shop = web.open_shop()
    except ConfigError as e:  # said in the language banco.toml names, if it got that far
        with speaking(e.language or catalogs.current_language()):
            lines = [catalogs.said(line) for line in e.lines]
            return error_page(
                web,
                request,
                500,
                _("banco.toml needs fixing."),
                [*lines, _("Fix it, then reload.")],
            )
    except StoreError as e:
        return error_page(web, request, 500, _("Banco cannot open its store."), [str(e)])
    ctx = Ctx(request, web, shop, form)
    with speaking(shop.config.shop.language):
        return _answer(handler, ctx)


def _answer(handler: Handler, ctx: Ctx) -> Response:
    """The handler's page, or its refusal said plainly; the shop is closed after."""
    web, request, form, shop = ctx.web, ctx.request, ctx.form, ctx.shop
    try:
        return handler(ctx)
    except NotFound as e:
        return error_page(web, request, 404, _("Not found."), [str(e)])
    except (*REFUSALS, FormProblem) as e:
        if form is None:
            status = 404 if isinstance(e, OrderError) else 400
            return error_page(web, request, status, _("That did not work."), [sentence(e)])
        if ctx.wants_json:
            return JSONResponse({"ok": False, "error": sentence(e)}, status_code=400)
        referer = request.headers.get("referer", "")
        return ctx.back(_local_path(referer) or "/", sentence(e), "error")
    except Exception as e:  # never a traceback on the page: say it plainly, log the details
        log.exception("the page %s failed", request.url.path)
        return error_page(web, request, 500, _(CRASH), [f"({type(e).__name__}: {e})"])
    finally:
        shop.close()


def sentence(error: Exception) -> str:
    """A refusal as one sentence for the maker: capitalised, with its full stop."""
    text = catalogs.said(error).strip() or type(error).__name__
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


def _local_path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "") if parts.path else ""
