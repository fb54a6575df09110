"""Reading ahead: the next pages are fetched and parsed while Banco stores the current one.

The source runs in a thread and hands its items over through a small queue, in order, so the
pages, their cursors and the contract are the same as without it; only the waiting overlaps (the
socket and SQLite both let the other thread run). An error in the source is raised where the
consumer takes the next item. When the consumer stops early, the source is stopped too.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from queue import Empty, Full, Queue
from typing import Generic, TypeVar

T = TypeVar("T")

#: how often a blocked hand-over looks whether the consumer has gone
_POLL_SECONDS = 0.05


class _End:
    """The source is exhausted."""


class _Failed:
    def __init__(self, error: BaseException) -> None:
        self.error = error


class ReadAhead(Generic[T]):
    def __init__(self, source: Iterator[T], depth: int, interrupt: Callable[[], None]) -> None:
        """``interrupt`` unblocks the source if it waits on the network after the consumer left."""
        self.source = source
        self.queue: Queue[T | _End | _Failed] = Queue(maxsize=depth)
        self.stopped = threading.Event()
        self.interrupt = interrupt
        self.thread = threading.Thread(
            target=self._produce, name="banco-imap-read-ahead", daemon=True
        )

    def __iter__(self) -> Iterator[T]:
        self.thread.start()
        try:
            while True:
                item = self.queue.get()
                if isinstance(item, _End):
                    return
                if isinstance(item, _Failed):
                    raise item.error
                yield item
        finally:
            self._stop()

    def _produce(self) -> None:
        try:
            for item in self.source:
                if not self._hand_over(item):
                    return
            self._hand_over(_End())
        except BaseException as e:  # handed to the consumer, which raises it in its own thread
            self._hand_over(_Failed(e))
        finally:
            close = getattr(self.source, "close", None)
            if close is not None:
                close()

    def _hand_over(self, item: T | _End | _Failed) -> bool:
        """Put ``item`` in the queue; False when the consumer has gone."""
        while not self.stopped.is_set():
            try:
                self.queue.put(item, timeout=_POLL_SECONDS)
                return True
            except Full:
                continue
        return False

    def _stop(self) -> None:
        self.stopped.set()
        self.thread.join(_POLL_SECONDS * 4)
        if self.thread.is_alive():  # waiting on the server: cut the connection under it
            self.interrupt()
            self.thread.join()
        while True:  # let go of pages read ahead and never taken
            try:
                self.queue.get_nowait()
            except Empty:
                return


def read_ahead(source: Iterator[T], depth: int, interrupt: Callable[[], None]) -> Iterator[T]:
    """``source``'s items, produced ``depth`` ahead in a thread (in the caller's thread at 0)."""
    if depth <= 0:
        return source
    return iter(ReadAhead(source, depth, interrupt))
