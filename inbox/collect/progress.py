"""A one-line progress counter for long collects, shown only on a terminal."""

from __future__ import annotations

import sys
from types import TracebackType
from typing import TextIO


class ProgressLine:
    def __init__(self, stream: TextIO | None = None):
        self.stream = stream or sys.stderr
        self.shown = False

    def update(self, account: str, done: int, remaining: int | None) -> None:
        if not self.stream.isatty():
            return
        total = f" of {done + remaining}" if remaining is not None else ""
        self.stream.write(f"\r\x1b[K{account}: {done}{total} messages collected…")
        self.stream.flush()
        self.shown = True

    def __enter__(self) -> ProgressLine:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self.shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
