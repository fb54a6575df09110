"""Reading stored mail again (``banco messages reprocess``): each email message's raw bytes, kept
as received, parsed by the current parser, and the new reading filed over the old one by
``Ingest.reparse`` (the old one kept as a revision). A mail Banco could not read before and can
now becomes a readable message waiting for the maker."""

from __future__ import annotations

from dataclasses import dataclass

from banco.connectors.email.parse import RAW_TYPE, parse_message
from banco.inbox.collect.ingest import Ingest
from banco.inbox.shop import Shop
from banco.inbox.store import messages


@dataclass
class Reprocessed:
    read: int = 0
    changed: int = 0
    now_readable: int = 0
    still_unreadable: int = 0


def reprocess(shop: Shop, *, unreadable: bool = False, account: str | None = None) -> Reprocessed:
    """Parse every stored email message again (only the unreadable ones, only one account's),
    one transaction per message: a stop halfway keeps what was done."""
    store = shop.store
    counts = Reprocessed()
    for message_id in messages.ids_kept_as(store, RAW_TYPE, unreadable=unreadable, account=account):
        stored = messages.stored_raw(store, message_id)
        if stored is None:  # removed meanwhile
            continue
        record = parse_message(stored["raw"], stored["external_id"], stored["direction"])
        was_unreadable = stored["status"] == "unreadable"
        ingest = Ingest(
            store,
            stored["account"],
            shop.clock.now(),
            order_prefix=shop.config.shop.order_prefix,
            owner=shop.owner_handles,
        )
        with store.writing(), store.saving_files() as save_file:
            changed = ingest.reparse(record, was_unreadable, save_file)
        counts.read += 1
        counts.changed += changed
        if record.status == "unreadable":
            counts.still_unreadable += 1
        elif was_unreadable:
            counts.now_readable += 1
    return counts
