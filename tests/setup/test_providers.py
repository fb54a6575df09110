"""The built-in table of providers: an address's domain to its servers and notes."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from banco.inbox.setup.providers import domain_of, provider_for, provider_named


def test_the_big_providers_are_known_from_the_address() -> None:
    assert provider_for("giulia@gmail.com").servers.imap_host == "imap.gmail.com"
    assert provider_for("Giulia@Libero.IT").servers.imap_host == "imapmail.libero.it"
    assert provider_for("claire@orange.fr").servers.smtp_host == "smtp.orange.fr"
    assert provider_for("claire@sfr.fr").name == "SFR"
    assert provider_for("anna@tiscali.it").name == "Tiscali"
    assert provider_for("anna@virgilio.it").name == "Virgilio"
    assert provider_for("anna@fastwebnet.it").name == "Fastweb"
    assert provider_for("claire@laposte.net").name == "La Poste"


def test_outlook_needs_oauth_and_gmail_offers_it() -> None:
    outlook = provider_for("maker@hotmail.it")
    assert outlook is not None and outlook.oauth == "required"
    assert outlook.servers.imap_host == "outlook.office365.com"
    gmail = provider_for("maker@googlemail.com")
    assert gmail is not None and gmail.oauth == "offered" and "app password" in gmail.note


def test_free_logs_in_with_the_part_before_the_at() -> None:
    free = provider_for("claire@free.fr")
    assert free is not None and not free.servers.login_is_address


def test_a_provider_can_be_named_instead_of_a_server() -> None:
    # her own domain hosted by Aruba: the address says nothing, the name does
    assert provider_for("info@ceramichegiulia.it") is None
    aruba = provider_named(" Aruba ")
    assert aruba is not None and aruba.servers.imap_host == "imaps.aruba.it"


def test_what_is_not_an_address_has_no_domain() -> None:
    for text in (
        "",
        "@",
        "giulia",
        "giulia@",
        "@gmail.com",
        "giulia@localhost",
        "a b@x.it",
        "a@x..it",
    ):
        assert domain_of(text) is None, text
    assert domain_of(" giulia@Shop.Example. ") == "shop.example"


@given(st.text())
def test_any_text_gives_a_provider_or_not_known_never_a_crash(text: str) -> None:
    found = provider_for(text)
    assert found is None or domain_of(text) is not None
    assert provider_named(text) is None or text.strip()
