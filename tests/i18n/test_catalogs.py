"""Every word of Banco's that a translated screen shows is in the Italian and French catalogs,
whole: every plural form, the same placeholders, nothing left fuzzy. The strings are extracted
the way `pybabel extract -F babel.cfg` does, so a new English string fails here until translated."""

from __future__ import annotations

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po
from language import PLACEHOLDER, ROOT, english


def test_the_extraction_finds_the_translated_screens() -> None:
    assert "Your choice" in english() and "{n} message waiting" in english()


@pytest.mark.parametrize("lang", ["it", "fr"])
def test_every_string_is_in_the_catalog_whole(lang: str) -> None:
    catalog = Catalog(locale=lang)
    for path in sorted((ROOT / f"inbox/i18n/locale/{lang}/LC_MESSAGES").glob("*.po")):
        with path.open("rb") as po:
            for message in read_po(po, locale=lang):
                if message.id:
                    catalog[message.id] = message
    problems = []
    for msgid, forms in english().items():
        entry = catalog.get(forms if len(forms) > 1 else msgid)
        if entry is None:
            problems.append(f"missing: {msgid!r}")
            continue
        strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        if (
            entry.fuzzy
            or not all(strings)
            or len(strings) != (catalog.num_plurals if len(forms) > 1 else 1)
        ):
            problems.append(f"incomplete: {msgid!r}")
        wanted = set(PLACEHOLDER.findall(" ".join(forms)))
        for text in strings:
            if set(PLACEHOLDER.findall(text)) != wanted:
                problems.append(f"placeholders differ: {msgid!r} -> {text!r}")
    assert problems == []


@pytest.mark.parametrize(
    ("lang", "words"), [("it", "messaggi in attesa"), ("fr", "messages en attente")]
)
def test_the_terminal_session_speaks_the_makers_language(
    lang: str, words: str, write_shop, clock
) -> None:
    import json

    from conftest import SHOP_HEADER
    from listsource import ListConnector
    from sessions import ITEMS, Script

    from banco.connectors import Registry, load_registry
    from banco.inbox.collect.sync import collect
    from banco.inbox.shop import Shop

    home = write_shop(
        '\n[[accounts]]\nname = "mail"\nkind = "list"\npath = "items.json"\n',
        header=SHOP_HEADER.replace('languages = ["en"]', f'languages = ["{lang}"]'),
    )
    (home / "items.json").write_text(json.dumps(ITEMS))
    registry = Registry(kinds={**load_registry().kinds, "list": ListConnector})  # type: ignore[dict-item]
    shop = Shop.open(home, clock=clock, registry=registry)
    try:
        collect(shop)
        maker = Script(["?", "o", "3", "1.250,50" if lang == "it" else "1 250,50", "z", "q"])
        maker.run(shop)
    finally:
        shop.close()
    screen = "\n".join([maker.output, *maker.prompts])
    assert words in screen
    # the longest run of words of each English string, between its placeholders
    runs = [max(PLACEHOLDER.split(m), key=len).strip() for m in english()]
    assert [run for run in runs if len(run) > 12 and run in screen] == []
