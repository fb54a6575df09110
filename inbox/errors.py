"""What can go wrong for the maker, split by what happens next (beside connectors/errors.py).

    BancoError          anything the inbox raises on purpose, a sentence for the maker
    ├── NeedsYou        she must change something: a setting, a file, the shop's folder
    ├── WillRetry       passing: Banco tries again by itself
    └── WrongInput      what she asked cannot be done as asked (an unknown order, a price or a
                        time Banco cannot be sure of, a reply nobody can send): nothing changed

The connectors' errors map onto the same three kinds (``kind_of``): NeedsUser is "needs you",
TryLater "will retry", Rejected "wrong input" for that one reply. The command, the web page and
the owner chat say every one of them as its one sentence. Anything else is a bug in Banco, and
every screen says so as a bug, never as something that will pass by itself.
"""

from __future__ import annotations

from banco.config import ConfigError, SecretError
from banco.connectors.errors import ConnectorError, NeedsUser, Rejected, TryLater

NEEDS_YOU = "needs_you"
WILL_RETRY = "will_retry"
WRONG_INPUT = "wrong_input"
BUG = "bug"


class BancoError(Exception):
    """Base of every error the inbox raises on purpose for the maker."""


class NeedsYou(BancoError):
    """Nothing works here until the maker changes something."""


class WillRetry(BancoError):
    """A passing failure; Banco tries again by itself."""


class WrongInput(BancoError):
    """What the maker asked cannot be done as asked; nothing changed."""


def kind_of(error: BaseException) -> str:
    """``needs_you``, ``will_retry``, ``wrong_input`` or ``bug``: what happens next."""
    if isinstance(error, NeedsYou | NeedsUser | ConfigError | SecretError):
        return NEEDS_YOU
    if isinstance(error, WillRetry | TryLater):
        return WILL_RETRY
    if isinstance(error, WrongInput | Rejected):
        return WRONG_INPUT
    if isinstance(error, ConnectorError):  # a connector's own error outside the three kinds
        return WILL_RETRY
    if isinstance(error, OSError):  # the network or the disk, not Banco's code
        return WILL_RETRY
    return BUG


def is_said(error: BaseException) -> bool:
    """Whether ``error`` is the maker's to read as it is (one sentence), not a bug."""
    return kind_of(error) != BUG
