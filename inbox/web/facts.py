"""The order page's facts: what is known about the order, what Banco read in the customer's
messages (each with its sentence, a Confirm and a Dismiss button) and a small form to set a fact
(``orders.facts``)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from starlette.responses import Response
from starlette.routing import Route

from banco.inbox.i18n.catalogs import N_
from banco.inbox.i18n.catalogs import gettext as _
from banco.inbox.orders.fact_words import NOT_KNOWN, fact_lines, proposal_words
from banco.inbox.orders.facts import Days, confirm, dismiss, facts_of, pending, set_fact
from banco.inbox.shop import Shop
from banco.inbox.store.facts import Proposal
from banco.inbox.store.orders import LARGEST_ID
from banco.inbox.web.context import Ctx, FormProblem, page
from banco.inbox.web.values import parse_date

#: the facts the form sets, as the page names them
SETTABLE_WORDS = {
    "items": N_("items"),
    "quantity": N_("quantity"),
    "price": N_("price"),
    "deposit": N_("deposit"),
    "method": N_("payment method"),
    "address": N_("shipping address"),
    "quote": N_("quote agreed"),
}


@dataclass(frozen=True)
class ProposalView:
    id: int
    words: str
    sentence: str


@dataclass(frozen=True)
class FactsView:
    """What the page shows: each fact with its value (or "not known"), the pending proposals,
    and the facts the form sets."""

    lines: list[tuple[str, str]]
    proposals: list[ProposalView]
    settable: list[tuple[str, str]]


def facts_view(shop: Shop, order: Mapping[str, Any], day: Callable[[str], str]) -> FactsView:
    facts = facts_of(order, shop.config.shop.currency)
    return FactsView(
        lines=[(label, value or _(NOT_KNOWN)) for label, value in fact_lines(facts, day)],
        proposals=proposal_views(shop, pending(shop, order["id"]), day),
        settable=[(key, _(words)) for key, words in SETTABLE_WORDS.items()],
    )


def proposal_views(
    shop: Shop, proposals: list[Proposal], day: Callable[[str], str]
) -> list[ProposalView]:
    """Proposals as the page says them (the reply session's page shows them too)."""
    currency = shop.config.shop.currency
    return [ProposalView(p.id, proposal_words(p, currency, day), p.sentence) for p in proposals]


@page
def confirm_proposal(ctx: Ctx) -> Response:
    ref = ctx.request.path_params["ref"]
    found = confirm(ctx.shop, ref, _proposal_id(ctx))
    words = proposal_words(found, ctx.shop.config.shop.currency, ctx.f.day)
    return ctx.back(f"/orders/{ref}", _("Confirmed: {what}.").format(what=words))


@page
def dismiss_proposal(ctx: Ctx) -> Response:
    ref = ctx.request.path_params["ref"]
    found = dismiss(ctx.shop, ref, _proposal_id(ctx))
    words = proposal_words(found, ctx.shop.config.shop.currency, ctx.f.day)
    return ctx.back(f"/orders/{ref}", _("Dismissed: {what}.").format(what=words))


@page
def set_order_fact(ctx: Ctx) -> Response:
    ref = ctx.request.path_params["ref"]
    fact = ctx.field("fact")
    if fact not in SETTABLE_WORDS:
        raise FormProblem(_("pick the fact to set"))
    day = parse_date(ctx.field("day"))  # the deposit's arrival, or the quote's sending
    days = Days(received=day if fact == "deposit" else None, on=day if fact == "quote" else None)
    saved = set_fact(ctx.shop, ref, fact, ctx.field("value"), ctx.shop.config.shop.language, days)
    return ctx.back(f"/orders/{saved['ref']}", _("{ref} saved.").format(ref=saved["ref"]))


def _proposal_id(ctx: Ctx) -> int:
    number = int(ctx.request.path_params["proposal_id"])
    return min(number, LARGEST_ID)  # no row has a larger id: it is then no proposal of the order


routes = [
    Route("/orders/{ref:str}/facts", set_order_fact, methods=["POST"]),
    Route(
        "/orders/{ref:str}/proposals/{proposal_id:int}/confirm", confirm_proposal, methods=["POST"]
    ),
    Route(
        "/orders/{ref:str}/proposals/{proposal_id:int}/dismiss", dismiss_proposal, methods=["POST"]
    ),
]
