"""Thunderbird's autoconfig lookup, against a local server over real HTTP serving ISPDB files."""

from __future__ import annotations

import pytest
from fixtures_autoconfig import AutoconfigServer, ispdb
from hypothesis import given
from hypothesis import strategies as st

from banco.inbox.setup.autoconfig import NotFound, look_up, parse
from banco.inbox.setup.providers import Servers


def test_the_servers_come_from_the_ispdb_file(autoconfig: AutoconfigServer) -> None:
    autoconfig.files["free.fr"] = ispdb("free.fr.xml")
    found = look_up("claire@free.fr", "free.fr", [autoconfig.place])
    assert found == Servers("imap.free.fr", 993, "ssl", "smtp.free.fr", 465, "ssl", False)
    assert autoconfig.asked == ["/v1.1/free.fr"]


def test_starttls_servers_and_the_whole_address_as_login(autoconfig: AutoconfigServer) -> None:
    autoconfig.files["alice.it"] = ispdb("alice.it.xml")
    found = look_up("anna@alice.it", "alice.it", [autoconfig.place])
    assert found == Servers("in.alice.it", 143, "starttls", "out.alice.it", 587, "starttls", True)


def test_the_next_place_is_asked_when_the_first_does_not_know(
    autoconfig: AutoconfigServer,
) -> None:
    autoconfig.files["shop.example"] = ispdb("free.fr.xml")
    own = f"http://127.0.0.1:{autoconfig.port}/v1.1/{{domain}}"
    found = look_up("a@shop.example", "shop.example", [autoconfig.place.replace("v1.1", "x"), own])
    assert found.imap_host == "imap.free.fr"


def test_a_domain_nobody_knows_says_so(autoconfig: AutoconfigServer) -> None:
    with pytest.raises(NotFound, match="nobody knows the mail servers of shop.example"):
        look_up("a@shop.example", "shop.example", [autoconfig.place])


def test_a_server_that_stalls_past_the_timeout_is_one_line(stalling: str) -> None:
    with pytest.raises(NotFound) as caught:
        look_up("a@shop.example", "shop.example", [stalling], timeout=0.2)
    assert str(caught.value) == "looking up the mail servers of shop.example took too long"


def test_a_file_without_imap_or_not_xml_finds_nothing() -> None:
    pop_only = ispdb("free.fr.xml").replace('type="imap"', 'type="exchange"')
    assert parse(pop_only) is None
    assert parse("<html>Not found</html>") is None
    assert parse("not xml at all <") is None


@given(st.text())
def test_any_answer_is_servers_or_nothing_never_a_crash(text: str) -> None:
    found = parse(text)
    assert found is None or isinstance(found, Servers)


@given(st.sampled_from(["hostname", "port", "socketType"]), st.text())
def test_any_value_in_a_real_file_is_servers_or_nothing(tag: str, value: str) -> None:
    escaped = value.replace("&", "&amp;").replace("<", "&lt;")
    text = ispdb("free.fr.xml").replace(f"<{tag}>imap.free.fr</{tag}>", f"<{tag}>{escaped}</{tag}>")
    text = text.replace("<port>993</port>", f"<port>{escaped}</port>") if tag == "port" else text
    found = parse(text)
    assert found is None or isinstance(found, Servers)
