"""A local Bot API server for the Telegram tests, and the ``source_telegram`` contract harness.

:class:`BotApi` is a small threaded HTTP server (stdlib ``ThreadingHTTPServer``) that speaks the
part of the Bot API Banco uses, the way Telegram does: requests arrive form-encoded with every
value JSON-encoded (or as multipart with files), files are downloaded from
``/file/bot<token>/<path>`` (percent-encoded), and errors come back as
``{"ok": false, "error_code": ..., "description": ...}``.

* getUpdates keeps Telegram's offset rule: asking with ``offset=N`` confirms every update below
  ``N`` and Telegram forgets it; without an offset the oldest unconfirmed updates come. Every
  offset asked is recorded (``offsets``), so a test can see that nothing was confirmed before it
  was stored. ``retain=True`` keeps confirmed updates so that fetching again from an old offset
  replays them (the connector contract replays from every saved cursor; Telegram cannot).
* While ``webhook_url`` is set, getUpdates answers 409 as Telegram does.
* ``blocked`` chats answer 403 and ``gone`` chats 400 "chat not found" to sends.
* ``fail(method, status, ...)`` makes the next call(s) of a method answer 429 (with
  ``retry_after``), 502 (an HTML page, as a proxy in front of Telegram sends) or anything else.
* ``hold = True`` delivers each sent message to the chat and then answers nothing until
  ``release`` is set: Telegram slower than Banco's timeout.

It is also run as a separate process by ``bench/telegram_backlog.py``.
"""

from __future__ import annotations

import email.parser
import email.policy
import json
import os
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote

import pytest

from banco.inbox.collect.sync import collect

TOKEN = "123456789:AAH-test-token_for_banco"
BOT_ID = 123456789
TOKEN_ENV = "BANCO_TEST_TELEGRAM_TOKEN"
#: 2026-11-19 08:00 UTC: the day before the tests' fixed clock
BASE_TIME = 1_795_075_200
#: when the server says it delivered a reply: 2026-11-20 08:30 UTC, half an hour before that clock
SEND_TIME = BASE_TIME + 24 * 3600 + 1800


@dataclass
class Fault:
    status: int
    description: str = ""
    retry_after: int | None = None
    #: calls answered normally before this fault
    after: int = 0


class BotApi:
    """A Bot API server on 127.0.0.1 with a queue of updates, some files, and a log of sends."""

    def __init__(
        self, *, token: str = TOKEN, username: str = "banco_shop_bot", retain: bool = False
    ):
        self.token = token
        self.username = username
        self.retain = retain
        self.lock = threading.Lock()
        self.updates: list[dict[str, Any]] = []
        self.next_update_id = 700_000_001
        self.confirmed = 0  # every update below this was confirmed by an offset
        self.offsets: list[int | None] = []
        self.allowed_updates: list[str] | None = None
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.files: dict[str, tuple[str, bytes, int]] = {}  # file_id -> (path, data, size)
        self.sent: list[dict[str, Any]] = []
        self.faults: dict[str, list[Fault]] = {}
        self.webhook_url = ""
        self.blocked: set[int] = set()
        self.answered: list[Any] = []  # button presses Banco acknowledged
        self.gone: set[int] = set()
        self.can_read_groups = False
        self._message_ids: dict[int, int] = {}
        self.hold = False
        self.release = threading.Event()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.server.daemon_threads = True
        self.server.api = self  # type: ignore[attr-defined]
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()

    # Building updates ----------------------------------------------------------------------------
    def user(self, user_id: int, first: str, last: str = "", username: str = "") -> dict[str, Any]:
        user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first}
        if last:
            user["last_name"] = last
        if username:
            user["username"] = username
        return user

    def private_chat(self, user: dict[str, Any]) -> dict[str, Any]:
        chat = {k: v for k, v in user.items() if k in ("id", "first_name", "last_name", "username")}
        return {**chat, "type": "private"}

    def new_message_id(self, chat_id: int) -> int:
        with self.lock:
            n = self._message_ids.get(chat_id, 0) + 1
            self._message_ids[chat_id] = n
            return n

    def push(self, kind: str, body: dict[str, Any]) -> dict[str, Any]:
        """Queue one update of ``kind`` (``message``, ``edited_message``...) and return it."""
        with self.lock:
            update = {"update_id": self.next_update_id, kind: body}
            self.next_update_id += 1
            # Telegram does not even create updates of kinds the bot did not ask for.
            if self.allowed_updates is None or kind in self.allowed_updates:
                self.updates.append(update)
        return update

    def message(
        self,
        user: dict[str, Any],
        text: str | None = None,
        *,
        chat: dict[str, Any] | None = None,
        kind: str = "message",
        business_connection_id: str | None = None,
        date: int | None = None,
        **fields: Any,
    ) -> dict[str, Any]:
        """A customer writes: queue the update and return the message it carries."""
        chat = chat or self.private_chat(user)
        body: dict[str, Any] = {
            "message_id": self.new_message_id(chat["id"]),
            "from": user,
            "chat": chat,
            "date": date if date is not None else BASE_TIME + (self.next_update_id % 100_000),
        }
        if text is not None:
            body["text"] = text
        if business_connection_id:
            body["business_connection_id"] = business_connection_id
        body.update(fields)
        self.push(kind, body)
        return body

    def edit(self, message: dict[str, Any], text: str) -> dict[str, Any]:
        """The customer edits ``message``: queue an edited_message (or edited_business_message)."""
        body = {**message, "text": text, "edit_date": message["date"] + 60}
        kind = (
            "edited_business_message" if "business_connection_id" in message else "edited_message"
        )
        self.push(kind, body)
        return body

    def press(self, user: dict[str, Any], sent: dict[str, Any], data: str) -> dict[str, Any]:
        """``user`` presses the button ``data`` under the bot's message ``sent``."""
        body = {
            "id": f"press-{self.next_update_id}",
            "from": user,
            "message": {
                "message_id": sent["message_id"],
                "chat": {"id": sent["chat_id"], "type": "private"},
            },
            "chat_instance": "1",
            "data": data,
        }
        self.push("callback_query", body)
        return body

    def add_file(self, file_id: str, data: bytes, path: str, size: int | None = None) -> None:
        """A file Telegram holds; ``size`` may claim more than ``data`` (a file too big to fetch)."""
        self.files[file_id] = (path, data, len(data) if size is None else size)

    def customers_write(self, n: int, customers: int = 7) -> None:
        """``n`` more messages from a few customers."""
        for _ in range(n):
            k = self.next_update_id % customers
            who = self.user(5_000_000 + k, f"Cliente{k}", "Rossi", f"cliente_{k}")
            self.message(who, f"Ciao! Vorrei {k + 1} tazze blu, messaggio {self.next_update_id}.")

    # Faults --------------------------------------------------------------------------------------
    def fail(
        self,
        method: str,
        status: int,
        description: str = "",
        *,
        retry_after: int | None = None,
        times: int = 1,
        after: int = 0,
    ) -> None:
        """The next ``times`` calls of ``method`` (after ``after`` normal ones) answer ``status``."""
        queue = self.faults.setdefault(method, [])
        queue.append(Fault(status, description, retry_after, after))
        queue.extend(Fault(status, description, retry_after) for _ in range(times - 1))

    def _fault(self, method: str) -> Fault | None:
        with self.lock:
            queue = self.faults.get(method)
            if not queue:
                return None
            if queue[0].after > 0:
                queue[0].after -= 1
                return None
            return queue.pop(0)

    # State seen by the tests ---------------------------------------------------------------------
    @property
    def pending(self) -> list[dict[str, Any]]:
        with self.lock:
            return [u for u in self.updates if u["update_id"] >= self.confirmed]

    def calls_of(self, method: str) -> list[dict[str, Any]]:
        return [params for name, params in self.calls if name == method]

    # The API -------------------------------------------------------------------------------------
    def handle(self, method: str, params: dict[str, Any]) -> tuple[int, Any]:
        """Answer one Bot API call: (HTTP status, JSON result or error body)."""
        self.calls.append((method, params))
        fault = self._fault(method)
        if fault is not None:
            return _fault_answer(fault)
        action: Callable[[dict[str, Any]], tuple[int, Any]] | None = getattr(
            self, f"api_{method}", None
        )
        if action is None:
            return 404, {"ok": False, "error_code": 404, "description": "Not Found"}
        return action(params)

    def api_getMe(self, params: dict[str, Any]) -> tuple[int, Any]:
        return 200, _ok(
            {
                "id": BOT_ID,
                "is_bot": True,
                "first_name": "Banco Shop",
                "username": self.username,
                "can_join_groups": True,
                "can_read_all_group_messages": self.can_read_groups,
                "supports_inline_queries": False,
                "can_connect_to_business": True,
            }
        )

    def api_getUpdates(self, params: dict[str, Any]) -> tuple[int, Any]:
        if self.webhook_url:
            return 409, {
                "ok": False,
                "error_code": 409,
                "description": "Conflict: can't use getUpdates method while webhook is active;"
                " use deleteWebhook to delete the webhook first",
            }
        offset = params.get("offset")
        limit = max(1, min(100, int(params.get("limit") or 100)))
        if params.get("allowed_updates"):  # remembered for the updates created from now on
            self.allowed_updates = params["allowed_updates"]
        with self.lock:
            self.offsets.append(offset)
            if offset is not None:
                self.confirmed = max(self.confirmed, offset)
                if not self.retain:
                    self.updates = [u for u in self.updates if u["update_id"] >= offset]
                chosen = [u for u in self.updates if u["update_id"] >= offset]
            else:
                chosen = list(self.updates)
            return 200, _ok(chosen[:limit])

    def api_answerCallbackQuery(self, params: dict[str, Any]) -> tuple[int, Any]:
        self.answered.append(params.get("callback_query_id"))
        return 200, _ok(True)

    def api_getWebhookInfo(self, params: dict[str, Any]) -> tuple[int, Any]:
        info: dict[str, Any] = {
            "url": self.webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self.pending),
        }
        return 200, _ok(info)

    def api_deleteWebhook(self, params: dict[str, Any]) -> tuple[int, Any]:
        self.webhook_url = ""
        if params.get("drop_pending_updates"):
            with self.lock:
                self.updates.clear()
        return 200, _ok(True)

    def api_getFile(self, params: dict[str, Any]) -> tuple[int, Any]:
        file_id = params.get("file_id")
        if file_id not in self.files:
            return 400, _error(
                400, "Bad Request: wrong file_id or the file is temporarily unavailable"
            )
        path, _, size = self.files[file_id]
        if size > 20 * 1024 * 1024:
            return 400, _error(400, "Bad Request: file is too big")
        return 200, _ok(
            {
                "file_id": file_id,
                "file_unique_id": f"u-{file_id}",
                "file_size": size,
                "file_path": path,
            }
        )

    def download(self, path: str) -> bytes | None:
        for stored_path, data, _ in self.files.values():
            if stored_path == path:
                return data
        return None

    def _send(
        self, params: dict[str, Any], extra: dict[str, Any], seen: dict[str, Any] | None = None
    ) -> tuple[int, Any]:
        chat_id = int(params["chat_id"])
        if chat_id in self.blocked:
            return 403, _error(403, "Forbidden: bot was blocked by the user")
        if chat_id in self.gone:
            return 400, _error(400, "Bad Request: chat not found")
        reply = params.get("reply_parameters") or {}
        message: dict[str, Any] = {
            "message_id": self.new_message_id(chat_id),
            "from": {
                "id": BOT_ID,
                "is_bot": True,
                "first_name": "Banco Shop",
                "username": self.username,
            },
            "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup"},
            "date": SEND_TIME,
            **extra,
        }
        if params.get("business_connection_id"):
            message["business_connection_id"] = params["business_connection_id"]
        self.sent.append(
            {
                "chat_id": chat_id,
                "reply_to": reply.get("message_id"),
                "business_connection_id": params.get("business_connection_id"),
                "message_id": message["message_id"],
                **({"buttons": params["reply_markup"]} if params.get("reply_markup") else {}),
                **extra,
                **(seen or {}),
            }
        )
        if self.hold:  # delivered to the chat; the answer is late
            self.release.wait()
        return 200, _ok(message)

    def api_sendMessage(self, params: dict[str, Any]) -> tuple[int, Any]:
        text = params.get("text") or ""
        if len(text.encode("utf-16-le")) // 2 > 4096:
            return 400, _error(400, "Bad Request: message is too long")
        return self._send(params, {"text": text})

    def api_sendDocument(self, params: dict[str, Any]) -> tuple[int, Any]:
        name, data = params["document"]
        document = {
            "file_id": f"sent-{len(self.sent)}",
            "file_unique_id": f"us-{len(self.sent)}",
            "file_name": name,
            "file_size": len(data),
        }
        return self._send(params, {"document": document}, {"data": data})

    def api_sendPhoto(self, params: dict[str, Any]) -> tuple[int, Any]:
        name, data = params["photo"]
        size = {
            "file_id": f"sent-{len(self.sent)}",
            "file_unique_id": f"us-{len(self.sent)}",
            "width": 800,
            "height": 600,
            "file_size": len(data),
        }
        return self._send(params, {"photo": [size]}, {"file_name": name, "data": data})


def _ok(result: Any) -> dict[str, Any]:
    return {"ok": True, "result": result}


def _error(code: int, description: str) -> dict[str, Any]:
    return {"ok": False, "error_code": code, "description": description}


def _fault_answer(fault: Fault) -> tuple[int, Any]:
    if fault.status == 429:
        wait = fault.retry_after or 1
        body = _error(429, fault.description or f"Too Many Requests: retry after {wait}")
        return 429, {**body, "parameters": {"retry_after": wait}}
    if fault.status == 502:
        return 502, "<html><body><h1>502 Bad Gateway</h1></body></html>"
    return fault.status, _error(fault.status, fault.description or "Error")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as Telegram's servers do
    disable_nagle_algorithm = True  # headers and body go in two writes: do not hold the second

    def log_message(self, format: str, *args: Any) -> None:
        pass

    @property
    def api(self) -> BotApi:
        return self.server.api  # type: ignore[attr-defined]

    def do_GET(self) -> None:
        path = unquote(self.path.split("?", 1)[0])
        prefix = f"/file/bot{self.api.token}/"
        if path.startswith(prefix):
            data = self.api.download(path[len(prefix) :])
            if data is None:
                self._answer(404, _error(404, "Not Found"))
            else:
                self._answer(200, data, "application/octet-stream")
            return
        self._call(path, {})

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        kind = self.headers.get("Content-Type", "")
        if kind.startswith("multipart/form-data"):
            params = _multipart(kind, body)
        elif kind.startswith("application/json"):
            params = json.loads(body or b"{}")
        else:
            params = {
                k: _json_value(v) for k, v in parse_qsl(body.decode(), keep_blank_values=True)
            }
        self._call(unquote(self.path.split("?", 1)[0]), params)

    def _call(self, path: str, params: dict[str, Any]) -> None:
        token, _, method = path.removeprefix("/bot").partition("/")
        if not path.startswith("/bot") or token != self.api.token:
            code = 401 if path.startswith("/bot") and ":" in token else 404
            self._answer(code, _error(code, "Unauthorized" if code == 401 else "Not Found"))
            return
        try:
            status, answer = self.api.handle(method, params)
        except Exception as e:  # a bug in this server: say so, as a server error
            status, answer = 500, _error(500, f"Internal Server Error: {type(e).__name__}: {e}")
        self._answer(status, answer)

    def _answer(self, status: int, answer: Any, content_type: str = "application/json") -> None:
        if isinstance(answer, bytes):
            data = answer
        elif isinstance(answer, str):
            data, content_type = answer.encode(), "text/html"
        else:
            data = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def _json_value(value: str) -> Any:
    try:
        return json.loads(value)
    except ValueError:
        return value


def _multipart(content_type: str, body: bytes) -> dict[str, Any]:
    """Form fields (JSON-decoded) and files (``(filename, bytes)``) of a multipart body."""
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + body
    )
    params: dict[str, Any] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        filename = part.get_filename()
        if filename is not None:
            params[str(name)] = (filename, data)
        else:
            params[str(name)] = _json_value(data.decode())
    for key, value in list(params.items()):  # "photo": "attach://<part>" names another part
        if isinstance(value, str) and value.startswith("attach://"):
            params[key] = params.pop(value.removeprefix("attach://"), value)
    return params


# Fixtures -----------------------------------------------------------------------------------------
@pytest.fixture
def bot_api(monkeypatch: pytest.MonkeyPatch) -> Iterator[BotApi]:
    """A running local Bot API server; the bot's token is in the environment for banco.toml."""
    api = BotApi()
    monkeypatch.setenv(TOKEN_ENV, api.token)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    yield api
    api.close()


def account_toml(api: BotApi, name: str = "tg", **settings: Any) -> str:
    """An ``[[accounts]]`` table for ``api``, with extra keys (``chats=["groups"]``...)."""
    extra = "".join(f"{key} = {json.dumps(value)}\n" for key, value in settings.items())
    return (
        f'\n[[accounts]]\nname = "{name}"\nkind = "telegram"\ntoken = {{env = "{TOKEN_ENV}"}}\n'
        f'api_url = "{api.url}"\n{extra}'
    )


class TelegramSource:
    """The connector contract's view of the local server: ``add(n)`` customers write."""

    def __init__(self, api: BotApi, n: int) -> None:
        self.api = api
        self.total = 0
        self.add(n)

    def add(self, n: int) -> None:
        self.api.customers_write(n)
        self.total += n

    def account(self) -> str:
        return f'kind = "telegram"\ntoken = {{env = "{TOKEN_ENV}"}}\napi_url = "{self.api.url}"\n'


@pytest.fixture
def source_telegram(monkeypatch: pytest.MonkeyPatch) -> Iterator[TelegramSource]:
    api = BotApi(retain=True)  # the contract replays from old cursors: keep confirmed updates
    monkeypatch.setenv(TOKEN_ENV, api.token)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    yield TelegramSource(api, 23)
    api.close()


@pytest.fixture
def tg_shop(
    bot_api: BotApi, write_shop: Callable[..., Path], open_shop: Callable[[Path], Any]
) -> Callable[..., tuple[Any, Path]]:
    """A shop with one Telegram account ``tg`` on the local server: ``tg_shop(chats=[...])``;
    ``extra`` is more TOML after it (another account, a [schedule])."""

    def make(extra: str = "", **settings: Any) -> tuple[Any, Path]:
        home = write_shop(account_toml(bot_api, **settings) + extra)
        return open_shop(home), home

    return make


def serve_backlog(n: int) -> None:  # pragma: no cover - run by bench/telegram_backlog.py
    """Run a server holding ``n`` updates until stdin closes; print its URL first."""
    api = BotApi()
    api.customers_write(n, customers=50)
    print(api.url, flush=True)
    sys.stdin.read()
    api.close()


if __name__ == "__main__":  # pragma: no cover
    serve_backlog(int(os.environ.get("BACKLOG", "10000")))


def collected(tg_shop: Any, bot_api: BotApi, *texts: str, **settings: Any) -> Any:
    shop, home = tg_shop(**settings)
    for text in texts:
        bot_api.message(ANNA, text)
    [result] = collect(shop, ["tg"])
    assert result.ok, result.error
    return shop, home


def outbox_row(shop: Any, outbox_id: int) -> dict[str, Any]:
    row: dict[str, Any] = shop.store.one("select * from outbox where id = ?", [outbox_id])
    return row


ANNA = {
    "id": 1001,
    "is_bot": False,
    "first_name": "Anna",
    "last_name": "Bianchi",
    "username": "anna_b",
}
