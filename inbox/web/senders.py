"""Senders: the maker's answers about senders (order / not an order / never a customer), each
changed or forgotten here as with ``banco senders`` (see orders/senders.py)."""

from __future__ import annotations

from starlette.responses import Response
from starlette.routing import Route

from banco.inbox.i18n.catalogs import gettext as _
from banco.inbox.orders.senders import ANSWER_WORDS, change
from banco.inbox.store.senders import DOMAIN, Answer, all_answers, forget
from banco.inbox.web.context import Ctx, FormProblem, page

HOME = "/senders"


@page
def senders(ctx: Ctx) -> Response:
    rows = [
        {
            "kind": row.kind,
            "value": row.value,
            "who": "@" + row.value if row.kind == DOMAIN else row.value,
            "answer": str(row.answer),
            "decided_at": row.decided_at,
        }
        for row in all_answers(ctx.shop.store)
    ]
    return ctx.render(
        "senders.html",
        title=_("Senders"),
        rows=rows,
        answers=[(str(a), _(words)) for a, words in ANSWER_WORDS.items()],
    )


def _about(ctx: Ctx) -> tuple[str, str]:
    kind, value = ctx.field("kind"), ctx.field("value")
    if not kind or not value:
        raise FormProblem(_("pick an answer"))
    return kind, value


@page
def set_answer(ctx: Ctx) -> Response:
    kind, value = _about(ctx)
    try:
        answer = Answer(ctx.field("answer"))
    except ValueError:
        raise FormProblem(_("pick an answer")) from None
    shop = ctx.shop
    decided = change(
        shop.store, shop.clock.now(), shop.config.shop.order_prefix, kind, value, answer
    )
    done = [_("{who}: {answer}.").format(who=value, answer=_(ANSWER_WORDS[answer]))]
    done += [_("Opened {ref} from their conversation.").format(ref=ref) for ref in decided.opened]
    return ctx.back(HOME, " ".join(done))


@page
def forget_answer(ctx: Ctx) -> Response:
    kind, value = _about(ctx)
    forget(ctx.shop.store, kind, value)
    return ctx.back(
        HOME, _("Forgotten: the next new message from {who} is triaged again.").format(who=value)
    )


routes = [
    Route(HOME, senders, name="senders"),
    Route(f"{HOME}/set", set_answer, methods=["POST"]),
    Route(f"{HOME}/forget", forget_answer, methods=["POST"]),
]
