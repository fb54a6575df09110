"""A local Google Sheets API, written for the tests, that gspread's real client talks to over HTTP.

``sheets_api`` starts it on 127.0.0.1 (stdlib ThreadingHTTPServer) and gives a :class:`SheetsApi`:
spreadsheets to serve, the requests it got, and faults to answer on demand. It serves what the
``gsheet`` connector reads, shaped as Google shapes it:

* ``GET /v4/spreadsheets/{key}``: metadata (title, locale, timeZone, the tabs with sheetId, index,
  gridProperties);
* ``GET /v4/spreadsheets/{key}/values/{range}``: the cells, as the sheet shows them for
  ``valueRenderOption=FORMATTED_VALUE`` (the API's default), or the underlying values (numbers
  for Timestamps) otherwise; trailing blank cells and rows left out, blank rows as ``[]``;
* ``GET /v4/spreadsheets/{key}/values:batchGet`` for completeness.

Access is real: each request needs a Bearer token the server issued, and a spreadsheet answers
403 to anyone it is not shared with (``readers``). The only stand-in for Google is its OAuth token
endpoint (``POST /token``), which checks the service account's RS256-signed JWT against the public
key of the key it wrote, and runs the "installed app" code flow with PKCE for ``banco auth``.
google-auth's look-up of a service account's allowed regions is answered too. The connector sends
Google's addresses here because the account's ``api_url`` points here.

``source_gsheet`` is the connector contract harness (see ``tests/connectors/test_contract.py``).
"""

from __future__ import annotations

import base64
import csv
import functools
import hashlib
import json
import secrets
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlencode, urlsplit

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

SERVICE_ACCOUNT = "banco-reader@banco-shop-123.iam.gserviceaccount.com"
GOOGLE_TOKEN_URI = "https://oauth2.googleapis.com/token"
READONLY = "https://www.googleapis.com/auth/spreadsheets.readonly"
CLIENT_ID = "123456789-banco.apps.googleusercontent.com"
CLIENT_SECRET = "GOCSPX-test-client-secret"
DATA = Path(__file__).parent / "data" / "gsheet"

#: A cell is the text the sheet shows, or (that text, the value beneath it) for a date or number.
Cell = str | tuple[str, Any]


@functools.cache
def private_key() -> rsa.RSAPrivateKey:
    """A throwaway RSA key for the fake service account, made once per test process."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def private_key_pem() -> str:
    return (
        private_key()
        .private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        .decode("ascii")
    )


def serial(moment: datetime) -> float:
    """A date-time as the number Sheets keeps beneath it (days since 1899-12-30)."""
    return (moment.replace(tzinfo=None) - datetime(1899, 12, 30)) / timedelta(days=1)


@dataclass
class Tab:
    title: str
    rows: list[list[Cell]]
    sheet_id: int = 0

    def shown(self, formatted: bool = True) -> list[list[Any]]:
        """The rows as the values API returns them: trailing blank cells and rows left out."""
        out: list[list[Any]] = []
        for row in self.rows:
            cells = [_value(cell, formatted) for cell in row]
            while cells and cells[-1] == "":
                cells.pop()
            out.append(cells)
        while out and not out[-1]:
            out.pop()
        return out


def _value(cell: Cell, formatted: bool) -> Any:
    if isinstance(cell, tuple):
        return cell[0] if formatted else cell[1]
    return cell


@dataclass
class Spreadsheet:
    """One spreadsheet on the server, and the maker's hands on it (append, edit, delete rows)."""

    key: str
    title: str
    tabs: list[Tab]
    locale: str = "it_IT"
    time_zone: str = "Europe/Rome"
    readers: set[str] = field(default_factory=lambda: {SERVICE_ACCOUNT})

    def tab(self, title: str | None = None) -> Tab:
        return self.tabs[0] if title is None else next(t for t in self.tabs if t.title == title)

    @property
    def rows(self) -> list[list[Cell]]:
        """The first tab's rows, header included (row 1 is ``rows[0]``)."""
        return self.tab().rows

    def append(self, *rows: Sequence[Cell]) -> None:
        self.rows.extend(list(row) for row in rows)

    def edit(self, row: int, column: int, value: Cell) -> None:
        """Change the cell at sheet row ``row`` (1 = headers), 0-based ``column``."""
        cells = self.rows[row - 1]
        cells.extend([""] * (column + 1 - len(cells)))
        cells[column] = value

    def delete(self, row: int) -> None:
        del self.rows[row - 1]

    def as_csv(self, path: Path) -> Path:
        """The first tab downloaded as CSV, as Google writes it: the shown text of every cell."""
        shown = self.tab().shown()
        width = max(len(row) for row in shown)
        with path.open("w", newline="", encoding="utf-8") as f:
            csv.writer(f).writerows([*row, *[""] * (width - len(row))] for row in shown)
        return path

    @property
    def url(self) -> str:
        return f"https://docs.google.com/spreadsheets/d/{self.key}/edit#gid=0"


@dataclass
class Seen:
    """One request the server got."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    form: dict[str, str]


@dataclass
class Fault:
    status: int
    body: dict[str, Any]
    on: str = ""  # only for requests whose path contains this ("/values/")


@dataclass
class Grant:
    """A code the browser got after the maker clicked "Allow"."""

    user: str
    client_id: str
    redirect_uri: str
    challenge: str | None


class SheetsApi:
    """The server's state. Tests read ``requests`` and change spreadsheets between calls."""

    def __init__(self) -> None:
        self.spreadsheets: dict[str, Spreadsheet] = {}
        self.requests: list[Seen] = []
        self.faults: list[Fault] = []
        self.tokens: dict[str, str] = {}  # access token -> who
        self.refresh_tokens: dict[str, tuple[str, str]] = {}  # refresh token -> (who, client)
        self.grants: dict[str, Grant] = {}
        self.revoked_keys: set[str] = set()  # service accounts whose key was deleted
        self.lock = threading.Lock()
        self.released = threading.Event()  # lets requests held by ``hang`` go at teardown
        self.url = ""

    # Setting up ------------------------------------------------------------------------------
    def add(
        self,
        rows: list[list[Cell]],
        *,
        title: str = "Ordini (risposte)",
        tab: str = "Risposte del modulo 1",
        locale: str = "it_IT",
        time_zone: str = "Europe/Rome",
        key: str | None = None,
        more_tabs: Sequence[str] = (),
    ) -> Spreadsheet:
        key = key or "1" + secrets.token_urlsafe(30).replace("-", "x").replace("_", "y")
        tabs = [Tab(tab, [list(r) for r in rows], 0)]
        tabs += [Tab(name, [], 100 + n) for n, name in enumerate(more_tabs)]
        sheet = Spreadsheet(key, title, tabs, locale, time_zone)
        self.spreadsheets[key] = sheet
        return sheet

    def fail(
        self,
        status: int,
        times: int = 1,
        message: str = "",
        reason: str = "",
        on: str = "",
        **extra: Any,
    ) -> None:
        """Answer the next ``times`` Sheets API requests (whose path contains ``on``) with
        ``status``, as Google words it."""
        words = {
            429: (
                "RESOURCE_EXHAUSTED",
                "Quota exceeded for quota metric 'Read requests' and limit 'Read requests per "
                "minute per user' of service 'sheets.googleapis.com' for consumer "
                "'project_number:123456789'.",
            ),
            500: ("INTERNAL", "Internal error encountered."),
            503: ("UNAVAILABLE", "The service is currently unavailable."),
            403: ("PERMISSION_DENIED", "The caller does not have permission"),
            404: ("NOT_FOUND", "Requested entity was not found."),
        }
        status_word, default_message = words.get(status, ("FAILED_PRECONDITION", "Failed."))
        error: dict[str, Any] = {
            "code": status,
            "message": message or default_message,
            "status": status_word,
            **extra,
        }
        if reason:
            error["details"] = [
                {
                    "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                    "reason": reason,
                    "domain": "googleapis.com",
                }
            ]
        with self.lock:
            self.faults += [Fault(status, {"error": error}, on)] * times

    def hang(self) -> None:
        """Leave the next Sheets API request unanswered until the test ends."""
        with self.lock:
            self.faults.append(Fault(0, {}))

    def service_account_file(self, path: Path, email: str = SERVICE_ACCOUNT) -> Path:
        """A service account's JSON key, as the Google Cloud console downloads it."""
        project = email.split("@")[1].split(".")[0]
        info = {
            "type": "service_account",
            "project_id": project,
            "private_key_id": "0123456789abcdef0123456789abcdef01234567",
            "private_key": private_key_pem(),
            "client_email": email,
            "client_id": "109876543210987654321",
            "auth_uri": "https://accounts.google.com/o/oauth2/auth",
            "token_uri": GOOGLE_TOKEN_URI,
            "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
            "client_x509_cert_url": "https://www.googleapis.com/robot/v1/metadata/x509/"
            + email.replace("@", "%40"),
            "universe_domain": "googleapis.com",
        }
        path.write_text(json.dumps(info, indent=2), encoding="utf-8")
        return path

    def oauth_client_file(self, path: Path) -> Path:
        """An OAuth client of type "Desktop app", as the Google Cloud console downloads it."""
        info = {
            "installed": {
                "client_id": CLIENT_ID,
                "project_id": "banco-shop-123",
                "auth_uri": "https://accounts.google.com/o/oauth2/auth",
                "token_uri": GOOGLE_TOKEN_URI,
                "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
                "client_secret": CLIENT_SECRET,
                "redirect_uris": ["http://localhost"],
            }
        }
        path.write_text(json.dumps(info), encoding="utf-8")
        return path

    def consent(self, sign_in_url: str, user: str) -> str:
        """What Google does when ``user`` opens ``sign_in_url`` and clicks "Allow": the address
        the browser is then sent to."""
        query = {k: v[0] for k, v in parse_qs(urlsplit(sign_in_url).query).items()}
        assert query["scope"] == READONLY and query["access_type"] == "offline"
        assert query["code_challenge_method"] == "S256"
        code = self._grant(user, query["client_id"], query["redirect_uri"], query["code_challenge"])
        back = urlencode({"state": query["state"], "code": code, "scope": query["scope"]})
        return f"{query['redirect_uri']}/?{back}"

    def issue_code(self, user: str) -> str:
        """A code for ``user`` not tied to one sign-in address (for typing it in the CLI)."""
        return self._grant(user, CLIENT_ID, "http://localhost", None)

    def _grant(self, user: str, client_id: str, redirect_uri: str, challenge: str | None) -> str:
        code = "4/0A" + secrets.token_urlsafe(24)
        self.grants[code] = Grant(user, client_id, redirect_uri, challenge)
        return code

    # Reading what happened -------------------------------------------------------------------
    def api_requests(self) -> list[Seen]:
        """The Sheets API requests (not the sign-ins)."""
        with self.lock:
            return [r for r in self.requests if r.path.startswith("/v4/")]

    def sign_ins(self) -> list[Seen]:
        """The requests to the token endpoint."""
        with self.lock:
            return [r for r in self.requests if r.path == "/token"]

    def forget(self) -> None:
        with self.lock:
            self.requests.clear()

    # Answering -------------------------------------------------------------------------------
    def answer(self, seen: Seen) -> tuple[int, dict[str, Any]]:
        with self.lock:
            self.requests.append(seen)
        if seen.method == "POST" and seen.path == "/token":
            return self._token(seen.form)
        if seen.method == "GET" and seen.path.endswith("/allowedLocations"):
            return 200, {"locations": ["europe-west1"], "encodedLocations": "0x4"}
        if not seen.path.startswith("/v4/spreadsheets/"):
            return _error(404, "NOT_FOUND", f"The requested URL {seen.path} was not found.")
        who = self.tokens.get(seen.headers.get("authorization", "").removeprefix("Bearer "))
        if who is None:
            return _error(
                401,
                "UNAUTHENTICATED",
                "Request had invalid authentication credentials. Expected OAuth 2 access token.",
            )
        with self.lock:
            fault = next((f for f in self.faults if f.on in seen.path), None)
            if fault is not None:
                self.faults.remove(fault)
        if fault is not None and fault.status == 0:
            self.released.wait(timeout=30)
            return _error(503, "UNAVAILABLE", "The service is currently unavailable.")
        if fault is not None:
            return fault.status, fault.body
        return self._sheets(seen, who)

    def _sheets(self, seen: Seen, who: str) -> tuple[int, dict[str, Any]]:
        rest = seen.path.removeprefix("/v4/spreadsheets/")
        key, _, tail = rest.partition("/")
        sheet = self.spreadsheets.get(key)
        if sheet is None:
            return _error(404, "NOT_FOUND", "Requested entity was not found.")
        if who not in sheet.readers:
            return _error(403, "PERMISSION_DENIED", "The caller does not have permission")
        if not tail:
            return 200, _metadata(sheet)
        formatted = seen.query.get("valueRenderOption", ["FORMATTED_VALUE"])[0] == "FORMATTED_VALUE"
        if tail == "values:batchGet":
            ranges = seen.query.get("ranges", [])
            found = [_values(sheet, r, formatted) for r in ranges]
            if any(f is None for f in found):
                return _error(400, "INVALID_ARGUMENT", "Unable to parse range")
            return 200, {"spreadsheetId": key, "valueRanges": found}
        values = _values(sheet, unquote(tail.removeprefix("values/")), formatted)
        if values is None:
            return _error(400, "INVALID_ARGUMENT", f"Unable to parse range: {tail}")
        return 200, values

    def _token(self, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        grant = form.get("grant_type", "")
        if grant == "urn:ietf:params:oauth:grant-type:jwt-bearer":
            who = self._signed_by(form.get("assertion", ""))
            if who is None:
                return 400, {
                    "error": "invalid_grant",
                    "error_description": "Invalid JWT Signature.",
                }
            return 200, self._access(who)
        if grant == "authorization_code":
            code = self.grants.pop(form.get("code", ""), None)
            if (
                code is None
                or code.client_id != form.get("client_id")
                or form.get("client_secret") != CLIENT_SECRET
                or code.redirect_uri != form.get("redirect_uri")
                or (
                    code.challenge is not None
                    and code.challenge != _s256(form.get("code_verifier", ""))
                )
            ):
                return 400, {"error": "invalid_grant", "error_description": "Bad Request"}
            refresh = "1//0g" + secrets.token_urlsafe(32)
            self.refresh_tokens[refresh] = (code.user, code.client_id)
            return 200, {**self._access(code.user), "refresh_token": refresh, "scope": READONLY}
        if grant == "refresh_token":
            known = self.refresh_tokens.get(form.get("refresh_token", ""))
            if known is None or known[1] != form.get("client_id"):
                return 400, {
                    "error": "invalid_grant",
                    "error_description": "Token has been expired or revoked.",
                }
            return 200, {**self._access(known[0]), "scope": READONLY}
        return 400, {"error": "unsupported_grant_type", "error_description": grant}

    def _access(self, who: str) -> dict[str, Any]:
        token = "ya29.test-" + secrets.token_urlsafe(24)
        self.tokens[token] = who
        return {"access_token": token, "expires_in": 3599, "token_type": "Bearer"}

    def _signed_by(self, assertion: str) -> str | None:
        """Who signed this JWT grant, checked as Google checks it; None if it is not valid."""
        try:
            header, payload, signature = assertion.split(".")
            private_key().public_key().verify(
                _unb64(signature),
                f"{header}.{payload}".encode("ascii"),
                padding.PKCS1v15(),
                hashes.SHA256(),
            )
            claims = json.loads(_unb64(payload))
        except (ValueError, InvalidSignature):
            return None
        fresh = claims.get("iat", 0) - 60 <= time.time() < claims.get("exp", 0)
        if claims.get("aud") != GOOGLE_TOKEN_URI or READONLY not in claims.get("scope", "").split():
            return None
        if not fresh or claims.get("iss") in self.revoked_keys:
            return None
        return str(claims["iss"])


def _metadata(sheet: Spreadsheet) -> dict[str, Any]:
    return {
        "spreadsheetId": sheet.key,
        "properties": {
            "title": sheet.title,
            "locale": sheet.locale,
            "autoRecalc": "ON_CHANGE",
            "timeZone": sheet.time_zone,
            "defaultFormat": {"verticalAlignment": "BOTTOM", "wrapStrategy": "OVERFLOW_CELL"},
        },
        "sheets": [
            {
                "properties": {
                    "sheetId": tab.sheet_id,
                    "title": tab.title,
                    "index": index,
                    "sheetType": "GRID",
                    "gridProperties": {
                        "rowCount": max(1000, len(tab.rows)),
                        "columnCount": max(26, *(len(r) for r in tab.rows), 0),
                        "frozenRowCount": 1,
                    },
                }
            }
            for index, tab in enumerate(sheet.tabs)
        ],
        "spreadsheetUrl": sheet.url.removesuffix("#gid=0"),
    }


def _values(sheet: Spreadsheet, a1: str, formatted: bool) -> dict[str, Any] | None:
    """A range such as "'Risposte del modulo 1'" or "Sheet1!A1:Z": only whole tabs are served."""
    name = a1.split("!")[0]
    if name.startswith("'") and name.endswith("'"):
        name = name[1:-1].replace("''", "'")
    tab = next((t for t in sheet.tabs if t.title == name), None)
    if tab is None:
        return None
    shown = tab.shown(formatted)
    width = max([len(row) for row in shown] + [1])
    last = _column(width - 1) + str(max(len(shown), 1))
    quoted = "'" + tab.title.replace("'", "''") + "'"
    answer: dict[str, Any] = {"range": f"{quoted}!A1:{last}", "majorDimension": "ROWS"}
    if shown:
        answer["values"] = shown
    return answer


def _column(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _error(status: int, word: str, message: str) -> tuple[int, dict[str, Any]]:
    return status, {"error": {"code": status, "message": message, "status": word}}


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:
        self._answer()

    def do_POST(self) -> None:
        self._answer()

    def _answer(self) -> None:
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8") if length else ""
        form = {k: v[0] for k, v in parse_qs(body).items()}
        seen = Seen(
            method=self.command,
            path=parts.path,
            query=parse_qs(parts.query),
            headers={k.lower(): v for k, v in self.headers.items()},
            form=form,
        )
        status, answer = self.server.api.answer(seen)
        data = json.dumps(answer).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=UTF-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the tests read ``SheetsApi.requests`` instead."""


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, api: SheetsApi) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.api = api

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that gave up (a timeout test) is expected; anything else is shown."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@pytest.fixture
def sheets_api() -> Iterator[SheetsApi]:
    """A local Sheets API server, stopped after the test."""
    api = SheetsApi()
    server = _Server(api)
    api.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield api
    finally:
        api.released.set()
        server.shutdown()
        server.server_close()
        thread.join()


def gsheet_account(api: SheetsApi, sheet: Spreadsheet, key_file: Path, extra: str = "") -> str:
    """A banco.toml block for an account "form" reading ``sheet`` from the local server."""
    return (
        f'\n[[accounts]]\nname = "form"\nkind = "gsheet"\nspreadsheet = "{sheet.url}"\n'
        f'credentials = {{file = "{key_file}"}}\napi_url = "{api.url}"\n{extra}'
    )


def load_sheet(api: SheetsApi, name: str) -> Spreadsheet:
    """A realistic responses sheet from ``tests/data/gsheet/NAME.json`` put on the server."""
    data = json.loads((DATA / f"{name}.json").read_text(encoding="utf-8"))
    rows = [[tuple(c) if isinstance(c, list) else c for c in row] for row in data["rows"]]
    return api.add(
        rows,
        title=data["title"],
        tab=data["tab"],
        locale=data["locale"],
        time_zone=data["timeZone"],
    )


# The connector contract harness -----------------------------------------------------------------
HEADERS = ["Informazioni cronologiche", "Nome e cognome", "Indirizzo email", "Telefono",
           "Cosa desideri ordinare?", "Quantità", "Data di consegna"]  # fmt: skip
BASE = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)


class GsheetSource:
    """A form's responses sheet on the local server with ``n`` answers; ``add`` appends more."""

    def __init__(self, api: SheetsApi, folder: Path, n: int) -> None:
        self.api = api
        self.key_file = api.service_account_file(folder / "service-account.json")
        self.sheet = api.add([list(HEADERS)])
        self.total = 0
        self.add(n)

    def add(self, n: int) -> None:
        for k in range(self.total, self.total + n):
            at = BASE + timedelta(hours=k)
            self.sheet.append(
                [
                    (at.strftime("%d/%m/%Y %H.%M.%S"), serial(at)),
                    f"Cliente {k}",
                    f"c{k}@example.com",
                    f"0{k % 9 + 1}1 {k:07d}",
                    f"{k % 5 + 1} vasi",
                    (str(k % 5 + 1), k % 5 + 1),
                    "20/12/2026",
                ]
            )
            if k % 10 == 3:
                self.sheet.append([])  # a blank row left by a deleted answer's contents
        self.total += n

    def account(self) -> str:
        return (
            'kind = "gsheet"\n'
            f'spreadsheet = "{self.sheet.url}"\n'
            f'credentials = {{file = "{self.key_file}"}}\n'
            f'api_url = "{self.api.url}"\n'
        )


@pytest.fixture
def source_gsheet(sheets_api: SheetsApi, tmp_path: Path) -> GsheetSource:
    return GsheetSource(sheets_api, tmp_path, 23)
