"""What Banco leaves in the outbox when it stops in the middle of sending, for tests that start
from there: a reply handed over by a process that has ended."""

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
