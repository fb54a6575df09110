"""Tasks in the store: the open tasks of open orders, ticking one off (and back), and the
stage tasks an order moved past: dropped, not done by the maker, and back when it returns."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple, TypedDict, cast

from banco.inbox.clock import iso
from banco.inbox.store.database import Store
from banco.inbox.store.orders import CLOSED


class OpenTask(TypedDict):
    id: int
    ref: str
    title: str
    due: str | None
    stage: str | None


def open_tasks(store: Store) -> list[OpenTask]:
    """The tasks not done yet of orders still open, the ones due first (undated ones last)."""
    rows = store.all(
        "select t.id, o.ref, t.title, t.due, t.stage from tasks t join orders o on o.id = t.order_id"
        f" where t.done_at is null and t.dropped_at is null and o.status not in ({','.join('?' * len(CLOSED))})"
        " order by t.due is null, t.due, t.id",
        list(CLOSED),
    )
    return cast(list[OpenTask], rows)


class TaskRow(TypedDict):
    id: int
    order_id: int
    title: str


def mark_done(store: Store, task_id: int, at: datetime) -> TaskRow | None:
    """Tick task ``task_id`` off at ``at``; None when there is no such task open."""
    rows = store.all(
        "update tasks set done_at = ? where id = ? and done_at is null and dropped_at is null"
        " returning id, order_id, title",
        [iso(at), task_id],
    )
    return cast(TaskRow, rows[0]) if rows else None


def mark_not_done(store: Store, task_id: int) -> bool:
    """Open a ticked task again (an undo); False when it is not ticked."""
    changed = store.conn.execute(
        "update tasks set done_at = null where id = ? and done_at is not null", [task_id]
    ).rowcount
    return bool(changed)


def tick_answer_task(store: Store, order_id: int, at: datetime) -> None:
    """The maker answered the customer: the first task of the ``new`` stage (by default
    "Answer the inquiry") is done, if it is still open."""
    store.conn.execute(
        "update tasks set done_at = ? where id = (select min(id) from tasks"
        " where order_id = ? and stage = 'new') and done_at is null and dropped_at is null",
        [iso(at), order_id],
    )


def follow_stage(store: Store, order_id: int, stage: str, at: datetime) -> None:
    """The order moved to ``stage``: the open tasks other stages brought drop away, and the
    dropped ones of ``stage`` (the order came back to it) are open again."""
    conn = store.conn
    conn.execute(
        "update tasks set dropped_at = ? where order_id = ? and stage is not null"
        " and stage != ? and done_at is null and dropped_at is null",
        [iso(at), order_id, stage],
    )
    conn.execute(
        "update tasks set dropped_at = null where order_id = ? and stage = ?"
        " and dropped_at is not null",
        [order_id, stage],
    )


def has_stage_tasks(store: Store, order_id: int, stage: str) -> bool:
    """Whether the tasks of ``stage`` were made for the order already."""
    return bool(
        store.scalar("select 1 from tasks where order_id = ? and stage = ?", [order_id, stage])
    )


def add_task(
    store: Store,
    order_id: int,
    title: str,
    created_at: datetime,
    *,
    due: str | None = None,
    stage: str | None = None,
) -> int:
    """Write a task of the order (of ``stage``, when a stage brought it); its id."""
    return store.insert(
        "tasks",
        {
            "order_id": order_id,
            "title": title,
            "due": due,
            "stage": stage,
            "created_at": iso(created_at),
        },
    )


class StageTask(NamedTuple):
    """A task a stage brings to an order; ``done`` when it is made done already (she answered
    before the status check made "Answer the inquiry")."""

    order_id: int
    title: str
    stage: str
    done: bool = False


class TaskDue(TypedDict):
    title: str
    due: str | None


def open_tasks_by_order(store: Store, order_ids: Sequence[int]) -> dict[int, list[TaskDue]]:
    """Each order's tasks not done yet, the ones due first (undated ones last); orders with
    none are left out."""
    rows = store.conn.execute(
        "select order_id, title, due from tasks where done_at is null and dropped_at is null"
        " and order_id in (select value from json_each(?)) order by due is null, due, id",
        [json.dumps(list(order_ids))],
    ).fetchall()
    found: dict[int, list[TaskDue]] = {}
    for order_id, title, due in rows:
        found.setdefault(order_id, []).append(TaskDue(title=title, due=due))
    return found


def stages_with_tasks(store: Store, order_ids: Sequence[int]) -> set[tuple[int, str]]:
    """The (order id, stage) pairs of ``order_ids`` whose stage tasks were made already."""
    rows = store.conn.execute(
        "select distinct order_id, stage from tasks where stage is not null"
        " and order_id in (select value from json_each(?))",
        [json.dumps(list(order_ids))],
    ).fetchall()
    return {(order_id, stage) for order_id, stage in rows}


def add_stage_tasks(store: Store, tasks: Sequence[StageTask], created_at: datetime) -> None:
    """Write many stages' tasks in one statement, in the order given."""
    at = iso(created_at)
    store.conn.execute(
        "insert into tasks (order_id, title, stage, created_at, done_at) select"
        " json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]'), ?,"
        " case when json_extract(value, '$[3]') then ? end"
        " from json_each(?) order by key",
        [at, at, json.dumps([list(task) for task in tasks])],
    )


def first_tasks_by_day(store: Store, first: str, last: str, per_day: int) -> list[dict[str, Any]]:
    """The first ``per_day`` open tasks of open orders due on each day from ``first`` to ``last``
    (dates), as ``open_tasks_due_between`` gives them, each with ``count``: how many are due
    that day. Each day's first tasks are walked on the open tasks' index (m027)."""
    open_task = (
        "t.done_at is null and t.dropped_at is null"
        f" and o.status not in ({','.join('?' * len(CLOSED))})"
    )
    return store.all(
        "select t.title, t.due, o.ref, d.count from (select t.due, count(*) as count from tasks t"
        f" join orders o on o.id = t.order_id where {open_task} and t.due between ? and ?"
        " group by t.due) d join tasks t on t.id in (select t.id from tasks t join orders o"
        f" on o.id = t.order_id where t.due = d.due and {open_task} order by t.id limit ?)"
        " join orders o on o.id = t.order_id order by t.due, t.id",
        [*CLOSED, first, last, *CLOSED, per_day],
    )


def open_tasks_due_between(store: Store, first: str, last: str) -> list[dict[str, Any]]:
    """Open tasks of open orders due between two dates (inclusive), with their order's ref."""
    marks = ",".join("?" * len(CLOSED))
    return store.all(
        "select t.title, t.due, o.ref from tasks t join orders o on o.id = t.order_id"
        f" where t.done_at is null and t.dropped_at is null and o.status not in ({marks})"
        " and t.due between ? and ?"
        " order by t.due, t.id",
        [*CLOSED, first, last],
    )
