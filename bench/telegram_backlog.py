"""Collecting a Telegram backlog: Banco against a plain python-telegram-bot loop, in the same run.

    .venv/bin/python bench/telegram_backlog.py [--updates 10000] [--rounds 3]

Each measurement gets a fresh local Bot API server (the one the tests use, run as its own
process so that it does not share the interpreter with the client) holding ``--updates`` private
messages from 50 customers, and times:

  plain PTB loop     Bot.get_updates(offset, limit=100) until the queue is empty, results
                     discarded: the floor for any client of the Bot API
  PTB, asyncio.run   the same, with a new Bot and event loop for every call (the alternative to
                     the private event loop Banco's connector keeps for a whole collect)
  banco collect      inbox.sync.collect on a fresh shop: getUpdates, records, contacts, orders,
                     threads and full-text index, each page committed with its offset

and, in one more run per round, how a collect's time splits between the connector and the store.

It prints updates per second and Banco's rate as a ratio of the plain loop's (target: 0.5x).
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SERVER = ROOT / "tests" / "fixtures_telegram.py"
TOKEN = "123456789:AAH-test-token_for_banco"
ALLOWED = ["message", "edited_message", "business_message", "edited_business_message"]

os.environ["NO_PROXY"] = "127.0.0.1,localhost"
os.environ["BANCO_BENCH_TELEGRAM_TOKEN"] = TOKEN


@contextmanager
def server(updates: int) -> Iterator[str]:
    """A local Bot API server process holding ``updates`` updates; yields its URL."""
    proc = subprocess.Popen(
        [sys.executable, str(SERVER)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "BACKLOG": str(updates)},
        cwd=SERVER.parent,
    )
    try:
        assert proc.stdout is not None
        yield proc.stdout.readline().strip()
    finally:
        assert proc.stdin is not None
        proc.stdin.close()
        proc.wait(timeout=30)


def python_telegram_bot() -> Any:
    """The library (imported by name: to type checkers, "telegram" here is this file)."""
    return importlib.import_module("telegram")


def plain_loop(url: str) -> int:
    Bot = python_telegram_bot().Bot

    async def main() -> int:
        seen = 0
        offset = None
        async with Bot(TOKEN, base_url=f"{url}/bot", base_file_url=f"{url}/file/bot") as bot:
            while True:
                updates = await bot.get_updates(
                    offset=offset, limit=100, timeout=0, allowed_updates=ALLOWED
                )
                if not updates:
                    return seen
                seen += len(updates)
                offset = updates[-1].update_id + 1

    return asyncio.run(main())


def run_per_call(url: str) -> int:
    Bot = python_telegram_bot().Bot

    async def page(offset: int | None) -> tuple[int, int | None]:
        async with Bot(TOKEN, base_url=f"{url}/bot", base_file_url=f"{url}/file/bot") as bot:
            updates = await bot.get_updates(
                offset=offset, limit=100, timeout=0, allowed_updates=ALLOWED
            )
            return len(updates), (updates[-1].update_id + 1 if updates else offset)

    seen = 0
    offset = None
    while True:
        count, offset = asyncio.run(page(offset))
        if not count:
            return seen
        seen += count


def banco_collect(url: str) -> Callable[[], int]:
    """Prepare a fresh shop for ``url`` (store created) and return the timed part."""
    from banco.inbox.collect.sync import collect
    from banco.inbox.shop import Shop

    home = Path(tempfile.mkdtemp(prefix="banco-bench-tg-"))
    (home / "banco.toml").write_text(
        '[shop]\nname = "Bench"\n'
        '[[accounts]]\nname = "tg"\nkind = "telegram"\n'
        f'token = {{env = "BANCO_BENCH_TELEGRAM_TOKEN"}}\napi_url = "{url}"\n',
        encoding="utf-8",
    )
    shop = Shop.open(home)
    shop.store  # noqa: B018 - create the schema before the clock starts

    def timed() -> int:
        try:
            [result] = collect(shop)
            assert result.ok, result.error
            return int(shop.store.scalar("select count(*) from messages"))
        finally:
            shop.close()
            shutil.rmtree(home, ignore_errors=True)

    return timed


def banco_split(url: str) -> tuple[float, float]:
    """The collect done by hand: seconds in the connector (getUpdates, reading, downloads) and
    seconds in the store (Ingest.save_page), for the same pages."""
    from datetime import UTC, datetime

    from banco.inbox.collect.ingest import Ingest
    from banco.inbox.shop import Shop

    home = Path(tempfile.mkdtemp(prefix="banco-bench-tg-"))
    (home / "banco.toml").write_text(
        '[[accounts]]\nname = "tg"\nkind = "telegram"\n'
        f'token = {{env = "BANCO_BENCH_TELEGRAM_TOKEN"}}\napi_url = "{url}"\n',
        encoding="utf-8",
    )
    shop = Shop.open(home)
    ingest = Ingest(shop.store, "tg", datetime.now(UTC))
    connector = shop.connector("tg")
    fetching = storing = 0.0
    try:
        pages = connector.fetch({})
        while True:
            started = time.perf_counter()
            page = next(pages, None)
            fetching += time.perf_counter() - started
            if page is None:
                return fetching, storing
            started = time.perf_counter()
            ingest.save_page(page)
            storing += time.perf_counter() - started
    finally:
        connector.close()
        shop.close()
        shutil.rmtree(home, ignore_errors=True)


def measure(updates: int, prepare: Callable[[str], Callable[[], int]]) -> float:
    """Updates per second for one fresh server."""
    with server(updates) as url:
        run = prepare(url)
        started = time.perf_counter()
        got = run()
        elapsed = time.perf_counter() - started
    assert got == updates, f"expected {updates} updates, got {got}"
    return updates / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--updates", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    kinds: dict[str, Callable[[str], Callable[[], int]]] = {
        "plain PTB loop": lambda url: lambda: plain_loop(url),
        "PTB, asyncio.run": lambda url: lambda: run_per_call(url),
        "banco collect": banco_collect,
    }
    rates: dict[str, list[float]] = {name: [] for name in kinds}
    splits: list[tuple[float, float]] = []
    for _ in range(args.rounds):
        for name, prepare in kinds.items():
            rates[name].append(measure(args.updates, prepare))
        with server(args.updates) as url:
            splits.append(banco_split(url))
    print(f"{args.updates} updates, {args.rounds} round(s), median updates per second:")
    medians = {name: statistics.median(values) for name, values in rates.items()}
    for name, rate in medians.items():
        spread = ", ".join(f"{r:,.0f}" for r in rates[name])
        print(f"  {name:<18} {rate:>9,.0f}/s   ({spread})")
    ratio = medians["banco collect"] / medians["plain PTB loop"]
    print(f"banco collect / plain PTB loop: {ratio:.2f}x (target 0.5x)")
    fetching = statistics.median(f for f, _ in splits)
    storing = statistics.median(s for _, s in splits)
    print(
        f"banco collect, by hand: {fetching:.2f} s in the connector (getUpdates, reading the"
        f" updates), {storing:.2f} s in the store (Ingest.save_page)"
    )
    plain_seconds = args.updates / medians["plain PTB loop"]
    print(
        f"the store alone takes {storing / plain_seconds:.2f}x the plain loop's time: Banco's"
        f" ceiling with a connector costing nothing is {plain_seconds / storing:.2f}x"
    )
    per_call = medians["PTB, asyncio.run"] / medians["plain PTB loop"]
    print(f"asyncio.run per call / one loop: {per_call:.2f}x")


if __name__ == "__main__":
    main()
