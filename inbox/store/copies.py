"""Copies of one mail: what every copy shares (its copy key), and how many a folder holds.

Different mails may share a Message-ID (contact-form plugins and shop systems reuse one); a copy
of a stored message (in another folder, delivered again, in a renumbered folder) is known by its
Message-ID and its copy key together. Filing (``collect.ingest``) and the migration that keyed the
messages stored before share this one definition.
"""

from __future__ import annotations

import hashlib

from banco.connectors.base import encode_text
from banco.inbox.store.database import Store


def copy_key(
    unreadable_raw: bytes | None, sender: str | None, recipients: str, sent: str, fingerprint: str
) -> str | None:
    """What every copy of a message shares besides its Message-ID (looked up together) and
    another message with that Message-ID does not, as a digest: its sender, recipients (JSON, as
    stored), Date and content (``fingerprint``: subject, text, attachments). Not its bytes: a copy
    in another folder, or delivered again, has other Received headers. An unreadable message
    (``unreadable_raw``) is known by its bytes alone, and without them it has no copy key:
    nothing tells two apart."""
    if unreadable_raw is not None:
        return hashlib.sha256(unreadable_raw).hexdigest()[:32] if unreadable_raw else None
    digest = hashlib.sha256()
    for part in (sender or "", recipients, sent, fingerprint):
        data = encode_text(part)
        digest.update(len(data).to_bytes(4, "big"))
        digest.update(data)
    return digest.hexdigest()[:32]  # 128 bits: a smaller index, still no chance of a clash


def stored_count(store: Store, account: str, stream: str) -> int:
    """How many of a stream's messages Banco holds, to compare with the count at the source:
    those filed from it and the copies of stored messages found in it."""
    return int(
        store.scalar(
            "select (select count(*) from messages where account = ? and stream = ?)"
            " + (select count(*) from message_copies where account = ? and stream = ?)",
            [account, stream, account, stream],
        )
    )
