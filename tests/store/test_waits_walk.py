"""The customers she waits for and the orders waiting on her work are read along the index of
last words (m027), said without the ``case`` that tells who each open order waits on: whatever
the orders hold, they are the same orders, in the same order, and as many, as that ``case``
gives (which the status check of every order uses)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from banco.inbox.orders.status import RULES
from banco.inbox.store.database import Store
from banco.inbox.store.orders import STATUSES
from banco.inbox.store.waits import count_open_orders, open_orders_waiting

DAYS = [None, "2026-11-01T10:00:00+00:00", "2026-11-02T10:00:00+00:00"]
#: an order as the kept values describe it: status, history, last word (its message id, day,
#: direction), since when a message waits, and whether that last word bounced
ORDER = st.tuples(
    st.sampled_from(STATUSES),
    st.sampled_from([None, "past", "live"]),
    st.sampled_from([None, 1, 2, 3]),
    st.sampled_from(DAYS),
    st.sampled_from([None, "in", "out"]),
    st.sampled_from([None, None, None, *DAYS[1:]]),  # most orders wait on nobody's message
    st.sampled_from([False, False, False, True]),
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(orders=st.lists(ORDER, max_size=16), limit=st.sampled_from([None, 1, 3]))
def test_the_walk_gives_what_the_case_gives(
    tmp_path_factory, orders: list[tuple], limit: int | None
) -> None:
    store = Store(tmp_path_factory.mktemp("shop"))
    try:
        for n, (status, history, word, at, direction, since, bounced) in enumerate(orders, 1):
            store.insert(
                "orders",
                {
                    "ref": f"B-{n:04d}",
                    "title": "Mugs",
                    "status": status,
                    "history": history,
                    "last_word_id": word and 10 * n + word,
                    "last_word_at": at if word else None,
                    "last_direction": direction if word else None,
                    "waiting_since": since,
                    "created_at": "2026-11-01T09:00:00+00:00",
                    "updated_at": "2026-11-01T09:00:00+00:00",
                },
            )
            if word and bounced:
                store.insert(
                    "failing_addresses",
                    {
                        "kind": "email",
                        "value": f"c{n}@example.com",
                        "failed_at": "2026-11-03T10:00:00+00:00",
                        "bounce_id": 1,
                        "returned_id": 10 * n + word,
                    },
                )
        every = open_orders_waiting(store, RULES)
        for kind in ("customer", "work"):
            told = [(o["ref"], o["since"]) for o in every if o["waiting_on"] == kind]
            walked = open_orders_waiting(store, RULES, waiting_on=kind, limit=limit)
            assert [(o["ref"], o["since"]) for o in walked] == told[:limit]
            assert all(o["waiting_on"] == kind for o in walked)
            assert count_open_orders(store, RULES, waiting_on=kind) == len(told)
    finally:
        store.close()
