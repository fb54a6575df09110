"""The ``csv`` connector: a Google Form's answers downloaded as a CSV file.

In the form: Responses, then "Download responses (.csv)"; or the same sheet saved as CSV by Excel,
which in Italy and France writes ``;`` between cells and may use the Windows code page.

The file is small and local, so every fetch reads all of it; the cursor and pages are those of
every answer table (``banco.connectors.forms.answers``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from banco.connectors.registry import imported_on_first_use

from .options import OPTIONS

if TYPE_CHECKING:
    from .connector import CsvConnector

__all__ = ["OPTIONS", "CsvConnector"]
__getattr__ = imported_on_first_use(__name__, "CsvConnector")
