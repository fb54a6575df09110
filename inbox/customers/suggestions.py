"""Who may be one person, and which orders one job: suggestions the maker confirms, never applied
by Banco itself. A suggestion she dismisses is remembered and never made again.

Two customers may be one when they share:
- a phone, written either way (``+39 333 123 4567`` and ``3331234567``: the last nine digits);
- an email address written another way (capitals, dots in a Gmail name, a ``+tag``), as a form
  answer typed by hand often is;
- a name (accents, capitals and spacing aside; two words at least, so two "Anna"s are not
  suggested), each with an address of her own.

Two open orders may be one job when they have the same customer (or customers of the same name)
and came within ``JOB_DAYS`` of each other, sharing at least ``SHARED_WORDS`` words that say
what the job is (a form answer and an email thread about the same wedding favours)."""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from banco.inbox.store import customers as store_customers
from banco.inbox.store.customers import PHONE_DIGITS, Known, OrderText
from banco.inbox.store.database import Store

#: orders created further apart than this are two jobs, whatever they say
JOB_DAYS = 21
#: the words two orders must share (after dropping short and common words) to be one job
SHARED_WORDS = 2
#: words that say nothing about a job, in the languages Banco speaks
COMMON_WORDS = frozenset(
    " ".join(
        (
            "hello dear thanks thank would like could with your have this that from about order",
            "ciao buongiorno buonasera grazie vorrei sono della delle degli questo questa come",
            "anche ordine bonjour merci pour avec votre vous serait cette commande voudrais",
        )
    ).split()
)


@dataclass(frozen=True)
class Suggestion:
    """Customers (``kind`` "customers") or orders ("orders") ``first`` and ``second`` may be
    one: ``rule`` says why, ``evidence`` what they share."""

    kind: str
    first: int
    second: int
    rule: str
    evidence: str
    #: the two customers' names, or the two orders' references
    labels: tuple[str, str]


def suggestions(store: Store) -> list[Suggestion]:
    """Every suggestion not dismissed, customers first."""
    names = store_customers.active_names(store)
    found = [
        *_customer_pairs(store_customers.active_handles(store), names),
        *_order_pairs(store_customers.open_order_texts(store), names),
    ]
    return _not_dismissed(store, found)


def suggestions_about(store: Store, contact_ids: set[int]) -> list[Suggestion]:
    """The suggestions that name one of the customers ``contact_ids`` or one of their open
    orders, read from them and from the few customers who may share a key with them (their
    mailboxes, phone endings and name words, compared in SQLite): what a page about one
    customer shows, at the cost of that customer, not of the shop."""
    own = store_customers.known_of(store, contact_ids)
    handles = [k for k in own if k.kind != "name"]
    names = [k for k in own if k.kind == "name"]
    emails = {key for k in handles if k.kind == "email" and (key := _email_key(k.value))}
    tails = {key for k in handles if k.kind == "phone" and (key := _phone_key(k.value))}
    words = {w for k in names for w in _plain(k.value).split() if w.isascii() and len(w) > 1}
    more = store_customers.known_like(store, emails, tails, words if len(words) >= 2 else ())
    handles += [k for k in more if k.kind != "name"]
    # every candidate's name: the label of a pair, and what makes two customers namesakes
    others = {k.contact_id for k in more} - contact_ids
    names += [k for k in store_customers.known_of(store, others) if k.kind == "name"]
    customers = [s for s in _customer_pairs(handles, names) if {s.first, s.second} & contact_ids]
    namesakes = {k.contact_id for k in names if _name_key(k.value)} | contact_ids
    orders = _order_pairs(store_customers.open_order_texts(store, namesakes), names)
    return _not_dismissed(store, [*customers, *orders])


def _not_dismissed(store: Store, found: list[Suggestion]) -> list[Suggestion]:
    dismissed = {kind: store_customers.dismissed(store, kind) for kind in ("customers", "orders")}
    return [s for s in found if (s.first, s.second) not in dismissed[s.kind]]


def _customer_pairs(handles: list[Known], names: list[Known]) -> list[Suggestion]:
    called = {k.contact_id: k.value for k in names}
    found: dict[tuple[int, int], Suggestion] = {}
    for rule, key, known in (
        ("phone", _phone_key, [h for h in handles if h.kind == "phone"]),
        ("email", _email_key, [h for h in handles if h.kind == "email"]),
        ("name", _name_key, names),
    ):
        for first, second, evidence in _pairs(known, key):
            labels = (called.get(first, str(first)), called.get(second, str(second)))
            found.setdefault(
                (first, second), Suggestion("customers", first, second, rule, evidence, labels)
            )
    return sorted(found.values(), key=lambda s: (s.first, s.second))


def _pairs(known: Iterable[Known], key: Callable[[str], str]) -> Iterable[tuple[int, int, str]]:
    """Pairs of different customers whose values share a key, with the value that matched."""
    groups: dict[str, list[Known]] = defaultdict(list)
    for item in known:
        k = key(item.value)
        if k:
            groups[k].append(item)
    for items in groups.values():
        contacts = sorted({item.contact_id for item in items})
        for i, first in enumerate(contacts):
            for second in contacts[i + 1 :]:
                values = sorted({item.value for item in items})
                yield first, second, " / ".join(values)


def _phone_key(value: str) -> str:
    digits = re.sub(r"\D", "", value)
    return digits[-PHONE_DIGITS:] if len(digits) >= PHONE_DIGITS else ""


def _email_key(value: str) -> str:
    """The mailbox an address reaches: a ``+tag`` dropped, and a Gmail name's dots."""
    local, _at, domain = value.strip().lower().rpartition("@")
    if not local:
        return ""
    local = local.split("+", 1)[0]
    if domain in ("gmail.com", "googlemail.com"):
        local, domain = local.replace(".", ""), "gmail.com"
    return f"{local}@{domain}"


def _name_key(name: str) -> str:
    words = _plain(name).split()
    return " ".join(sorted(words)) if len(words) >= 2 and "@" not in name else ""


def _plain(text: str) -> str:
    """Lower case, accents dropped, letters and digits only."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return re.sub(r"[^\w]+", " ", "".join(c for c in decomposed if not unicodedata.combining(c)))


def _order_pairs(orders: list[OrderText], known_names: list[Known]) -> list[Suggestion]:
    names: dict[int | None, str] = {k.contact_id: _name_key(k.value) for k in known_names}
    # Only orders of one customer (or of two customers of one name) can be one job: pairs are
    # looked for within those groups, never across the whole shop (a pair of every two orders
    # was 50 million pairs on a shop of 10,000 open orders).
    groups: dict[str, list[OrderText]] = defaultdict(list)
    for order in orders:
        groups[names.get(order.contact_id) or f"#{order.contact_id}"].append(order)
    found: list[Suggestion] = []
    for group in groups.values():
        for i, first in enumerate(group):
            for second in group[i + 1 :]:
                shared = _same_job(first, second, names)
                if shared:
                    labels = (first.ref, second.ref)
                    found.append(Suggestion("orders", first.id, second.id, "job", shared, labels))
    return sorted(found, key=lambda s: (s.first, s.second))


def _same_job(first: OrderText, second: OrderText, names: dict[int | None, str]) -> str:
    """The words two orders share when they may be one job, else ""."""
    same_customer = first.contact_id == second.contact_id or (
        bool(names.get(first.contact_id))
        and names.get(first.contact_id) == names.get(second.contact_id)
    )
    apart = abs((_day(first.created_at) - _day(second.created_at)).days)
    if not same_customer or apart > JOB_DAYS:
        return ""
    shared = sorted(_job_words(first.words) & _job_words(second.words))
    return ", ".join(shared[:5]) if len(shared) >= SHARED_WORDS else ""


def _job_words(text: str) -> set[str]:
    return {
        w for w in _plain(text).split() if len(w) > 3 and w not in COMMON_WORDS and not w.isdigit()
    }


def _day(at: str) -> date:
    return date.fromisoformat(at[:10])
