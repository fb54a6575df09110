"""The first collect is history, not news.

An account's first collect brings in months of mail (IMAP's ``backfill_days``, 90 by default):
conversations the maker already answered or closed in her mail program, and a few still waiting
for her. A maker expects Banco to start from where she is, not to hand her every one of them as
a new order. So, when an account has never been collected whole (no collect of it has succeeded
yet: a first collect stopped midway goes on as one) and its first collect is large
(``BACKFILL_RECORDS`` or more records expected, or history already filed by a stopped one):

- each message it files is history (``messages.history``), and each order it opens is 'past';
- at its end, an order whose customer still waits (a message of theirs unanswered, sent in the
  last ``STILL_WAITING`` days) is 'live': it stays in "new" and its messages keep waiting;
- every other order stays 'past': she answered last, or the customer's last word is older than
  that and was settled outside Banco. Its status is untouched (a past order is not "completed":
  Banco cannot know it was sold, and a finished order would be offered as a check-in); the board
  holds it out of the "new" column in "Past conversations", the status routine leaves it alone
  until she moves it, and its old unanswered messages stop waiting (handled as history, never as
  an answer sent);
- what it files goes through the same triage as any collect (``collect.triage``): a stranger's
  mail that is no inquiry is a conversation, not an order; such a conversation's messages older
  than ``STILL_WAITING`` stop waiting at its end, like a past order's;
- the first digest after it says how many conversations it imported instead of listing them,
  and no digest lists them as new orders;
- a customer who writes again after it makes her order news again ('live').

A small first collect (a new shop's few mails, the demo's) is read whole: the maker meets each
conversation once, as before, and a digest's bounded sections hold it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from banco.inbox.clock import iso, parse_iso
from banco.inbox.i18n.catalogs import _, ngettext, speaking
from banco.inbox.i18n.words import number
from banco.inbox.store import backfill
from banco.inbox.store.accounts import account_state
from banco.inbox.store.backfill import Imported
from banco.inbox.store.database import Store
from banco.inbox.store.facts import still_waiting_unread

#: a first collect expecting at least this many records is a backfill (history)
BACKFILL_RECORDS = 1_000
#: a customer's unanswered message newer than this, at the end of the backfill, still waits
STILL_WAITING = timedelta(days=14)


def is_backfill(store: Store, account: str, expected: int) -> bool:
    """Whether this collect of ``account``, ``expected`` records long (as its first page tells),
    files history."""
    state = account_state(store, account)
    if state is not None and state["last_success_at"]:
        return False  # collected whole before: what comes now is news
    return expected >= BACKFILL_RECORDS or backfill.has_history(store, account)


def settle(store: Store, account: str, now: datetime) -> None:
    """The backfill of ``account`` ended at ``now``: which of its orders still wait for her.
    The messages still waiting on them are read for facts now (``orders.facts``): filing a
    first collect's thousands read none, the few customers waiting today matter."""
    # imported here: reading facts loads dateparser and Babel's names, and the digest, which
    # says ``summary``, needs neither
    from banco.inbox.orders.facts import propose

    backfill.settle(store, account, iso(now - STILL_WAITING) or "", iso(now) or "")
    for message in still_waiting_unread(store, account):
        sent = parse_iso(message.sent_at)
        propose(store, message.order_id, message.id, message.text, sent, now)


def summary(imported: Imported, lang: str) -> str:
    """ "1,212 past conversations imported; 38 still waiting for you", in ``lang``."""
    with speaking(lang):
        past = ngettext(
            "{n} past conversation imported", "{n} past conversations imported", imported.past
        ).format(n=number(imported.past, lang))
        waiting = ngettext(
            "{n} still waiting for you", "{n} still waiting for you", imported.waiting
        ).format(n=number(imported.waiting, lang))
        return _("{past}; {waiting}").format(past=past, waiting=waiting)
