"""A reply as an email: headers that keep the conversation together, CRLF line endings.

``In-Reply-To`` names the message answered and ``References`` the whole chain, so the customer's
mail program threads the reply; the subject already carries the order reference (``[B-0042]``)
for clients that drop those headers. An automatic message says so (``Auto-Submitted:
auto-replied``, RFC 3834), so the customer's own auto-responder does not answer it.

Every mail says it is Banco's (``X-Banco: reply`` or ``X-Banco: digest``), so that Banco knows it
when it finds it in a mailbox: the digest lands in the maker's own inbox, and must never be filed
as her reply to the orders it names. The digest is ``Auto-Submitted: auto-generated``: it answers
nobody.
"""

from __future__ import annotations

import email.policy
import re
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime

from banco.connectors.base import Outgoing
from banco.connectors.email.parse import OWN_HEADER

from .keys import is_digest_key

#: the stdlib policy for mail handed to an SMTP server: CRLF line endings
POLICY = email.policy.SMTP
_SAFE_KEY = re.compile(r"[!-;=?-~]+")  # printable ASCII without "<" and ">"


def compose(message: Outgoing, from_address: str, from_name: str, when: datetime) -> bytes:
    """The reply's bytes, as sent and as kept in the Sent folder."""
    mail = EmailMessage(policy=POLICY)
    mail["From"] = _address(from_name, from_address)
    mail["To"] = message.to.value
    mail["Subject"] = message.subject
    mail["Date"] = format_datetime(when)
    mail["Message-ID"] = f"<{message.message_key}>"
    replied = _keys([message.in_reply_to] if message.in_reply_to else [])
    if replied:
        mail["In-Reply-To"] = f"<{replied[0]}>"
    references = _keys(list(message.references))
    if references:
        mail["References"] = " ".join(f"<{key}>" for key in references)
    mail[OWN_HEADER] = message.kind
    if message.kind != "reply":
        mail["Auto-Submitted"] = "auto-generated"
    elif message.auto:
        mail["Auto-Submitted"] = "auto-replied"
    mail.set_content(message.text, cte="quoted-printable")
    if message.html is not None:  # the digest: the same words, laid out for a mail program
        mail.add_alternative(message.html, subtype="html", cte="quoted-printable")
    for attachment in message.attachments:
        if attachment.data is None:
            continue
        maintype, _, subtype = attachment.content_type.partition("/")
        mail.add_attachment(
            attachment.data,
            maintype=maintype or "application",
            subtype=subtype or "octet-stream",
            filename=attachment.filename,
        )
    return mail.as_bytes(policy=POLICY)


def _address(name: str, address: str) -> Address:
    user, _, domain = address.rpartition("@")
    return Address(display_name=name, username=user, domain=domain)


def _keys(keys: list[str]) -> list[str]:
    """Message-IDs fit for a header: real ones only, each once, in order."""
    kept = (k for k in keys if _SAFE_KEY.fullmatch(k) and not is_digest_key(k))
    return list(dict.fromkeys(kept))
