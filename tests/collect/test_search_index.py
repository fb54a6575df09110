"""Messages are indexed for search after they are stored, and a search always sees all of them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from banco.connectors import Handle, Page, Person, Record
from banco.inbox.collect.ingest import Ingest
from banco.inbox.store import search_index
from banco.inbox.store.database import Store
from banco.inbox.store.queries import search

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def record(n: int, text: str) -> Record:
    return Record(
        external_id=f"m{n}",
        channel="email",
        sent_at=NOW,
        sender=Person("Ann", [Handle("email", f"ann{n}@example.com")]),
        subject=f"Order {n}",
        text=text,
        message_key=f"m{n}@example.com",
    )


def store_messages(store: Store, texts: list[str], first: int = 1) -> None:
    records = [record(first + k, text) for k, text in enumerate(texts)]
    Ingest(store, "mail", NOW).save_page(Page("INBOX", first, records))


def found(store: Store, words: str) -> list[str]:
    return sorted(r["subject"] for r in search(store, words) if r["type"] == "message")


def index_is_sound(store: Store) -> bool:
    """FTS5's own check that the index holds exactly the stored text of what it covers."""
    store.db.execute("insert into messages_fts (messages_fts, rank) values ('integrity-check', 1)")
    return True


def test_a_search_sees_messages_stored_since_the_last_one(store: Store) -> None:
    store_messages(store, ["sei tazze blu", "un vaso verde"])
    assert search_index.pending(store) == 2
    assert found(store, "tazze") == ["Order 1"]
    assert search_index.pending(store) == 0
    store_messages(store, ["tazze rosse"], first=3)
    assert found(store, "tazze") == ["Order 1", "Order 3"]
    assert index_is_sound(store)


def test_catching_up_goes_a_chunk_at_a_time_and_moves_the_mark_with_each(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search_index, "CHUNK", 2)
    store_messages(store, [f"parola{k}" for k in range(5)])
    assert search_index.catch_up(store) == 5
    assert store.scalar("select messages_up_to from search_state") == 5
    assert search_index.catch_up(store) == 0
    assert found(store, "parola4") == ["Order 5"]
    assert index_is_sound(store)


def test_an_edit_before_indexing_is_indexed_once_with_its_new_text(store: Store) -> None:
    store_messages(store, ["prima versione"])
    store.db.execute("update messages set text = 'seconda versione' where id = 1")
    assert found(store, "seconda") == ["Order 1"]
    assert found(store, "prima") == []
    assert index_is_sound(store)


def test_an_edit_after_indexing_replaces_the_indexed_text(store: Store) -> None:
    store_messages(store, ["prima versione"])
    search_index.catch_up(store)
    store.db.execute("update messages set text = 'seconda versione' where id = 1")
    assert found(store, "seconda") == ["Order 1"]
    assert found(store, "prima") == []
    assert index_is_sound(store)


def test_deleting_an_indexed_or_unindexed_message_keeps_the_index_sound(store: Store) -> None:
    store_messages(store, ["uno", "due"])
    search_index.catch_up(store)
    store_messages(store, ["tre"], first=3)
    store.db.execute("delete from messages where id in (2, 3)")
    assert found(store, "uno") == ["Order 1"]
    assert found(store, "due") == found(store, "tre") == []
    assert index_is_sound(store)


def test_an_id_used_again_after_a_delete_is_indexed_at_once(store: Store) -> None:
    store_messages(store, ["uno", "due"])
    search_index.catch_up(store)
    store.db.execute("delete from messages where id = 2")
    store_messages(store, ["ancora due"], first=3)  # SQLite gives it id 2 again
    assert store.scalar("select id from messages where external_id = 'm3'") == 2
    assert search_index.pending(store) == 0
    assert found(store, "ancora") == ["Order 3"]
    assert index_is_sound(store)


def test_a_search_without_words_finds_nothing_and_indexes_nothing(store: Store) -> None:
    store_messages(store, ["sei tazze blu"])
    with pytest.raises(search_index.NoWords):
        search(store, "   ")
    assert search_index.pending(store) == 1
