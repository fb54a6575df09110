"""A third-party-style connector used by the tests: records from a JSON file, with chosen failures.

It goes through the same registry, config checks, sync runner and store as Banco's own connectors.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any, ClassVar

from banco.config import Option
from banco.connectors import CheckResult, Context, Handle, NeedsUser, Page, Person, Record, TryLater


class ListConnector:
    kind: ClassVar[str] = "list"
    options: ClassVar[Mapping[str, Option]] = {
        "path": Option("path"),
        "page_size": Option("int", 2),
        "fail": Option("str", "", choices=("", "needs_user", "try_later", "crash", "after_first_page")),
    }

    def __init__(self, name: str, settings: Mapping[str, Any], context: Context) -> None:
        self.settings = settings

    def _items(self) -> list[dict[str, Any]]:
        return json.loads(self.settings["path"].read_text())

    def check(self) -> CheckResult:
        self._fail_if_asked()
        return CheckResult(f"{len(self._items())} items", counts={"main": len(self._items())})

    def _fail_if_asked(self) -> None:
        fail = self.settings["fail"]
        if fail == "needs_user":
            raise NeedsUser("the password was refused: check `password` for this account")
        if fail == "try_later":
            raise TryLater("the server is busy; Banco will try again")
        if fail == "crash":
            raise RuntimeError("boom")

    def fetch(self, cursors: Mapping[str, Any]) -> Iterator[Page]:
        self._fail_if_asked()
        position = cursors.get("main", 0)
        items = self._items()
        size = self.settings["page_size"]
        while position < len(items):
            chunk = items[position : position + size]
            position += len(chunk)
            yield Page("main", position, [record(i) for i in chunk], remaining=len(items) - position)
            if self.settings["fail"] == "after_first_page":
                raise TryLater("the connection dropped")

    def close(self) -> None:
        pass


def record(item: dict[str, Any]) -> Record:
    return Record(
        external_id=item["id"],
        channel="email",
        sent_at=datetime.fromisoformat(item["at"]),
        sender=Person(item.get("name", ""), [Handle("email", item["from"])]),
        subject=item.get("subject", ""),
        text=item.get("text", ""),
        message_key=item["id"] + "@test",
    )
