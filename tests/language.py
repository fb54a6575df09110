"""Finding English where the maker's language is expected: the msgids Banco's catalogs must hold
(extracted as `pybabel extract -F babel.cfg` does) and English phrases of Banco's own in what a
screen shows, apart from the data (customers write in English too)."""

from __future__ import annotations

import csv
import email
import email.policy
import re
from pathlib import Path

from babel.messages.extract import extract_from_dir

ROOT = Path(__file__).resolve().parent.parent  # the repository


KEYWORDS = {
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "N_": None,
    "Sentence": None,
    "Problem": (2,),
    "SecretError": None,
    **dict.fromkeys(
        ("ConnectorError", "NeedsUser", "TryLater", "Rejected", "MayHaveBeenSent", "BadRecord"),
    ),
    "SessionLost": None,
    "FolderMissing": None,
}


PLACEHOLDER = re.compile(r"{(\w*)[^}]*}")


def english() -> dict[str, tuple[str, ...]]:
    """msgid -> its English forms, from the files babel.cfg names."""
    found: dict[str, tuple[str, ...]] = {}
    with (ROOT / "babel.cfg").open() as config:
        from babel.messages.frontend import parse_mapping_cfg

        method_map, options_map = parse_mapping_cfg(config)
    for _, _, message, _, _ in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS
    ):
        forms = message if isinstance(message, tuple) else (message,)
        found[forms[0]] = forms
    return found


ENGLISH = {
    "the", "your", "and", "will", "with", "from", "this", "that", "have", "has", "not", "been",
    "of", "to", "is", "are", "was", "for", "no", "yet", "an", "it", "its", "at", "or", "be",
    "by", "can", "cannot", "any", "every", "each", "one", "which", "what", "when", "who",
    # and the nouns Banco says most, which no Italian or French sentence holds
    # ("message" is French too, "account" is Italian too)
    "answers", "columns", "collected", "found", "order", "orders", "reply", "replies", "waiting",
    "customer", "last", "new",
}  # fmt: skip


# Not Banco's words: a file's path, a command (`banco messages raw 21`, a listing's `  orders  `),
# an option (--waiting) and its choices ([new|quoted|...]), a placeholder of the usage line (REF),
# a routine's name in banco.toml's [schedule].
NOT_WORDS = re.compile(
    r"\S*/\S*|banco(?: [a-z-]+)+|^\s*[a-z-]+(?=\s{2})|--[a-z-]+|[\[{][^\]}]*\|[^\]}]*[\]}]"
    r"|\b[A-Z][A-Z_]+\b"
)


WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")


def data_text(shop: Path) -> str:
    """Every word the demo's customers and the maker wrote: the mail and the form's answers."""
    parts = []
    for path in sorted((shop / "Maildir").rglob("*")):
        if path.is_file() and path.parent.name in {"cur", "new"}:
            mail = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            parts += [str(mail["subject"] or ""), str(mail["from"] or "")]
            parts += [p.get_content() for p in mail.walk() if p.get_content_maintype() == "text"]
    parts.append((shop / "banco.toml").read_text(encoding="utf-8"))  # her account names
    with (shop / "form-responses.csv").open(encoding="utf-8") as answers:
        parts += [" ".join(row) for row in csv.reader(answers)]
    return " " + " ".join(" ".join(WORD.findall(part.lower())) for part in parts) + " "


def english_phrases(screen: str, data: str) -> list[str]:
    """One finding per line: three words, one of them an English function word, of which neither
    pair of neighbours is in the data ("Sarah Mitchell: The plates" is the data's own)."""
    found = []
    for line in screen.splitlines():
        if line.startswith("$ banco"):
            continue
        words = WORD.findall(NOT_WORDS.sub(" ", line).lower())
        for i in range(len(words) - 2):
            three = words[i : i + 3]
            pairs = (" ".join(three[:2]), " ".join(three[1:]))
            if ENGLISH & set(three) and not any(f" {pair} " in data for pair in pairs):
                found.append(f"{' '.join(three)!r} in {line.strip()!r}")
                break
    return found
