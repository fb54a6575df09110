"""A reply session's shop: a test connector (listsource.py) holding a few customers' messages, and
what the customer received (the peer). Shared by the reply session's tests and the language ones."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from banco.inbox.collect.sync import collect
from banco.inbox.replies.terminal import SessionSummary, run_terminal_session
from banco.inbox.shop import Shop

# Ann wrote twice about one order; Giulia answered Bob, who wrote again; Chiara writes in Italian.
ITEMS = [
    {
        "id": "a1",
        "at": "2026-11-18T10:00:00+00:00",
        "from": "ann@example.com",
        "name": "Ann Lee",
        "subject": "Six mugs",
        "text": "Hello, could you make six blue mugs for my sister? Thank you",
    },
    {
        "id": "b1",
        "at": "2026-11-18T12:00:00+00:00",
        "from": "bob@example.com",
        "name": "Bob Stone",
        "subject": "Plate",
        "text": "Hi, I would like a big plate for my kitchen. Thanks",
    },
    {
        "id": "g1",
        "at": "2026-11-18T15:00:00+00:00",
        "from": "giulia@shop.example",
        "to": "bob@example.com",
        "name": "Giulia",
        "subject": "Re: Plate [B-0002]",
        "text": "Hi Bob, how big should it be?",
    },
    {
        "id": "a2",
        "at": "2026-11-19T08:00:00+00:00",
        "from": "ann@example.com",
        "subject": "Re: Six mugs",
        "text": "And could they be ready by Christmas?",
    },
    {
        "id": "b2",
        "at": "2026-11-19T09:30:00+00:00",
        "from": "bob@example.com",
        "subject": "Re: Plate [B-0002]",
        "text": "About 30 cm please.\n\n> Hi Bob, how big should it be?",
    },
    {
        "id": "c1",
        "at": "2026-11-19T11:00:00+00:00",
        "from": "chiara@example.com",
        "name": "Chiara Bianchi",
        "subject": "Tazze",
        "text": "Ciao, vorrei quattro tazze per il mio negozio. Grazie!",
    },
]


SLOTS = '\n[schedule]\nreply = ["09:00", "17:00"]\n'


def make(write_shop, open_shop, schedule: str = SLOTS, **settings: object) -> tuple[Shop, Path]:
    extra = "".join(f"{k} = {json.dumps(v)}\n" for k, v in settings.items())
    home = write_shop(
        f'{schedule}\n[[accounts]]\nname = "mail"\nkind = "list"\npath = "items.json"\n{extra}'
    )
    (home / "items.json").write_text(json.dumps(ITEMS))
    shop = open_shop(home)
    collect(shop)
    return shop, home


def peer(home: Path) -> list[dict[str, Any]]:
    path = home / "items.sent.json"
    return json.loads(path.read_text()) if path.exists() else []


# `banco reply` in the terminal --------------------------------------------------------------------
class Script:
    """The maker at the keyboard: answers to prompts and texts from the editor, in order."""

    def __init__(self, answers: list[Any], edits: list[str | None] | None = None) -> None:
        self.answers = list(answers)
        self.edits = list(edits or [])
        self.lines: list[str] = []
        self.prompts: list[str] = []
        self.editor: list[str] = []

    def echo(self, line: str = "") -> None:
        self.lines.extend(str(line).splitlines() or [""])

    def prompt(self, text: str, **options: Any) -> str:
        self.prompts.append(text)
        if not self.answers:
            raise AssertionError(f"the session asked more than the script says: {text!r}")
        answer = self.answers.pop(0)
        if isinstance(answer, BaseException):
            raise answer
        return str(answer() if callable(answer) else answer)

    def edit(self, text: str) -> str | None:
        self.editor.append(text)
        return self.edits.pop(0)

    def run(self, shop: Shop) -> SessionSummary:
        summary = run_terminal_session(shop, self.echo, self.prompt, self.edit)
        assert self.answers == [] and self.edits == []
        return summary

    @property
    def output(self) -> str:
        return "\n".join(self.lines)
