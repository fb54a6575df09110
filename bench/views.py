"""Every view of Banco on a small and a big shop: each command as a whole process, each page as a
whole HTTP request, and how much slower it is on the big shop than on the small one.

    .venv/bin/python bench/views.py [--sizes 100,1500,10000] [--shapes answered,backfill]

Shops of 100, 1,500 and 10,000 orders (1k, 6k and 100k messages), in two shapes (see shops.py:
a shop in use, mostly answered; a fresh 90-day backfill, mostly waiting), are built once and kept
under ``--cache`` in a folder named by the store's schema, so a new migration builds them again.
Each run works on a copy. A command is ``banco --home SHOP ...`` run in a new process, timed by
the CPU time it used; a page is a GET against ``banco serve`` on the loopback, timed by the CPU
time the server's threads used while answering it. CPU time, not the wall clock: on a machine
shared with other work the clock measures the others too. Each figure is the median of a few
runs (three for a command, nine for a page) after a first one (which may stage tasks or open a
session); a view slower than a few seconds is timed once.

Targets (issue 19): at 10,000 orders every ratio to the 100-order shop <= 2, every page
<= 100 ms, every command <= 0.5 s.
"""

from __future__ import annotations

import argparse
import compileall
import hashlib
import http.client
import math
import os
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from shops import SHAPES, build_shop

from banco.inbox.store import migrations as migrations_module
from banco.inbox.store.database import Store

BANCO = Path(sys.executable).with_name("banco")
SIZES = {100: 1_000, 1_500: 6_000, 10_000: 100_000}  # orders: messages
COMMANDS = {
    "banco --version": ["--version"],  # the floor: starting Python and Banco
    "orders": ["orders"],
    "status": ["status"],
    "digest": ["digest"],
    "messages --waiting": ["messages", "--waiting"],
    "search tazze": ["search", "tazze"],
    "tasks": ["tasks"],
    "plan": ["plan"],
}
PAGES = {
    "/": "/",
    "/inbox": "/inbox",
    "/orders (board)": "/orders",
    "/orders (list)": "/orders?view=list",
    "/session": "/session",
    "/orders/B-0001": "/orders/B-0001",
    "/plan": "/plan",
    "/accounts": "/accounts",
}
CLI_TARGET, WEB_TARGET, RATIO_TARGET = 0.5, 0.1, 2.0
#: the runs a figure is the median of: a page takes milliseconds, and a few runs of it move by a
#: third with whatever else the machine does
REPEAT = {"command": 3, "page": 9}
SLOW = 3.0  # seconds: a view this slow is timed once
TIMEOUT = 120  # seconds: a view this slow is stopped and shown as such
SETTINGS = """\
[shop]
name = "Bench shop"
owner = "Giulia"
addresses = ["giulia@shop.example"]
timezone = "Europe/Rome"
languages = ["en"]

[[accounts]]
name = "shop-mail"
kind = "maildir"
path = "Maildir"

# A maker's usual places besides: never reached by the views measured, but each command reads
# banco.toml and checks their options as it would for her.
[[accounts]]
name = "gmail"
kind = "imap"
host = "imap.gmail.com"
username = "giulia@shop.example"
password = {env = "BENCH_MAIL_PASSWORD"}
sent_folder = "[Gmail]/Sent Mail"

[[accounts]]
name = "bot"
kind = "telegram"
token = {env = "BENCH_BOT_TOKEN"}

[[accounts]]
name = "form"
kind = "gsheet"
spreadsheet = "1AbCdEfGhIjKlMnOpQrStUvWxYz0123456789"
credentials = {file = "service-account.json"}
"""


def schema_version() -> str:
    """A short name for the store's schema: the text of the migrations it is built with."""
    return hashlib.sha256(Path(migrations_module.__file__).read_bytes()).hexdigest()[:10]


def cached_shop(cache: Path, orders: int, shape: str) -> Path:
    """The shop of ``orders`` orders and ``shape``, built into the cache the first time."""
    home = cache / schema_version() / f"{shape}-{orders}"
    if (home / "banco.toml").exists():
        return home
    building = home.with_name(home.name + ".building")
    shutil.rmtree(building, ignore_errors=True)
    (building / "Maildir").mkdir(parents=True)
    for sub in ("cur", "new", "tmp"):
        (building / "Maildir" / sub).mkdir()
    (building / "banco.toml").write_text(SETTINGS, encoding="utf-8")
    started = time.perf_counter()
    store = Store(building)
    try:
        build_shop(store, orders, SIZES[orders], shape, datetime.now(UTC))
    finally:
        store.close()
    building.rename(home)  # whole or not at all: a stopped build is started again
    print(f"  built {shape} shop of {orders:,} orders in {time.perf_counter() - started:.0f} s")
    return home


def timed(run: Callable[[], tuple[float, int]], repeat: int) -> tuple[float, int]:
    """Median CPU seconds of ``run`` after a first run, and the size of what it printed or sent."""
    first, size = run()
    if first > SLOW:
        return first, size
    return statistics.median(run()[0] for _ in range(repeat)), size


def command(home: Path, args: list[str]) -> Callable[[], tuple[float, int]]:
    """``banco --home HOME ARGS`` in a new process: its CPU time and how much it printed."""

    def run() -> tuple[float, int]:
        with tempfile.TemporaryFile() as out:
            before = _children_cpu()
            process = subprocess.Popen(
                [str(BANCO), "--home", str(home), *args], stdout=out, stderr=subprocess.DEVNULL
            )
            try:
                process.wait(timeout=TIMEOUT)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
                return math.inf, 0
            if process.returncode not in (0, 1):
                raise SystemExit(f"banco {' '.join(args)} exited with {process.returncode}")
            return _children_cpu() - before, out.tell()

    return run


def _children_cpu() -> float:
    """The CPU time of every child process this one has waited for."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def cpu_seconds(pid: int) -> float:
    """The CPU time of every thread of process ``pid`` so far (nanoseconds, per thread)."""
    tasks = Path(f"/proc/{pid}/task")
    return sum(int((t / "schedstat").read_text().split()[0]) for t in tasks.iterdir()) / 1e9


def page(server: int, port: int, path: str) -> Callable[[], tuple[float, int]]:
    """GET ``path``: the server's CPU time for it and the size of the page."""

    def run() -> tuple[float, int]:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
        before = cpu_seconds(server)
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            body = response.read()
        except TimeoutError:
            return math.inf, 0
        finally:
            connection.close()
        spent = cpu_seconds(server) - before
        if response.status != 200:
            raise SystemExit(f"GET {path}: {response.status}")
        return spent, len(body)

    return run


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def serving(home: Path) -> tuple[subprocess.Popen[bytes], int]:
    """``banco serve`` for ``home`` on a free loopback port, once it answers."""
    port = free_port()
    server = subprocess.Popen(
        [str(BANCO), "--home", str(home), "serve", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    while True:
        if server.poll() is not None:
            raise SystemExit(f"banco serve stopped: {server.stderr.read().decode()[-500:]}")  # type: ignore[union-attr]
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return server, port
        except OSError:
            time.sleep(0.05)  # waiting for a process to listen, not timing anything


Figures = dict[str, dict[int, tuple[float, int]]]


def measure(home: Path) -> dict[str, tuple[float, int]]:
    """Every command and page on a copy of the shop in ``home``."""
    figures = {}
    with tempfile.TemporaryDirectory() as tmp:
        shop = Path(shutil.copytree(home, Path(tmp) / "shop"))
        (shop / "banco.toml").write_text(SETTINGS, encoding="utf-8")  # as this run has it
        for name, args in COMMANDS.items():
            figures[name] = timed(command(shop, args), REPEAT["command"])
        server, port = serving(shop)
        try:
            for name, path in PAGES.items():
                figures[name] = timed(page(server.pid, port, path), REPEAT["page"])
        finally:
            server.terminate()
            server.wait()
    return figures


def table(shape: str, sizes: list[int], figures: Figures) -> list[str]:
    small, big = sizes[0], sizes[-1]
    head = "".join(f" {f'{s:,} ord':>11}" for s in sizes)
    lines = [
        f"{shape}: CPU ms per view (median), output size at {big:,} orders",
        f"{'view':<20}{head} {'ratio':>7} {'size':>9}  target",
    ]
    for view, by_size in figures.items():
        seconds = by_size[big][0]
        ratio = seconds / by_size[small][0]
        limit = CLI_TARGET if view in COMMANDS else WEB_TARGET
        met = ratio <= RATIO_TARGET and seconds <= limit
        cells = "".join(f" {_ms(by_size[s][0]):>11}" for s in sizes)
        size = f"{by_size[big][1] / 1000:,.0f} kB"
        lines.append(f"{view:<20}{cells} {ratio:7.1f} {size:>9}  {'met' if met else 'MISSED'}")
    return lines


def _ms(seconds: float) -> str:
    return f"> {TIMEOUT} s" if seconds == math.inf else f"{seconds * 1000:,.0f}"


def compile_banco() -> None:
    """Banco's modules compiled to bytecode, as pip and pipx do when they install it: a checkout
    (with PYTHONDONTWRITEBYTECODE set, as on this machine) would otherwise compile every module
    at every start, 100-200 ms a command that no maker pays."""
    import banco.inbox

    root = Path(banco.inbox.__file__).parents[1]
    for room in ("config", "connectors", "inbox", "scheduler"):
        compileall.compile_dir(root / room, quiet=1)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default=",".join(str(s) for s in SIZES))
    parser.add_argument("--shapes", default=",".join(SHAPES))
    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "banco-bench-views"
    parser.add_argument("--cache", type=Path, default=cache)
    args = parser.parse_args()
    compile_banco()
    sizes = sorted(int(s) for s in args.sizes.split(","))
    if not set(sizes) <= set(SIZES):
        parser.error(f"--sizes: choose among {', '.join(str(s) for s in SIZES)}")
    for shape in args.shapes.split(","):
        if shape not in SHAPES:
            parser.error(f"--shapes: choose among {', '.join(SHAPES)}")
        figures: Figures = {}
        for size in sizes:
            print(f"{shape}, {size:,} orders ...", flush=True)
            for view, figure in measure(cached_shop(args.cache, size, shape)).items():
                figures.setdefault(view, {})[size] = figure
        print("\n".join(table(shape, sizes, figures)), flush=True)


if __name__ == "__main__":
    main()
