"""One ``banco run`` per shop: an advisory lock on ``banco.lock``, released when the process ends
(even when it is killed), holding the process id for the message a second one shows."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

LOCK_NAME = "banco.lock"


class ShopLock:
    def __init__(self, home: Path):
        self.path = home / LOCK_NAME
        self.fd: int | None = None

    def acquire(self) -> int | None:
        """Take the lock. Returns None on success, else the process id that holds it."""
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 32).decode(errors="replace").strip()
            os.close(fd)
            return int(holder) if holder.isdigit() else -1
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        self.fd = fd
        return None

    def release(self) -> None:
        if self.fd is not None:
            os.ftruncate(self.fd, 0)
            os.close(self.fd)  # closing drops the lock
            self.fd = None
