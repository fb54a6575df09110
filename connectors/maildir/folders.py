"""Where a named mail folder lives inside a Maildir, and which folders are there.

"INBOX" is the Maildir itself. Any other folder is a Maildir++ subfolder ``.<Name>`` (nested names
joined with dots). Dovecot and Courier write non-ASCII names in IMAP's modified UTF-7
(``Ordini è`` is ``.Ordini &AOg-``) and other tools write them as they are, so both are looked for,
and also a plain ``<Name>`` subfolder as Dovecot's "fs" layout keeps it.
"""

from __future__ import annotations

import base64
import os
from pathlib import Path

INBOX = "INBOX"


def is_inbox(folder: str) -> bool:
    return folder.upper() == INBOX


def is_maildir(path: Path) -> bool:
    return (path / "cur").is_dir() and (path / "new").is_dir()


def folder_candidates(root: Path, folder: str) -> list[Path]:
    """The directories that may hold ``folder``, most likely first."""
    if is_inbox(folder):
        return [root]
    dotted = folder.replace("/", ".")
    names = dict.fromkeys(["." + dotted, "." + encode_mutf7(dotted), folder])
    return [root / name for name in names]


def existing_folders(root: Path) -> list[str]:
    """Names of the folders in the Maildir at ``root``, INBOX first."""
    found: list[str] = []
    try:
        entries = sorted(os.scandir(root), key=lambda e: e.name)
    except OSError:
        return [INBOX]
    for entry in entries:
        if entry.name in ("cur", "new", "tmp") or not is_maildir(Path(entry.path)):
            continue
        found.append(decode_mutf7(entry.name[1:]) if entry.name.startswith(".") else entry.name)
    return [INBOX, *found]


def encode_mutf7(name: str) -> str:
    """IMAP's modified UTF-7 (RFC 3501 5.1.3): ASCII stays, other runs become ``&base64-``."""
    out: list[str] = []
    pending: list[str] = []
    for char in name + "\0":  # the sentinel flushes the last non-ASCII run
        if char != "\0" and not 0x20 <= ord(char) <= 0x7E:
            pending.append(char)
            continue
        if pending:
            data = "".join(pending).encode("utf-16-be")
            out.append("&" + base64.b64encode(data).decode().rstrip("=").replace("/", ",") + "-")
            pending.clear()
        if char == "&":
            out.append("&-")
        elif char != "\0":
            out.append(char)
    return "".join(out)


def decode_mutf7(name: str) -> str:
    """The reverse of :func:`encode_mutf7`; a name that is not valid modified UTF-7 stays as is."""
    out: list[str] = []
    position = 0
    while (start := name.find("&", position)) >= 0:
        end = name.find("-", start)
        if end < 0:
            return name
        out.append(name[position:start])
        encoded = name[start + 1 : end].replace(",", "/")
        try:
            data = base64.b64decode(encoded + "=" * (-len(encoded) % 4), validate=True)
            out.append(data.decode("utf-16-be") if encoded else "&")
        except ValueError:  # binascii.Error and UnicodeDecodeError both derive from it
            return name
        position = end + 1
    out.append(name[position:])
    return "".join(out)
