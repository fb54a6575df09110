"""``banco auth ACCOUNT`` for a mailbox with ``auth = "google"`` or ``"microsoft"``.

Google: the installed-app flow. Banco listens on a free port of 127.0.0.1, prints Google's sign-in
address (PKCE, a random ``state``, the maker's address as a hint) and waits: once she allows
access, Google sends her browser back to ``http://127.0.0.1:PORT/?code=...``, where Banco catches
the code. When her browser is on another computer that page cannot load: she pastes its address
(or only the code) into the terminal instead, and whichever comes first is used.

Microsoft: the device-code flow (``msal``). Banco prints an address and a short code; she opens it
on any device, signs in and enters the code, while Banco waits for Microsoft to say so.

Either way the refresh token is saved owner-only beside the shop (``tokens``) and the code, the
verifier and the tokens are never printed.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from contextlib import suppress
from functools import partial
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any
from urllib.parse import urlencode, urlsplit

import requests

from banco.config.sentence import Sentence
from banco.connectors.errors import NeedsUser, TryLater
from banco.connectors.gsheet.oauth import (
    Attempt,
    OAuthClient,
    code_from_answer,
    load_client,
    new_attempt,
)

from .settings import SignInPlan
from .tokens import Http, SavedSignIn, ask_token, save

Echo = Callable[[str], None]
Prompt = Callable[[str], str]

GOOGLE_SCOPE = "https://mail.google.com/"  # IMAP and SMTP: Google has no narrower scope for them
MICROSOFT_SCOPES = [
    "https://outlook.office.com/IMAP.AccessAsUser.All",
    "https://outlook.office.com/SMTP.Send",
]
MICROSOFT_AUTHORITY = "https://login.microsoftonline.com/common"
GOOGLE_CLIENT_HELP = Sentence(
    'In the Google Cloud console turn on the "Gmail API", then open "APIs & Services",'
    ' "Credentials", "Create credentials", "OAuth client ID", choose "Desktop app", download its'
    ' JSON file, and write oauth_client = {file = "path/to/client.json"} in the account\'s block'
    " of banco.toml (the README's Gmail section shows each step)."
)


def sign_in(plan: SignInPlan, echo: Echo, prompt: Prompt) -> None:
    """Sign the maker in and save the refresh token; NeedsUser or TryLater, in words."""
    saved = _google(plan, echo, prompt) if plan.provider == "google" else _microsoft(plan, echo)
    save(plan.path, saved)
    echo(
        Sentence(
            "Signed in. Banco keeps the sign-in in {path} (readable by you only).", path=plan.path
        )
    )


# Google ------------------------------------------------------------------------------------
def _google(plan: SignInPlan, echo: Echo, prompt: Prompt) -> SavedSignIn:
    if plan.client_file is None:
        raise NeedsUser(
            'To sign in with Google, the account "{account}" needs an OAuth client of your own.'
            " {help} Then run `banco auth {account}` again.",
            account=plan.account,
            help=GOOGLE_CLIENT_HELP,
        )
    client = load_client(plan.account, plan.client_file)
    attempt = new_attempt()
    with Catcher() as catcher:
        redirect = catcher.redirect_uri
        echo(
            Sentence(
                "1. Open this address in your browser and sign in as {user}:", user=plan.username
            )
        )
        echo("")
        echo(google_url(client, attempt, redirect, plan.username))
        echo("")
        echo(Sentence('2. Click "Allow": Banco asks to read your mail and send your replies.'))
        echo(Sentence("3. Your browser then says Banco is signed in, and this window goes on."))
        echo(
            Sentence(
                "   If your browser is on another computer, its last page does not load: copy its"
                " whole address from the address bar and paste it here."
            )
        )
        answer = catcher.wait(partial(prompt, Sentence("Address")))
    code = code_from_answer(answer, attempt)
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "client_id": client.client_id,
        "client_secret": client.client_secret,
        "redirect_uri": redirect,
        "code_verifier": attempt.verifier,
    }
    granted = ask_token(client.token_uri, form, "google", plan.account, plan.timeout, plan.verify)
    if not granted.refresh_token:
        raise NeedsUser(
            "Google gave Banco no lasting permission. Remove Banco at"
            " https://myaccount.google.com/permissions, then run `banco auth {account}` again.",
            account=plan.account,
        )
    return SavedSignIn(
        "google",
        client.client_id,
        client.client_secret,
        client.token_uri,
        GOOGLE_SCOPE,
        granted.refresh_token,
    )


def google_url(client: OAuthClient, attempt: Attempt, redirect_uri: str, username: str) -> str:
    """The address the maker opens to let Banco read her mail and send her replies."""
    query = {
        "client_id": client.client_id,
        "redirect_uri": redirect_uri,
        "response_type": "code",
        "scope": GOOGLE_SCOPE,
        "access_type": "offline",  # a refresh token, so that collects work for months
        "prompt": "consent",
        "login_hint": username,
        "state": attempt.state,
        "code_challenge": attempt.challenge,
        "code_challenge_method": "S256",
    }
    return f"{client.auth_uri}?{urlencode(query)}"


class Catcher:
    """A one-page web server on 127.0.0.1 that catches the browser sent back by Google."""

    def __init__(self) -> None:
        self.answers: queue.Queue[str] = queue.Queue()
        self.server = HTTPServer(("127.0.0.1", 0), partial(_Redirected, self.answers))
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def redirect_uri(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/"

    def __enter__(self) -> Catcher:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def wait(self, paste: Callable[[], str]) -> str:
        """The address the browser came back to, or what the maker pasted, whichever is first."""

        def read_paste() -> None:
            # no terminal to read (end of input): the browser may still come back
            with suppress(Exception):
                self.answers.put(paste())

        threading.Thread(target=read_paste, daemon=True).start()
        return self.answers.get()


class _Redirected(BaseHTTPRequestHandler):
    def __init__(self, answers: queue.Queue[str], *args: Any) -> None:
        self.answers = answers
        super().__init__(*args)

    def do_GET(self) -> None:  # noqa: N802 (the name http.server calls)
        query = urlsplit(self.path).query
        if "code=" not in query and "error=" not in query:  # the browser's favicon, say
            self.send_error(404)
            return
        # no words: the terminal says the rest in her language
        body = ("Banco \u2713" if "code=" in query else "Banco \u2717").encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        self.answers.put(f"http://127.0.0.1{self.path}")

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        """Silent: the address holds the sign-in code."""


# Microsoft ---------------------------------------------------------------------------------
def _microsoft(plan: SignInPlan, echo: Echo) -> SavedSignIn:
    import msal  # only `banco auth` needs it

    if not plan.client_id:
        raise NeedsUser(
            'To sign in with Microsoft, the account "{account}" needs the application (client) ID'
            " of an app you register once at https://entra.microsoft.com: write it as"
            " oauth_client_id = \"...\" in the account's block of banco.toml (the README's Outlook"
            " section shows each step), then run `banco auth {account}` again.",
            account=plan.account,
        )
    try:
        app = msal.PublicClientApplication(
            plan.client_id,
            authority=plan.authority,
            instance_discovery=False,  # the authority is the maker's (or the tests') own
            http_client=Http(plan.verify, plan.timeout),
        )
        flow = app.initiate_device_flow(scopes=MICROSOFT_SCOPES)
        if "user_code" not in flow:
            raise _refused(plan, flow)
        echo(
            Sentence(
                "Open {address} in any browser (your phone will do), sign in as {user} and enter"
                " the code {code}. Banco waits here until you have.",
                address=flow.get("verification_uri", ""),
                user=plan.username,
                code=flow["user_code"],
            )
        )
        result = app.acquire_token_by_device_flow(flow)
        token_uri = str(app.authority.token_endpoint)
    except requests.exceptions.RequestException:
        raise TryLater(
            "Banco could not reach Microsoft to sign in; run `banco auth {account}` again later.",
            account=plan.account,
        ) from None
    except ValueError:  # msal: an authority that is no sign-in address
        raise NeedsUser(
            "Microsoft does not answer at {authority}: check oauth_authority in the account"
            ' "{account}" (or remove it).',
            authority=plan.authority,
            account=plan.account,
        ) from None
    refresh = result.get("refresh_token")
    if not isinstance(refresh, str) or not refresh:
        raise _refused(plan, result)
    return SavedSignIn(
        "microsoft",
        plan.client_id,
        "",
        token_uri,
        " ".join([*MICROSOFT_SCOPES, "offline_access"]),
        refresh,
    )


def _refused(plan: SignInPlan, answer: dict[str, Any]) -> NeedsUser:
    reason = str(answer.get("error_description") or answer.get("error") or "no reason given")
    return NeedsUser(
        'Microsoft did not sign in the account "{account}" ({reason}). Run `banco auth'
        " {account}` again and enter the code before it expires.",
        account=plan.account,
        reason=reason.splitlines()[0][:160],
    )
