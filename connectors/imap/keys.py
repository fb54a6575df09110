"""Message keys for mail that has no Message-ID.

The store recognises a message it already holds by ``(account, external_id)``, and, when the
mailbox renumbered its messages (a new UIDVALIDITY) or holds a copy in another folder, by its
Message-ID together with its copy key (sender, recipients, date and content: see
``banco.inbox.collect.ingest.copy_key``). A message without a Message-ID (or one Banco could not read) gets
a key made from a digest of its bytes, so a resync does not import it twice either. The server hands
out the same bytes for the same message, so the key is stable; two byte-identical messages without
Message-ID are kept once (a copy delivered again has other bytes: it is kept as a second message).

Such keys end in ``@no-message-id.invalid`` (a domain that cannot exist) and are never written into
the headers of a reply. ("Digest" here is the hash of the bytes, not Banco's daily digest: the keys
of Banco's own mail are told apart by ``banco.connectors.email.parse``.)
"""

from __future__ import annotations

import hashlib

DIGEST_DOMAIN = "no-message-id.invalid"


def digest_key(raw: bytes) -> str:
    return f"sha256.{hashlib.sha256(raw).hexdigest()[:40]}@{DIGEST_DOMAIN}"


def is_digest_key(key: str) -> bool:
    return key.endswith("@" + DIGEST_DOMAIN)
