"""Write the story's mails into a Maildir, with a Maildir++ ``.Sent`` folder for Giulia's own."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

from banco.inbox.demo.build import Built, Composer
from banco.inbox.demo.messages import BOUNCE, GARBLED, MAILS, OWNER

SENT = ".Sent"
#: Mail younger than this has not been opened yet: it stays in new/.
UNSEEN = timedelta(days=2)


def write_maildir(root: Path, now: datetime) -> None:
    for folder in ("", SENT):
        for sub in ("cur", "new", "tmp"):
            (root / folder / sub).mkdir(parents=True, exist_ok=True)
    (root / SENT / "maildirfolder").touch()
    for number, (folder, flags, built) in enumerate(_placed(now), start=1):
        _write(root / folder, f"{int(built.sent_at.timestamp())}.M{number}P1.demo", flags, built)


def _placed(now: datetime) -> Iterator[tuple[str, str | None, Built]]:
    """Each file with its folder and Maildir flags (None while still unseen, in new/)."""
    composer = Composer(now)
    answered = {mail.reply_to for mail in MAILS if mail.sender == OWNER}
    for mail in MAILS:
        built = composer.mail(mail)
        if mail.sender == OWNER:
            yield SENT, "S", built
        else:
            yield "", _flags(built, now, mail.key in answered), built
    for built in (composer.bounce(BOUNCE), composer.garbled(GARBLED)):
        yield "", _flags(built, now, answered=False), built


def _flags(built: Built, now: datetime, answered: bool) -> str | None:
    if now - built.sent_at < UNSEEN:
        return None
    return "RS" if answered else "S"


def _write(folder: Path, name: str, flags: str | None, built: Built) -> None:
    path = folder / "new" / name if flags is None else folder / "cur" / f"{name}:2,{flags}"
    path.write_bytes(built.data)
    stamp = built.sent_at.timestamp()
    os.utime(path, (stamp, stamp))
