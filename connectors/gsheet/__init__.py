"""The ``gsheet`` connector: a Google Form's answers, read from its responses spreadsheet.

It reads the sheet the way the ``csv`` connector reads a downloaded file, with the same mapping and
the same rows-to-records rules (``banco.connectors.forms``), so both give the same orders for the
same answers. What the sheet adds:

* its **locale** says how its dates read ("it_IT": 15/01/2025; "en_US": 1/15/2025) when
  ``date_order`` is "auto", and its **time zone** is the Timestamp's (see :mod:`.locale`);
* two API reads per collect (metadata, then every cell as text: see :mod:`.sheet`);
* Google's refusals turned into "needs you" or "will retry" sentences (see :mod:`.problems`).

The cursor and pages are those of every answer table (``banco.connectors.forms.answers``): an
unchanged sheet yields nothing; a sheet with answers added or edited yields every row again, and
the store keeps only what changed (an edit becomes a "form_edit" event). A deleted row is simply
not read again: nothing is ever deleted from the store.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from banco.connectors.registry import imported_on_first_use

from .options import OPTIONS

if TYPE_CHECKING:
    from .connector import GsheetConnector

__all__ = ["OPTIONS", "GsheetConnector"]
__getattr__ = imported_on_first_use(__name__, "GsheetConnector")
