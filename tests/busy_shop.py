"""A busy first collect in small: ``n`` customers who each wrote once and wait for an answer
(the shape of a first backfill), filed through the Maildir connector as a real collect does."""

from __future__ import annotations

import os
from pathlib import Path

from sources import email_bytes

#: more than any listing or page shows by default, fewer than a slow test
BUSY = 120


def busy_maildir(root: Path, n: int = BUSY) -> str:
    """A Maildir at ``root`` holding one mail from each of ``n`` customers, a minute apart
    (customer 0 wrote first); its account lines for banco.toml."""
    for sub in ("cur", "new", "tmp"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    for k in range(n):
        path = root / "new" / f"{1_700_000_000 + k}.M{k}P1.busy"
        path.write_bytes(email_bytes(k, customers=n))
        os.utime(path, (1_700_000_000 + k, 1_700_000_000 + k))
    return f'kind = "maildir"\npath = "{root}"\n'
