"""The store's schema, one migration at a time. Never edit an applied migration: add a new one,
and name it in ``database.LATEST`` (with ``MIGRATION_COUNT``): a store that has it opens without
importing this module (tests/store/test_migrations.py fails until both are right).

Times are ISO 8601 text in UTC (``2026-11-22T08:00:00+00:00``) and dates are ``YYYY-MM-DD``, so the
file reads well in any SQLite tool and sorts correctly as text.
"""

from __future__ import annotations

import secrets

from sqlite_utils import Database, Migrations

migrations = Migrations("banco")


@migrations()
def m001_initial(db: Database) -> None:
    db.table("contacts").create(
        {"id": int, "name": str, "language": str, "notes": str, "created_at": str},
        pk="id",
        not_null={"name", "created_at"},
        defaults={"name": "", "notes": ""},
    )
    # One person, many addresses: an email, a phone, a Telegram id and username can share a contact.
    db.table("handles").create(
        {"id": int, "contact_id": int, "kind": str, "value": str, "display": str},
        pk="id",
        foreign_keys=[("contact_id", "contacts", "id")],
        not_null={"contact_id", "kind", "value"},
    )
    db.table("handles").create_index(["kind", "value"], unique=True)
    db.table("handles").create_index(["contact_id"])

    db.table("orders").create(
        {
            "id": int,
            "ref": str,
            "contact_id": int,
            "status": str,
            "title": str,
            "details": str,
            "quantity": int,
            "price": float,
            "currency": str,
            "deadline": str,
            "estimated_hours": float,
            "payment": str,
            "custom": str,
            "account": str,
            "created_at": str,
            "updated_at": str,
            "closed_at": str,
        },
        pk="id",
        foreign_keys=[("contact_id", "contacts", "id")],
        not_null={"status", "title", "payment", "created_at", "updated_at"},
        defaults={"status": "new", "title": "", "details": "", "payment": "none", "custom": "{}"},
    )
    db.table("orders").create_index(["ref"], unique=True)
    db.table("orders").create_index(["contact_id", "status"])
    db.table("orders").create_index(["status", "deadline"])
    db.table("order_events").create(
        {
            "id": int,
            "order_id": int,
            "at": str,
            "kind": str,
            "from_status": str,
            "to_status": str,
            "note": str,
            "data": str,
        },
        pk="id",
        foreign_keys=[("order_id", "orders", "id")],
        not_null={"order_id", "at", "kind"},
    )
    db.table("order_events").create_index(["order_id", "at"])
    db.table("tasks").create(
        {
            "id": int,
            "order_id": int,
            "title": str,
            "due": str,
            "created_at": str,
            "done_at": str,
        },
        pk="id",
        foreign_keys=[("order_id", "orders", "id")],
        not_null={"order_id", "title", "created_at"},
    )
    db.table("tasks").create_index(["order_id"])

    db.table("threads").create(
        {
            "id": int,
            "account": str,
            "channel": str,
            "key": str,
            "subject": str,
            "contact_id": int,
            "order_id": int,
            "created_at": str,
        },
        pk="id",
        foreign_keys=[("contact_id", "contacts", "id"), ("order_id", "orders", "id")],
        not_null={"account", "channel", "created_at"},
    )
    db.table("threads").create_index(["account", "key"], unique=True)
    db.table("threads").create_index(["order_id"])

    db.table("messages").create(
        {
            "id": int,
            "account": str,
            "stream": str,
            "channel": str,
            "external_id": str,
            "direction": str,
            "thread_id": int,
            "contact_id": int,
            "order_id": int,
            "sender": str,
            "sender_handle": str,
            "recipients": str,
            "sent_at": str,
            "collected_at": str,
            "subject": str,
            "text": str,
            "status": str,
            "problem": str,
            "auto": str,
            "size": int,
            "message_key": str,
            "reply_keys": str,
            "conversation": str,
            "order_fields": str,
            "content_hash": str,
            "waiting": int,
            "handled_at": str,
            "handled_how": str,
            "raw_type": str,
            "raw": bytes,
        },
        pk="id",
        foreign_keys=[
            ("thread_id", "threads", "id"),
            ("contact_id", "contacts", "id"),
            ("order_id", "orders", "id"),
        ],
        not_null={"account", "channel", "external_id", "direction", "status", "collected_at"},
        defaults={"subject": "", "text": "", "waiting": 0, "status": "ok", "problem": ""},
    )
    db.table("messages").create_index(["account", "external_id"], unique=True)
    db.table("messages").create_index(["message_key"])
    db.table("messages").create_index(["order_id", "sent_at"])
    db.table("messages").create_index(["thread_id", "sent_at"])
    db.table("messages").create_index(["contact_id"])
    db.table("messages").create_index(["waiting", "sent_at"])
    db.table("messages").create_index(["status"])
    db.table("messages").create_index(["account", "stream"])
    # Earlier versions of a message that was edited (Telegram edits, a form row changed in the sheet).
    db.table("message_revisions").create(
        {
            "id": int,
            "message_id": int,
            "replaced_at": str,
            "subject": str,
            "text": str,
            "raw": bytes,
        },
        pk="id",
        foreign_keys=[("message_id", "messages", "id")],
    )
    db.table("attachments").create(
        {
            "id": int,
            "message_id": int,
            "filename": str,
            "content_type": str,
            "size": int,
            "sha256": str,
            "path": str,
        },
        pk="id",
        foreign_keys=[("message_id", "messages", "id")],
        not_null={"message_id", "filename", "size"},
    )
    db.table("attachments").create_index(["message_id"])

    db.table("sync_state").create(
        {"account": str, "stream": str, "cursor": str, "updated_at": str},
        pk=("account", "stream"),
    )
    db.table("account_state").create(
        {
            "account": str,
            "kind": str,
            "last_attempt_at": str,
            "last_success_at": str,
            "last_error": str,
            "error_kind": str,
            "failures": int,
        },
        pk="account",
        defaults={"failures": 0},
    )
    db.table("runs").create(
        {
            "id": int,
            "routine": str,
            "account": str,
            "started_at": str,
            "finished_at": str,
            "status": str,
            "counts": str,
            "error": str,
        },
        pk="id",
        not_null={"routine", "started_at", "status"},
    )
    db.table("runs").create_index(["routine", "started_at"])
    db.table("outbox").create(
        {
            "id": int,
            "order_id": int,
            "reply_to_id": int,
            "account": str,
            "channel": str,
            "to_handle": str,
            "subject": str,
            "text": str,
            "message_key": str,
            "auto": int,
            "status": str,
            "attempts": int,
            "error": str,
            "created_at": str,
            "sent_at": str,
            "message_id": int,
        },
        pk="id",
        foreign_keys=[
            ("order_id", "orders", "id"),
            ("reply_to_id", "messages", "id"),
            ("message_id", "messages", "id"),
        ],
        not_null={"account", "channel", "to_handle", "status", "created_at"},
        defaults={"status": "queued", "attempts": 0, "auto": 0},
    )
    db.table("outbox").create_index(["status"])

    db.table("messages").enable_fts(
        ["subject", "text", "sender"],
        create_triggers=True,
        tokenize="unicode61 remove_diacritics 2",
    )
    db.table("orders").enable_fts(
        ["ref", "title", "details"], create_triggers=True, tokenize="unicode61 remove_diacritics 2"
    )


@migrations()
def m002_source_counts(db: Database) -> None:
    # What each stream holds at the source, as last reported, to show a gap nobody would notice.
    db.table("sync_state").add_column("source_count", int)


@migrations()
def m003_account_details(db: Database) -> None:
    # Facts a connector reported about its account (a bot's username, an order link template).
    db.table("account_state").add_column("details", str)


@migrations()
def m004_snooze(db: Database) -> None:
    # A message the maker put off to a later reply session: not shown again before this time.
    db.table("messages").add_column("snoozed_until", str)


@migrations()
def m005_stage_tasks_and_checkins(db: Database) -> None:
    # Which pipeline stage created a task, so each stage's default tasks are made once.
    db.table("tasks").add_column("stage", str)
    # Past-client check-ins Banco suggested (never sent by itself) and what the maker did.
    db.table("checkins").create(
        {
            "id": int,
            "contact_id": int,
            "order_id": int,
            "months": int,
            "due_on": str,
            "suggested_at": str,
            "done_at": str,
        },
        pk="id",
        foreign_keys=[("contact_id", "contacts", "id"), ("order_id", "orders", "id")],
        not_null={"contact_id", "order_id", "months", "due_on"},
    )
    db.table("checkins").create_index(["order_id", "months"], unique=True)


@migrations()
def m006_index_only_text_changes(db: Database) -> None:
    # Re-index a row only when its searchable text changes, not on every status or timestamp
    # update (each stored message touches its order's updated_at).
    for table, columns in (
        ("messages", ("subject", "text", "sender")),
        ("orders", ("ref", "title", "details")),
    ):
        listed = ", ".join(f'"{c}"' for c in columns)
        old = ", ".join(f'old."{c}"' for c in columns)
        new = ", ".join(f'new."{c}"' for c in columns)
        db.execute(f'DROP TRIGGER IF EXISTS "{table}_au"')
        db.execute(
            f'CREATE TRIGGER "{table}_au" AFTER UPDATE OF {listed} ON "{table}" BEGIN\n'
            f'  INSERT INTO "{table}_fts" ("{table}_fts", rowid, {listed})'
            f" VALUES('delete', old.rowid, {old});\n"
            f'  INSERT INTO "{table}_fts" (rowid, {listed}) VALUES (new.rowid, {new});\n'
            "END"
        )


@migrations()
def m007_owner_chat(db: Database) -> None:
    # The reply session held in the maker's own Telegram chat: where it stands (one row).
    db.table("owner_session").create(
        {
            "id": int,
            "account": str,
            "queue": str,
            "current": str,
            "purpose": str,
            "seen_up_to": int,
            "started_at": str,
            "sent": int,
            "snoozed": int,
        },
        pk="id",
    )


@migrations()
def m008_index_messages_after_storing(db: Database) -> None:
    # Messages are indexed for search after they are stored, in batches (see search_index.py):
    # the mark says how far the index goes, and the triggers touch only what it already holds.
    up_to = db.execute("select coalesce(max(id), 0) from messages").fetchone()[0]
    db.table("search_state").create({"id": int, "messages_up_to": int}, pk="id")
    db.table("search_state").insert({"id": 1, "messages_up_to": up_to})
    indexed = '(SELECT "messages_up_to" FROM "search_state" WHERE "id" = 1)'
    columns = '"subject", "text", "sender"'
    old = 'old."subject", old."text", old."sender"'
    new = 'new."subject", new."text", new."sender"'
    forget = f"""INSERT INTO "messages_fts" ("messages_fts", rowid, {columns})
    VALUES ('delete', old.rowid, {old});"""
    learn = f'INSERT INTO "messages_fts" (rowid, {columns}) VALUES (new.rowid, {new});'
    for name in ("messages_ai", "messages_ad", "messages_au"):
        db.execute(f'DROP TRIGGER IF EXISTS "{name}"')
    # A message stored with an id the index already covers (an id used again after a delete).
    db.execute(
        f'CREATE TRIGGER "messages_ai" AFTER INSERT ON "messages"'
        f" WHEN new.rowid <= {indexed} BEGIN\n  {learn}\nEND"
    )
    db.execute(
        f'CREATE TRIGGER "messages_ad" AFTER DELETE ON "messages"'
        f" WHEN old.rowid <= {indexed} BEGIN\n  {forget}\nEND"
    )
    db.execute(
        f'CREATE TRIGGER "messages_au" AFTER UPDATE OF {columns} ON "messages"'
        f" WHEN old.rowid <= {indexed} BEGIN\n  {forget}\n  {learn}\nEND"
    )


@migrations()
def m009_answered_by_index(db: Database) -> None:
    # Whether the maker already answered a new message is asked of every stored message: with the
    # direction in the index, the answer comes from the index alone, not from reading every
    # later message of the order (a first collect of a big mailbox slowed down as orders grew).
    for scope in ("order_id", "thread_id"):
        db.execute(f"DROP INDEX IF EXISTS idx_messages_{scope}_sent_at")
        db.table("messages").create_index([scope, "direction", "sent_at"])


@migrations()
def m010_set_aside_indexes(db: Database) -> None:
    # Indexes dropped while a long run of mail is filed, with the statement that builds them
    # again: one left here (Banco stopped in the middle) is built when the store is next opened.
    db.table("set_aside_indexes").create({"name": str, "sql": str}, pk="name", not_null={"sql"})


@migrations()
def m014_order_tokens(db: Database) -> None:
    # An order's link for the customer carries a token nobody can guess (its reference is a
    # number anyone can type), so opening the link proves the maker gave it. Made here as
    # orders.new_token makes it: a migration keeps its own copy of what it writes.
    db.table("orders").add_column("token", str)
    for (order_id,) in db.execute("select id from orders").fetchall():
        db.execute("update orders set token = ? where id = ?", [secrets.token_urlsafe(9), order_id])
    db.table("orders").create_index(["token"], unique=True)
    # 1 on a message filed on an order by someone who is not its customer, until the maker links
    # them: their handles stay on their own contact until then, so no reply goes to them unasked.
    db.table("messages").add_column("new_sender", int, not_null_default=0)
    # Telegram's saved link template named the reference; it names the token now.
    db.execute(
        "update account_state set details = replace(details, '?start={ref}', '?start={token}')"
        " where details like '%?start={ref}%'"
    )


@migrations()
def m015_outbox_claims(db: Database) -> None:
    # The outbox's states (see outbox.py): who holds a reply and until when, when its bytes were
    # handed over, and when a scheduled reply may go.
    outbox = db.table("outbox")
    outbox.add_column("claimed_by", str)
    outbox.add_column("lease_until", str)
    outbox.add_column("handed_over_at", str)
    outbox.add_column("send_at", str)
    # "sending" was the old name of handing over: whoever was sending it is gone by now.
    db.execute("update outbox set status = 'handing_over' where status = 'sending'")
    outbox.create_index(["status", "send_at"])


@migrations()
def m012_message_copies(db: Database) -> None:
    # Different mails may share a Message-ID (contact-form plugins and shop systems reuse one): a
    # copy of a stored message (another folder, delivered again, a renumbered folder) is known by
    # its Message-ID and its copy key together, and each copy found is listed where it was found,
    # so that a folder's count at the source and Banco's agree. The key of the messages already
    # stored is made by the function filing makes it with, so that a copy found later matches; a
    # message stored without a Date header holds its collect time as its date, and gets none.
    from banco.inbox.store.copies import copy_key

    db.conn.create_function("banco_copy_key", 5, copy_key, deterministic=True)
    db.table("messages").add_column("copy_key", str)
    db.execute(
        "update messages set copy_key = banco_copy_key("
        " case when status = 'unreadable' then coalesce(raw, x'') end, sender_handle,"
        " coalesce(recipients, '[]'),"
        " case when sent_at is null or sent_at = collected_at then '' else sent_at end,"
        " content_hash)"
        " where order_fields is null and content_hash is not null"
    )
    # One index for both look-ups: replies by Message-ID, copies by Message-ID and copy key.
    db.execute("DROP INDEX IF EXISTS idx_messages_message_key")
    db.table("messages").create_index(["message_key", "copy_key"])
    db.table("message_copies").create(
        {"account": str, "stream": str, "external_id": str, "message_id": int, "size": int},
        pk=("account", "stream", "external_id"),
        foreign_keys=[("message_id", "messages", "id")],
        not_null={"message_id"},
    )
    db.table("message_copies").create_index(["message_id", "stream"])


@migrations()
def m016_order_history_values(db: Database) -> None:
    # An order's history kept English sentences of Banco's own; it keeps what happened now, and
    # each screen says it in the maker's language (orders/history.py). The old sentences become
    # the same values: where a new order came from, the two names of a linked sender.
    db.execute(
        "update order_events set data = json_object('via', 'form'), note = ''"
        " where kind = 'created' and note = 'created from the order form'"
    )
    db.execute(
        "update order_events set data = json_object('via', substr(note, 16, length(note) - 23)),"
        " note = '' where kind = 'created' and note like 'created from a % message'"
    )
    db.execute(
        "update order_events set note = ''"
        " where kind = 'form_edit' and note = 'the order form answers were edited'"
    )
    rows = db.execute(
        "select id, note from order_events where kind = 'sender_linked' and data is null"
    ).fetchall()
    for event_id, note in rows:
        names = (note or "").split(" is ")
        if len(names) == 2:  # a name holding " is " itself stays the note it was
            sender, customer = names
            db.execute(
                "update order_events set data = json_object('sender', ?, 'customer', ?),"
                " note = '' where id = ?",
                [sender, customer, event_id],
            )


@migrations()
def m017_no_indexes_set_aside(db: Database) -> None:
    """A first collect no longer files mail without the view indexes (measured: it bought 8% of
    a 10k collect's speed). Build any a stopped collect left set aside, and drop their table."""
    if "set_aside_indexes" not in db.table_names():
        return
    built = {row[0] for row in db.execute("select name from sqlite_master where type = 'index'")}
    for name, sql in db.execute("select name, sql from set_aside_indexes").fetchall():
        if name not in built:
            db.execute(sql)
    db.table("set_aside_indexes").drop()


@migrations()
def m018_search_people(db: Database) -> None:
    """People's own search index: a contact's name and every address and username of theirs, so
    that a customer's name or address finds her orders and messages. Filing only notes who
    changed (``people_stale``); the search index catches up with them (see search_index.py)."""
    db.execute(
        "CREATE VIRTUAL TABLE people_fts USING fts5"
        "(name, handles, tokenize='unicode61 remove_diacritics 2')"
    )
    db.execute("CREATE TABLE people_stale (contact_id INTEGER PRIMARY KEY)")

    def stale(contact: str) -> str:
        return f"INSERT OR IGNORE INTO people_stale VALUES ({contact});"

    for name, when, body in (
        ("contacts_people_ai", "AFTER INSERT ON contacts", stale("new.id")),
        ("contacts_people_au", "AFTER UPDATE OF name ON contacts", stale("new.id")),
        ("contacts_people_ad", "AFTER DELETE ON contacts", stale("old.id")),
        ("handles_people_ai", "AFTER INSERT ON handles", stale("new.contact_id")),
        ("handles_people_ad", "AFTER DELETE ON handles", stale("old.contact_id")),
        (
            "handles_people_au",
            "AFTER UPDATE OF contact_id, value ON handles",
            stale("old.contact_id") + " " + stale("new.contact_id"),
        ),
    ):
        db.execute(f'CREATE TRIGGER "{name}" {when} BEGIN {body} END')
    db.execute("INSERT INTO people_stale SELECT id FROM contacts")  # everyone already known


@migrations()
def m019_view_indexes(db: Database) -> None:
    """Indexes the views read by (chosen with EXPLAIN QUERY PLAN, held by
    tests/store/test_query_plans.py). An order's waiting messages, counted and dated for each
    order on the board and in the status routine, are a few entries of (order_id, waiting): by
    ``waiting`` alone, each order read every waiting message of the shop (a first backfill's
    thousands, once per order). Messages newest first, a page at a time (the inbox), walk
    ``sent_at`` and stop at the page's end instead of sorting every message."""
    db.table("messages").create_index(["order_id", "waiting", "sent_at"])
    db.table("messages").create_index(["sent_at"])
    # Banco's own notes found in the mailbox, to count the inbox as every message less these.
    db.execute("CREATE INDEX idx_messages_auto ON messages(auto) WHERE auto IS NOT NULL")


@migrations()
def m020_backfill_history(db: Database) -> None:
    """What an account's first collect filed is history (see inbox/collect/backfill.py): each
    message it filed (``messages.history`` 1) and each order it opened (``orders.history``:
    'past' when answered or old, held out of the "new" column and the digest's new orders;
    'live' when still waiting for the maker)."""
    db.execute("ALTER TABLE messages ADD COLUMN history INTEGER NOT NULL DEFAULT 0")
    db.execute("ALTER TABLE orders ADD COLUMN history TEXT")
    db.table("orders").create_index(["status", "history"])


@migrations()
def m021_triage(db: Database) -> None:
    """The maker's answers about senders (``store.senders``, ``collect.triage``): for one handle
    (its kind and value) or a whole mail domain (kind 'domain'), 'order', 'not_order' or
    'never'."""
    db.execute(
        "CREATE TABLE senders (kind TEXT NOT NULL, value TEXT NOT NULL, answer TEXT NOT NULL,"
        " decided_at TEXT NOT NULL, PRIMARY KEY (kind, value))"
    )


@migrations()
def m022_marketplace(db: Database) -> None:
    """A sale on a marketplace (``collect.marketplace``): the marketplace ("etsy", "shopify",
    "woocommerce", "kofi"), its own order number and the link to it there. One order per sale:
    the same sale seen again finds its order by the number."""
    for column in ("marketplace", "marketplace_order", "marketplace_url"):
        db.execute(f"ALTER TABLE orders ADD COLUMN {column} TEXT")
    db.execute(
        "CREATE UNIQUE INDEX idx_orders_marketplace ON orders(marketplace, marketplace_order)"
        " WHERE marketplace IS NOT NULL"
    )


@migrations()
def m023_facts(db: Database) -> None:
    """What is true about an order (see inbox/orders/facts.py): the items, the deposit (its amount,
    the day it was asked for and the day it came in), how she is paid, where it ships, and what
    was agreed (the quote's amount and day). Amounts are Decimal strings, days ``YYYY-MM-DD``.
    ``fact_proposals`` holds what Banco read in a customer's message, with its sentence, until
    the maker confirms or dismisses it: Banco never applies one by itself."""
    for column in (
        "items",
        "deposit",
        "deposit_asked_on",
        "deposit_received_on",
        "payment_method",
        "shipping_address",
        "quoted_price",
        "quoted_on",
    ):
        db.execute(f"ALTER TABLE orders ADD COLUMN {column} TEXT")
    db.execute(
        "CREATE TABLE fact_proposals (id INTEGER PRIMARY KEY, order_id INTEGER NOT NULL"
        " REFERENCES orders(id), message_id INTEGER NOT NULL REFERENCES messages(id),"
        " fact TEXT NOT NULL, value TEXT NOT NULL, sentence TEXT NOT NULL,"
        " state TEXT NOT NULL DEFAULT 'pending', created_at TEXT NOT NULL, decided_at TEXT,"
        " UNIQUE (message_id, fact, value))"
    )
    db.execute("CREATE INDEX idx_fact_proposals_order ON fact_proposals(order_id, state)")


@migrations()
def m024_customers(db: Database) -> None:
    """Customers (see inbox/customers/): a contact merged into another stays, marked
    ``merged_into``, with the rows the merge moved (``contact_merges``), so that a split gives
    it back exactly; an address mail bounced from (``failing_addresses``);
    a suggestion the maker dismissed (two contacts, or two orders, never suggested again); an
    order merged into another (``orders.merged_into``)."""
    db.table("contacts").add_column("merged_into", int)
    # an address mail bounced from: the bounce, and the maker's mail it returned
    db.table("failing_addresses").create(
        {"kind": str, "value": str, "failed_at": str, "bounce_id": int, "returned_id": int},
        pk=("kind", "value"),
        not_null={"failed_at", "bounce_id"},
    )
    db.table("orders").add_column("merged_into", int)
    db.table("contact_merges").create(
        {"id": int, "kept_id": int, "merged_id": int, "at": str, "moved": str, "split_at": str},
        pk="id",
        not_null={"kept_id", "merged_id", "at", "moved"},
    )
    db.table("contact_merges").create_index(["kept_id"])
    db.table("dismissed_suggestions").create(
        {"kind": str, "first_id": int, "second_id": int, "at": str},
        pk=("kind", "first_id", "second_id"),
        not_null={"at"},
    )


@migrations()
def m025_waits(db: Database) -> None:
    """A stage task the order moved past is dropped (``tasks.dropped_at``), not done by the
    maker; an order's change she undid keeps when (``order_events.undone_at``), so no two
    undos take back the same change."""
    db.table("tasks").add_column("dropped_at", str)
    db.table("order_events").add_column("undone_at", str)


@migrations()
def m025_waits_revisions(db: Database) -> None:
    """A message's earlier versions, found by the message (its edits shown beside it)."""
    db.table("message_revisions").create_index(["message_id"])


#: an order's kept wait columns, made again from its messages (``{order}`` the order's id)
_ORDER_WAITS = (
    "(last_word_id, last_word_at, last_direction) = (SELECT l.id, l.sent_at, l.direction"
    " FROM messages l WHERE l.order_id = {order} AND l.auto IS NULL"
    " ORDER BY l.sent_at DESC, l.id DESC LIMIT 1),"
    " waiting_since = (SELECT min(w.sent_at) FROM messages w"
    " WHERE w.order_id = {order} AND w.waiting = 1)"
)
#: a new message is the order's last word: it is no automatic mail and comes after the kept one
#: (by time, then by id; a kept word without a time comes before any with one)
_NEWER = (
    "new.auto IS NULL AND (last_word_id IS NULL OR last_word_at IS NULL"
    " OR (new.sent_at, new.id) > (last_word_at, last_word_id))"
)


@migrations()
def m026_order_waits(db: Database) -> None:
    """Who wrote last on an order and when (``orders.last_word_id``, ``last_word_at``,
    ``last_direction``, automatic mail aside) and since when a message waits for the maker
    (``orders.waiting_since``), kept on the order by triggers on
    messages, whatever writes them (filing, a reply, a merge, an undo): the status check and the
    digest's "you wait for" read the orders they show, in urgency order, instead of every
    message of every open order (see store/waits.py). How many messages wait in all, kept the
    same way (``kept_counts``)."""
    for column in ("last_word_id INTEGER", "last_word_at TEXT", "last_direction TEXT"):
        db.execute(f"ALTER TABLE orders ADD COLUMN {column}")
    db.execute("ALTER TABLE orders ADD COLUMN waiting_since TEXT")
    db.execute(f"UPDATE orders SET {_ORDER_WAITS.format(order='orders.id')}")
    refresh = "UPDATE orders SET {waits} WHERE id = {order};"
    # Filing a message (the first collect files thousands) only compares it with what is kept;
    # any other change reads the order's messages again.
    db.execute(
        'CREATE TRIGGER "messages_waits_ai" AFTER INSERT ON messages'
        " WHEN new.order_id IS NOT NULL AND new.sent_at IS NOT NULL"
        " AND (new.auto IS NULL OR new.waiting = 1) BEGIN UPDATE orders SET"
        f" last_word_id = CASE WHEN {_NEWER} THEN new.id ELSE last_word_id END,"
        f" last_word_at = CASE WHEN {_NEWER} THEN new.sent_at ELSE last_word_at END,"
        f" last_direction = CASE WHEN {_NEWER} THEN new.direction ELSE last_direction END,"
        " waiting_since = CASE WHEN new.waiting = 1 AND (waiting_since IS NULL"
        " OR new.sent_at < waiting_since) THEN new.sent_at ELSE waiting_since END"
        " WHERE id = new.order_id; END"
    )
    for name, event, orders in (
        (
            "messages_waits_ai_undated",
            "AFTER INSERT ON messages WHEN new.order_id IS NOT NULL AND new.sent_at IS NULL",
            ("new",),
        ),
        (
            "messages_waits_au",
            "AFTER UPDATE OF order_id, waiting, auto, sent_at, direction ON messages WHEN"
            " old.order_id IS NOT new.order_id OR old.waiting IS NOT new.waiting"
            " OR old.auto IS NOT new.auto OR old.sent_at IS NOT new.sent_at"
            " OR old.direction IS NOT new.direction",
            ("old", "new"),
        ),
        ("messages_waits_ad", "AFTER DELETE ON messages", ("old",)),
    ):
        body = " ".join(
            refresh.format(
                waits=_ORDER_WAITS.format(order=f"{row}.order_id"), order=f"{row}.order_id"
            )
            for row in orders
        )
        db.execute(f'CREATE TRIGGER "{name}" {event} BEGIN {body} END')
    # The reply session's batch, a page at a time (store/batch.py): the orders by their oldest
    # waiting message; the waiting messages of no order or from a new sender; the snoozed ones.
    db.execute(
        "CREATE INDEX idx_orders_waiting_since ON orders(waiting_since)"
        " WHERE waiting_since IS NOT NULL"
    )
    db.execute(
        "CREATE INDEX idx_messages_loose_waiting ON messages(sent_at)"
        " WHERE waiting = 1 AND (order_id IS NULL OR new_sender = 1)"
    )
    db.execute(
        "CREATE INDEX idx_messages_new_sender_waiting ON messages(order_id)"
        " WHERE waiting = 1 AND new_sender = 1 AND order_id IS NOT NULL"
    )
    db.execute(
        "CREATE INDEX idx_messages_snoozed ON messages(snoozed_until)"
        " WHERE waiting = 1 AND snoozed_until IS NOT NULL"
    )
    # The deadlines the digest and the plan show, earliest first (store/orders.py)
    db.execute(
        "CREATE INDEX idx_orders_open_deadline ON orders(deadline)"
        " WHERE deadline IS NOT NULL AND status NOT IN ('completed', 'lost', 'cancelled')"
    )
    # the status check asks, for the orders it shows, whether her last word bounced
    db.table("failing_addresses").create_index(["returned_id"])
    # How many messages wait for her, for every page's menu: counting a first backfill's
    # 100,000 waiting messages on their index cost each page 15 ms.
    db.execute("CREATE TABLE kept_counts (name TEXT PRIMARY KEY, n INTEGER NOT NULL)")
    db.execute("INSERT INTO kept_counts SELECT 'waiting', count(*) FROM messages WHERE waiting = 1")
    change = "UPDATE kept_counts SET n = n + ({d}) WHERE name = 'waiting';"
    for name, event, delta in (
        ("messages_waiting_ai", "AFTER INSERT ON messages WHEN new.waiting = 1", "1"),
        ("messages_waiting_ad", "AFTER DELETE ON messages WHEN old.waiting = 1", "-1"),
        (
            "messages_waiting_au",
            "AFTER UPDATE OF waiting ON messages WHEN old.waiting IS NOT new.waiting",
            "(new.waiting IS 1) - (old.waiting IS 1)",
        ),
    ):
        db.execute(f'CREATE TRIGGER "{name}" {event} BEGIN {change.format(d=delta)} END')


@migrations()
def m027_view_walks(db: Database) -> None:
    """Indexes that let the daily views read what they show from the orders they show (issue 19,
    measured on a 10,000-order shop in bench/views.py). Their conditions name the statuses as
    the statements that use them do: SQLite uses a partial index only for a statement that says
    its condition in the same words."""
    # Customers she waits for, and the orders waiting on her work, longest waiting first
    # (store/waits.py): walked in order and stopped at the page's end, and counted from the index
    # alone. Every column a count reads is in it.
    db.execute(
        "CREATE INDEX idx_orders_last_word ON orders(coalesce(last_word_at, ''), id, status,"
        " last_direction, last_word_id, history, waiting_since) WHERE waiting_since IS NULL"
        " AND last_word_id IS NOT NULL AND status NOT IN ('completed', 'lost', 'cancelled')"
    )
    # The planned orders' work end to end, in the plan's order (store/orders.py planned_work),
    # read from the index alone: id, deadline and estimate.
    db.execute(
        "CREATE INDEX idx_orders_planned ON orders(coalesce(deadline, '~'), id, deadline,"
        " estimated_hours, status) WHERE status IN ('booked', 'in_progress', 'awaiting_client')"
    )
    # The digest's new orders, those created since the last digest, and what first collects
    # imported since then (their history).
    db.table("orders").create_index(["created_at", "history"], index_name="idx_orders_created")
    # The open orders' deadlines (m026) now with their id and status: how many are due each
    # day of the plan is counted on the index alone, still walked in deadline then id order.
    db.execute("DROP INDEX idx_orders_open_deadline")
    db.execute(
        "CREATE INDEX idx_orders_open_deadline ON orders(deadline, id, status)"
        " WHERE deadline IS NOT NULL AND status NOT IN ('completed', 'lost', 'cancelled')"
    )
    # A board column or a page of the list of orders: the orders of one status in order, the
    # page's first ones found without sorting every order of the status.
    db.execute("CREATE INDEX idx_orders_status_id ON orders(status, id, history)")
    # The customers who may be one with another (store/customers.py known_like): the mailboxes
    # of Gmail addresses read without their dots, and phones by their last nine digits.
    db.execute(
        "CREATE INDEX idx_handles_undotted ON handles(replace(value, '.', '')) WHERE kind = 'email'"
    )
    db.execute(
        "CREATE INDEX idx_handles_phone_tail ON handles(substr(value, -9)) WHERE kind = 'phone'"
    )
    # The tasks the plan's days show, those not done nor dropped, by the day they are due.
    db.execute(
        "CREATE INDEX idx_tasks_open_due ON tasks(due)"
        " WHERE done_at IS NULL AND dropped_at IS NULL AND due IS NOT NULL"
    )
