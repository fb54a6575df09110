"""Plan: the next weeks of booked work laid over the working hours, the deadlines at risk, the
orders with no estimate, and the calendar file (``/plan.ics``) for the maker's phone."""

from __future__ import annotations

from starlette.responses import Response
from starlette.routing import Route

from banco.inbox.i18n.catalogs import gettext as _
from banco.inbox.routines.ics import plan_ics
from banco.inbox.routines.plan import (
    PER_DAY,
    PER_LIST,
    Plan,
    build_plan,
    warning_text,
)
from banco.inbox.shop import Shop
from banco.inbox.web.calendar import subscription_address
from banco.inbox.web.context import Ctx, page


def _plan(shop: Shop, calendar: bool = False) -> Plan:
    config = shop.config
    now = shop.clock.now()
    return build_plan(shop.store, config.plan, config.shop.timezone, now, calendar=calendar)


@page
def plan(ctx: Ctx) -> Response:
    laid_out = _plan(ctx.shop)
    weeks = int(ctx.shop.config.plan.get("weeks", 2))
    shown = laid_out.days[: 7 * weeks]
    later_hours, later_until = laid_out.later(len(shown))
    lang = ctx.shop.config.shop.language
    return ctx.render(
        "plan.html",
        title=_("Plan"),
        days=shown,
        warnings=[warning_text(w, lang) for w in laid_out.warnings[:PER_LIST]],
        warnings_total=laid_out.warnings_count,
        unestimated=laid_out.unestimated[:PER_LIST],
        unestimated_total=laid_out.unestimated_count,
        per_day=PER_DAY,
        later_hours=later_hours,
        later_until=later_until,
        subscription=subscription_address(ctx),
    )


@page
def plan_file(ctx: Ctx) -> Response:
    config = ctx.shop.config
    data = plan_ics(
        _plan(ctx.shop, calendar=True),
        config.shop.name,
        config.shop.timezone,
        lang=config.shop.language,
    )
    return Response(
        data,
        media_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": 'inline; filename="plan.ics"'},
    )


routes = [
    Route("/plan", plan, name="plan"),
    Route("/plan.ics", plan_file, name="plan_ics"),
]
