"""``banco serve``: the maker's day in the browser (inbox, orders, reply session, plan, accounts).

Server-rendered pages (Starlette, Jinja2) with a little JavaScript of Banco's own for dragging
cards on the board; every action also works as a plain form without it.
"""

from __future__ import annotations

from banco.inbox.web.app import create_app
from banco.inbox.web.server import (
    DEFAULT_HOST,
    DEFAULT_PORT,
    RunningServer,
    SettingError,
    Tls,
    WebError,
    serve,
    start,
)

__all__ = [
    "DEFAULT_HOST",
    "DEFAULT_PORT",
    "RunningServer",
    "SettingError",
    "Tls",
    "WebError",
    "create_app",
    "serve",
    "start",
]
