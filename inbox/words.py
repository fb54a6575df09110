"""The words Banco says to the maker, in the maker's language (English, Italian, French)."""

from __future__ import annotations

from datetime import timedelta

WORDS: dict[str, dict[str, str]] = {
    "en": {
        "gaps": "Sources holding messages Banco does not have ({n})",
        "gap": "{account} {stream}: {source} at the source, {stored} in Banco",
        "digest_title": "{shop}: your day, {date}",
        "nothing": "Nothing new: no orders, no messages waiting, no deadlines close.",
        "new_orders": "New orders ({n})",
        "waiting": "Messages waiting for your reply ({n})",
        "waiting_since": "waiting for {age}",
        "due": "Deadlines in the next {days} days ({n})",
        "overdue": "Overdue ({n})",
        "due_in": "due in {age}",
        "due_today": "due today",
        "late_by": "late by {age}",
        "failing": "Accounts that need attention ({n})",
        "needs_you": "needs you",
        "will_retry": "will retry by itself",
        "failed_times": "failed {n} times in a row",
        "last_ok": "last worked {when}",
        "never_ok": "has not worked yet",
        "unreadable": "Messages Banco could not read ({n})",
        "too_large": "Messages too large to download ({n})",
        "open_original": "open the original with: banco messages raw {id} > message.eml",
        "no_order": "no order",
        "unknown_sender": "unknown sender",
        "ago": "{age} ago",
        "minute": "minute",
        "minutes": "minutes",
        "hour": "hour",
        "hours": "hours",
        "day": "day",
        "days": "days",
        "from": "from",
    },
    "it": {
        "gaps": "Fonti con messaggi che Banco non ha ({n})",
        "gap": "{account} {stream}: {source} alla fonte, {stored} in Banco",
        "digest_title": "{shop}: la tua giornata, {date}",
        "nothing": "Niente di nuovo: nessun ordine, nessun messaggio in attesa, nessuna scadenza vicina.",
        "new_orders": "Nuovi ordini ({n})",
        "waiting": "Messaggi che aspettano una tua risposta ({n})",
        "waiting_since": "in attesa da {age}",
        "due": "Scadenze nei prossimi {days} giorni ({n})",
        "overdue": "In ritardo ({n})",
        "due_in": "scade tra {age}",
        "due_today": "scade oggi",
        "late_by": "in ritardo di {age}",
        "failing": "Account da controllare ({n})",
        "needs_you": "serve il tuo intervento",
        "will_retry": "riproverà da solo",
        "failed_times": "fallito {n} volte di seguito",
        "last_ok": "ultima volta riuscito {when}",
        "never_ok": "non ha ancora funzionato",
        "unreadable": "Messaggi che Banco non è riuscito a leggere ({n})",
        "too_large": "Messaggi troppo grandi da scaricare ({n})",
        "open_original": "apri l'originale con: banco messages raw {id} > messaggio.eml",
        "no_order": "nessun ordine",
        "unknown_sender": "mittente sconosciuto",
        "ago": "{age} fa",
        "minute": "minuto",
        "minutes": "minuti",
        "hour": "ora",
        "hours": "ore",
        "day": "giorno",
        "days": "giorni",
        "from": "da",
    },
    "fr": {
        "gaps": "Sources avec des messages que Banco n'a pas ({n})",
        "gap": "{account} {stream} : {source} à la source, {stored} dans Banco",
        "digest_title": "{shop} : votre journée, {date}",
        "nothing": "Rien de nouveau : pas de commande, pas de message en attente, pas d'échéance proche.",
        "new_orders": "Nouvelles commandes ({n})",
        "waiting": "Messages qui attendent votre réponse ({n})",
        "waiting_since": "en attente depuis {age}",
        "due": "Échéances dans les {days} prochains jours ({n})",
        "overdue": "En retard ({n})",
        "due_in": "dans {age}",
        "due_today": "pour aujourd'hui",
        "late_by": "en retard de {age}",
        "failing": "Comptes à vérifier ({n})",
        "needs_you": "demande votre intervention",
        "will_retry": "réessaiera tout seul",
        "failed_times": "a échoué {n} fois de suite",
        "last_ok": "dernier succès {when}",
        "never_ok": "n'a pas encore fonctionné",
        "unreadable": "Messages que Banco n'a pas pu lire ({n})",
        "too_large": "Messages trop volumineux pour être téléchargés ({n})",
        "open_original": "ouvrez l'original avec : banco messages raw {id} > message.eml",
        "no_order": "pas de commande",
        "unknown_sender": "expéditeur inconnu",
        "ago": "il y a {age}",
        "minute": "minute",
        "minutes": "minutes",
        "hour": "heure",
        "hours": "heures",
        "day": "jour",
        "days": "jours",
        "from": "de",
    },
}


def say(lang: str, key: str, **values: object) -> str:
    table = WORDS.get(lang, WORDS["en"])
    return table.get(key, WORDS["en"][key]).format(**values)


def duration(delta: timedelta, lang: str) -> str:
    """A rough, human length of time: "5 minutes", "3 hours", "2 days"."""
    seconds = abs(delta.total_seconds())
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size or unit == "minute":
            n = max(1, int(seconds // size))
            return f"{n} {say(lang, unit if n == 1 else unit + 's')}"
    raise AssertionError("unreachable")
