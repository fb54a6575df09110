"""Google Forms answers: which column is which field (``mapping``) and rows as records (``rows``).

Shared by the ``csv`` connector (a downloaded responses file) and any connector reading the
response sheet itself: both hand over a header row and rows of text cells.
"""

from .mapping import FIELDS, check_mapping, guess_mapping, mapping_as_toml
from .rows import (
    DATE_ORDERS,
    numbered_records,
    parse_date,
    parse_timestamp,
    resolve_date_order,
    unique_headers,
)

__all__ = [
    "DATE_ORDERS",
    "FIELDS",
    "check_mapping",
    "guess_mapping",
    "mapping_as_toml",
    "numbered_records",
    "parse_date",
    "parse_timestamp",
    "resolve_date_order",
    "unique_headers",
]
