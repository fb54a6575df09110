"""Signing in (when the page has a password) and out: signing out ends every session, on every
device (``sessions.py``)."""

from __future__ import annotations

import secrets
from datetime import timedelta

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from banco.inbox.i18n.catalogs import gettext as _
from banco.inbox.i18n.catalogs import ngettext, speaking
from banco.inbox.web.auth import CsrfError, check_csrf, password_matches, safe_next, signed_in
from banco.inbox.web.context import Web, error_page, render_page


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _form(
    request: Request, web: Web, status: int = 200, problem: str = "", target: str = ""
) -> Response:
    html = render_page(
        web,
        request,
        "login.html",
        title=_("Sign in"),
        problem=problem,
        next=safe_next(target or request.query_params.get("next")),
    )
    return HTMLResponse(html, status_code=status)


async def login(request: Request) -> Response:
    web: Web = request.app.state.web
    if not web.login_required or signed_in(request):
        return RedirectResponse(safe_next(request.query_params.get("next")), status_code=303)
    with speaking(await run_in_threadpool(web.language)):
        return await _sign_in(request, web)


async def _sign_in(request: Request, web: Web) -> Response:
    """The sign-in page, or the password it was sent checked."""
    if request.method == "GET":
        return _form(request, web)
    form = await request.form()
    target = str(form.get("next") or "")
    try:
        check_csrf(request, form)
    except CsrfError:
        return _form(
            request, web, 403, _("The page was out of date; type the password again."), target
        )
    address = _client(request)
    until = web.limiter.may_try_at(address)
    if until is not None:
        minutes = -(-(until - web.clock.now()) // timedelta(minutes=1))
        return _form(
            request,
            web,
            429,
            ngettext(
                "Too many wrong passwords. Wait {n} minute, then try again.",
                "Too many wrong passwords. Wait {n} minutes, then try again.",
                minutes,
            ).format(n=minutes),
            target,
        )
    given = form.get("password")
    expected = await run_in_threadpool(web.password.current)
    ok = (
        isinstance(given, str)
        and expected is not None
        and await run_in_threadpool(password_matches, expected, given)
    )
    if not ok:
        web.limiter.failed(address)
        return _form(request, web, 401, _("That is not the password. Try again."), target)
    web.limiter.succeeded(address)
    request.session.clear()  # a new session on signing in: nothing carried over from before
    request.session["user"] = True
    request.session["csrf"] = secrets.token_urlsafe(32)
    return RedirectResponse(safe_next(target), status_code=303)


async def logout(request: Request) -> Response:
    web: Web = request.app.state.web
    form = await request.form()
    try:
        check_csrf(request, form)
    except CsrfError:
        return error_page(
            web, request, 403, _("This form is out of date."), [_("Reload and try again.")]
        )
    # Every session ends, on every device: the key that signed them is gone (sessions.py).
    await run_in_threadpool(web.sessions.end_all)
    request.session.clear()
    return RedirectResponse("/login" if web.login_required else "/", status_code=303)


routes = [
    Route("/login", login, methods=["GET", "POST"], name="login"),
    Route("/logout", logout, methods=["POST"], name="logout"),
]
