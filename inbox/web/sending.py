"""What the maker is told around Send: how a reply would go out (or why none can), what became of
one just handed to its channel, and when a scheduled one goes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from banco.config import ConfigError
from banco.inbox.i18n.catalogs import gettext as _
from banco.inbox.replies.outbox import STATE_WORDS, Delivery, cannot_send_reason, deliver, route
from banco.inbox.replies.recipients import marketplace_refusal
from banco.inbox.replies.session import send_time as read_time
from banco.inbox.replies.when import WhenError
from banco.inbox.shop import Shop
from banco.inbox.store.outbox import ReplyState, recipient, reply_state
from banco.inbox.store.queries import message_row
from banco.inbox.web.formatting import Formats


def delivery_words(shop: Shop, delivery: Delivery) -> tuple[str, str]:
    """(sentence, "ok" or "error") for one reply just handed to its channel: every state a
    delivery can leave it in, said as what will really happen next."""
    row = recipient(shop.store, delivery.outbox_id)
    if row is None:
        return _("The reply is gone from the outbox."), "error"
    who = row["name"] or Formats.recipient(row)
    how = Formats.channel(row["channel"])
    if delivery.status == "sent":
        return _("Sent to {who} by {how}.").format(who=who, how=how), "ok"
    if delivery.status == "queued":
        return (
            _(
                "Not sent yet: {problem}. It stays in the outbox; Banco tries again at the"
                " next collect."
            ).format(problem=delivery.error),
            "error",
        )
    if delivery.status == "elsewhere":
        return _("Another Banco window is sending it right now."), "ok"
    if delivery.status == "failed":
        return (
            _(
                "{how} refused the reply to {who}: {problem}. Nothing went out;"
                " send it again or cancel it on the Accounts page."
            ).format(how=how[:1].upper() + how[1:], who=who, problem=delivery.error),
            "error",
        )
    if delivery.status == "may_have_been_sent":  # never sent again by itself: she decides
        return (
            _(
                "The reply to {who} may have gone out ({problem}). Look in the chat or your"
                " Sent folder, then choose Send again or It went out: mark sent; Banco never sends"
                " it again by itself."
            ).format(who=who, problem=delivery.error),
            "error",
        )
    state = STATE_WORDS.get(delivery.status)
    words = _(state) if state else delivery.status
    return _("The reply to {who} is {state}.").format(who=who, state=words), "error"


def send_time(shop: Shop, scheduled: bool, when: str) -> datetime | None:
    """When a reply written on a form goes: now (None), or at the time written beside Schedule
    ("tomorrow 09:00", "domani 9"). A time written there is never ignored, whichever button
    sent the form (Enter in a field presses the form's first button when scripts are off).
    Raises WhenError in one plain sentence."""
    if not scheduled and not when:
        return None
    if not when:
        raise WhenError(_("Write when the reply should go, such as tomorrow 09:00"))
    return read_time(shop, when)


def hand_over(shop: Shop, outbox_id: int, send_at: datetime | None) -> tuple[str, str]:
    """A reply just queued: sent now, or left for its time. (sentence, "ok" or "error")"""
    if send_at is not None:
        when = Formats(shop).when(send_at)
        return (
            _("Scheduled for {when}; you can cancel it on the Accounts page until then.").format(
                when=when
            ),
            "ok",
        )
    for result in deliver(shop, [outbox_id]):
        return delivery_words(shop, result)
    # Another delivery (a collect in ``banco run``) took it and finished first: say how it ended.
    state = reply_state(shop.store, outbox_id) or ReplyState(status="", error=None)
    return delivery_words(shop, Delivery(outbox_id, state["status"], state["error"] or ""))


@dataclass(frozen=True)
class Route:
    """How a reply to a message would go out: the account, the channel and to whom; or, when no
    account can send it, why (``why``), said before Send instead of offering it."""

    account: str
    channel: str
    to: str
    why: str = ""

    @property
    def sends(self) -> bool:
        return not self.why


def replyroute(shop: Shop, message: dict[str, Any]) -> Route:
    """The outbox's own routing (``outbox.route``), to say it before the maker presses Send."""
    row = message_row(shop.store, message["id"]) or message
    try:
        found = route(shop, row)
    except ConfigError:  # the account was removed from banco.toml since the message came
        found = None
    if found is None:  # queue_reply refuses it too, with the same sentence
        why = cannot_send_reason(row)
        to = row["sender_handle"] or ""
        # a marketplace's buyer is answered there: its own sentence, with the link
        there = marketplace_refusal(shop.store, row["id"])
        return Route(row["account"], row["channel"], to, there or f"{why[0].upper()}{why[1:]}.")
    account, channel, to = found
    return Route(account, channel, to.value)
