"""``banco run``: the routines at their slots, in one long-running process per shop.

* Each slot is a job with a :class:`SlotTrigger` (fires once across DST changes), a generous
  misfire grace and coalescing, so a slot missed while the laptop slept runs once on wake.
* At start, a routine whose last slot passed while Banco was not running runs once (catch-up from
  the ``runs`` table).
* Jobs run one at a time, in a single worker, each with a freshly opened shop.
* A lock file keeps a second ``banco run`` for the same shop from starting.
* SIGTERM or Ctrl-C lets the running step finish, then the process exits.

The scheduler knows routines by name only; what they do is ``banco.inbox.routines.day``' business.
"""

from __future__ import annotations

import logging
import os
import signal
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from types import FrameType

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger

from banco.config import ROUTINES, Config
from banco.config.sentence import Sentence

from .lock import ShopLock
from .slots import SlotTrigger, next_fire, previous_fire

log = logging.getLogger("banco")

#: A slot missed by less than this (asleep, busy) still runs, once.
MISFIRE_GRACE_SECONDS = 12 * 3600
#: Sources that forget unfetched messages (Telegram: 24 h) are collected this often as well.
FREQUENT_COLLECT_MINUTES = 60

RunRoutine = Callable[[str], object]


def build_scheduler(
    config: Config,
    run_routine: RunRoutine,
    collect_frequent: Callable[[], object] | None = None,
    every_minute: Callable[[], object] | None = None,
) -> BackgroundScheduler:
    scheduler = BackgroundScheduler(
        executors={"default": ThreadPoolExecutor(max_workers=1)},
        job_defaults={
            "coalesce": True,
            "max_instances": 1,
            "misfire_grace_time": MISFIRE_GRACE_SECONDS,
        },
        timezone=config.shop.timezone,
    )
    for routine in ROUTINES:  # this order settles ties: status before digest at the same minute
        for slot in config.schedule[routine]:
            scheduler.add_job(
                run_routine,
                SlotTrigger(slot, config.shop.timezone),
                args=[routine],
                id=f"{routine} {slot.text}",
                name=f"{routine} at {slot.text}",
            )
    if collect_frequent is not None:
        scheduler.add_job(
            collect_frequent,
            IntervalTrigger(minutes=FREQUENT_COLLECT_MINUTES, timezone=config.shop.timezone),
            id="frequent collect",
            name="hourly collect of chats",
        )
    # Waking each minute bounds how late a slot fires after the machine sleeps (the scheduler's
    # own wait does not count suspended time); the routines may use the minute too (a reply
    # session open in the maker's Telegram chat).
    scheduler.add_job(
        every_minute or _heartbeat, IntervalTrigger(minutes=1), id="heartbeat", name="each minute"
    )
    return scheduler


def _heartbeat() -> None:
    """Nothing to do: the wake-up is the point."""


def missed_routines(
    config: Config, last_runs: dict[str, datetime | None], now: datetime
) -> list[str]:
    """Routines whose most recent slot passed with no run since: run each once now."""
    missed = []
    for routine in ROUTINES:
        slot_time = previous_fire(config.schedule[routine], config.shop.timezone, now)
        last = last_runs.get(routine)
        if slot_time is not None and (last is None or last < slot_time):
            missed.append(routine)
    return missed


def upcoming(config: Config, now: datetime) -> list[tuple[str, datetime | None]]:
    """The next run of every routine (None when it has no slots)."""
    return [
        (routine, next_fire(config.schedule[routine], config.shop.timezone, now))
        for routine in ROUTINES
    ]


class AlreadyRunning(Exception):
    """Another ``banco run`` holds this shop."""


def serve(
    home: Path,
    config: Config,
    run_routine: RunRoutine,
    last_runs: Callable[[], dict[str, datetime | None]],
    now: Callable[[], datetime],
    collect_frequent: Callable[[], object] | None = None,
    every_minute: Callable[[], object] | None = None,
    ready: Callable[[str], None] = print,
) -> None:
    """Run until SIGTERM or Ctrl-C. Raises AlreadyRunning when another process holds the shop."""
    lock = ShopLock(home)
    holder = lock.acquire()
    if holder is not None:
        raise AlreadyRunning(
            Sentence(
                "Banco is already running for {home} (process {holder}); stop it first",
                home=home,
                holder=holder,
            )
        )
    # The signal's number reaches the main thread as a byte on a pipe, written by Python's own
    # C-level handler (set_wakeup_fd) on whichever thread the kernel chose. A Python handler that
    # wrote it instead ran only once the main thread ran Python again, never when the signal
    # landed on a scheduler thread while the main thread sat in os.read (a SIGTERM at start hung
    # one start in a few dozen); one that takes a lock (threading.Event, logging) deadlocks.
    wake_read, wake_write = os.pipe()
    os.set_blocking(wake_write, False)

    def on_signal(number: int, frame: FrameType | None) -> None:
        """Nothing: the byte is written already; a handler is needed only to not be killed."""

    previous_wakeup = signal.set_wakeup_fd(wake_write, warn_on_full_buffer=False)
    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGTERM, signal.SIGINT)}
    scheduler = build_scheduler(config, run_routine, collect_frequent, every_minute)
    try:
        scheduler.start(paused=True)
        for routine in missed_routines(config, last_runs(), now()):
            # The routine's own slot job runs now, then goes on at its slots (a one-off job
            # instead would race the shutdown: APScheduler removes it after running it and
            # fails loudly when a SIGTERM has emptied the job store first).
            log.info("catching up: %s", routine)
            first_slot = config.schedule[routine][0]
            # (APScheduler's clock, not the injected one: it decides when a job is due)
            due = datetime.now(config.shop.timezone)
            scheduler.modify_job(f"{routine} {first_slot.text}", next_run_time=due)
        scheduler.resume()
        ready(Sentence("Banco is running for {home}. Stop it with Ctrl-C.", home=home))
        number = os.read(wake_read, 1)[0]  # blocks until a signal arrives (read resumes after one)
        log.info("stopping after the current step (signal %s)", number)
    finally:
        scheduler.shutdown(wait=True)  # the running step finishes; nothing new starts
        for number, handler in previous.items():
            signal.signal(number, handler)
        signal.set_wakeup_fd(previous_wakeup)
        os.close(wake_read)
        os.close(wake_write)
        lock.release()
