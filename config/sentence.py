"""A sentence for the maker, written in English, that the inbox can say in her language.

The connectors and the config checks raise and report in English (they import nothing of the
inbox, which holds the catalogs). A :class:`Sentence` is that English text as a plain ``str``
(logs, tests and ``str(error)`` read it as before), and it keeps its template and values, so the
inbox looks the template up in the maker's catalog and fills it again (``inbox.i18n.said``)::

    raise NeedsUser("The mail server {host} refused the login.", host=host)

The template is the catalog's msgid: write it with ``{name}`` placeholders, never as an f-string,
or it cannot be looked up. A value may itself be a Sentence; it is said in her language too.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class Sentence(str):
    """English text with its values filled in; ``template`` and ``values`` say it again."""

    template: str
    values: Mapping[str, Any]

    def __new__(cls, template: str, /, **values: Any) -> Sentence:
        if isinstance(template, Sentence) and not values:
            return template
        self = super().__new__(cls, template.format(**values) if values else template)
        self.template = str(template)
        self.values = values
        return self

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickled whole (errors cross from the mail-reading helper process), values included.
        return (_rebuilt, (self.template, dict(self.values)))


def _rebuilt(template: str, values: dict[str, Any]) -> Sentence:
    return Sentence(template, **values)
