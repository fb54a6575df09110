"""A fake Google and Microsoft sign-in over real HTTP, and a Dovecot that asks it about tokens.

* ``oauth``: one server on 127.0.0.1 speaking plain HTTP (Google's endpoints, as a client JSON
  file names them, and the introspection endpoint Dovecot posts to) and HTTPS (Microsoft's
  authority, which ``msal`` only takes over https; the certificate is self-signed). It plays
  the browser's side too: ``approve`` enters a device code, and its authorization endpoint sends
  the browser back to the redirect address at once, as Google does once the maker allowed.
  ``revoke`` withdraws a refresh token; ``stall`` makes the token endpoint hang until released.
* ``oauth_dovecot``: a Dovecot whose ``oauth2`` passdb takes the access tokens this server gave.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import ssl
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from fixtures_imap import Dovecot, DovecotMissing


@dataclass
class Grant:
    user: str
    challenge: str = ""
    redirect_uri: str = ""


@dataclass
class Device:
    user_code: str
    user: str | None = None


@dataclass
class Provider:
    """What the fake provider knows; the test says who signs in (``user``)."""

    user: str = ""
    codes: dict[str, Grant] = field(default_factory=dict)
    refresh_tokens: dict[str, str] = field(default_factory=dict)
    access_tokens: dict[str, str] = field(default_factory=dict)
    devices: dict[str, Device] = field(default_factory=dict)
    #: every token ever given, to look for it where it must not be
    issued: list[str] = field(default_factory=list)
    #: every form posted to a token endpoint, to check what Banco sent
    posted: list[dict[str, str]] = field(default_factory=list)
    stalled: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)
    rotate: bool = False
    #: how long each access token lasts, in seconds, as the answers say
    lifetime: int = 3599
    #: the maker clicks "Cancel" instead of "Allow"
    deny: bool = False
    #: set when a request reaches the token endpoint
    asked: threading.Event = field(default_factory=threading.Event)
    #: when set, the token endpoint's answer (status, body) whatever was asked
    canned: tuple[int, bytes] | None = None

    def grant(self, user: str) -> dict[str, Any]:
        access, refresh = f"at-{secrets.token_hex(12)}", f"rt-{secrets.token_hex(12)}"
        self.access_tokens[access] = user
        self.refresh_tokens[refresh] = user
        self.issued += [access, refresh]
        return {"access_token": access, "refresh_token": refresh, "expires_in": self.lifetime,
                "token_type": "Bearer", "scope": "mail"}  # fmt: skip

    def token(self, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        kind = form.get("grant_type")
        if kind == "authorization_code":
            grant = self.codes.pop(form.get("code", ""), None)
            verifier = form.get("code_verifier", "")
            digest = hashlib.sha256(verifier.encode()).digest()
            challenge = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
            if grant is None or grant.challenge != challenge:
                return 400, {"error": "invalid_grant", "error_description": "Bad code."}
            if grant.redirect_uri != form.get("redirect_uri"):
                return 400, {"error": "redirect_uri_mismatch"}
            return 200, self.grant(grant.user)
        if kind == "refresh_token":
            user = self.refresh_tokens.get(form.get("refresh_token", ""))
            if user is None:
                return 400, {"error": "invalid_grant", "error_description": "Token has been"
                             " expired or revoked."}  # fmt: skip
            answer = self.grant(user)
            if not self.rotate:
                del self.refresh_tokens[answer.pop("refresh_token")]
            return 200, answer
        if kind == "urn:ietf:params:oauth:grant-type:device_code":
            device = self.devices.get(form.get("device_code", ""))
            if device is None:
                return 400, {"error": "expired_token"}
            if device.user is None:
                return 400, {"error": "authorization_pending"}
            return 200, {**self.grant(device.user), "id_token": _id_token(device.user),
                         "client_info": _client_info()}  # fmt: skip
        return 400, {"error": "unsupported_grant_type"}

    def revoke(self) -> None:
        self.refresh_tokens.clear()
        self.access_tokens.clear()


def _b64(value: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()


def _id_token(user: str) -> str:
    claims = {"iss": "https://127.0.0.1/tenant/v2.0", "sub": "s", "aud": "client",
              "oid": "oid", "tid": "tenant", "preferred_username": user, "exp": 4102444800,
              "iat": 1700000000}  # fmt: skip
    return f"{_b64({'alg': 'none'})}.{_b64(claims)}."


def _client_info() -> str:
    return _b64({"uid": "oid", "utid": "tenant"})


class Handler(BaseHTTPRequestHandler):
    provider: Provider
    https_base: str

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass

    def _send(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        self._send_bytes(status, json.dumps(body).encode(), headers)

    def _send_bytes(self, status: int, data: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _form(self) -> dict[str, str]:
        length = int(self.headers.get("Content-Length") or 0)
        return {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}

    def do_GET(self) -> None:  # noqa: N802
        url = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        p = self.provider
        if url.path == "/o/oauth2/auth":  # Google's authorization endpoint: she allowed
            code = f"4/{secrets.token_hex(8)}"
            with p.lock:
                p.codes[code] = Grant(p.user, query["code_challenge"], query["redirect_uri"])
            back = urlencode({"code": code, "state": query["state"], "scope": query["scope"]})
            if p.deny:
                back = urlencode({"error": "access_denied", "state": query["state"]})
            self._send(302, {}, {"Location": f"{query['redirect_uri']}?{back}"})
        elif url.path.endswith("/v2.0/.well-known/openid-configuration"):
            tenant = self.https_base + url.path.removesuffix(
                "/v2.0/.well-known/openid-configuration"
            )
            self._send(200, {
                "authorization_endpoint": f"{tenant}/oauth2/v2.0/authorize",
                "token_endpoint": f"{tenant}/oauth2/v2.0/token",
                "device_authorization_endpoint": f"{tenant}/oauth2/v2.0/devicecode",
                "issuer": f"{tenant}/v2.0",
            })  # fmt: skip
        else:
            self._send(404, {})

    def do_POST(self) -> None:  # noqa: N802
        url = urlsplit(self.path)
        form = self._form()
        p = self.provider
        if url.path == "/introspect":  # Dovecot asks
            user = p.access_tokens.get(form.get("token", ""))
            self._send(200, {"active": True, "username": user} if user else {"active": False})
            return
        if url.path.endswith("/devicecode"):
            device_code, user_code = secrets.token_hex(8), secrets.token_hex(3).upper()
            with p.lock:
                p.devices[device_code] = Device(user_code)
            self._send(200, {"device_code": device_code, "user_code": user_code,
                             "verification_uri": "https://microsoft.com/devicelogin",
                             "expires_in": 900, "interval": 1,
                             "message": "not shown"})  # fmt: skip
            return
        if url.path.endswith("/token"):
            with p.lock:
                p.posted.append(form)
            p.asked.set()
            if p.stalled.is_set():
                p.release.wait()
            if p.canned is not None:
                self._send_bytes(p.canned[0], p.canned[1])
                return
            with p.lock:
                status, body = p.token(form)
            self._send(status, body)
            return
        self._send(404, {})


@dataclass
class OAuthServer:
    provider: Provider
    http_url: str
    https_url: str

    def approve(self, user_code: str, user: str) -> None:
        """The maker entered ``user_code`` at Microsoft's page, signed in as ``user``."""
        with self.provider.lock:
            for device in self.provider.devices.values():
                if device.user_code == user_code:
                    device.user = user
                    return
        raise AssertionError(f"no device code {user_code}")

    def google_client(self, folder: Path) -> Path:
        """A Google client JSON file ("Desktop app") naming this server's endpoints."""
        path = folder / "client.json"
        path.write_text(json.dumps({"installed": {
            "client_id": "banco-test.apps.googleusercontent.com",
            "client_secret": "GOCSPX-not-secret",
            "auth_uri": f"{self.http_url}/o/oauth2/auth",
            "token_uri": f"{self.http_url}/token",
            "redirect_uris": ["http://localhost"],
        }}))  # fmt: skip
        return path

    def authority(self) -> str:
        return f"{self.https_url}/common"


def _serve(server: ThreadingHTTPServer) -> threading.Thread:
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return thread


def _self_signed(folder: Path) -> ssl.SSLContext:
    import subprocess

    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "30", "-subj", "/CN=127.0.0.1"],
        check=True, capture_output=True,
    )  # fmt: skip
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return context


@pytest.fixture(scope="module")
def oauth_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OAuthServer]:
    provider = Provider()
    handler = type("Bound", (Handler,), {"provider": provider, "https_base": ""})
    plain = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    secure = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    context = _self_signed(tmp_path_factory.mktemp("oauth-tls"))
    secure.socket = context.wrap_socket(secure.socket, server_side=True)
    handler.https_base = f"https://127.0.0.1:{secure.server_address[1]}"
    for server in (plain, secure):
        server.daemon_threads = True
        # a client that gave up on a stalled answer is what the tests do on purpose: no traceback
        server.handle_error = lambda request, address: None  # type: ignore[method-assign]
        _serve(server)
    try:
        yield OAuthServer(
            provider, f"http://127.0.0.1:{plain.server_address[1]}", handler.https_base
        )
    finally:
        provider.release.set()
        for server in (plain, secure):
            server.shutdown()
            server.server_close()


@pytest.fixture
def oauth(oauth_server: OAuthServer) -> Iterator[OAuthServer]:
    """The module's provider, forgotten and unstalled for each test."""
    p = oauth_server.provider
    yield oauth_server
    p.release.set()
    p.stalled.clear()
    p.release.clear()
    with p.lock:
        p.codes.clear()
        p.refresh_tokens.clear()
        p.access_tokens.clear()
        p.devices.clear()
        p.posted.clear()
        p.rotate = False
        p.asked.clear()
        p.deny = False
        p.lifetime = 3599
        p.canned = None


@pytest.fixture(scope="module")
def oauth_dovecot(oauth_server: OAuthServer) -> Iterator[Dovecot]:
    try:  # a missing Dovecot fails the tests, as in fixtures_imap
        server = Dovecot.create(f"{oauth_server.http_url}/introspect")
    except DovecotMissing as e:
        pytest.fail(str(e))
    try:
        server.start()
        yield server
    finally:
        server.remove()
