"""Digest and full-text search on a big store, as ratios to a plain SQL count measured in the same run.

    .venv/bin/python bench/store.py [--messages 100000] [--orders 10000]

Builds a store with Banco's own schema (customers, orders, messages with realistic text in English,
Italian and French, some waiting, some unreadable), then times:
  baseline  select count(*) over messages joined to orders (one full pass over both tables)
  digest    build_digest + render_text, as `banco digest` does
  search    a full-text search for a word, a name and a phrase, as `banco search` does
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from shops import NAMES, VOCABULARY, WORDS

from banco.inbox.routines.digest import build_digest, render_text
from banco.inbox.store.database import Store
from banco.inbox.store.queries import search
from banco.inbox.store.search_index import catch_up

NOW = datetime(2026, 11, 22, 8, 0, tzinfo=UTC)


def build(store: Store, messages: int, orders: int, rng: random.Random) -> None:
    db = store.db
    contacts = orders // 2
    with db.atomic():
        db.conn.executemany(
            "insert into contacts (id, name, created_at) values (?, ?, ?)",
            [(i, f"{rng.choice(NAMES)} {i}", NOW.isoformat()) for i in range(1, contacts + 1)],
        )
        statuses = ["new", "awaiting_info", "quoted", "booked", "in_progress", "ready", "completed"]
        db.conn.executemany(
            "insert into orders (id, ref, contact_id, status, title, details, deadline, created_at,"
            " updated_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    i,
                    f"B-{i:04d}",
                    rng.randint(1, contacts),
                    rng.choice(statuses),
                    " ".join(rng.choices(WORDS, k=4)),
                    " ".join(rng.choices(WORDS, k=20)),
                    (NOW + timedelta(days=rng.randint(-20, 90))).date().isoformat(),
                    (NOW - timedelta(hours=rng.randint(0, 24 * 365))).isoformat(),
                    NOW.isoformat(),
                )
                for i in range(1, orders + 1)
            ],
        )
        rows = []
        for i in range(1, messages + 1):
            order = rng.randint(1, orders)
            sent = NOW - timedelta(minutes=rng.randint(0, 60 * 24 * 365))
            waiting = 1 if rng.random() < 0.002 else 0
            status = "unreadable" if rng.random() < 0.0005 else "ok"
            rows.append(
                (
                    "mail",
                    "INBOX",
                    "email",
                    f"m{i}",
                    "in",
                    order,
                    f"{rng.choice(NAMES)} {order}",
                    sent.isoformat(),
                    NOW.isoformat(),
                    " ".join(rng.choices(WORDS, k=5)),
                    " ".join(rng.choices(VOCABULARY, k=60)),
                    status,
                    waiting,
                )
            )
        db.conn.executemany(
            "insert into messages (account, stream, channel, external_id, direction, order_id, sender,"
            " sent_at, collected_at, subject, text, status, waiting) values"
            " (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
    catch_up(store)  # indexed for search, as after a collect


def timed(fn: Callable[[], object], repeat: int = 5) -> float:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--orders", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp))
        started = time.perf_counter()
        build(store, args.messages, args.orders, random.Random(42))
        print(
            f"built {args.messages:,} messages and {args.orders:,} orders in "
            f"{time.perf_counter() - started:.1f} s ({store.path.stat().st_size / 1e6:.0f} MB)"
        )
        baseline = timed(
            lambda: store.scalar(
                "select count(*) from messages m join orders o on o.id = m.order_id"
            )
        )

        def digest() -> str:
            facts = build_digest(store, "Bench", NOW, NOW.date())
            return render_text(facts, "en", NOW.date())

        results = {
            "baseline (count over messages ⋈ orders)": baseline,
            "digest (build + render text)": timed(digest),
        }
        for query in ("bomboniere", "Chloé", "blu consegna"):
            hits = len(search(store, query))
            results[f'search "{query}" ({hits:,} hits)'] = timed(lambda q=query: search(store, q))
        for name, seconds in results.items():
            print(f"{name:<44} {seconds * 1000:9.1f} ms   {seconds / baseline:6.2f}x baseline")
        store.close()


if __name__ == "__main__":
    main()
