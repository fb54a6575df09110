"""A third-party-style connector used by the tests: records from a JSON file, with chosen failures.

It goes through the same registry, config checks, sync runner and store as Banco's own connectors.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any, ClassVar

from banco.config import Option
from banco.connectors import (
    CheckResult,
    Context,
    HandingOver,
    Handle,
    MayHaveBeenSent,
    NeedsUser,
    Outgoing,
    Page,
    Person,
    Receipt,
    Record,
    Rejected,
    TryLater,
)


class ListConnector:
    kind: ClassVar[str] = "list"
    channel: ClassVar[str] = "email"
    options: ClassVar[Mapping[str, Option]] = {
        "path": Option("path"),
        "page_size": Option("int", 2),
        "fail": Option(
            "str", "", choices=("", "needs_user", "try_later", "crash", "after_first_page")
        ),
        "send_fail": Option(
            "str",
            "",
            choices=(
                *("", "rejected", "try_later", "needs_user"),
                *("no_answer", "lost_answer", "crash_after_keeping"),
            ),
        ),
        "knows_sent": Option("bool", True),
        # Banco stops (the process ends) while the channel keeps its copy of a reply
        "stop_while_keeping_copy": Option("bool", False),
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
            yield Page(
                "main", position, [record(i) for i in chunk], remaining=len(items) - position
            )
            if self.settings["fail"] == "after_first_page":
                raise TryLater("the connection dropped")

    def close(self) -> None:
        pass

    # Sending: what was sent is appended to <path>.sent.json, as a peer would receive it.
    @property
    def _sent_path(self):  # type: ignore[no-untyped-def]
        return self.settings["path"].with_suffix(".sent.json")

    def sent(self) -> list[dict[str, Any]]:
        path = self._sent_path
        return json.loads(path.read_text()) if path.exists() else []

    def send(self, message: Outgoing, handing_over: HandingOver) -> Receipt:
        fail = self.settings["send_fail"]
        if fail == "no_answer":  # handed over, and the peer never answered: it did not keep it
            handing_over()
            raise MayHaveBeenSent("the server did not answer")
        if fail == "rejected":
            raise Rejected("the customer blocked this chat")
        if fail == "try_later":
            raise TryLater("the server is busy")
        if fail == "needs_user":
            raise NeedsUser("the password was refused")
        handing_over()
        self._sent_path.write_text(
            json.dumps(
                [
                    *self.sent(),
                    {
                        "to": message.to.value,
                        "subject": message.subject,
                        "text": message.text,
                        "key": message.message_key,
                        "in_reply_to": message.in_reply_to,
                        "references": list(message.references),
                    },
                ]
            )
        )
        if fail == "lost_answer":  # the peer kept it, and its answer was lost on the way
            raise MayHaveBeenSent("the server did not answer")
        if fail == "crash_after_keeping":  # the peer kept it, and Banco died before its answer
            raise SystemExit("Banco stopped")
        record = Record(
            external_id=f"sent:{message.message_key}",
            channel="email",
            direction="out",
            sender=Person("Giulia", [Handle("email", "giulia@shop.example")]),
            recipients=[Person("", [message.to])],
            subject=message.subject,
            text=message.text,
            message_key=message.message_key,
            reply_keys=message.references,
        )
        return Receipt(record.external_id, record, keep_copy=self._keep_copy)

    def _keep_copy(self) -> None:
        if self.settings["stop_while_keeping_copy"]:
            raise SystemExit("Banco stopped")

    def was_sent(self, message: Outgoing) -> bool:
        if not self.settings["knows_sent"]:
            return False
        return any(s["key"] == message.message_key for s in self.sent())


def record(item: dict[str, Any]) -> Record:
    return Record(
        external_id=item["id"],
        channel="email",
        sent_at=datetime.fromisoformat(item["at"]),
        sender=Person(item.get("name", ""), [Handle("email", item["from"])]),
        recipients=[Person("", [Handle("email", item["to"])])] if "to" in item else [],
        subject=item.get("subject", ""),
        text=item.get("text", ""),
        message_key=item["id"] + "@test",
        auto=item.get("auto"),  # "bounce", "auto_reply": as the email parser marks them
    )
