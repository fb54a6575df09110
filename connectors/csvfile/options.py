"""The keys of a ``csv`` account. Read whenever banco.toml is, so it imports no more than
``banco.config`` and the forms' date orders (the connector itself is ``connector``)."""

from __future__ import annotations

from collections.abc import Mapping

from banco.config import Option
from banco.connectors.forms.rows import DATE_ORDERS

OPTIONS: Mapping[str, Option] = {
    "path": Option("path", help="the CSV file of the form's answers"),
    "mapping": Option(
        "table", {}, "which column holds each field; empty: guessed from the questions"
    ),
    "date_order": Option(
        "str",
        "auto",
        '"dmy" for 31/12/2025, "mdy" for 12/31/2025, "ymd", or "auto" to tell from the file',
        DATE_ORDERS,
    ),
    "encoding": Option("str", "utf-8-sig", 'the file\'s text encoding, e.g. "cp1252"'),
}
