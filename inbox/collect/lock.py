"""One collect at a time in a shop: `banco run`'s and a manual `banco collect` never run together.

The lock is ``flock`` on ``collect.lock`` in the shop folder. The kernel lets it go when the
process holding it ends, however it ends (a kill -9, a power cut), so a crash never leaves the
shop locked and there is no stale lock to clear. The holder writes when it started in the file,
for the second collect to say. The second one does not wait: what it would collect, the first
one is collecting, and a terminal that hangs for minutes says less than one line.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager

from babel.dates import format_datetime

from banco.inbox.clock import parse_iso
from banco.inbox.errors import WillRetry
from banco.inbox.i18n.catalogs import _, current_language
from banco.inbox.i18n.money import locale_of
from banco.inbox.shop import Shop
from banco.inbox.store.database import store_error

LOCK_NAME = "collect.lock"


class CollectRunning(WillRetry):
    """Another collect of this shop is running; this one did nothing."""


@contextmanager
def collecting(shop: Shop) -> Iterator[None]:
    """Hold the shop's collect lock for the block, or raise CollectRunning at once."""
    path = shop.home / LOCK_NAME
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as e:  # a read-only shop folder: said as the store's problem
        raise (store_error(e, shop.home) or e) from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise CollectRunning(_running(shop, os.pread(fd, 100, 0))) from None
        _note_start(fd, shop.clock.now().isoformat())
        yield
    finally:
        os.close(fd)  # lets the lock go


def _note_start(fd: int, started: str) -> None:
    try:
        os.ftruncate(fd, 0)
        os.pwrite(fd, started.encode(), 0)
    except OSError:  # a full disk: the lock holds all the same, only the time is not said
        pass


def _running(shop: Shop, note: bytes) -> str:
    try:
        started = parse_iso(note.decode()).astimezone(shop.config.shop.timezone)
    except ValueError:  # its start not written (a full disk) or cut short
        return _("A collect is already running; what it collects shows in Banco when it ends.")
    when = format_datetime(started, "d MMM y HH:mm", locale=locale_of(current_language()))
    return _(
        "A collect is already running (started {when}); what it collects shows in Banco when"
        " it ends."
    ).format(when=when)
