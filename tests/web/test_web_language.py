"""The web page speaks the maker's language: every page of an Italian or a French shop shows no
English phrase of Banco's own, amounts and numbers are written her way (and read her way in the
price field), and no template holds a word outside ``_()`` / ``{% trans %}``."""

# ruff: noqa: F811 (browser, a fixture, is a parameter by name)

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from click.testing import Result
from conftest import NOW
from fixtures_web import DESKTOP, browser, new_tab, seed_demo, server_stopped, visible_text  # noqa: F401
from language import PLACEHOLDER, data_text, english, english_phrases
from language import WORD as WORDS
from playwright.sync_api import Browser, Page, Route

from banco.connectors import load_registry
from banco.inbox.clock import FixedClock
from banco.inbox.i18n.catalogs import translations
from banco.inbox.web import start

TEMPLATES = Path(__file__).resolve().parents[2] / "inbox/web/templates"
PAGES = [
    "/",
    "/inbox",
    "/inbox?q=Biscuit",
    "/messages/7",
    "/messages/22",
    "/orders",
    "/orders?view=list&status=all",
    "/orders/B-0005",
    "/customers",
    "/customers/14",
    "/session",
    "/senders",  # triage: her answers about senders (the demo's two past clients)
    "/plan",
    "/accounts",
    "/messages/999999",
]
JINJA = re.compile(r"{{.*?}}|{%.*?%}|{#.*?#}", re.S)
WORD = re.compile(r"[A-Za-z]{2,}")


@pytest.fixture(scope="module", params=["it", "fr"])
def pages(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[str, dict[str, str]]:
    lang = request.param
    clock = FixedClock(NOW)
    home = seed_demo(tmp_path_factory.mktemp(f"demo-{lang}") / "demo", clock, load_registry(), lang)
    server = start(home, port=0, clock=clock, registry=load_registry())
    with server_stopped(server), httpx.Client(base_url=server.url) as client:
        return lang, {url: client.get(url).text for url in PAGES}


def test_every_page_of_an_italian_or_french_shop_shows_no_english_phrase_of_banco(
    pages: tuple[str, dict[str, str]],
) -> None:
    lang, shown = pages
    catalog = translations(lang)
    # a phrase her language writes the same way ("Conversation (") is hers too
    theirs = "\n".join(catalog.gettext(m) for m in english())
    runs = {  # the longest run of words of each English string
        max(PLACEHOLDER.split(re.sub(r"%\(\w+\)[sd]", "{}", m)), key=len).strip() for m in english()
    }
    runs = {run for run in runs if len(run) > 12 and run not in theirs}
    found = {url: [run for run in runs if run in visible_text(html)] for url, html in shown.items()}
    assert {url: words for url, words in found.items() if words} == {}
    assert f'<html lang="{lang}">' in shown["/"]
    assert ("Ordini" if lang == "it" else "Commandes") in visible_text(shown["/orders"])


def test_amounts_and_numbers_on_the_page_are_written_the_makers_way(
    pages: tuple[str, dict[str, str]],
) -> None:
    lang, shown = pages
    order = shown["/orders/B-0005"]
    price = re.search(r'id="price"[^>]*value="([^"]*)"', order)
    assert price is not None
    assert "," in price[1] or "." not in price[1]  # "180" or "180,5", never "180.5"
    assert "€" in visible_text(shown["/orders?view=list&status=all"])


def test_a_price_typed_the_italian_way_is_read_the_italian_way(tmp_path: Path) -> None:
    clock = FixedClock(NOW)
    home = seed_demo(tmp_path / "demo", clock, load_registry(), "it")
    server = start(home, port=0, clock=clock, registry=load_registry())
    with server_stopped(server), httpx.Client(base_url=server.url, follow_redirects=True) as client:
        page = client.get("/orders/B-0005").text
        csrf = re.search(r'name="csrf-token" content="([^"]+)"', page)
        assert csrf is not None
        form = {"csrf": csrf[1], "next": "/orders/B-0005", "price": "1.250,50"}
        client.post("/orders/B-0005/fields", data=form)
        assert 'value="1.250,5"' in client.get("/orders/B-0005").text
        form["price"] = "1,250"  # an English-looking price is refused, not read as 1.25
        said = visible_text(client.post("/orders/B-0005/fields", data=form).text)
        assert "1,250" in said and "1.250,50" in said


@pytest.mark.parametrize("template", sorted(p.name for p in TEMPLATES.glob("*.html")))
def test_no_template_holds_a_word_outside_the_catalog(template: str) -> None:
    source = (TEMPLATES / template).read_text()
    literal = visible_text(JINJA.sub(" ", source))
    leftovers = [word for word in WORD.findall(literal) if word not in ("Banco", "plan", "ics")]
    assert leftovers == [], f"{template}: untranslated words {leftovers}"


# In a browser ------------------------------------------------------------------------------------
PASSWORD = "terracotta-42"
#: what the maker did to B-0005 before reading its page: its history has each kind of change
CHANGES = [
    ["orders", "status", "B-0005", "booked", "--note", "Acconto ricevuto"],
    ["orders", "price", "B-0005", "1250"],
    ["orders", "deadline", "B-0005", "2026-12-20"],
    ["orders", "note", "B-0005", "Smalto blu cobalto"],
]


def her_words(lang: str) -> str:
    """Every word of Banco's in ``lang``, as data_text writes them: "messages" is French too."""
    catalog = translations(lang)
    said = " ".join(catalog.gettext(m) for m in english()).lower()
    return " ".join(WORDS.findall(said)) + " "


def _signed_in(page: Page, url: str, read: dict[str, str]) -> None:
    """Sign in at ``url`` (a page that asks to), reading the sign-in page and its refusal."""
    page.goto(url + "/orders/B-0005")
    read["/login"] = page.inner_text("body")
    page.fill("#password", "not-the-password")
    page.click("form.stacked button[type=submit]")
    page.wait_for_selector(".flash.error")
    read["/login, refused"] = page.inner_text("body")
    page.fill("#password", PASSWORD)
    page.click("form.stacked button[type=submit]")
    page.wait_for_url(url + "/orders/B-0005")


def _script_words(page: Page, url: str, read: dict[str, str]) -> None:
    """What app.js writes into the page: a move the server refuses, a reply on its way."""
    page.route("**/orders/*/status", lambda route: route.fulfill(status=500, body=""))
    page.goto(url + "/orders")
    move = page.locator(".card form.move").first
    status = move.locator("select")
    status.select_option(
        [
            v
            for v in status.locator("option").evaluate_all("options => options.map(o => o.value)")
            if v != status.input_value()
        ][0]
    )
    move.locator("button").click()
    read["/orders, a move that failed"] = page.inner_text(".flash.error")
    page.unroute("**/orders/*/status")
    held: list[Route] = []  # the reply never reaches the server: the button says it is going
    page.route("**/session/*/send", lambda route: held.append(route))
    page.goto(url + "/session")
    page.fill("form[data-send] textarea", "Grazie!")
    # the demo's accounts cannot send, so its page has no Send button: one like it stands in;
    # the script names it while the form goes (the submit event runs before requestSubmit returns)
    read["/session, sending"] = page.locator("form[data-send]").evaluate(
        """form => {
            form.insertAdjacentHTML("beforeend", "<button type=submit id=send>…</button>");
            const button = document.getElementById("send");
            form.requestSubmit(button);
            return button.textContent;
        }"""
    )
    page.unroute_all(behavior="ignoreErrors")


@pytest.mark.parametrize("lang", ["it", "fr"])
def test_a_browser_reads_no_english_phrase_of_banco_on_any_page(
    lang: str, tmp_path: Path, browser: Browser, run: Callable[..., Result]
) -> None:
    clock = FixedClock(NOW)
    home = seed_demo(tmp_path / "demo", clock, load_registry(), lang)
    for change in CHANGES:
        assert run("--home", str(home), *change).exit_code == 0
    server = start(
        home, host="127.0.0.2", port=0, clock=clock, registry=load_registry(), password=PASSWORD
    )
    tab = new_tab(browser, DESKTOP)
    read: dict[str, str] = {}
    with server_stopped(server):
        _signed_in(tab.page, server.url, read)
        for url in [*PAGES, "/no-such-page"]:
            tab.page.goto(server.url + url)
            read[url] = tab.page.inner_text("body")
        _script_words(tab.page, server.url, read)
        tab.page.context.close()
    data = data_text(home) + her_words(lang)
    found = {url: english_phrases(text, data) for url, text in read.items()}
    assert {url: phrases for url, phrases in found.items() if phrases} == {}
    assert read["/session, sending"] == translations(lang).gettext("Sending…") != "Sending…"
