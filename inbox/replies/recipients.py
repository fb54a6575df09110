"""Who a reply would reach: the one place that decides an address takes no replies.

A bounce's sender (the connectors mark a message ``auto = "bounce"``: a delivery report, or mail
from mailer-daemon or postmaster) is a mail server; a no-reply, noreply or do-not-reply address
is read by nobody. Banco never writes to either by itself (``outbox``); a reply the maker writes
to one is queued only after she is warned and says so.
"""

from __future__ import annotations

import re
from typing import Any

from banco.inbox.i18n.catalogs import _

#: Addresses that never take replies (their automatic answers would start a loop).
NO_REPLY = re.compile(r"^(no-?reply|do-?not-?reply|mailer-daemon|postmaster|bounces?)\b", re.I)


def takes_no_replies(address: str) -> bool:
    """Whether ``address`` is one nobody reads (noreply@, mailer-daemon@, ...)."""
    return bool(NO_REPLY.match(address.partition("@")[0]))


def reply_warning(message: dict[str, Any], address: str) -> str | None:
    """Why a reply to ``message``, sent to ``address``, would reach nobody: a sentence in the
    maker's language; None when a person reads it."""
    if message["auto"] == "bounce":
        return _(
            "This message is a bounce: a reply to {address} reaches a mail server, not a person."
        ).format(address=address)
    if "@" in address and takes_no_replies(address):
        return _("{address} does not take replies: nobody reads what is sent there.").format(
            address=address
        )
    return None
