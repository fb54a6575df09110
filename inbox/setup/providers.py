"""The mail servers of the big providers, found from an address's domain.

The table is the first guess of ``banco setup mail``; a domain not in it is looked up with
Thunderbird's autoconfig (``autoconfig.py``), then asked by hand. A provider's ``note`` is what the
maker must know before the login (an app password, or OAuth)."""

from __future__ import annotations

from dataclasses import dataclass

from banco.inbox.i18n.catalogs import N_


@dataclass(frozen=True)
class Servers:
    """Where a mailbox is read and sent from. ``security`` is "ssl", "starttls" or "none"."""

    imap_host: str
    imap_port: int
    imap_security: str
    smtp_host: str
    smtp_port: int
    smtp_security: str
    #: the login is the whole address (else the part before the @)
    login_is_address: bool = True


@dataclass(frozen=True)
class Provider:
    name: str
    servers: Servers
    #: what she must know before logging in (a msgid), or ""
    note: str = ""
    #: signing in with OAuth (`banco auth ACCOUNT` after setup): "" (no), "offered" or "required"
    oauth: str = ""
    #: its server files a copy of what is sent in Sent by itself (no second copy from Banco)
    keeps_sent: bool = False


GMAIL_NOTE = N_(
    "Gmail refuses your usual password here. Either create an app password (Google account >"
    " Security > 2-Step Verification > App passwords) and type it below, or answer 'oauth' and"
    " run `banco auth {account}` after this step."
)
MICROSOFT_NOTE = N_(
    "Outlook and Hotmail accept only a sign-in through Microsoft (OAuth) since 2024: no password"
    " here; after this step, run `banco auth {account}`."
)
APP_PASSWORD_NOTE = N_(
    "{provider} asks for an app password for programs like Banco: create one in your account's"
    " security settings and type it below."
)


def _ssl(imap: str, smtp: str, smtp_port: int = 465, *, address: bool = True) -> Servers:
    smtp_security = "ssl" if smtp_port == 465 else "starttls"
    return Servers(imap, 993, "ssl", smtp, smtp_port, smtp_security, address)


_GMAIL = Provider("Gmail", _ssl("imap.gmail.com", "smtp.gmail.com"), GMAIL_NOTE, "offered", True)
_OUTLOOK = Provider(
    "Outlook",
    _ssl("outlook.office365.com", "smtp-mail.outlook.com", 587),
    MICROSOFT_NOTE,
    "required",
    True,
)
_ICLOUD = Provider("iCloud", _ssl("imap.mail.me.com", "smtp.mail.me.com", 587), APP_PASSWORD_NOTE)
_YAHOO = Provider("Yahoo", _ssl("imap.mail.yahoo.com", "smtp.mail.yahoo.com"), APP_PASSWORD_NOTE)
_LIBERO = Provider("Libero", _ssl("imapmail.libero.it", "smtp.libero.it"))
_ARUBA = Provider("Aruba", _ssl("imaps.aruba.it", "smtps.aruba.it"))
_TISCALI = Provider("Tiscali", _ssl("imap.tiscali.it", "smtp.tiscali.it"))
_VIRGILIO = Provider("Virgilio", _ssl("in.virgilio.it", "out.virgilio.it"))
# Thunderbird's ISPDB (alice.it): STARTTLS on 143 and 587
_ALICE = Provider(
    "TIM (Alice)", Servers("in.alice.it", 143, "starttls", "out.alice.it", 587, "starttls")
)
_FASTWEB = Provider("Fastweb", _ssl("imap.fastwebnet.it", "smtp.fastwebnet.it", 587))
_ORANGE = Provider("Orange", _ssl("imap.orange.fr", "smtp.orange.fr"))
_FREE = Provider("Free", _ssl("imap.free.fr", "smtp.free.fr", address=False))
_SFR = Provider("SFR", _ssl("imap.sfr.fr", "smtp.sfr.fr"))
_LAPOSTE = Provider("La Poste", _ssl("imap.laposte.net", "smtp.laposte.net"))
_GMX_COM = Provider("GMX", _ssl("imap.gmx.com", "mail.gmx.com", 587))
_GMX_NET = Provider("GMX", _ssl("imap.gmx.net", "mail.gmx.net", 587))

#: an address's domain -> its provider
BY_DOMAIN: dict[str, Provider] = {
    **dict.fromkeys(("gmail.com", "googlemail.com"), _GMAIL),
    **dict.fromkeys(
        (
            "outlook.com",
            "outlook.it",
            "outlook.fr",
            "hotmail.com",
            "hotmail.it",
            "hotmail.fr",
            "live.com",
            "live.it",
            "live.fr",
            "msn.com",
        ),
        _OUTLOOK,
    ),
    **dict.fromkeys(("icloud.com", "me.com", "mac.com"), _ICLOUD),
    **dict.fromkeys(("yahoo.com", "yahoo.it", "yahoo.fr", "ymail.com"), _YAHOO),
    **dict.fromkeys(("libero.it", "inwind.it", "iol.it", "blu.it", "giallo.it"), _LIBERO),
    **dict.fromkeys(("aruba.it", "pec.it"), _ARUBA),
    "tiscali.it": _TISCALI,
    "virgilio.it": _VIRGILIO,
    **dict.fromkeys(("alice.it", "tin.it", "tim.it"), _ALICE),
    **dict.fromkeys(("fastwebnet.it", "fastweb.it"), _FASTWEB),
    **dict.fromkeys(("orange.fr", "wanadoo.fr"), _ORANGE),
    "free.fr": _FREE,
    **dict.fromkeys(("sfr.fr", "neuf.fr", "club-internet.fr"), _SFR),
    **dict.fromkeys(("laposte.net", "laposte.fr"), _LAPOSTE),
    **dict.fromkeys(("gmx.com", "gmx.fr", "gmx.it"), _GMX_COM),
    **dict.fromkeys(("gmx.net", "gmx.de"), _GMX_NET),
}

#: a provider named instead of a server (her own domain hosted by Aruba, say) -> its provider
BY_NAME: dict[str, Provider] = {
    p.name.lower(): p for p in BY_DOMAIN.values() if p.name.lower() != "tim (alice)"
} | {"tim": _ALICE, "alice": _ALICE}


def domain_of(address: str) -> str | None:
    """The domain of an email address, lower case; None when ``address`` is not one."""
    local, at, domain = address.strip().rpartition("@")
    domain = domain.lower().rstrip(".")
    if not at or not local or "." not in domain or any(c.isspace() for c in address.strip()):
        return None
    labels = domain.split(".")
    if any(not label for label in labels):
        return None
    return domain


def provider_for(address: str) -> Provider | None:
    """The provider of ``address`` from the built-in table; None when it is not known."""
    domain = domain_of(address)
    return BY_DOMAIN.get(domain) if domain else None


def provider_named(name: str) -> Provider | None:
    return BY_NAME.get(name.strip().lower())
