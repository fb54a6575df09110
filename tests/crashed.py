"""What Banco leaves in the outbox when it stops in the middle of sending, for tests that start
from there: a reply handed over by a process that has ended, and so may have been sent."""

from __future__ import annotations

import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
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


BANCO = [sys.executable, "-c", "from banco.inbox.cli.main import main; main()"]


def stored(home: Path) -> int:
    try:
        with sqlite3.connect(f"file:{home / 'banco.db'}?mode=ro", uri=True, timeout=5) as db:
            return int(db.execute("select count(*) from messages").fetchone()[0])
    except sqlite3.OperationalError:  # not created yet, or the schema is still being written
        return 0


def collect_until_killed(home: Path, at_least: int) -> None:
    """Start `banco collect`, and SIGKILL it as soon as ``at_least`` messages are stored."""
    proc = subprocess.Popen(
        [*BANCO, "--home", str(home), "collect"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    try:
        while stored(home) < at_least and proc.poll() is None:
            assert time.monotonic() < deadline, "collect made no progress"
            time.sleep(0.005)  # polling the store for progress, not waiting for time to pass
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
