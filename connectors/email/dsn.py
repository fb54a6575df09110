"""What a bounce says: which mail came back and which addresses failed.

A delivery status notification (RFC 3464: ``multipart/report; report-type=delivery-status``)
carries a ``message/delivery-status`` part, one block per recipient (``Final-Recipient: rfc822;
ann@example.com`` and ``Action: failed``), and the returned mail, whole (``message/rfc822``) or
its headers alone (``text/rfc822-headers``), with its Message-ID. Mail servers that write no
report (older Exim and qmail) quote the returned headers in the text: the Message-ID is looked
for there too, and the failed addresses in ``<address>:`` lines."""

from __future__ import annotations

import email
import email.policy
import re
from dataclasses import dataclass
from email.message import Message

_MESSAGE_ID = re.compile(r"^message-id:\s*<([^>\s]+)>", re.I | re.M)
_RECIPIENT = re.compile(r"^\s*final-recipient:\s*[\w-]+\s*;\s*<?([^\s<>]+@[^\s<>]+)>?", re.I | re.M)
_FAILED_LINE = re.compile(r"^\s*<([^\s<>]+@[^\s<>]+)>:", re.M)


@dataclass(frozen=True)
class Returned:
    """The Message-ID of the mail a bounce returned (without brackets, as Banco stores it), if
    it says, and the addresses it could not reach, lower-case."""

    message_key: str | None
    failed: tuple[str, ...]


def returned(raw: bytes) -> Returned:
    """Read a bounce's bytes; an unreadable part yields what the others say."""
    msg = email.message_from_bytes(raw, policy=email.policy.compat32)
    key: str | None = None
    failed: list[str] = []
    texts: list[str] = []
    for part in msg.walk():
        content_type = part.get_content_type()
        if content_type == "message/delivery-status":
            failed += _final_recipients(part)
        elif content_type == "message/rfc822":
            inner = part.get_payload()
            if isinstance(inner, list) and inner and isinstance(inner[0], Message):
                key = key or _key(inner[0].get("message-id", ""))
        elif content_type in ("text/rfc822-headers", "text/plain"):
            texts.append(_text(part))
    for text in texts:
        match = _MESSAGE_ID.search(text)
        key = key or (match[1] if match else None)
        if not failed:
            failed += [m.lower() for m in _FAILED_LINE.findall(text)]
    return Returned(key, tuple(dict.fromkeys(a.lower() for a in failed)))


def _final_recipients(part: Message) -> list[str]:
    """The failed recipients of a delivery-status part (its blocks read as header groups)."""
    payload = part.get_payload()
    blocks = payload if isinstance(payload, list) else []
    text = "\n".join(str(b) for b in blocks if isinstance(b, Message)) or _text(part)
    found = []
    for block in re.split(r"\n\s*\n", text):
        recipient = _RECIPIENT.search(block)
        action = re.search(r"^\s*action:\s*(\w+)", block, re.I | re.M)
        if recipient and (action is None or action[1].lower() == "failed"):
            found.append(recipient[1])
    return found


def _key(value: str) -> str | None:
    match = re.search(r"<([^>\s]+)>", value)
    return match[1] if match else (value.strip() or None)


def _text(part: Message) -> str:
    data = part.get_payload(decode=True)
    if isinstance(data, bytes):
        return data.decode(part.get_content_charset() or "utf-8", "replace")
    payload = part.get_payload()
    return payload if isinstance(payload, str) else ""
