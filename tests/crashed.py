"""What Banco leaves in the outbox when it stops in the middle of sending, for tests that start
from there: a reply handed over by a process that has ended, and so may have been sent."""

from __future__ import annotations

import socket
import subprocess
import sys
from typing import Any


def _ended_process() -> int:
    ended = subprocess.Popen([sys.executable, "-c", "pass"])
    ended.wait()
    return ended.pid


#: a claim held by a process that is gone, as after a crash
DEAD_CLAIM = f"{socket.gethostname()}:{_ended_process()}:crashed"


def crash_while_sending(shop: Any, outbox_id: int) -> None:
    """The state Banco leaves when it stops after handing a reply over and before marking it."""
    shop.store.db.table("outbox").update(
        outbox_id, {"status": "handing_over", "attempts": 1, "claimed_by": DEAD_CLAIM}
    )


def maybe_sent(shop: Any, message_id: int, text: str) -> int:
    """A reply Banco was handing over when it stopped: it may have been sent."""
    from banco.inbox.replies.outbox import deliver, queue_reply

    outbox_id = queue_reply(shop, message_id, text)
    crash_while_sending(shop, outbox_id)
    [result] = deliver(shop, [outbox_id])
    assert result.status == "may_have_been_sent"
    return outbox_id


def outbox_status(shop: Any, outbox_id: int) -> str:
    return str(shop.store.scalar("select status from outbox where id = ?", [outbox_id]))
