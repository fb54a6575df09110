"""What the store keeps so that views read what they show (m026): each order's last word and
oldest waiting message, and how many messages wait in all. Whatever writes the messages (a
message filed, answered, snoozed, moved to another order, marked automatic, dated again,
deleted), the kept values are those read from the messages themselves: random sequences of such
writes, checked after each one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlite_utils import Database

from banco.inbox.store.database import Store
from banco.inbox.store.migrations import migrations

ORDERS = 3
#: one write to the messages table; ``m`` picks a message (modulo how many there are)
WRITES = st.one_of(
    st.tuples(
        st.just("insert"),
        st.sampled_from([None, *range(1, ORDERS + 1)]),
        st.sampled_from(["in", "out"]),
        st.integers(0, 1),
        st.sampled_from([None, 1, 2, 3, 14, 28]),
        st.sampled_from([None, "auto_reply"]),
    ),
    st.tuples(st.just("waiting"), st.integers(0, 99), st.integers(0, 1)),
    st.tuples(st.just("move"), st.integers(0, 99), st.sampled_from([None, *range(1, ORDERS + 1)])),
    st.tuples(st.just("auto"), st.integers(0, 99), st.sampled_from([None, "auto_reply"])),
    st.tuples(st.just("date"), st.integers(0, 99), st.sampled_from([None, 1, 2, 3, 14, 28])),
    st.tuples(st.just("direction"), st.integers(0, 99), st.sampled_from(["in", "out"])),
    st.tuples(st.just("delete"), st.integers(0, 99)),
)


def _day(day: int | None) -> str | None:
    return f"2026-11-{day:02d}T10:00:00+00:00" if day is not None else None


def _apply(store: Store, write: tuple[Any, ...], count: list[int]) -> None:
    db = store.conn
    ids = [row[0] for row in db.execute("select id from messages order by id")]
    kind, *args = write
    if kind == "insert":
        order, direction, waiting, day, auto = args
        count[0] += 1
        db.execute(
            "insert into messages (account, channel, external_id, direction, collected_at,"
            " sent_at, order_id, waiting, auto) values ('mail', 'email', ?, ?, ?, ?, ?, ?, ?)",
            [f"x{count[0]}", direction, _day(1), _day(day), order, waiting, auto],
        )
        return
    if not ids:
        return
    message = ids[args[0] % len(ids)]
    column = {"waiting": "waiting", "move": "order_id", "auto": "auto", "date": "sent_at"}
    column["direction"] = "direction"
    if kind == "delete":
        db.execute("delete from messages where id = ?", [message])
    else:
        value = _day(args[1]) if kind == "date" else args[1]
        db.execute(f"update messages set {column[str(kind)]} = ? where id = ?", [value, message])


def _read_again(store: Store) -> tuple[list[tuple[object, ...]], int]:
    """Each order's last word and oldest waiting message, and the waiting count, read from the
    messages as the views once did."""
    rows = store.conn.execute(
        "select o.id, l.id, l.sent_at, l.direction,"
        " (select min(w.sent_at) from messages w where w.order_id = o.id and w.waiting = 1)"
        " from orders o left join messages l on l.id = (select l.id from messages l"
        " where l.order_id = o.id and l.auto is null order by l.sent_at desc, l.id desc limit 1)"
        " order by o.id"
    ).fetchall()
    waiting = store.conn.execute("select count(*) from messages where waiting = 1").fetchone()
    return rows, waiting[0]


def _kept(store: Store) -> tuple[list[tuple[object, ...]], int]:
    rows = store.conn.execute(
        "select id, last_word_id, last_word_at, last_direction, waiting_since from orders"
        " order by id"
    ).fetchall()
    waiting = store.conn.execute("select n from kept_counts where name = 'waiting'").fetchone()
    return rows, waiting[0]


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(writes=st.lists(WRITES, max_size=30))
def test_what_the_store_keeps_is_what_the_messages_say(tmp_path: Path, writes) -> None:
    home = tmp_path / f"shop{len(list(tmp_path.iterdir()))}"
    home.mkdir()
    store = Store(home)
    try:
        for n in range(1, ORDERS + 1):
            store.conn.execute(
                "insert into orders (id, ref, created_at, updated_at) values (?, ?, ?, ?)",
                [n, f"B-{n:04d}", _day(1), _day(1)],
            )
        count = [0]
        for write in writes:
            _apply(store, write, count)
            assert _kept(store) == _read_again(store), write
    finally:
        store.close()


def test_a_store_from_before_keeps_what_its_messages_say(tmp_path: Path) -> None:
    """A store written before m026 gets its kept values from the messages it holds."""
    db = Database(tmp_path / "old.db")
    migrations.apply(db, stop_before="m026_order_waits")
    for n in (1, 2):
        db.execute(
            "insert into orders (id, ref, created_at, updated_at) values (?, ?, ?, ?)",
            [n, f"B-{n:04d}", _day(1), _day(1)],
        )
    for n, (order, direction, waiting, day) in enumerate(
        [(1, "in", 1, 3), (1, "out", 0, 5), (1, "in", 1, 7), (2, "out", 0, 2), (None, "in", 1, 4)]
    ):
        db.execute(
            "insert into messages (account, channel, external_id, direction, collected_at,"
            " sent_at, order_id, waiting) values ('mail', 'email', ?, ?, ?, ?, ?, ?)",
            [f"x{n}", direction, _day(1), _day(day), order, waiting],
        )
    db.conn.commit()
    db.close()
    (tmp_path / "shop").mkdir()
    (tmp_path / "old.db").rename(tmp_path / "shop" / "banco.db")
    store = Store(tmp_path / "shop")
    try:
        assert _kept(store) == _read_again(store)
        assert _kept(store) == ([(1, 3, _day(7), "in", _day(3)), (2, 4, _day(2), "out", None)], 3)
    finally:
        store.close()
