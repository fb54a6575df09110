"""The full-text index of messages, brought up to date after the messages are stored.

Filing a message does not index it: indexing a long mail's text takes about a third of the time
it takes to store it, and a first collect stores thousands. ``catch_up`` indexes what was stored
since the last time, a chunk at a time, each chunk committed together with the mark of how far the
index goes. A search calls it first, so it always sees every message, and the routine calls it
after each collect, so that the maker rarely waits for it.

``search_state.messages_up_to`` is the highest message id in the index. The triggers that keep
the index right when a message is edited or deleted act only on messages up to the mark (the
index must never be told to forget text it was never given), and a message stored with an id at
or below the mark (an id used again after a delete) is indexed at once (migration m008).
"""

from __future__ import annotations

from banco.inbox.store.database import Store

#: messages indexed per transaction: a search waiting on a backlog shows progress this often
CHUNK = 500


def pending(store: Store) -> int:
    """How many stored messages the index does not hold yet."""
    return int(
        store.scalar(
            "select count(*) from messages"
            " where id > (select messages_up_to from search_state where id = 1)"
        )
    )


def catch_up(store: Store) -> int:
    """Index every message stored since the last time; returns how many were indexed."""
    indexed = 0
    while True:
        with store.writing():  # read the mark and move it in one write transaction
            up_to = store.scalar("select messages_up_to from search_state where id = 1")
            ids = [
                row[0]
                for row in store.db.execute(
                    "select id from messages where id > ? order by id limit ?", [up_to, CHUNK]
                )
            ]
            if not ids:
                return indexed
            store.db.execute(
                "insert into messages_fts (rowid, subject, text, sender)"
                " select id, subject, text, sender from messages where id > ? and id <= ?",
                [up_to, ids[-1]],
            )
            store.db.execute("update search_state set messages_up_to = ? where id = 1", [ids[-1]])
        indexed += len(ids)
