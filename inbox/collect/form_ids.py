"""A form answer stored under an id its row no longer has.

A row of a form's responses can come back under another id with the same answers: the first
collect after Banco changed how it names rows, or a row whose twin (same customer, same second)
was added or deleted (see ``banco.connectors.forms.identity``). Filed as new, it would open a
second order for one answer. So before a form answer is filed, a stored answer holding exactly
the same answers (the same content, or the same row byte for byte) under one of the ids its row
may have had takes its new id, and the answer is then known, edited or unchanged, as any other.
Only identical answers are taken over: two different answers are never matched by a guess.
"""

from __future__ import annotations

from banco.connectors import Record
from banco.connectors.forms.identity import FORM_ROW, earlier_prefixes, numbered_twins
from banco.inbox.store import messages
from banco.inbox.store.database import Store


def adopt_earlier_form_id(store: Store, account: str, record: Record) -> None:
    """Give ``record``'s id to the stored answer it is, if that answer has another id."""
    if record.raw_type != FORM_ROW or messages.message_id_of(store, account, record.external_id):
        return
    for prefix in earlier_prefixes(record.external_id):
        for found, external_id in messages.form_answers_like(
            store, account, prefix, FORM_ROW, record.fingerprint(), record.raw
        ):
            if not numbered_twins(external_id, record.external_id):
                messages.rename(store, found, record.external_id)
                return
