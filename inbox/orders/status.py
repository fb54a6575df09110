"""The status check: for every open order, what is next and who is waiting on whom.

Also the pipeline's default tasks (made once when an order enters a stage) and the past-client
check-ins: a few suggestions a week to write a personal note, never sent by Banco itself.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from banco.inbox.clock import parse_iso
from banco.inbox.orders.pipeline import set_status
from banco.inbox.shop import Shop
from banco.inbox.store.checkins import (
    add_checkin,
    current_checkins,
    due_checkins,
    suggested_since,
)
from banco.inbox.store.tasks import (
    StageTask,
    TaskDue,
    add_stage_tasks,
    add_task,
    has_stage_tasks,
    open_tasks_by_order,
    stages_with_tasks,
)
from banco.inbox.store.waits import WaitRules, count_open_orders, open_orders_waiting

DEFAULT_TASKS: dict[str, dict[str, list[str]]] = {
    "en": {
        "new": ["Answer the inquiry"],
        "quoted": ["Follow up on the quote if there is no answer"],
        "booked": ["Confirm the deposit", "Block the production time"],
        "in_progress": ["Send a progress photo"],
        "ready": ["Send the final invoice", "Arrange delivery or pickup"],
        "shipped": ["Send the tracking number"],
        "completed": ["Ask for a review"],
    },
    "it": {
        "new": ["Rispondere alla richiesta"],
        "quoted": ["Ricontattare se il preventivo resta senza risposta"],
        "booked": ["Confermare l'acconto", "Bloccare il tempo di lavorazione"],
        "in_progress": ["Mandare una foto dei lavori in corso"],
        "ready": ["Mandare la fattura finale", "Organizzare consegna o ritiro"],
        "shipped": ["Mandare il numero di tracciamento"],
        "completed": ["Chiedere una recensione"],
    },
    "fr": {
        "new": ["Répondre à la demande"],
        "quoted": ["Relancer si le devis reste sans réponse"],
        "booked": ["Confirmer l'acompte", "Réserver le temps de fabrication"],
        "in_progress": ["Envoyer une photo de l'avancement"],
        "ready": ["Envoyer la facture finale", "Organiser la livraison ou le retrait"],
        "shipped": ["Envoyer le numéro de suivi"],
        "completed": ["Demander un avis"],
    },
}
#: Where the maker waits on the customer: the next move is theirs.
CUSTOMER_MOVES = ("awaiting_info", "quoted", "awaiting_client")
#: Where the next move is the maker's work, whoever wrote last: a booked order whose last
#: message is hers waits on the piece, not on a reminder to the customer.
WORK_STAGES = ("booked", "in_progress")


def stage_tasks(shop: Shop, status: str) -> list[str]:
    configured: Mapping[str, Sequence[str]] = shop.config.status["tasks"]
    if status in configured:
        return list(configured[status])
    return DEFAULT_TASKS.get(shop.config.shop.language, DEFAULT_TASKS["en"]).get(status, [])


def ensure_stage_tasks(shop: Shop, order: Mapping[str, Any], now: datetime) -> int:
    """Create the default tasks of the order's current stage, once. Returns how many."""
    store = shop.store
    if has_stage_tasks(store, order["id"], order["status"]):
        return 0
    titles = stage_tasks(shop, order["status"])
    for title in titles:
        add_task(store, order["id"], title, now, stage=order["status"])
    return len(titles)


def _ensure_all_stage_tasks(
    shop: Shop, orders: Sequence[Mapping[str, Any]], answered: set[int], now: datetime
) -> None:
    """``ensure_stage_tasks`` for many orders, in two statements whatever their number; the
    first task of ``new`` ("Answer the inquiry") made done for the orders she ``answered``, the
    first of ``booked`` ("Confirm the deposit") for an order paid in full already (a sale a
    marketplace took the payment of)."""
    made = stages_with_tasks(shop.store, [order["id"] for order in orders])
    missing = [
        StageTask(
            order["id"],
            title,
            order["status"],
            done=index == 0
            and (
                (order["status"] == "new" and order["id"] in answered)
                or (order["status"] == "booked" and order.get("payment") == "paid")
            ),
        )
        for order in orders
        if (order["id"], order["status"]) not in made
        for index, title in enumerate(stage_tasks(shop, order["status"]))
    ]
    if missing:
        with shop.store.on_the_way():  # on a full disk, the state without the missing tasks
            add_stage_tasks(shop.store, missing, now)


def change_status(shop: Shop, ref: str, status: str, note: str = "") -> dict[str, Any]:
    """Move an order to ``status`` and create that stage's tasks (the open tasks of the stages
    it left drop away, see ``pipeline.set_status``)."""
    now = shop.clock.now()
    order = set_status(shop.store, ref, status, now, note)
    ensure_stage_tasks(shop, order, now)
    return order


@dataclass
class OrderState:
    ref: str
    title: str
    status: str
    contact: str
    deadline: str | None
    next_task: str | None
    #: "us" (the customer waits for the maker), "customer" (the maker waits), "work" (the
    #: order waits on the maker's work, not on a message), or None
    waiting_on: str | None
    since: str | None
    overdue_tasks: list[str] = field(default_factory=list)
    stale_quote: bool = False
    nudge: bool = False


#: who moves when a message does not (see store/waits.py)
RULES = WaitRules(work_stages=WORK_STAGES, customer_moves=CUSTOMER_MOVES)


def check_orders(
    shop: Shop, now: datetime, *, waiting_on: str | None = None, limit: int | None = None
) -> list[OrderState]:
    """The open orders' states (those waiting on ``waiting_on`` when given: "us", "customer",
    "work"), most urgent first, the first ``limit`` (all when ``None``): a view reads what it
    shows, whatever the shop's size. Creates the missing stage tasks of those on the way."""
    return _checked(
        shop, open_orders_waiting(shop.store, RULES, waiting_on=waiting_on, limit=limit), now
    )


def count_orders(shop: Shop, *, waiting_on: str | None = None) -> int:
    """How many open orders (waiting on ``waiting_on`` when given) ``check_orders`` would give."""
    return count_open_orders(shop.store, RULES, waiting_on=waiting_on)


def _checked(shop: Shop, orders: list[dict[str, Any]], now: datetime) -> list[OrderState]:
    """The state of each of ``orders`` (rows of ``open_orders_waiting``), in one statement for
    all of them, never one for each; their missing stage tasks made on the way."""
    today = now.astimezone(shop.config.shop.timezone).date().isoformat()
    quote_days = shop.config.status["quote_days"]
    waiting_days = shop.config.status["waiting_days"]
    answered = {order["id"] for order in orders if order["last_direction"] == "out"}
    _ensure_all_stage_tasks(shop, orders, answered, now)
    tasks = open_tasks_by_order(shop.store, [order["id"] for order in orders])
    states = []
    for order in orders:
        state = _order_state(order, tasks.get(order["id"], []), today)
        if state.waiting_on == "customer" and state.since:
            idle = (now - parse_iso(state.since)).days
            state.stale_quote = order["status"] == "quoted" and idle >= quote_days
            state.nudge = idle >= waiting_days
        states.append(state)
    return states


def _order_state(order: Mapping[str, Any], tasks: list[TaskDue], today: str) -> OrderState:
    return OrderState(
        ref=order["ref"],
        title=order["title"],
        status=order["status"],
        contact=order["contact"] or "",
        deadline=order["deadline"],
        next_task=tasks[0]["title"] if tasks else None,
        waiting_on=order["waiting_on"],
        since=order["since"],
        overdue_tasks=[t["title"] for t in tasks if t["due"] and t["due"] < today],
    )


@dataclass
class Checkin:
    contact: str
    contact_id: int
    ref: str
    title: str
    months: int
    completed_on: str


def suggest_checkins(shop: Shop, now: datetime) -> list[Checkin]:
    """Past clients due a personal note (3, 6, 12 months after an order, by default).

    At most ``checkins_per_week`` are suggested in any 7 days; a suggestion made is remembered,
    so the same check-in is not suggested twice. One at a time: a client gets at most one in any
    7 days, and after one (written or "done already") the next comes at the next cadence point,
    never one for a point missed before it. Banco never sends these by itself.
    """
    store = shop.store
    settings = shop.config.status
    week_ago = now - timedelta(days=7)
    room = max(0, settings["checkins_per_week"] - suggested_since(store, week_ago))
    current = [_checkin(row) for row in current_checkins(store, week_ago)]
    if room == 0:
        return current
    today = now.astimezone(shop.config.shop.timezone).date()
    found: list[Checkin] = []
    for months in sorted(settings["checkin_months"], reverse=True):
        cutoff = _months_before(today, months)
        for row in due_checkins(store, cutoff.isoformat(), months, week_ago):
            if len(found) >= room or any(c.contact_id == row["contact_id"] for c in found):
                continue
            due_on = _months_after(parse_iso(row["closed_at"]).date(), months)
            add_checkin(store, row["contact_id"], row["order_id"], months, due_on.isoformat(), now)
            found.append(_checkin({**row, "months": months}))
    return current + found


def _checkin(row: Mapping[str, Any]) -> Checkin:
    return Checkin(
        row["contact"],
        row["contact_id"],
        row["ref"],
        row["title"],
        row["months"],
        row["closed_at"][:10],
    )


def _months_before(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 - months
    return _clamp(index // 12, index % 12 + 1, day.day)


def _months_after(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return _clamp(index // 12, index % 12 + 1, day.day)


def _clamp(year: int, month: int, day: int) -> date:
    for d in (day, 30, 29, 28):
        try:
            return date(year, month, d)
        except ValueError:
            continue
    raise AssertionError("unreachable")
