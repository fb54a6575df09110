"""Today: the daily digest, live, every line a link to what it is about; in the digest's order
and, like it, each section its first ``SECTION_ROWS`` rows and a link to the page of them all."""

from __future__ import annotations

from starlette.responses import Response
from starlette.routing import Route

from banco.inbox.i18n.catalogs import gettext as _
from banco.inbox.routines.digest import SECTION_ROWS
from banco.inbox.routines.digest_delivery import daily_digest
from banco.inbox.web.accounts import outbox_problems
from banco.inbox.web.context import Ctx, page


@page
def today(ctx: Ctx) -> Response:
    digest = daily_digest(ctx.shop)
    return ctx.render(
        "today.html",
        d=digest,
        outbox=outbox_problems(ctx.shop),
        cap=SECTION_ROWS,
        title=_("Today"),
    )


routes = [Route("/", today, name="today")]
