"""Search takes any text: the maker's words are quoted for FTS5, match as prefixes, across accents
and Italian and French plurals; a customer's name or address finds her orders and messages, best
first and newest first among equals, with the matching words marked apart from the text."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlite_utils import Database

from banco.connectors import Handle, Page, Person, Record
from banco.inbox.collect.ingest import Ingest
from banco.inbox.store.contacts import add_contact, add_handle, merge_contact
from banco.inbox.store.database import Store
from banco.inbox.store.migrations import migrations
from banco.inbox.store.orders import add_order
from banco.inbox.store.queries import search
from banco.inbox.store.search_index import NoWords, match_expression

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
#: FTS5's own syntax, and the characters that broke the search before
HOSTILE = ['"', '""', 'a"b', "*", "(", ")", "AND", "OR NOT", "NEAR(a b)", "col:x", "^x", "+", "-x"]


def mail(n: int, text: str, *, name: str = "Ann", address: str = "", hours_ago: int = 0) -> Record:
    return Record(
        external_id=f"m{n}",
        channel="email",
        sent_at=NOW - timedelta(hours=hours_ago),
        sender=Person(name, [Handle("email", address or f"ann{n}@example.com")]),
        subject=f"Mail {n}",
        text=text,
        message_key=f"m{n}@example.com",
    )


def file(store: Store, *records: Record) -> None:
    Ingest(store, "mail", NOW).save_page(Page("INBOX", len(records), list(records)))


def subjects(store: Store, words: str) -> list[str]:
    return [r["subject"] for r in search(store, words) if r["type"] == "message"]


def order_for(store: Store, contact_id: int, ref: str, title: str, created: datetime) -> int:
    at = created.isoformat()
    return add_order(
        store,
        {"ref": ref, "contact_id": contact_id, "title": title, "created_at": at, "updated_at": at},
    )


def people_index_is_sound(store: Store) -> bool:
    store.db.execute("insert into people_fts (people_fts, rank) values ('integrity-check', 1)")
    return True


@pytest.mark.parametrize("text", HOSTILE)
def test_fts5_syntax_and_quotes_are_only_words(store: Store, text: str) -> None:
    file(store, mail(1, 'vorrei "sei" tazze and a b c, col x'))
    try:
        results = search(store, text)
    except NoWords:
        return  # said plainly by the command and the page
    assert isinstance(results, list)


def test_a_quote_alone_has_no_words_to_look_for(store: Store) -> None:
    with pytest.raises(NoWords):
        search(store, '"')
    with pytest.raises(NoWords):
        search(store, "  ()*!? 🙂 \x00 ")


def test_words_match_as_prefixes(store: Store) -> None:
    file(store, mail(1, "sei tazze blu"), mail(2, "un vaso verde"))
    assert subjects(store, "tazz") == ["Mail 1"]
    assert subjects(store, "taz bl") == ["Mail 1"]


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("tazze", "una tazza rossa"),
        ("tazza", "sei tazze blu"),
        ("tasse", "Douze Tasses pour mon équipe"),
        ("tasses", "une tasse à café"),
        ("bomboniera", "40 bomboniere per il matrimonio"),
        ("bomboniere", "una bomboniera"),
        ("cafe", "une tasse à café"),
        ("équipe", "pour mon equipe"),
        ("chevaux", "un cheval en céramique"),
        ("CITTÀ", "consegna in città"),
    ],
)
def test_accents_and_plurals_do_not_hide_a_match(store: Store, typed: str, stored: str) -> None:
    file(store, mail(1, stored), mail(2, "nothing to see here"))
    assert subjects(store, typed) == ["Mail 1"]


def test_the_exact_word_ranks_above_its_relatives(store: Store) -> None:
    file(store, mail(1, "una tazza", hours_ago=0), mail(2, "due tazze", hours_ago=5))
    assert subjects(store, "tazze") == ["Mail 2", "Mail 1"]


def test_a_reference_or_an_address_is_one_phrase(store: Store) -> None:
    file(store, mail(1, "about B-0042 please"), mail(2, "b and 0042 apart"))
    assert subjects(store, "B-0042") == ["Mail 1"]
    assert match_expression("ann@example.com") == '"ann example com"*'


def test_a_customers_name_or_address_finds_her_orders_and_messages(store: Store) -> None:
    file(
        store,
        mail(1, "ciao, vorrei un vaso", name="Chiara Rossi", address="chiara@libero.example"),
        mail(2, "un piatto", name="Marco Bianchi", address="marco@example.com"),
    )
    chiara = store.scalar("select contact_id from handles where value = 'chiara@libero.example'")
    order_for(store, chiara, "R-1", "Bomboniere", NOW - timedelta(days=9))
    order_for(store, chiara, "R-2", "Vaso blu", NOW - timedelta(days=1))
    marco = store.scalar("select contact_id from handles where value = 'marco@example.com'")
    order_for(store, marco, "R-3", "Piatti", NOW)
    hers = {r["id"] for r in store.all("select id from orders where contact_id = ?", [chiara])}
    for typed in ("Rossi", "chiara rossi", "chiara@libero.example", "libero"):
        found = search(store, typed)
        orders = [r for r in found if r["type"] == "order"]
        assert {r["id"] for r in orders} == hers, typed  # hers, not Marco's
        refs = [r["ref"] for r in orders]
        assert refs.index("R-2") < refs.index("R-1"), typed  # tied on her name: newest first
        assert [r["sender"] for r in found if r["type"] == "message"] == ["Chiara Rossi"], typed


def test_an_orders_own_words_find_it(store: Store) -> None:
    contact = add_contact(store, "Léa", NOW.isoformat())
    order_for(store, contact, "R-7", "Assiettes à dessert", NOW)
    assert [r["ref"] for r in search(store, "assiette dessert")] == ["R-7"]
    assert [r["ref"] for r in search(store, "lea")] == ["R-7"]


def test_results_are_ranked_and_the_newest_comes_first_among_equals(store: Store) -> None:
    file(
        store,
        mail(1, "smalto verde", hours_ago=30),
        mail(2, "smalto verde", hours_ago=2),
        mail(3, "smalto verde", hours_ago=10),
        mail(4, "smalto verde smalto smalto, tutto smalto", hours_ago=50),
    )
    assert subjects(store, "smalto") == ["Mail 4", "Mail 2", "Mail 3", "Mail 1"]


def test_the_snippet_marks_the_matching_words_apart_from_the_text(store: Store) -> None:
    file(store, mail(1, "Sei <b>tazze</b> blu & una \x02tazza\x03 <script>x</script>"))
    [result] = search(store, "tazze", snippets=True)
    parts = result["snippet"]
    marked = parts[1::2]
    assert marked and all(part.lower().startswith("tazz") for part in marked)
    assert "".join(parts).count("<script>") == 1  # the text as it is: the page escapes it
    assert not any(c in "".join(parts) for c in "\x02\x03")


def test_merging_contacts_keeps_the_people_index_right(store: Store) -> None:
    old = add_contact(store, "Claire", NOW.isoformat())
    add_handle(store, old, Handle("email", "claire@old.example"), "Claire")
    new = add_contact(store, "Claire Martin", NOW.isoformat())
    order_for(store, new, "R-9", "Vases", NOW)
    assert search(store, "claire@old.example") == []
    merge_contact(store, old, into=new)
    assert [r["ref"] for r in search(store, "claire@old.example")] == ["R-9"]
    assert store.scalar("select count(*) from people_fts") == 1
    assert people_index_is_sound(store)


def test_filing_notes_who_changed_and_a_search_indexes_them(store: Store) -> None:
    file(
        store, mail(1, "quanto costa un vaso?", name="anna@example.com", address="anna@example.com")
    )
    assert store.scalar("select count(*) from people_stale") == 1  # not indexed while filing
    assert store.scalar("select count(*) from people_fts") == 0
    assert [r["type"] for r in search(store, "anna@example.com")][:1] == ["order"]
    assert store.scalar("select count(*) from people_stale") == 0
    contact = store.scalar("select id from contacts")
    store.db.execute("update contacts set name = 'Anna Verdi' where id = ?", [contact])
    assert {r["type"] for r in search(store, "verdi")} == {"order", "message"}
    assert people_index_is_sound(store)


def test_the_migration_indexes_the_people_of_an_existing_store(tmp_path: Path) -> None:
    db = Database(tmp_path / "old.db")
    migrations.apply(db, stop_before="m018_search_people")
    db.execute("insert into contacts (id, name, created_at) values (1, 'Chloé Dubois', 'x')")
    db.execute("insert into handles (contact_id, kind, value) values (1, 'email', 'cd@ex.fr')")
    db.execute(
        "insert into orders (ref, contact_id, title, created_at, updated_at)"
        " values ('B-0001', 1, 'Bols', 'x', 'x')"
    )
    db.conn.commit()
    db.close()
    (tmp_path / "shop").mkdir()
    (tmp_path / "old.db").rename(tmp_path / "shop" / "banco.db")
    store = Store(tmp_path / "shop")
    try:
        assert [r["ref"] for r in search(store, "chloe")] == ["B-0001"]
        assert [r["ref"] for r in search(store, "cd@ex.fr")] == ["B-0001"]
    finally:
        store.close()


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.one_of(
        st.text(),
        st.text(alphabet=st.sampled_from('"*()^:+-{}[],. ANDORNTEA\x00🙂é'), max_size=40),
        st.lists(st.sampled_from([*HOSTILE, "tazze", "🙂", "\x00", "é"])).map(" ".join),
        st.text(min_size=1, max_size=30).map(lambda t: (t * 10_000)[:10_000]),  # 10k characters
    )
)
def test_any_text_gives_results_or_no_words(store: Store, text: str) -> None:
    if not store.scalar("select count(*) from messages"):
        file(store, mail(1, 'sei "tazze" AND blu 🙂 (col:x) NEAR'))
    try:
        results = search(store, text, limit=10)
    except NoWords:
        return
    assert all(r["type"] in ("order", "message") for r in results)


def test_the_count_is_how_many_a_search_finds(store: Store) -> None:
    """``search_count`` (the "and N more" of a listing, the page's total) counts what ``search``
    finds without ranking it: own words and the customer's name or address once each, Banco's own
    notes never, whether their words or the customer they name match."""
    from banco.connectors.base import OWN_NOTE
    from banco.inbox.store.queries import search_count

    file(
        store,
        mail(1, "ciao, vorrei un vaso rossi", name="Chiara Rossi", address="chiara@libero.example"),
        mail(2, "un piatto", name="Marco Bianchi", address="marco@example.com"),
        mail(3, "vaso e piatto per Chiara", name="Marco Bianchi", address="marco@example.com"),
        mail(
            4,
            "Digest: Chiara Rossi aspetta un vaso",
            name="Chiara Rossi",
            address="chiara@libero.example",
        ),
    )
    store.db.execute("update messages set auto = ? where external_id = 'm4'", [OWN_NOTE])
    chiara = store.scalar("select contact_id from handles where value = 'chiara@libero.example'")
    order_for(store, chiara, "R-1", "Vaso rossi", NOW)
    for typed in (
        "rossi",
        "vaso",
        "chiara",
        "piatto",
        "marco",
        "digest",
        "nulla",
        "chiara@libero.example",
    ):
        assert search_count(store, typed) == len(search(store, typed)), typed
    note = store.scalar("select id from messages where external_id = 'm4'")
    assert search_count(store, "digest") == 0
    assert note not in {r["id"] for r in search(store, "chiara") if r["type"] == "message"}


@settings(max_examples=60, deadline=None)
@given(
    mails=st.lists(
        st.tuples(
            st.sampled_from(["smalto", "smalto verde", "smalto smalto", "verde", "smalto blu"]),
            st.integers(0, 5),  # hours ago: equal times too
            st.booleans(),  # Banco's own note
            st.sampled_from(["Ann", "Smalto Rossi"]),  # a customer named with the word
        ),
        max_size=14,
    ),
    limit=st.integers(1, 6),
    offset=st.integers(0, 4),
)
def test_a_page_of_results_is_that_page_of_them_all(
    tmp_path_factory: pytest.TempPathFactory,
    mails: list[tuple[str, int, bool, str]],
    limit: int,
    offset: int,
) -> None:
    """A page reads only the rows whose rank may be on it: the page is still the same part of
    all the results, ties of rank in their newest-first order, Banco's own notes never counted
    in it."""
    from banco.connectors.base import OWN_NOTE

    store = Store(tmp_path_factory.mktemp("shop"))
    try:
        file(
            store,
            *(
                mail(
                    n,
                    text,
                    name=name,
                    address=f"{name.split()[0].lower()}@example.com",
                    hours_ago=hours,
                )
                for n, (text, hours, _own, name) in enumerate(mails, 1)
            ),
        )
        for n, (_text, _hours, own, _name) in enumerate(mails, 1):
            if own:
                store.db.execute(
                    "update messages set auto = ? where external_id = ?", [OWN_NOTE, f"m{n}"]
                )
        notes = {r["id"] for r in store.all("select id from messages where auto = ?", [OWN_NOTE])}
        every = [(r["type"], r["id"]) for r in search(store, "smalto")]
        assert not notes & {i for kind, i in every if kind == "message"}
        page = search(store, "smalto", limit=limit, offset=offset)
        assert [(r["type"], r["id"]) for r in page] == every[offset : offset + limit]
    finally:
        store.close()
