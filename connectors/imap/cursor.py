"""Where the sync of one folder stands, as saved by the store after each page.

    {"uidvalidity": 1795365637, "last_uid": 4200, "since": "2026-08-22", "messages": 4180,
     "highestmodseq": 9050}

* ``uidvalidity`` and ``last_uid``: every message with a higher UID is still to be read. A new
  UIDVALIDITY means the server renumbered the folder: the cursor no longer applies.
* ``since``: the first day of the window of the first collect (absent when ``backfill_days`` is
  "all"). It also says which messages the folder's count for reconciliation covers.
* ``backfilling``: true while that first pass runs, so that resuming it reads the same window.
  Once it is done, every new UID is read, whatever its date (mail moved into the folder too).
* ``messages`` and ``highestmodseq``: what the folder looked like when the cursor was saved, so that
  a collect with nothing new costs one STATUS command.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any


@dataclass(frozen=True)
class FolderCursor:
    uidvalidity: int
    last_uid: int
    since: date | None = None
    backfilling: bool = False
    messages: int | None = None
    highestmodseq: int | None = None

    @classmethod
    def load(cls, value: Any) -> FolderCursor | None:
        """A saved cursor, or None (read the folder afresh) for none or one this version cannot
        read."""
        if not isinstance(value, dict):
            return None
        uidvalidity, last_uid = value.get("uidvalidity"), value.get("last_uid")
        if not (isinstance(uidvalidity, int) and isinstance(last_uid, int)):
            return None
        try:
            since = date.fromisoformat(value["since"]) if value.get("since") else None
        except (TypeError, ValueError):
            return None
        messages, modseq = value.get("messages"), value.get("highestmodseq")
        return cls(
            uidvalidity=uidvalidity,
            last_uid=last_uid,
            since=since,
            backfilling=value.get("backfilling") is True,
            messages=messages if _is_int(messages) else None,
            highestmodseq=modseq if _is_int(modseq) else None,
        )

    def dump(self) -> dict[str, Any]:
        saved: dict[str, Any] = {"uidvalidity": self.uidvalidity, "last_uid": self.last_uid}
        if self.since is not None:
            saved["since"] = self.since.isoformat()
        if self.backfilling:
            saved["backfilling"] = True
        if self.messages is not None:
            saved["messages"] = self.messages
        if self.highestmodseq is not None:
            saved["highestmodseq"] = self.highestmodseq
        return saved

    def after(self, uid: int) -> FolderCursor:
        """The cursor once every message up to ``uid`` is handed over (the pass goes on)."""
        return replace(self, last_uid=max(self.last_uid, uid))


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
