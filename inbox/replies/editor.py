"""Where the maker writes a reply in the terminal: her editor ($VISUAL, then $EDITOR); with none
set, nano when it is installed, else plain lines typed at the prompt, ending with a line holding
a single "." (as mail(1) reads a message). Never vim by default: a maker who has never used it
cannot get out. An editor that is missing or fails is one plain line (EditorFailed); what she
had written is the caller's to keep.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Callable

import click

from banco.inbox.i18n.catalogs import _

#: the simple editor used when she has not chosen one
SIMPLE_EDITOR = "nano"
#: the line that ends a reply typed at the prompt
END = "."

Echo = Callable[[str], object]


class EditorFailed(Exception):
    """Her editor is missing or ended with an error; the message says which and what to do."""


def chosen_editor() -> str | None:
    """Her editor, else nano when installed; None: type the reply at the prompt."""
    for name in ("VISUAL", "EDITOR"):
        if os.environ.get(name, "").strip():
            return os.environ[name]
    return SIMPLE_EDITOR if shutil.which(SIMPLE_EDITOR) else None


def edit(text: str, echo: Echo = click.echo) -> str | None:
    """``text`` as she changed it in her editor (None: she closed it without saving)."""
    editor = chosen_editor()
    if editor is None:
        return typed_lines(text, echo)
    try:
        return click.edit(text, editor=editor, require_save=True)
    except click.ClickException:  # missing, or it ended with an error status
        raise EditorFailed(
            _(
                "The editor {editor} did not work; set EDITOR to one you have (such as nano)."
                " Nothing was lost."
            ).format(editor=editor)
        ) from None


def typed_lines(text: str, echo: Echo) -> str | None:
    """The reply typed line by line at the prompt, ending with a line holding a single "."; the
    draft's lines starting with # are the help shown first. None: nothing typed (the draft
    stays)."""
    draft = [line for line in text.splitlines() if not line.startswith("#")]
    echo(_('No editor is set: type your reply, then a line with a single "." to finish.'))
    if any(line.strip() for line in draft):
        echo(_("(An empty reply keeps this one:)"))
        for line in draft:
            echo(f"    {line}".rstrip())
    lines: list[str] = []
    for line in sys.stdin:
        if line.rstrip("\r\n") == END:
            break
        lines.append(line.rstrip("\r\n"))
    return "\n".join(lines) + "\n" if any(line.strip() for line in lines) else None
