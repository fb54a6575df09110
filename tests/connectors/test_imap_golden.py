"""Golden files through a real Dovecot: ``tests/data/imap/NAME.eml`` is delivered into a Maildir,
read back over IMAP by the connector, and must give the record in ``NAME.json``.

This covers what the transport adds to the parser: CRLF from the server, the UID-based id, the
arrival time when the Date header is missing or wrong, a key for mail without a Message-ID, the
size limit (``oversize_*`` files exceed it), and messages the parser cannot read, kept as they came.

Regenerate after a deliberate change with ``BANCO_UPDATE_GOLDEN=1 pytest tests/connectors/test_imap_golden.py``
and review the diff.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from fixtures_imap import Mailbox

from banco.connectors.base import Person, Record

DATA = Path(__file__).parent.parent / "data" / "imap"
CASES = sorted(DATA.glob("*.eml"))
#: the files' arrival times: 2026-11-15 09:00 UTC, one second apart
ARRIVED = 1_794_733_200
#: smaller than the oversize_* files, larger than every other one
LIMIT_MB = 0.01


def person(p: Person | None) -> dict[str, Any] | None:
    if p is None:
        return None
    return {"name": p.name, "handles": [[h.kind, h.value] for h in p.handles]}


def summary(record: Record, uidvalidity: int) -> dict[str, Any]:
    return {
        "external_id": record.external_id.replace(f"/{uidvalidity}/", "/UIDVALIDITY/"),
        "direction": record.direction,
        "status": record.status,
        "problem": record.problem,
        "size": record.size,
        "sent_at": record.sent_at.isoformat() if record.sent_at else None,
        "sender": person(record.sender),
        "recipients": [person(p) for p in record.recipients],
        "subject": record.subject,
        "message_key": record.message_key,
        "reply_keys": list(record.reply_keys),
        "auto": record.auto,
        "text": record.text,
        "attachments": [
            {"filename": a.filename, "content_type": a.content_type, "size": a.size}
            for a in record.attachments
        ],
    }


def lf(data: bytes) -> bytes:
    return data.replace(b"\r\n", b"\n")


def as_served(data: bytes) -> bytes:
    """The file as IMAP carries it: Dovecot sends a NUL byte as 0x80 (a literal cannot hold NUL)."""
    return lf(data).replace(b"\0", b"\x80")


def test_every_golden_file_reads_back_as_its_json(mailbox: Mailbox) -> None:
    assert len(CASES) >= 20
    mailbox.deliver_in_order("INBOX", [path.read_bytes() for path in CASES], mtime=ARRIVED)
    connector = mailbox.connector(max_message_mb=LIMIT_MB)
    try:
        records = [record for page in connector.fetch({}) for record in page.records]
    finally:
        connector.close()
    assert len(records) == len(CASES)
    uidvalidity = int(records[0].external_id.split("/")[1])
    update = os.environ.get("BANCO_UPDATE_GOLDEN") == "1"
    for uid, (path, record) in enumerate(zip(CASES, records, strict=True), start=1):
        assert record.external_id == f"INBOX/{uidvalidity}/{uid}"
        original = path.read_bytes()
        if record.status == "too_large":
            assert path.stem.startswith("oversize")
            assert original.startswith(lf(record.raw)) and record.size > LIMIT_MB * 2**20
        else:
            assert lf(record.raw) == as_served(original), f"{path.name} did not come back as stored"
        got = summary(record, uidvalidity)
        golden = path.with_suffix(".json")
        if update:
            golden.write_text(
                json.dumps(got, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
            )
        assert got == json.loads(golden.read_text(encoding="utf-8")), path.name
