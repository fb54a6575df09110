"""The ``csv`` connector: a Google Form's answers downloaded as a CSV file.

In the form: Responses, then "Download responses (.csv)"; or the same sheet saved as CSV by Excel,
which in Italy and France writes ``;`` between cells and may use the Windows code page.

The file is small and local, so every fetch reads all of it; the cursor and pages are those of
every answer table (``banco.connectors.forms.answers``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .options import OPTIONS

if TYPE_CHECKING:
    from .connector import CsvConnector

__all__ = ["OPTIONS", "CsvConnector"]


def __getattr__(name: str) -> Any:
    """``CsvConnector`` is imported on first use: reading banco.toml needs only ``OPTIONS``."""
    if name == "CsvConnector":
        from .connector import CsvConnector

        return CsvConnector
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
