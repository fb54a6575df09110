"""Counting what a view asks the store: every statement a connection runs inside a block (a
sqlite3 trace callback), for the tests that hold a view to a bounded number of statements."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def counted(connection: sqlite3.Connection) -> Iterator[list[str]]:
    """Every statement ``connection`` runs inside the block."""
    ran: list[str] = []
    connection.set_trace_callback(ran.append)
    try:
        yield ran
    finally:
        connection.set_trace_callback(None)
