"""The language a customer is answered in: the contact's, else guessed once from their messages,
else the maker's.

The guess counts common little words of English, Italian and French in what the customer wrote
(quoted text left out: it is often the maker's own words) and is kept in ``contacts.language``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from banco.config.load import LANGUAGES
from banco.inbox.shop import Shop
from banco.inbox.store.contacts import contact_language, set_contact_language
from banco.inbox.store.messages import customer_texts


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


#: Frequent words that belong to one language only (words shared by two are left out).
STOPWORDS = {
    "en": _words(
        "the and you your is are would could for with have has thank thanks please hello hi my we"
        " to of it this that be can want like what when how they there our from just will an at"
        " if so but"
    ),
    "it": _words(
        "lo gli della delle del dei che sono per con grazie ciao buongiorno buonasera vorrei mi"
        " ho è e anche questo questa sei siamo hai ti tuo tua mio mia nel nella degli alle alla"
        " al perché quando dove fare avere essere molto"
    ),
    "fr": _words(
        "les des du est et je vous pour avec une bonjour merci pas que sur mon mes nous cette ce"
        " au aux voudrais suis votre vos très mais ou être avoir faire comme dans quand où aussi"
        " bien"
    ),
}
MIN_HITS = 3
QUOTE_HEADER = re.compile(
    r"(wrote|ha scritto|a écrit)\s*:\s*$|^-{2,}\s*(original|messaggio originale|message d'origine)",
    re.IGNORECASE,
)


def own_words(text: str) -> str:
    """What the sender wrote, without the quoted message below it."""
    kept: list[str] = []
    for line in (text or "").splitlines():
        if QUOTE_HEADER.search(line.strip()):
            break
        if not line.lstrip().startswith(">"):
            kept.append(line)
    return "\n".join(kept)


def guess_language(texts: Iterable[str]) -> str | None:
    """ "en", "it" or "fr" when the words say so clearly, else None."""
    words = re.findall(r"[^\W\d_]+", " ".join(own_words(t) for t in texts).lower())
    scores = {lang: sum(w in table for w in words) for lang, table in STOPWORDS.items()}
    ranked = sorted(scores.items(), key=lambda item: item[1], reverse=True)
    (best, hits), (_, runner_up) = ranked[0], ranked[1]
    if hits >= MIN_HITS and hits >= 2 * runner_up:
        return best
    return None


def maker_language(shop: Shop) -> str:
    """The language of suggested replies when the customer's is not known."""
    chosen = str(shop.config.templates.get("language") or "")
    return chosen if chosen in LANGUAGES else shop.config.shop.language


def customer_language(shop: Shop, contact: dict[str, Any] | None) -> str:
    """The language to answer ``contact`` in; a guess is stored on the contact."""
    if not contact or contact.get("id") is None:
        return maker_language(shop)
    stored = contact_language(shop.store, contact["id"])
    if stored:
        return stored if stored in LANGUAGES else maker_language(shop)
    guessed = guess_language(_customer_texts(shop, contact["id"]))
    if guessed is None:
        return maker_language(shop)
    set_language(shop, contact["id"], guessed)
    contact["language"] = guessed
    return guessed


def set_language(shop: Shop, contact_id: int, language: str) -> None:
    set_contact_language(shop.store, contact_id, language)


def _customer_texts(shop: Shop, contact_id: int) -> list[str]:
    rows = customer_texts(shop.store, contact_id, 20)
    return [f"{subject or ''}\n{text or ''}" for subject, text in rows]
