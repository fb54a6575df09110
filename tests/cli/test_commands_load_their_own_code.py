"""Each command loads its own code: listing orders does not import the guided setup's HTTP
client, the page's server, the collect or the demo (what a command costs at start is measured in
bench/views.py; this holds what it loads)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

#: what `banco orders` has no use for, and what importing it would cost every command
NOT_FOR_ORDERS = (
    "banco.inbox.cli.setup",
    "banco.inbox.setup",
    "banco.inbox.web",
    "banco.inbox.collect.sync",
    "banco.inbox.demo",
    "httpx",
    "uvicorn",
    "starlette",
    "apscheduler",
)

PROBE = """
import sys
from banco.inbox.cli.main import main
sys.argv = ["banco", "--home", sys.argv[1], *sys.argv[2:]]
try:
    main()
finally:
    print(" ".join(sorted(sys.modules)), file=sys.stderr)
"""


def loaded(home: Path, *args: str) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(home), *args], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return set(done.stderr.split())


def test_listing_orders_loads_no_other_commands_code(write_shop) -> None:
    modules = loaded(write_shop(), "orders")
    assert "banco.inbox.cli.orders" in modules
    assert [m for m in NOT_FOR_ORDERS if m in modules] == []


#: what the digest and the reply session's listing have no use for: reading a message for facts
#: (dateparser, a tenth of a second) and filing one
NOT_FOR_THE_DIGEST = (
    "dateparser",
    "banco.inbox.orders.proposals",
    "banco.inbox.collect.ingest",
    "banco.inbox.collect.sync",
)


def test_the_digest_loads_nothing_of_filing(write_shop) -> None:
    modules = loaded(write_shop(), "digest")
    assert "banco.inbox.routines.digest" in modules
    assert [m for m in NOT_FOR_THE_DIGEST if m in modules] == []


def test_the_help_still_lists_every_command(write_shop) -> None:
    from banco.inbox.cli.main import COMMANDS

    home = write_shop()
    done = subprocess.run(
        [sys.executable, "-m", "banco.inbox", "--home", str(home), "--help"],
        capture_output=True,
        text=True,
    )
    listed = {line.split()[0] for line in done.stdout.split("Commands:")[1].splitlines() if line}
    assert listed == set(COMMANDS)
