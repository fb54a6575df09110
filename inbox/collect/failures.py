"""What a failure means for the maker: what happens next and the sentence she reads, for anything
a collect or a delivery raised (``inbox.errors`` says the kinds). Apart from the collect, so that
the outbox and the checks know it without loading what filing a message needs."""

from __future__ import annotations

from banco.inbox.errors import BUG, kind_of
from banco.inbox.i18n.catalogs import _, said


def classify(error: BaseException) -> tuple[str, str]:
    """(what happens next, sentence for the maker) for anything a collect raised; see
    ``inbox.errors``. A bug is said as a bug: the next collect runs it again, but it will not
    pass by itself."""
    kind = kind_of(error)
    if kind == BUG:
        return BUG, _(
            "Banco hit a bug reading this account ({error}); nothing was lost, and the next"
            " collect tries again. If it keeps happening, please report it."
        ).format(error=f"{type(error).__name__}: {error}")
    if isinstance(error, TimeoutError):
        return kind, _("the service took too long to answer; Banco will try again")
    if isinstance(error, OSError):
        return kind, _("could not reach the service ({reason}); Banco will try again").format(
            reason=error.strerror or error
        )
    return kind, said(error)
