"""Which column of a form's responses holds which Banco field, guessed from the questions' wording.

A mapping is ``{field: column name}``, column names as :func:`~.rows.unique_headers` gives them
(so the second "Name" column is "Name (2)"). Columns left out become custom fields of the order.

Guessing scores every (column, field) pair by the keywords the question contains, in English,
Italian and French, ignoring case, accents and punctuation; the Timestamp column Google Forms adds
is also known by its name in Spanish, German, Portuguese, Dutch, Polish and Russian, and the
collected email address and a bare name question in Spanish and Dutch, so that answers are told
apart by who gave them (see ``identity``). A keyword of n words scores 2n (one
more if it is the whole question); a weak word ("date", "order", "price") scores 1 and decides
only when nothing more specific does. The best pairs are taken first; a column is never given
two fields and, between equal columns, the first one wins.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Mapping, Sequence
from typing import Any

from banco.config.sentence import Sentence

from .rows import unique_headers
from .text import fold

FIELDS = (
    "timestamp",
    "name",
    "first_name",
    "last_name",
    "email",
    "phone",
    "telegram",
    "item",
    "quantity",
    "deadline",
    "budget",
    "notes",
    "links",
)

# Keywords as fold() writes them: lower case, no accents, punctuation turned into spaces.
# fmt: off
_KEYWORDS: dict[str, tuple[str, ...]] = {
    # Google Forms names the column in the sheet's language; sources in identity.py's docstring.
    "timestamp": (
        "timestamp", "informazioni cronologiche", "marca temporale", "data ora", "data e ora",
        "horodateur", "horodatage", "date heure", "submitted at", "marca temporal", "zeitstempel",
        "carimbo de data hora", "tijdstempel", "sygnatura czasowa", "отметка времени",
    ),
    "name": (
        "name", "full name", "your name", "first and last name", "name and surname", "nome",
        "nome e cognome", "nome cognome", "cognome e nome", "nome completo", "nominativo",
        "il tuo nome", "nom", "nom complet", "nom et prenom", "prenom et nom", "votre nom",
        "nombre", "naam",
    ),
    "first_name": ("first name", "firstname", "given name", "prenom", "votre prenom"),
    "last_name": (
        "last name", "lastname", "surname", "family name", "cognome", "nom de famille",
    ),
    "email": (
        "email", "e mail", "mail", "email address", "e mail address", "indirizzo email",
        "indirizzo e mail", "posta elettronica", "adresse e mail", "adresse email", "courriel",
        "adresse electronique", "correo electronico", "direccion de correo electronico",
        "e mailadres",
    ),
    "phone": (
        "phone", "phone number", "telephone", "telephone number", "mobile", "cell", "cellphone",
        "whatsapp", "tel", "telefono", "numero di telefono", "cellulare", "numero di cellulare",
        "numero de telephone", "portable",
    ),
    "telegram": (
        "telegram", "telegram username", "username telegram", "utente telegram",
        "nome utente telegram", "account telegram", "pseudo telegram", "compte telegram",
        "utilisateur telegram", "telegram name", "telegram handle", "nome telegram",
        "nom telegram",
    ),
    "item": (
        "what would you like", "what would you like to order", "your order", "to order", "item",
        "items", "product", "products", "cosa desideri ordinare", "cosa desideri", "cosa vorresti",
        "ordinare", "prodotto", "prodotti", "articolo", "articoli", "que souhaitez vous commander",
        "commander", "article", "articles", "produit", "produits",
    ),
    "quantity": (
        "quantity", "qty", "how many", "number of pieces", "quantita", "quanti pezzi", "quanti",
        "quante", "numero di pezzi", "quantite", "combien de pieces", "nombre de pieces",
    ),
    "deadline": (
        "deadline", "when do you need it", "need it by", "needed by", "by when", "due date",
        "delivery date", "date needed", "data di consegna", "consegna entro", "entro quando",
        "entro il", "scadenza", "quando ti serve", "date de livraison", "pour quand",
        "date limite", "livraison souhaitee",
    ),
    "budget": (
        "budget", "max budget", "maximum budget", "how much", "prezzo massimo", "budget massimo",
        "spesa massima", "quanto vuoi spendere", "prix maximum", "prix max", "depenser",
    ),
    "notes": (
        "notes", "note", "comments", "anything else", "other information",
        "additional information", "altro", "altre informazioni", "informazioni aggiuntive",
        "commenti", "osservazioni", "richieste particolari", "remarques", "remarque",
        "commentaires", "commentaire", "autres informations",
    ),
    "links": (
        "reference photos", "reference photo", "reference", "photos", "photo", "link", "links",
        "url", "foto", "foto di riferimento", "immagini", "riferimento", "riferimenti", "allegati",
        "photos de reference", "photo de reference", "lien", "liens", "images",
    ),
}
_WEAK: dict[str, tuple[str, ...]] = {
    "item": ("order", "ordine", "commande", "what", "cosa"),
    "quantity": ("combien", "pieces", "pezzi"),
    "deadline": ("date", "data", "when", "quando", "quand", "entro"),
    "budget": ("price", "cost", "prezzo", "costo", "spesa", "prix"),
    "notes": ("message", "messaggio", "info", "informazioni", "other"),
    "links": ("file", "files", "upload", "image"),
}
# fmt: on
# A bare "Name" next to a last-name column is the first name, and the reverse ("Nom" + "Prénom").
_BARE_NAMES = {"name", "your name", "nome", "il tuo nome", "nom", "votre nom"}


def _score(question: str, field: str) -> int:
    """How strongly a folded question suggests ``field``: 0 for not at all."""
    padded = f" {question} "
    scores = [
        2 * len(phrase.split()) + (phrase == question)
        for phrase in _KEYWORDS[field]
        if f" {phrase} " in padded
    ]
    scores += [1 for word in _WEAK.get(field, ()) if f" {word} " in padded]
    return max(scores, default=0)


def guess_mapping(headers: Sequence[str]) -> dict[str, str]:
    """Banco field -> column name, guessed from the questions' wording; the rest are left out."""
    names = unique_headers(headers)
    candidates = sorted(
        (-score, column, FIELDS.index(field), field)
        for column, question in enumerate(fold(name) for name in names)
        for field in FIELDS
        if (score := _score(question, field))
    )
    mapping: dict[str, str] = {}
    taken: set[int] = set()
    for _, column, _, field in candidates:
        if field not in mapping and column not in taken:
            mapping[field] = names[column]
            taken.add(column)
    _split_bare_name(mapping)
    return {field: mapping[field] for field in FIELDS if field in mapping}


def _split_bare_name(mapping: dict[str, str]) -> None:
    if "name" not in mapping or fold(mapping["name"]) not in _BARE_NAMES:
        return
    if "last_name" in mapping and "first_name" not in mapping:
        mapping["first_name"] = mapping.pop("name")
    elif "first_name" in mapping and "last_name" not in mapping:
        mapping["last_name"] = mapping.pop("name")


def check_mapping(mapping: Mapping[str, Any], headers: Sequence[str]) -> list[Sentence]:
    """One sentence per problem of a mapping written by hand; empty when it fits the sheet."""
    names = unique_headers(headers)
    problems: list[Sentence] = []
    for field, column in mapping.items():
        if field not in FIELDS:
            problems.append(
                Sentence(
                    '"{field}" is not one of Banco\'s fields{did_you_mean} (fields: {fields})',
                    field=field,
                    did_you_mean=_did_you_mean(field, FIELDS),
                    fields=", ".join(FIELDS),
                )
            )
        elif not isinstance(column, str):
            problems.append(
                Sentence(
                    "{field} should be a column name in quotes, not {column!r}",
                    field=field,
                    column=column,
                )
            )
        elif column not in names:
            problems.append(
                Sentence(
                    '{field} = "{column}": the sheet has no such column{did_you_mean}',
                    field=field,
                    column=column,
                    did_you_mean=_did_you_mean(column, names),
                )
            )
    return problems


def _did_you_mean(word: str, known: Sequence[str]) -> Sentence | str:
    """'; did you mean "X"?' for the closest of ``known``, ignoring case and accents: one that
    contains ``word`` ("Nome" -> "Nome e cognome"), else the most similar."""
    folded = fold(word)
    by_fold = {fold(name): name for name in reversed(known)}  # the first of equal folds wins
    containing = [name for name in known if folded and f" {folded} " in f" {fold(name)} "]
    close = difflib.get_close_matches(folded, list(by_fold), n=1, cutoff=0.6)
    best = containing[0] if containing else by_fold[close[0]] if close else ""
    return Sentence('; did you mean "{best}"?', best=best) if best else ""


def mapping_as_toml(
    headers: Sequence[str],
    mapping: Mapping[str, str],
    kept_heading: str = "Kept as custom fields of each order:",
) -> str:
    """The mapping as a banco.toml line, then comments naming the columns kept as custom fields
    under ``kept_heading`` (the caller's, in the maker's language)."""
    pairs = [f"{field} = {_toml_string(mapping[field])}" for field in FIELDS if field in mapping]
    lines = [f"mapping = {{ {', '.join(pairs)} }}" if pairs else "mapping = {}"]
    mapped = set(mapping.values())
    kept = [name for name in unique_headers(headers) if name not in mapped]
    if kept:
        lines.append(f"# {kept_heading}")
        lines += [f"#   {_toml_string(name)}" for name in kept]
    return "\n".join(lines) + "\n"


def _toml_string(text: str) -> str:
    """A TOML basic string: JSON's escapes are TOML's, except that TOML also escapes DEL."""
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")
