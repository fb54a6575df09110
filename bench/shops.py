"""Big shops for the benchmarks, written straight into Banco's schema (one transaction each).

``WORDS``, ``VOCABULARY`` and ``NAMES`` make text as wide as real mail; ``build_shop`` writes a
shop of one of two shapes:

  answered  a shop in use: each order a conversation of the customer's mail and the maker's
            answers, orders spread over the pipeline (half closed), a few customers waiting
  backfill  a first 90-day collect: every order new, every mail the customer's and unanswered,
            so every one of them waits (the shape that made ``banco orders`` take 20 s)
"""

from __future__ import annotations

import random
import secrets
from datetime import datetime, timedelta

from banco.inbox.store.database import Store
from banco.inbox.store.search_index import catch_up

WORDS = [
    "tazza", "tazze", "piatto", "piatti", "bomboniere", "matrimonio", "colore", "blu", "verde",
    "consegna", "prezzo", "grazie", "ciao", "mug", "mugs", "plate", "plates", "wedding",
    "favours", "colour", "blue", "green", "delivery", "price", "thanks", "hello", "glaze",
    "assiette", "assiettes", "mariage", "couleur", "bleu", "livraison", "prix", "merci",
    "bonjour", "vase", "vases", "smalto", "argilla",
]  # fmt: skip
SYLLABLES = ["ba", "ce", "di", "fo", "gu", "la", "me", "ni", "po", "ru", "sa", "te", "vi", "zo"]
# A vocabulary as wide as real mail: each shop word appears in a few percent of messages.
VOCABULARY = (
    WORDS + sorted({a + b + c for a in SYLLABLES for b in SYLLABLES for c in SYLLABLES})[:2000]
)
NAMES = [
    "Anna", "Marco", "Lucia", "Paolo", "Emma", "Louis", "Chloé", "Giulia", "Sofia", "James",
    "Olivia", "Hugo", "Léa", "Matteo",
]  # fmt: skip
SHAPES = ("answered", "backfill")
#: the pipeline's statuses, as a shop in use spreads its orders over them
STATUSES = ["new", "awaiting_info", "quoted", "booked", "in_progress", "ready", "completed"]
ACCOUNT = "shop-mail"


def build_shop(store: Store, orders: int, messages: int, shape: str, now: datetime) -> None:
    """Write ``orders`` orders and ``messages`` messages of ``shape`` into an empty store,
    dated before ``now``, and index them for search as a collect does."""
    rng = random.Random(42)
    backfill = shape == "backfill"
    conn, at = store.db.conn, now.isoformat()
    with store.db.atomic():
        conn.executemany(
            "insert into contacts (id, name, created_at) values (?, ?, ?)",
            [(i, f"{rng.choice(NAMES)} {i}", at) for i in range(1, orders + 1)],
        )
        conn.executemany(
            "insert into handles (contact_id, kind, value, display) values (?, 'email', ?, ?)",
            [(i, f"customer{i}@mail.example", f"Customer {i}") for i in range(1, orders + 1)],
        )
        rows = []
        for i in range(1, orders + 1):
            status = "new" if backfill else rng.choice(STATUSES)
            created = now - timedelta(hours=rng.randint(1, 24 * (90 if backfill else 365)))
            rows.append(
                (
                    i, f"B-{i:04d}", secrets.token_urlsafe(9), i, status,
                    " ".join(rng.choices(WORDS, k=4)), " ".join(rng.choices(WORDS, k=20)),
                    (now + timedelta(days=rng.randint(-20, 90))).date().isoformat(),
                    rng.choice([2.0, 4.0, 8.0]) if status in ("booked", "in_progress") else None,
                    created.isoformat(), at,
                    at if status == "completed" else None,
                )
            )  # fmt: skip
        conn.executemany(
            "insert into orders (id, ref, token, contact_id, status, title, details, deadline,"
            " estimated_hours, created_at, updated_at, closed_at)"
            " values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        conn.executemany(
            "insert into order_events (order_id, at, kind, data) values (?, ?, 'created', ?)",
            [(r[0], r[9], '{"via": "email"}') for r in rows],
        )
        conn.executemany(
            "insert into tasks (order_id, title, due, created_at) values (?, ?, ?, ?)",
            [(r[0], "Glaze", r[7], at) for r in rows if r[4] in ("booked", "in_progress")],
        )
        conn.executemany(
            "insert into threads (id, account, channel, key, subject, contact_id, order_id,"
            " created_at) values (?, ?, 'email', ?, ?, ?, ?, ?)",
            [(r[0], ACCOUNT, f"k{r[0]}@mail.example", r[5], r[0], r[0], r[9]) for r in rows],
        )
        conn.executemany(
            "insert into messages (account, stream, channel, external_id, direction, thread_id,"
            " contact_id, order_id, sender, sender_handle, sent_at, collected_at, subject, text,"
            " message_key, waiting) values (?, ?, 'email', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            _messages(rng, orders, messages, backfill, now),
        )
    catch_up(store)  # indexed for search, as after a collect


def _messages(
    rng: random.Random, orders: int, count: int, backfill: bool, now: datetime
) -> list[tuple[object, ...]]:
    """Each order's conversation, oldest first: the customer's mail (and, in a shop in use, the
    maker's answers, the last word the customer's in about 3% of orders, who then waits)."""
    per_order, extra = divmod(count, orders)
    rows: list[tuple[object, ...]] = []
    for order in range(1, orders + 1):
        n = per_order + (order <= extra)
        waits = backfill or rng.random() < 0.03
        sent = now - timedelta(minutes=rng.randint(60 * n, 60 * 24 * 90))
        for k in range(n):
            last = k == n - 1
            inbound = backfill or k % 2 == 0 or (last and waits)
            sent += timedelta(minutes=rng.randint(1, 60))
            rows.append(
                (
                    ACCOUNT, "INBOX" if inbound else "Sent", f"m{len(rows) + 1}",
                    "in" if inbound else "out", order, order if inbound else None, order,
                    f"{rng.choice(NAMES)} {order}" if inbound else "Giulia",
                    f"customer{order}@mail.example" if inbound else "giulia@shop.example",
                    sent.isoformat(), now.isoformat(), " ".join(rng.choices(WORDS, k=5)),
                    " ".join(rng.choices(VOCABULARY, k=60)), f"<{len(rows) + 1}@mail.example>",
                    int(inbound and waits and (backfill or last)),
                )
            )  # fmt: skip
    return rows
