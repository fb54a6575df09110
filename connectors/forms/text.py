"""Answers and questions compared the way a person reads them: ignoring case, accents and
punctuation."""

from __future__ import annotations

import re
import unicodedata


def fold(text: str) -> str:
    """Text reduced for comparing wordings: "Quantità ?" -> "quantita", "E-mail" -> "e mail"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"[\W_]+", " ", bare).strip()
