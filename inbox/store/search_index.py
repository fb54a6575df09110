"""The full-text index: what it holds, how it is brought up to date, and how a search asks it.

**Keeping up.** Filing a message does not index it: indexing a long mail's text takes about a third
of the time it takes to store it, and a first collect stores thousands. ``catch_up`` indexes what
was stored since the last time, a chunk at a time, each chunk committed together with the mark of
how far the index goes. A search calls it first, so it always sees every message, and the routine
calls it after each collect, so that the maker rarely waits for it.

``search_state.messages_up_to`` is the highest message id in the index. The triggers that keep
the index right when a message is edited or deleted act only on messages up to the mark (the
index must never be told to forget text it was never given), and a message stored with an id at
or below the mark (an id used again after a delete) is indexed at once (migration m008).

People (a contact's name, and every address and username of theirs) have an index of their own,
``people_fts``: it lets a customer's name or address find her orders and every message of hers,
not only those that spell her name. Filing only notes who changed (triggers on contacts and
handles write their id in ``people_stale``, migration m018), and ``catch_up`` writes them again,
all in one go. Written from the triggers, each new sender cost filing about a millisecond (FTS5
flushes its pending words on every delete and insert of a row): a first collect is mostly new
senders.

**Asking.** The maker's text is never FTS5 syntax: ``match_expression`` keeps its words (runs of
letters and digits; quotes, operators, NUL and emoji are separators) and quotes each one. Every
word matches as a prefix (``tazz`` finds "tazze"), and accents never hide a match (the index
folds them, ``unicode61 remove_diacritics 2``; so does the query). Singular and plural: a word
also matches from its stem, the longest prefix it shares with its Snowball stem in English,
Italian and French (the languages Banco speaks, in which her customers write), so ``tazze`` finds
"tazza", ``tasse`` "Tasses" and ``bomboniera`` "bomboniere". Why stems at query time: a trigram
index cannot fold accents on this SQLite (3.40; it needs 3.45), triples the index and matches
inside words; a stemmed copy of every text would cost filing time. Stemming the few words of a
query costs nothing, and the same unicode61 index answers. The exact word also matches, so it
ranks above its relatives (bm25). A word holding several tokens (``B-0042``, an email address)
is one phrase, its last token a prefix.
"""

from __future__ import annotations

import os
import re
import unicodedata

from banco.inbox.store.database import Store

#: messages indexed per transaction: a search waiting on a backlog shows progress this often
CHUNK = 500
#: the Snowball stemmers a word is stemmed with: the languages of Banco and of her customers
STEMMED_IN = ("english", "italian", "french")
#: a stem never shortens a word below this: "va" would find every "vaso", "vassoio", "vacanza"
SHORTEST_STEM = 3
#: words of a query used: more is a pasted text, not a search (and FTS5 bounds a query's depth)
MOST_WORDS = 16
#: letters and digits, as the unicode61 tokenizer reads them (an underscore separates)
TOKEN = re.compile(r"[^\W_]+")


class NoWords(ValueError):
    """The text to search holds no word to look for (empty, or only punctuation or emoji)."""


def folded(text: str) -> str:
    """``text`` without accents, in lower case, as the index holds its words."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def match_expression(text: str) -> str:
    """An FTS5 query for the words of ``text``: each quoted, all of them required."""
    words = list(dict.fromkeys(folded(text).split()))
    terms = [term for word in words if (term := _term(word))][:MOST_WORDS]
    if not terms:
        raise NoWords(text)
    return " AND ".join(terms)


def _term(word: str) -> str:
    tokens = TOKEN.findall(word)[:MOST_WORDS]
    if len(tokens) != 1:
        return f'"{" ".join(tokens)}"*' if tokens else ""
    token = tokens[0]
    prefix = _stem_prefix(token)
    return f'"{token}"*' if prefix == token else f'("{token}" OR "{prefix}"*)'


def _stem_prefix(token: str) -> str:
    """The longest prefix ``token`` shares with each of its stems, never under SHORTEST_STEM."""
    # A Snowball stem is not always a prefix ("happy" -> "happi"): its shared prefix is.
    # Imported here: its 35 stemmer modules would cost every command's start-up.
    import snowballstemmer

    stems = [snowballstemmer.stemmer(language).stemWord(token) for language in STEMMED_IN]
    prefix = os.path.commonprefix([token, *stems])
    return prefix if len(prefix) >= SHORTEST_STEM else token[:SHORTEST_STEM]


def pending(store: Store) -> int:
    """How many stored messages the index does not hold yet."""
    return int(
        store.scalar(
            "select count(*) from messages"
            " where id > (select messages_up_to from search_state where id = 1)"
        )
    )


def catch_up(store: Store) -> int:
    """Index every message stored since the last time, and every person changed since; returns
    how many messages were indexed."""
    indexed = 0
    while True:
        with store.writing():  # read the mark and move it in one write transaction
            up_to = store.scalar("select messages_up_to from search_state where id = 1")
            ids = [
                row[0]
                for row in store.conn.execute(
                    "select id from messages where id > ? order by id limit ?", [up_to, CHUNK]
                )
            ]
            if not ids:
                break
            store.db.execute(
                "insert into messages_fts (rowid, subject, text, sender)"
                " select id, subject, text, sender from messages where id > ? and id <= ?",
                [up_to, ids[-1]],
            )
            store.db.execute("update search_state set messages_up_to = ? where id = 1", [ids[-1]])
        indexed += len(ids)
    _people(store)
    return indexed


def _people(store: Store) -> None:
    """Index again every contact whose name or addresses changed, and forget those deleted."""
    if not store.scalar("select exists (select 1 from people_stale)"):
        return  # nothing to write: a search takes no write lock
    with store.writing():
        store.db.execute(
            "delete from people_fts where rowid in (select contact_id from people_stale)"
        )
        store.db.execute(
            "insert into people_fts (rowid, name, handles) select c.id, c.name,"
            " (select group_concat(h.value, ' ') from handles h where h.contact_id = c.id)"
            " from contacts c join people_stale s on s.contact_id = c.id order by c.id"
        )
        store.db.execute("delete from people_stale")
