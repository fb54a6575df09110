"""``GsheetConnector``, the connector itself; what it does is said in the package's docstring."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

import gspread

from banco.config import Option, Secret
from banco.config.sentence import Sentence
from banco.connectors.base import CheckResult, Context, Page, Record
from banco.connectors.errors import NeedsUser
from banco.connectors.forms import numbered_records, unique_headers
from banco.connectors.forms.answers import (
    STREAM,
    answer_mapping,
    answer_pages,
    mapping_warnings,
    resume_after,
)

from . import oauth
from .client import (
    GoogleSession,
    SignIn,
    build_client,
    check_api_url,
    load_sign_in,
)
from .locale import date_order_for, sheet_zone
from .options import OPTIONS
from .problems import Where, google_errors
from .sheet import Sheet, read_sheet, spreadsheet_key


class GsheetConnector:
    """Form answers from a Google sheet: one record per answered row."""

    kind: ClassVar[str] = "gsheet"
    channel: ClassVar[str] = "form"
    options: ClassVar[Mapping[str, Option]] = OPTIONS
    #: Records per page; tests lower it to get many cursors.
    PAGE_SIZE: ClassVar[int] = 200

    def __init__(self, name: str, settings: Mapping[str, Any], context: Context) -> None:
        def setting(key: str) -> Any:
            return settings.get(key, self.options[key].default)

        self.name = name
        self.home = context.home
        self.shop_timezone = context.timezone
        self.spreadsheet: str = setting("spreadsheet")
        self.worksheet: str = setting("worksheet")
        self.credentials: Secret | None = setting("credentials")
        self.oauth_client: Secret | None = setting("oauth_client")
        self.api_url: str = setting("api_url")
        self.mapping: Mapping[str, Any] = setting("mapping") or {}
        self.date_order: str = setting("date_order")
        self.timeout = float(setting("timeout_seconds"))
        self._sign_in: SignIn | None = None
        self._client: gspread.Client | None = None
        self._session: GoogleSession | None = None

    @property
    def token_file(self) -> Path:
        """Where `banco auth` keeps this account's sign-in: the shop folder, never banco.toml."""
        return self.home / f"gsheet-{re.sub(r'[^A-Za-z0-9._-]', '-', self.name)}.json"

    # The Connector protocol ------------------------------------------------------------------
    def check(self) -> CheckResult:
        sheet = self._read()
        mapping = self._mapping(sheet.headers)
        answers = len(self._numbered(sheet, mapping))
        columns = ", ".join(mapping) or Sentence("none")
        if answers == 1:
            summary = Sentence(
                "Google sheet '{title}' / '{worksheet}': 1 answer, columns mapped: {columns}",
                title=sheet.title,
                worksheet=sheet.worksheet,
                columns=columns,
            )
        else:
            summary = Sentence(
                "Google sheet '{title}' / '{worksheet}': {n} answers, columns mapped: {columns}",
                title=sheet.title,
                worksheet=sheet.worksheet,
                n=answers,
                columns=columns,
            )
        return CheckResult(
            summary=summary,
            counts={STREAM: answers},
            warnings=self._warnings(sheet, mapping),
        )

    def fetch(self, cursors: Mapping[str, Any]) -> Iterator[Page]:
        sheet = self._read()
        after = resume_after(cursors.get(STREAM), sheet.sha256)
        if after >= sheet.last_row:
            return
        numbered = self._numbered(sheet, self._mapping(sheet.headers))
        yield from answer_pages(numbered, after, sheet.sha256, sheet.last_row, self.PAGE_SIZE)

    def close(self) -> None:
        if self._session is not None:
            self._session.close()
        self._session = self._client = None

    # For `banco forms headers` and `banco auth` ----------------------------------------------
    def headers(self) -> list[str]:
        """The sheet's columns as a mapping names them: blank and repeated ones made unique."""
        return unique_headers(self._read().headers)

    def authorize(self, echo: Callable[[str], None], prompt: Callable[[str], str]) -> None:
        """Sign in once with the maker's own Google account and save the sign-in."""
        if self.credentials is not None:
            raise NeedsUser(
                '"{name}" signs in with the service account in its credentials: there is '
                "nothing to sign in to. To use your own Google account instead, remove "
                "credentials from its block in banco.toml and run `banco auth "
                "{name}` again.",
                name=self.name,
            )
        client = oauth.load_client(self.name, self.oauth_client)
        attempt = oauth.new_attempt()
        echo("1. Open this address in your browser and sign in with the Google account")
        echo("   that owns the form's sheet (or can open it):")
        echo("")
        echo(oauth.sign_in_url(client, attempt))
        echo("")
        echo('2. Click "Allow" (Banco asks to see your sheets, never to change them).')
        echo("3. Your browser then shows a page that does not load: that is expected.")
        echo("   Copy the whole address from the address bar and paste it here.")
        code = oauth.code_from_answer(prompt("Address"), attempt)
        token = oauth.exchange_code(client, code, attempt, self.api_url, self.timeout)
        oauth.save_token(self.token_file, token)
        echo(f"Signed in. Banco keeps the sign-in in {self.token_file} (readable by you only).")
        self.close()
        self._sign_in = None
        echo(f"{self.name}: {self.check().summary}")

    # Reading ---------------------------------------------------------------------------------
    def _read(self) -> Sheet:
        key = spreadsheet_key(self.name, self.spreadsheet)
        check_api_url(self.name, self.api_url)  # timeout_seconds: ranged when banco.toml loads
        sign_in = self._signed_in()
        where = Where(self.name, key, sign_in.service_account)
        with google_errors(where):
            if self._client is None:
                self._client, self._session = build_client(sign_in, self.api_url, self.timeout)
            return read_sheet(self._client, key, self.worksheet, self.name)

    def _signed_in(self) -> SignIn:
        if self._sign_in is None:
            self._sign_in = load_sign_in(self.name, self.credentials, self.token_file)
        return self._sign_in

    # Records ---------------------------------------------------------------------------------
    def _zone(self, sheet: Sheet) -> ZoneInfo:
        return sheet_zone(sheet.time_zone) or self.shop_timezone

    def _date_order(self, sheet: Sheet) -> str:
        if self.date_order != "auto":
            return self.date_order
        return date_order_for(sheet.locale) or "auto"

    def _mapping(self, headers: list[str]) -> dict[str, str]:
        return answer_mapping(self.name, self.mapping, headers, "its Google sheet")

    def _numbered(self, sheet: Sheet, mapping: Mapping[str, str]) -> list[tuple[int, Record]]:
        return numbered_records(
            sheet.headers,
            sheet.rows,
            mapping,
            timezone=self._zone(sheet),
            date_order=self._date_order(sheet),
            stream=STREAM,
        )

    def _warnings(self, sheet: Sheet, mapping: Mapping[str, str]) -> list[str]:
        warnings = mapping_warnings(mapping)
        if sheet_zone(sheet.time_zone) is None:
            warnings.append(
                Sentence(
                    "the spreadsheet's time zone ({zone}) is not one Banco "
                    "knows, so Timestamps are read in the shop's ({shop_zone}); set it "
                    'in the sheet: "File", "Settings", "Time zone"',
                    zone=sheet.time_zone or Sentence("none"),
                    shop_zone=self.shop_timezone.key,
                )
            )
        return warnings
