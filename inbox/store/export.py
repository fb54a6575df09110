"""What ``banco export`` writes out: the maker's orders, contacts, messages and tasks as rows, and
the raw bytes of her email messages.

No secret is kept in the store (passwords and tokens stay in banco.toml's references); the one
value close to it, an order's link token for its customer, is left out: it would let whoever
reads the export open the order's page."""

from __future__ import annotations

import csv
import json
import mailbox
import os
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from banco.connectors.email.parse import RAW_TYPE
from banco.inbox.store.database import Store

Rows = list[dict[str, Any]]


def orders(store: Store) -> Rows:
    return store.all(
        "select o.id, o.ref, o.status, o.title, o.details, o.quantity, o.price, o.currency,"
        " o.deadline, o.estimated_hours, o.payment, o.custom, o.account, o.contact_id,"
        " c.name as customer, o.created_at, o.updated_at, o.closed_at"
        " from orders o left join contacts c on c.id = o.contact_id order by o.id"
    )


def contacts(store: Store) -> Rows:
    return store.all(
        "select c.id, c.name, c.language, c.notes, c.created_at,"
        " (select group_concat(h.kind || ':' || h.value, ' ')"
        "  from handles h where h.contact_id = c.id) as handles"
        " from contacts c order by c.id"
    )


def messages(store: Store) -> Rows:
    return store.all(
        "select m.id, m.account, m.channel, m.direction, o.ref as order_ref, m.contact_id,"
        " m.sender, m.sender_handle, m.recipients, m.sent_at, m.collected_at, m.subject, m.text,"
        " m.status, m.problem, m.auto, m.waiting, m.handled_at, m.handled_how,"
        " (select group_concat(a.filename, ' ') from attachments a where a.message_id = m.id)"
        " as attachments"
        " from messages m left join orders o on o.id = m.order_id order by m.sent_at, m.id"
    )


def tasks(store: Store) -> Rows:
    return store.all(
        "select t.id, o.ref as order_ref, t.title, t.due, t.stage, t.created_at, t.done_at,"
        " t.dropped_at"
        " from tasks t join orders o on o.id = t.order_id order by t.id"
    )


#: every table ``banco export`` writes, by its file's name
TABLES = {"orders": orders, "contacts": contacts, "messages": messages, "tasks": tasks}


def raw_emails(store: Store) -> Iterator[tuple[int, bytes]]:
    """(id, raw bytes) of every email message as it was received, oldest first; read a row at a
    time (a shop's mail can be larger than its memory)."""
    cursor = store.conn.execute(
        "select id, raw from messages where raw_type = ? and raw is not null order by sent_at, id",
        [RAW_TYPE],
    )
    for message_id, raw in cursor:
        yield int(message_id), bytes(raw)


def write_export(store: Store, folder: Path, form: str, mail: str) -> dict[str, int]:
    """Write every table into ``folder`` as ``<table>.csv`` (UTF-8 with a BOM, so spreadsheet
    programs read accented letters right) or ``<table>.json``, and the email messages as
    ``messages/<id>.eml`` files or one ``messages.mbox`` (``mail``: eml, mbox or none). Every
    file is readable by its owner only: it is the shop's private mail. Returns rows per table."""
    _private_folder(folder)
    written = {}
    for name, rows_of in TABLES.items():
        rows = rows_of(store)
        bom = form == "csv"
        with _private_file(folder / f"{name}.{form}", "utf-8-sig" if bom else "utf-8") as out:
            if form == "json":
                json.dump(rows, out, ensure_ascii=False, indent=2)
            else:
                _write_csv(out, rows)
        written[name] = len(rows)
    if mail == "eml":
        _private_folder(folder / "messages")
        for message_id, raw in raw_emails(store):
            with _private_file(folder / "messages" / f"{message_id}.eml", None) as eml:
                eml.write(raw)
    elif mail == "mbox":
        # made owner-only before mailbox opens it
        _private_file(folder / "messages.mbox", None).close()
        box = mailbox.mbox(folder / "messages.mbox", create=False)
        try:
            for _id, raw in raw_emails(store):
                box.add(raw)
            box.flush()
        finally:
            box.close()
    return written


def _write_csv(out: IO[Any], rows: Rows) -> None:
    if not rows:
        return
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)


def _private_folder(path: Path) -> None:
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(path, 0o700)


def _private_file(path: Path, encoding: str | None) -> IO[Any]:
    """``path`` opened for writing, owner-only; as text in ``encoding``, else as bytes."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)
    if encoding is None:
        return os.fdopen(fd, "wb")
    return os.fdopen(fd, "w", encoding=encoding, newline="")
