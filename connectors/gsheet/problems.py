"""What Google's refusals mean for the maker: NeedsUser (something to fix) or TryLater.

::

    429, 408, 5xx           TryLater: Google is busy or limiting requests; the next collect retries
    403 not shared          NeedsUser: share the sheet with the service account (its address given)
    403 API turned off      NeedsUser: turn on the Google Sheets API in the Cloud project
    404                     NeedsUser: no such spreadsheet (wrong address or key)
    400                     NeedsUser: not a Google sheet (an Excel file kept in Drive)
    401, refused sign-in    NeedsUser: a new key, or `banco auth` again
    network, timeout        TryLater
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import requests
from google.auth.exceptions import RefreshError, TransportError
from gspread.exceptions import APIError

from banco.config.sentence import Sentence
from banco.connectors.errors import ConnectorError, NeedsUser, TryLater

LIMITED = Sentence("Google is limiting requests; Banco will try again at the next collect")
RATE_REASONS = {"RATE_LIMIT_EXCEEDED", "rateLimitExceeded", "userRateLimitExceeded"}
SHEETS_API_PAGE = "https://console.cloud.google.com/apis/library/sheets.googleapis.com"
_URL = re.compile(r"https://\S+[^\s.,;)]")


@dataclass(frozen=True)
class Where:
    """What a message needs to name: the account, the sheet, who Banco signs in as."""

    account: str
    key: str
    service_account: str = ""


@contextmanager
def google_errors(where: Where) -> Iterator[None]:
    """Turn what gspread, google-auth and requests raise into NeedsUser or TryLater."""
    try:
        yield
    except APIError as e:
        raise api_problem(e, where) from None
    except RefreshError as e:
        raise sign_in_problem(e, where) from None
    except TransportError:
        raise TryLater(
            "Banco could not reach Google to sign in; it will try again at the next collect"
        ) from None
    except requests.exceptions.Timeout:
        raise TryLater(
            "Google took too long to answer; Banco will try again at the next collect"
        ) from None
    except requests.exceptions.JSONDecodeError:
        raise TryLater(
            "Google sent an answer Banco could not read; Banco will try again at the next collect"
        ) from None
    except requests.exceptions.ConnectionError:
        raise TryLater(
            "Banco could not reach Google (no connection?); it will try again at the next collect"
        ) from None
    except requests.exceptions.RequestException as e:
        raise TryLater(
            "Banco lost its connection to Google ({error}); it will try again at the next collect",
            error=type(e).__name__,
        ) from None


def api_problem(error: APIError, where: Where) -> ConnectorError:
    """The sentence for a refusal of the Sheets API."""
    status = error.response.status_code
    body: Mapping[str, Any] = error.error if isinstance(error.error, Mapping) else {}
    message = str(body.get("message", "")).strip()
    details = body.get("details")
    reasons = {
        str(d.get("reason"))
        for d in (details if isinstance(details, list) else [])
        if isinstance(d, Mapping)
    }
    if status == 429 or reasons & RATE_REASONS:
        return TryLater(LIMITED)
    if status == 408 or status >= 500:
        return TryLater(
            "Google Sheets is not answering properly (error {status}); Banco will try again at "
            "the next collect",
            status=status,
        )
    if status == 403:
        return _forbidden(where, message, reasons)
    if status == 404:
        return NeedsUser(
            'Google has no spreadsheet "{key}" (the spreadsheet of "{account}" in '
            "banco.toml), or it was deleted. Open the sheet of answers in your browser and copy "
            "its address from the address bar into spreadsheet.",
            key=where.key,
            account=where.account,
        )
    if status == 401:
        return NeedsUser(_refused_sign_in(where, message))
    if status == 400:
        return NeedsUser(
            'Google cannot read the spreadsheet of "{account}" as a Google sheet '
            "({said}). If it is an Excel file kept in Google Drive, open it and "
            'choose "File", "Save as Google Sheets", then use the new sheet\'s address.',
            account=where.account,
            said=message or "error 400",
        )
    said = f": {message}" if message else ""
    return NeedsUser(
        'Google refused to read the spreadsheet of "{account}" (error {status}{said}).',
        account=where.account,
        status=status,
        said=said,
    )


def _forbidden(where: Where, message: str, reasons: set[str]) -> NeedsUser:
    if "SERVICE_DISABLED" in reasons or "has not been used" in message:
        link = _URL.search(message)
        return NeedsUser(
            "The Google Sheets API is turned off in the Google Cloud project of the credentials "
            'of "{account}". Turn it on at {page} (click '
            '"Enable"), wait a few minutes, then run `banco check`.',
            account=where.account,
            page=link[0] if link else SHEETS_API_PAGE,
        )
    if where.service_account:
        return NeedsUser(
            "The sheet is not shared with Banco's service account {service_account}. "
            'Open the sheet in Google Sheets, click "Share", paste '
            '{service_account}, choose "Viewer", untick "Notify people", click "Share", '
            "then run `banco check`.",
            service_account=where.service_account,
        )
    return NeedsUser(
        'The Google account you signed in with for "{account}" cannot open this sheet. '
        "Share the sheet with that account, or run `banco auth "
        "{account}` again and sign in as the account that owns the form.",
        account=where.account,
    )


def sign_in_problem(error: RefreshError, where: Where) -> ConnectorError:
    """Google's token endpoint refused to sign Banco in."""
    if getattr(error, "retryable", False):
        return TryLater(
            "Google could not sign Banco in just now; Banco will try again at the next collect"
        )
    return NeedsUser(_refused_sign_in(where, _description(error)))


def _refused_sign_in(where: Where, reason: str) -> Sentence:
    why = f" ({reason})" if reason else ""
    if where.service_account:
        return Sentence(
            'Google refused the service account key in the credentials of "{account}"'
            "{why}. The key may have been deleted or the service account disabled: create a new "
            "JSON key for it in the Google Cloud console and point credentials at the new file.",
            account=where.account,
            why=why,
        )
    return Sentence(
        'Google no longer accepts the sign-in saved for "{account}"{why}: it was '
        "withdrawn or it expired. Run `banco auth {account}` again.",
        account=where.account,
        why=why,
    )


def _description(error: RefreshError) -> str:
    """Google's own words for a refused sign-in, such as "Invalid JWT Signature."."""
    for arg in error.args[1:]:
        if isinstance(arg, Mapping):
            text = arg.get("error_description") or arg.get("error")
            if text:
                return str(text).strip()
    return str(error.args[0]).strip() if error.args else ""
