"""Read-only questions the command and the web page ask the store: messages, orders, search."""

from __future__ import annotations

import json
import re
from typing import Any, TypedDict, cast

from banco.connectors.base import OWN_NOTE
from banco.inbox.store.backfill import PAST
from banco.inbox.store.database import Store
from banco.inbox.store.orders import CLOSED, find_order
from banco.inbox.store.outbox import PENDING
from banco.inbox.store.search_index import catch_up, match_expression

MESSAGE_COLUMNS = (
    "m.id, m.account, m.channel, m.direction, m.sent_at, m.sender, m.sender_handle, m.subject,"
    " m.text, m.status, m.problem, m.auto, m.waiting, m.size, m.new_sender, o.ref as order_ref"
)


#: the first filter of every message listing: Banco's own notes left out
OWN_NOTE_FILTER = "m.auto is not ?"


def list_messages(
    store: Store,
    *,
    waiting: bool = False,
    unreadable: bool = False,
    channel: str | None = None,
    account: str | None = None,
    order: str | None = None,
    order_status: str | None = None,
    limit: int | None = None,
    offset: int = 0,
    newest_first: bool = False,
) -> list[dict[str, Any]]:
    """Messages matching the filters (``order_status``: of an order in that status), oldest
    first (``newest_first``: newest first), the ``limit`` of them after the first ``offset``;
    ``count_messages`` counts them all."""
    where, params = _message_filter(
        store, waiting, unreadable, channel, account, order, order_status
    )
    way = "desc" if newest_first else ""
    sql = (
        f"select {MESSAGE_COLUMNS} from messages m left join orders o on o.id = m.order_id"
        f" where {where} order by m.sent_at {way}, m.id {way}{_page(limit, offset)}"
    )
    return store.all(sql, params)


def count_messages(
    store: Store,
    *,
    waiting: bool = False,
    unreadable: bool = False,
    channel: str | None = None,
    account: str | None = None,
    order: str | None = None,
    order_status: str | None = None,
) -> int:
    """How many messages ``list_messages`` would list with the same filters and no limit."""
    where, params = _message_filter(
        store, waiting, unreadable, channel, account, order, order_status
    )
    # Every message matching less Banco's own notes among them: with no other filter the first
    # is SQLite's quick count of the table and the notes are a search by ``auto``, where
    # leaving the notes out row by row read every message of the shop at each page.
    others = where.replace(OWN_NOTE_FILTER, "1", 1)
    matching = "" if others == "1" else f" where {others}"
    notes = where.replace(OWN_NOTE_FILTER, "m.auto = ?", 1)
    count: int = store.scalar(
        f"select (select count(*) from messages m{matching})"
        f" - (select count(*) from messages m where {notes})",
        [*params[1:], *params],
    )
    return count


def _message_filter(
    store: Store,
    waiting: bool,
    unreadable: bool,
    channel: str | None,
    account: str | None,
    order: str | None,
    order_status: str | None,
) -> tuple[str, list[Any]]:
    # Banco's own notes found in the mailbox (a digest a day) would only crowd the list
    where: list[str] = [OWN_NOTE_FILTER]
    params: list[Any] = [OWN_NOTE]
    if waiting:
        where.append("m.waiting = 1")
    if unreadable:
        where.append("m.status != 'ok'")
    if channel:
        where.append("m.channel = ?")
        params.append(channel)
    if account:
        where.append("m.account = ?")
        params.append(account)
    if order:
        where.append("m.order_id = ?")
        params.append(find_order(store, order)["id"])
    if order_status:
        where.append("m.order_id in (select id from orders where status = ?)")
        params.append(order_status)
    return " and ".join(where), params


def _page(limit: int | None, offset: int) -> str:
    """The SQL that keeps ``limit`` rows after the first ``offset`` (every row when None)."""
    return f" limit {int(limit) if limit is not None else -1} offset {int(offset)}"


def get_message(store: Store, message_id: int) -> dict[str, Any] | None:
    row = store.one(
        f"select {MESSAGE_COLUMNS}, m.raw, m.raw_type, m.order_id from messages m"
        " left join orders o on o.id = m.order_id where m.id = ?",
        [message_id],
    )
    if row is not None:
        row["attachments"] = store.all(
            "select filename, content_type, size, path from attachments where message_id = ?",
            [message_id],
        )
    return row


def list_orders(
    store: Store,
    *,
    status: str | None = None,
    include_closed: bool = False,
    limit: int | None = None,
    offset: int = 0,
    newest_first: bool = False,
    past: bool | None = None,
) -> list[dict[str, Any]]:
    """Orders in ``status`` (else the open ones, every one with ``include_closed``), oldest
    first (``newest_first``: newest first), the ``limit`` of them after the first ``offset``;
    ``count_orders`` counts them all. ``past``: only, or none of, the past conversations a
    first collect imported (``collect.backfill``)."""
    where, params = _order_filter(status, include_closed, past)
    way = "desc" if newest_first else ""
    sql = (
        "select o.id, o.ref, o.status, o.title, o.deadline, o.quantity, o.price, o.estimated_hours,"
        " o.payment, o.created_at, o.updated_at, c.name as contact,"
        " (select count(*) from messages m where m.order_id = o.id) as messages,"
        " (select count(*) from messages m where m.order_id = o.id and m.waiting = 1) as waiting"
        " from orders o left join contacts c on c.id = o.contact_id"
        f" where {where} order by o.id {way}{_page(limit, offset)}"
    )
    return store.all(sql, params)


def count_orders(
    store: Store,
    *,
    status: str | None = None,
    include_closed: bool = False,
    past: bool | None = None,
) -> int:
    """How many orders ``list_orders`` would list with the same filters and no limit."""
    where, params = _order_filter(status, include_closed, past)
    count: int = store.scalar(f"select count(*) from orders o where {where}", params)
    return count


def _order_filter(
    status: str | None, include_closed: bool, past: bool | None = None
) -> tuple[str, list[Any]]:
    where, params = _status_filter(status, include_closed)
    if past is None:
        return where, params
    return f"{where} and o.history is {'' if past else 'not '}?", [*params, PAST]


def _status_filter(status: str | None, include_closed: bool) -> tuple[str, list[Any]]:
    if status:
        return "o.status = ?", [status]
    if include_closed:
        return "1 = 1", []
    return f"o.status not in ({','.join('?' * len(CLOSED))})", list(CLOSED)


def order_detail(store: Store, ref: str) -> dict[str, Any]:
    order = find_order(store, ref)
    order["contact"] = store.one("select * from contacts where id = ?", [order["contact_id"]])
    order["handles"] = store.all(
        "select kind, value from handles where contact_id = ? order by id", [order["contact_id"]]
    )
    order["events"] = store.all(
        "select id, at, kind, from_status, to_status, note, data, undone_at from order_events"
        " where order_id = ? order by at, id",
        [order["id"]],
    )
    order["tasks"] = store.all(
        "select id, title, due, done_at from tasks where order_id = ? and dropped_at is null"
        " order by id",
        [order["id"]],
    )
    order["links"] = [
        {
            "account": row["account"],
            "url": details["order_link"].format(ref=order["ref"], token=order["token"]),
        }
        for row in store.all("select account, details from account_state where details is not null")
        if "order_link" in (details := json.loads(row["details"]))
    ]
    order["conversation"] = store.all(
        f"select {MESSAGE_COLUMNS} from messages m left join orders o on o.id = m.order_id"
        " where m.order_id = ? order by m.sent_at, m.id",
        [order["id"]],
    )
    return order


#: where FTS5 marks a matching word in a snippet: control characters, never shown as they are
MARK_OPEN, MARK_CLOSE = "\x02", "\x03"
#: the best words around a match in a result's snippet
SNIPPET = f"'{MARK_OPEN}', '{MARK_CLOSE}', '…', 12"


def search(
    store: Store,
    query: str,
    limit: int | None = None,
    *,
    offset: int = 0,
    snippets: bool = False,
) -> list[dict[str, Any]]:
    """Orders and messages matching the words of ``query``, best first (bm25), newest first
    among equals. An order or message also matches through its customer's name or addresses.
    With ``snippets``, each result's ``snippet`` is its matching text in parts, the odd ones
    the matching words (the page shows them; a snippet costs, so only a page asks for them).
    Any text is safe (see search_index.match_expression); one without words raises NoWords.
    ``limit`` and ``offset`` cut a page of the results (each table gives its best
    ``offset + limit``, of which the page is cut), so a page reads what it shows."""
    match = _indexed_match(store, query)
    best = None if limit is None else int(limit) + int(offset)
    orders = store.all(
        _ranked("orders", "o.id, o.ref, o.title, o.status, o.created_at as at, o.contact_id", best),
        {"match": match},
    )
    messages = store.all(
        _ranked(
            "messages",
            "m.id, m.sent_at, m.sender, m.subject, m.channel, o.ref, m.sent_at as at, m.contact_id",
            best,
            " left join orders o on o.id = m.order_id",
            # a digest names every customer: never a result
            " where id not in (select id from messages where auto = :own)",
        ),
        {"match": match, "own": OWN_NOTE},
    )
    results = sorted(orders + messages, key=lambda r: r["at"], reverse=True)
    results.sort(key=lambda r: r["rank"])  # stable: the newest first among equal ranks
    results = results[offset:] if limit is None else results[offset : offset + limit]
    if snippets:
        _add_snippets(store, match, results)
    return results


def search_count(store: Store, query: str) -> int:
    """How many orders and messages ``search`` finds for ``query``, counted without reading them
    or ranking them: the rows whose own words or whose customer match, less Banco's own notes
    among them (a digest names every customer: never a result)."""
    match = _indexed_match(store, query)
    found = 0
    for table, alias in (("orders", "o"), ("messages", "m")):
        found += store.scalar(
            f"select count(*) from (select rowid from {table}_fts where {table}_fts match :match"
            f" union select {alias}.id from people_fts p join {table} {alias}"
            f" on {alias}.contact_id = p.rowid where people_fts match :match)",
            {"match": match},
        )
    notes = store.scalar(
        "select count(*) from messages m where m.auto = :own and (m.id in (select rowid from"
        " messages_fts where messages_fts match :match) or m.contact_id in (select rowid from"
        " people_fts where people_fts match :match))",
        {"match": match, "own": OWN_NOTE},
    )
    return int(found) - int(notes)


def _indexed_match(store: Store, query: str) -> str:
    """The FTS5 expression of ``query``, once what was stored since the last search is indexed."""
    match = match_expression(query)
    with store.on_the_way():  # a full disk searches what is indexed already
        catch_up(store)
    return match


def _best(table: str, left_out: str = "") -> str:
    """Each row of ``table`` (orders or messages) that matches, or whose contact matches, once,
    with its best rank; none that ``left_out`` (a where clause on ``id``) leaves out."""
    alias = table[0]
    return (
        f"select id, min(rank) as rank from ("
        f"  select rowid as id, rank from {table}_fts where {table}_fts match :match"
        f"  union all select {alias}.id, p.rank from people_fts p"
        f"   join {table} {alias} on {alias}.contact_id = p.rowid where people_fts match :match)"
        f"{left_out} group by id"
    )


def _ranked(
    table: str, columns: str, best: int | None, joined: str = "", left_out: str = ""
) -> str:
    """The rows of ``table`` (orders or messages) that match, or whose contact matches, each
    with its best rank: the ``best`` best (every one when None), the newest first among equals.
    Only the rows whose rank may be among the ``best`` are read (a word found in 15,000
    messages read them all for their date: a tenth of a second)."""
    alias = table[0]
    chosen = ""
    if best:  # the rank of the ``best``-th, ties and all
        chosen = (
            " where b.rank <= coalesce((select rank from best order by rank"
            f" limit 1 offset {best - 1}), 1e308)"
        )
    return (
        f"with best as materialized ({_best(table, left_out)})"
        f" select '{table[:-1]}' as type, {columns}, b.rank from best b"
        f" join {table} {alias} on {alias}.id = b.id{joined}{chosen} order by b.rank, at desc"
        + (f" limit {best}" if best is not None else "")
    )


def _add_snippets(store: Store, match: str, results: list[dict[str, Any]]) -> None:
    """Each result's own matching words, else its customer's (matched by name or address)."""
    people = _snippets(store, "people", match, {r["contact_id"] for r in results})
    for table, kind in (("orders", "order"), ("messages", "message")):
        ids = {r["id"] for r in results if r["type"] == kind}
        own = _snippets(store, table, match, ids)
        for r in results:
            if r["type"] == kind:
                r["snippet"] = _parts(own.get(r["id"]) or people.get(r["contact_id"]) or "")


def _snippets(store: Store, table: str, match: str, ids: set[int]) -> dict[int, str]:
    # One pass over the matches, a snippet made only for the rows asked: a prefix query costs
    # most in gathering its words, which a lookup by rowid would do again for every row.
    rows = store.conn.execute(
        f"select rowid, snippet({table}_fts, -1, {SNIPPET}) from {table}_fts"
        f" where {table}_fts match ? and +rowid in (select value from json_each(?))",
        [match, json.dumps(sorted(i for i in ids if i is not None))],
    )
    return dict(rows.fetchall())


def _parts(snippet: str) -> list[str]:
    """A marked snippet in parts, plain and matching in turn (a mark in the text itself only
    moves the highlight: the parts are text, never markup)."""
    parts = re.split(f"{MARK_OPEN}(.*?){MARK_CLOSE}", snippet, flags=re.DOTALL)
    return [part.replace(MARK_OPEN, "").replace(MARK_CLOSE, "") for part in parts]


class InboundMessage(TypedDict):
    id: int
    waiting: int
    contact_id: int | None


class AttachmentFile(TypedDict):
    filename: str
    content_type: str | None


def message_row(store: Store, message_id: int) -> dict[str, Any] | None:
    """Every column of one message, as the outbox routes a reply to it."""
    return store.one("select * from messages where id = ?", [message_id])


def collected_at(store: Store, message_id: int) -> str | None:
    """When Banco filed message ``message_id``."""
    at: str | None = store.scalar("select collected_at from messages where id = ?", [message_id])
    return at


def is_on_order(store: Store, message_id: int, order_id: int) -> bool:
    return bool(
        store.scalar("select 1 from messages where id = ? and order_id = ?", [message_id, order_id])
    )


def inbound_on_order(store: Store, message_id: int, order_id: int) -> InboundMessage | None:
    """Message ``message_id`` if a customer wrote it on order ``order_id``: one a reply can answer."""
    row = store.one(
        "select id, waiting, contact_id from messages where id = ? and order_id = ?"
        " and direction = 'in'",
        [message_id, order_id],
    )
    return cast(InboundMessage | None, row)


def attachments_of(store: Store, message_ids: list[int]) -> list[dict[str, Any]]:
    """The attachments of these messages, in the order they were stored."""
    return store.all(
        "select message_id, filename, content_type, size, sha256, path from attachments"
        f" where message_id in ({','.join('?' * len(message_ids))}) order by id",
        message_ids,
    )


def attachment_named(store: Store, sha256: str) -> AttachmentFile | None:
    """The name and type of the file stored under ``sha256`` (the latest one to bring it)."""
    row = store.one(
        "select filename, content_type from attachments where sha256 = ? order by id desc limit 1",
        [sha256],
    )
    return cast(AttachmentFile | None, row)


def waiting_count(store: Store) -> int:
    """How many messages wait for the maker's answer with no reply to them on its way: every
    waiting message (a count the store keeps, m026) less those the outbox covers, found from
    the outbox's few pending replies rather than by asking the outbox about each waiting
    message."""
    marks = ",".join("?" * len(PENDING))
    waiting: int = store.scalar("select n from kept_counts where name = 'waiting'")
    covered: int = store.scalar(
        # from the few pending replies to their messages (a filter on ``waiting`` first would
        # walk every waiting message of a first backfill)
        "select count(*) from (select x.reply_to_id as id from outbox x"
        f" where x.status in ({marks})"
        " union select w.id from outbox x join messages w on w.order_id = x.order_id"
        f" where x.status in ({marks}) and w.waiting = 1 and w.collected_at <= x.created_at) c"
        " cross join messages m on m.id = c.id where m.waiting = 1",  # c first: it is small
        [*PENDING, *PENDING],
    )
    return waiting - covered
