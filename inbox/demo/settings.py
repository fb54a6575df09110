"""The demo shop's ``banco.toml``, commented in the language of the maker who opens it."""

from __future__ import annotations

from banco.inbox.i18n.catalogs import N_, gettext, speaking

#: each setting's note, by the name of its place in :data:`TEMPLATE`
NOTES = {
    "intro": N_(
        "Banco's settings for Bottega Giulia, a made-up shop to look around in.\n"
        "Lines starting with # are notes for you; Banco skips them."
    ),
    "name": N_("The shop's name, as customers see it in replies and in your daily summary."),
    "owner": N_("Your name, used to sign your replies."),
    "addresses": N_("Your own email addresses, so Banco knows which emails you wrote yourself."),
    "timezone": N_("Your time zone: Banco shows every date and time in it."),
    "languages": N_("The languages you answer in, the one you use most first."),
    "accounts": N_("Each [[accounts]] block below is one place where orders arrive."),
    "account": N_("A short name you choose for this account."),
    "maildir": N_('"maildir" means emails kept as files in a folder on this computer.'),
    "maildir_path": N_("The folder with the emails, next to this file."),
    "sent": N_("The folder, inside it, with the emails you sent."),
    "csv": N_('"csv" means a table saved as a .csv file, such as the answers to your order form.'),
    "csv_path": N_(
        'The file with the answers, from Google Forms: Responses, then "Download responses (.csv)".'
    ),
}

TEMPLATE = """\
{intro}

[shop]
{name}
name = "Bottega Giulia"
{owner}
owner = "Giulia Rinaldi"
{addresses}
addresses = ["giulia@bottegagiulia.example"]
{timezone}
timezone = "Europe/Rome"
{languages}
languages = {spoken}

{accounts}

[[accounts]]
{account}
name = "shop-mail"
{maildir}
kind = "maildir"
{maildir_path}
path = "Maildir"
{sent}
sent_folder = "Sent"

[[accounts]]
{account}
name = "order-form"
{csv}
kind = "csv"
{csv_path}
path = "form-responses.csv"
"""


def banco_toml(lang: str) -> str:
    """The demo's settings with their notes in ``lang``; ``lang`` is the maker's language, the
    first of the languages she answers in (Giulia writes Italian, English and French)."""
    spoken = [lang, *(other for other in ("it", "en", "fr") if other != lang)]
    with speaking(lang):
        notes = {key: _note(gettext(text)) for key, text in NOTES.items()}
    return TEMPLATE.format(**notes, spoken="[" + ", ".join(f'"{code}"' for code in spoken) + "]")


def _note(text: str) -> str:
    return "\n".join(f"# {line}" for line in text.splitlines())
