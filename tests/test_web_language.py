"""The web page speaks the maker's language: every page of an Italian or a French shop shows no
English phrase of Banco's own, amounts and numbers are written her way (and read her way in the
price field), and no template holds a word outside ``_()`` / ``{% trans %}``."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from html.parser import HTMLParser
from pathlib import Path

import httpx
import pytest
from conftest import NOW
from fixtures_web import seed_demo
from test_catalogs import PLACEHOLDER, english

from banco.connectors import load_registry
from banco.inbox.clock import FixedClock
from banco.inbox.i18n.catalogs import translations
from banco.inbox.web import RunningServer, start

TEMPLATES = Path(__file__).resolve().parent.parent / "inbox/web/templates"
PAGES = [
    "/",
    "/inbox",
    "/inbox?q=Biscuit",
    "/messages/7",
    "/messages/21",
    "/orders",
    "/orders?view=list&status=all",
    "/orders/B-0005",
    "/session",
    "/plan",
    "/accounts",
    "/messages/999999",
]
JINJA = re.compile(r"{{.*?}}|{%.*?%}|{#.*?#}", re.S)
WORD = re.compile(r"[A-Za-z]{2,}")


class _Text(HTMLParser):
    """The text a reader sees: text nodes and the attributes read aloud or shown."""

    SHOWN = ("title", "alt", "placeholder", "aria-label", "data-label", "data-busy")

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._skip += tag in ("script", "style")
        self.parts += [value or "" for name, value in attrs if name in self.SHOWN]

    def handle_endtag(self, tag: str) -> None:
        self._skip -= tag in ("script", "style")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


@contextmanager
def server_stopped(server: RunningServer) -> Iterator[None]:
    try:
        yield
    finally:
        server.stop()


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


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
