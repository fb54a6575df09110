"""The keys of a ``gsheet`` account. Read whenever banco.toml is, so it imports no more than
``banco.config`` and the forms' date orders: gspread and Google's sign-in are the connector's
(``connector``)."""

from __future__ import annotations

from collections.abc import Mapping

from banco.config import Option
from banco.connectors.forms.rows import DATE_ORDERS

GOOGLE_API = "https://sheets.googleapis.com"

OPTIONS: Mapping[str, Option] = {
    "spreadsheet": Option(
        "str", help="the address of the sheet of answers (or the key in that address)"
    ),
    "worksheet": Option("str", "", "the tab holding the answers; empty: the first tab"),
    "credentials": Option(
        "secret",
        None,
        "the JSON key of a service account the sheet is shared with, such as "
        '{file = "service-account.json"}; leave it out after `banco auth`',
    ),
    "oauth_client": Option(
        "secret",
        None,
        'an OAuth client ("Desktop app") JSON file, for `banco auth` with your own account',
    ),
    "api_url": Option("str", GOOGLE_API, "where Banco sends Google's API requests"),
    "mapping": Option(
        "table", {}, "which column holds each field; empty: guessed from the questions"
    ),
    "date_order": Option(
        "str",
        "auto",
        '"dmy" for 31/12/2025, "mdy" for 12/31/2025, "ymd", or "auto" to follow the '
        "spreadsheet's locale",
        DATE_ORDERS,
    ),
    "timeout_seconds": Option(
        "number", 30, "how long to wait for Google to answer", positive=True, maximum=3600
    ),
}
