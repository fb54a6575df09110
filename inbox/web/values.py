"""Form values as the maker types them: dates (2026-12-20 or 20/12/2026) and amounts (2,5)."""

from __future__ import annotations

import math
import re
from datetime import date

from banco.inbox.web.context import FormProblem


def parse_date(text: str) -> date | None:
    if not text:
        return None
    match = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", text)
    try:
        if match:
            return date(int(match[3]), int(match[2]), int(match[1]))
        return date.fromisoformat(text)
    except ValueError:
        raise FormProblem(f'"{text}" is not a date; write it as 2026-12-20') from None


def parse_number(text: str, what: str) -> float | None:
    if not text:
        return None
    try:
        value = float(text.replace("€", "").replace(" ", "").replace(",", "."))
    except ValueError:
        raise FormProblem(f'"{text}" is not a number for the {what}') from None
    if value < 0 or not math.isfinite(value):
        raise FormProblem(f"the {what} cannot be {text}")
    return value
