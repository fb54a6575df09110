"""Time, injected: routines ask a Clock for "now" so that tests can set it instead of waiting."""

from __future__ import annotations

from datetime import UTC, datetime

# One clock for the whole of Banco: the connectors' contract defines it, so that a connector
# and the inbox see the same "now".
from banco.connectors.base import Clock, SystemClock

__all__ = ["Clock", "FixedClock", "SystemClock", "iso", "parse_iso"]


class FixedClock:
    """A clock that shows the time it is given, and moves only when told to."""

    def __init__(self, at: datetime):
        self.at = at

    def now(self) -> datetime:
        return self.at


def iso(moment: datetime | None) -> str | None:
    """How times are written in the store: ISO 8601 in UTC, to the second."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def parse_iso(text: str) -> datetime:
    return datetime.fromisoformat(text)
