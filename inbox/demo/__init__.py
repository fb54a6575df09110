"""The made-up shop behind ``banco demo``: Bottega Giulia, a ceramicist in Bologna.

:func:`write_demo_shop` writes, into one folder, a commented ``banco.toml``, a ``Maildir`` of
customer mail in three languages (with the maker's own replies in ``.Sent``) and the answers to
her Google order form as ``form-responses.csv``. Everything is dated relative to ``now`` and
comes out byte for byte the same for the same ``now``.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from banco.inbox.demo.form import write_form
from banco.inbox.demo.maildir import write_maildir
from banco.inbox.demo.settings import banco_toml

__all__ = ["write_demo_shop"]


def write_demo_shop(folder: Path, now: datetime, lang: str = "it") -> None:
    """Write the demo shop into ``folder`` (created if needed), dated relative to ``now``, for a
    maker who speaks ``lang`` (her settings' notes, and the first of her languages)."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be a time-zone-aware datetime")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "banco.toml").write_text(banco_toml(lang), encoding="utf-8", newline="\n")
    write_maildir(folder / "Maildir", now)
    write_form(folder / "form-responses.csv", now)
