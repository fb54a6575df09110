"""Auto-replies recognised by their subject, for the mail programs that mark them with no header
(Auto-Submitted, X-Autoreply, Precedence): "Automatic reply: ...", "Risposta automatica: ...",
"Réponse automatique : ...", "Abwesenheitsnotiz: ...", in every language Banco speaks (English,
Italian, French) and the German and Spanish of Outlook's and Exchange's defaults.

A subject is an auto-reply's when it starts with one of these phrases (after an optional "[" or
"Re:"), read lower-case and without accents. A word that also starts a person's subject
("Absence de nouvelles", "Assente da lunedì?") counts only when the phrase ends there (a colon, a
dash or the subject's end)."""

from __future__ import annotations

import re
import unicodedata

#: phrases that start an auto-reply's subject and nothing else's
_PHRASES = (
    r"automatic reply",
    r"auto[- ]?reply",
    r"auto[- ]?response",
    r"autoresponder",
    r"out of (the )?office",
    r"away from (the )?office",
    r"risposta automatica",
    r"risposta di assenza",
    r"fuori (sede|ufficio)",
    r"reponse automatique",
    r"message d'absence",
    r"absent du bureau",
    r"absence du bureau",
    r"abwesenheitsnotiz",
    r"automatische antwort",
    r"respuesta automatica",
    r"fuera de la oficina",
)
#: short words that start a person's subject too: an auto-reply's only when nothing follows
_ALONE = (r"absence", r"absent", r"assente", r"assenza", r"vacation", r"vacances", r"ferie")
_SUBJECT = re.compile(
    r"^\s*\[?\s*(re|aw|r)?\s*:?\s*\[?\s*(?:"
    + "|".join(_PHRASES)
    + r"|(?:"
    + "|".join(_ALONE)
    + r")\s*(?:[:\-\u2013]|$))"
)


def is_auto_reply_subject(subject: str) -> bool:
    """Whether ``subject`` is the subject of an automatic reply."""
    return _SUBJECT.match(_plain(subject)) is not None


def _plain(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower().replace("\u2019", "'"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))
