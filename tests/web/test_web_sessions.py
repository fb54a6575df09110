"""Sessions end when they should, over real HTTP against the running page: signing out ends every
session (another client's, another Banco process's on the same shop), a new password in banco.toml
ends them at the next request, wrong passwords are throttled per connecting address (a forged
X-Forwarded-For counts only from a trusted proxy), HTTPS serves with a Secure cookie, and a page
without a password says so when it starts, in her language."""

# Fixtures imported from fixtures_web are parameters of the tests below, by name.
# ruff: noqa: F811

from __future__ import annotations

import datetime as dt
import ipaddress
import re
import signal
import ssl
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from click.testing import Result
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from fixtures_web import demo_home, web_server  # noqa: F401 (fixtures)
from hypothesis import given
from hypothesis import strategies as st

from banco.config import Secret
from banco.inbox.clock import FixedClock
from banco.inbox.web import RunningServer, SettingError, Tls
from banco.inbox.web.server import checked_proxies
from banco.inbox.web.sessions import GENERATION_FILE, kept_word

PASSWORD = "terracotta-42"
#: Another loopback address: not 127.0.0.1, so Banco treats it as reachable from elsewhere.
BEYOND = "127.0.0.2"
#: Two more addresses of this computer to connect from: a laptop and a phone on her network.
LAPTOP, PHONE = "127.0.0.3", "127.0.0.4"
BANCO = str(Path(sys.executable).with_name("banco"))


def client(
    url: str, source: str = "127.0.0.1", verify: ssl.SSLContext | bool = True
) -> httpx.Client:
    """A client connecting from ``source`` (another address of this computer)."""
    transport = httpx.HTTPTransport(local_address=source, verify=verify)
    return httpx.Client(base_url=url, transport=transport, follow_redirects=False)


def csrf(page: httpx.Response) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found, page.text
    return found[1]


def sign_in(browser: httpx.Client, password: str = PASSWORD, **headers: str) -> httpx.Response:
    browser.cookies.clear()  # a new visit to the sign-in page
    token = csrf(browser.get("/login"))
    return browser.post("/login", data={"csrf": token, "password": password}, headers=headers)


def signed_in(browser: httpx.Client) -> bool:
    answer = browser.get("/orders")
    assert answer.status_code in (200, 303), answer.status_code
    return answer.status_code == 200


def sign_out(browser: httpx.Client) -> None:
    token = csrf(browser.get("/orders"))
    assert browser.post("/logout", data={"csrf": token}).status_code == 303


def with_web(home: Path, lines: str) -> None:
    config = home / "banco.toml"
    config.write_text(config.read_text(encoding="utf-8") + "\n[web]\n" + lines, encoding="utf-8")


@pytest.fixture
def serving() -> Iterator[Callable[..., list[str]]]:
    """``serving(home, *options, lines=2)``: `banco serve` in a process of its own (stopped with
    Ctrl-C after the test); its first ``lines`` lines."""
    started: list[subprocess.Popen[str]] = []

    def serve(home: Path, *options: str, lines: int = 2) -> list[str]:
        process = subprocess.Popen(
            [BANCO, "--home", str(home), "serve", "--port", "0", *options],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        started.append(process)
        assert process.stdout is not None
        return [process.stdout.readline().rstrip("\n") for _ in range(lines)]

    yield serve
    for process in started:
        process.send_signal(signal.SIGINT)  # Ctrl-C
        process.communicate(timeout=60)


# Ending sessions ----------------------------------------------------------------------------------
def test_signing_out_ends_the_session_on_every_device_and_in_every_process(
    demo_home: Path,
    web_server: Callable[..., RunningServer],
    monkeypatch: pytest.MonkeyPatch,
    serving: Callable[..., list[str]],
) -> None:
    monkeypatch.setenv("BANCO_TEST_PASSWORD", PASSWORD)
    with_web(demo_home, 'password = {env = "BANCO_TEST_PASSWORD"}\n')
    page = web_server(demo_home, host=BEYOND, password=PASSWORD)
    # another Banco process serving the same shop (`banco run` beside `banco serve`)
    [opened] = serving(demo_home, "--host", BEYOND, lines=1)
    other = re.search(r"http://\S+\d", opened)
    assert other, opened
    with client(page.url, LAPTOP) as laptop, client(page.url, PHONE) as phone:
        assert sign_in(laptop).status_code == 303 and sign_in(phone).status_code == 303
        assert signed_in(laptop) and signed_in(phone)
        stolen = dict(phone.cookies)
        with client(other[0], PHONE) as elsewhere:
            elsewhere.cookies.update(stolen)
            assert signed_in(elsewhere)

            sign_out(laptop)

            assert not signed_in(laptop)
            assert not signed_in(phone)
            assert not signed_in(elsewhere)
        with client(page.url, PHONE) as replay:  # a copy of the cookie kept from before: dead
            replay.cookies.update(stolen)
            assert not signed_in(replay)
        assert sign_in(phone).status_code == 303 and signed_in(phone)


def test_a_new_password_in_banco_toml_ends_the_sessions_at_the_next_request(
    demo_home: Path, web_server: Callable[..., RunningServer], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BANCO_TEST_OLD_PASSWORD", PASSWORD)
    monkeypatch.setenv("BANCO_TEST_NEW_PASSWORD", "porcellana-7")
    with_web(demo_home, 'password = {env = "BANCO_TEST_OLD_PASSWORD"}\n')
    page = web_server(demo_home, host=BEYOND, password=Secret("env", "BANCO_TEST_OLD_PASSWORD"))
    with client(page.url, LAPTOP) as laptop:
        assert sign_in(laptop).status_code == 303 and signed_in(laptop)
        config = demo_home / "banco.toml"
        config.write_text(
            config.read_text().replace("BANCO_TEST_OLD_PASSWORD", "BANCO_TEST_NEW_PASSWORD")
        )

        assert not signed_in(laptop)  # no restart
        assert sign_in(laptop, PASSWORD).status_code == 401
        assert sign_in(laptop, "porcellana-7").status_code == 303 and signed_in(laptop)


def test_a_broken_banco_toml_keeps_the_password_it_had(
    demo_home: Path, web_server: Callable[..., RunningServer]
) -> None:
    page = web_server(demo_home, host=BEYOND, password=PASSWORD)
    with client(page.url, LAPTOP) as laptop:
        assert sign_in(laptop).status_code == 303
        config = demo_home / "banco.toml"
        config.write_text(config.read_text() + "\n[web\n")
        answer = laptop.get("/orders")
        assert answer.status_code == 500 and "banco.toml needs fixing" in answer.text


def test_a_sign_out_killed_while_writing_leaves_a_whole_generation(tmp_path: Path) -> None:
    """kill -9 while Banco writes new generations: the file always holds a whole one."""
    path = tmp_path / GENERATION_FILE
    writer = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; from pathlib import Path; from banco.inbox.web.sessions import new_word\n"
            "while True:\n new_word(Path(sys.argv[1])); print(flush=True)",
            str(path),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert writer.stdout is not None
    for _ in range(200):
        writer.stdout.readline()
    writer.send_signal(signal.SIGKILL)
    writer.wait()
    word = path.read_text()
    assert re.fullmatch(r"[A-Za-z0-9_-]{64}\n", word), word
    assert kept_word(path) == word.strip()  # kept, not made again: the sessions signed stay valid


@given(st.lists(st.text(max_size=40), max_size=4))
def test_trusted_proxies_are_addresses_or_one_plain_line(addresses: list[str]) -> None:
    try:
        assert checked_proxies(addresses) == addresses
    except SettingError as refused:
        [line] = str(refused).splitlines()
        assert line.startswith("[web] trusted_proxies: ") and line.endswith('"192.168.1.10".')


# Throttling ---------------------------------------------------------------------------------------
def wrong_five_times(browser: httpx.Client, **headers: str) -> None:
    for _ in range(5):
        assert sign_in(browser, "guess", **headers).status_code == 401


def test_wrong_passwords_are_throttled_per_address_with_a_growing_wait(
    demo_home: Path, web_server: Callable[..., RunningServer], clock: FixedClock
) -> None:
    page = web_server(demo_home, host=BEYOND, password=PASSWORD)
    # 127.0.0.1 too is no proxy unless [web] trusted_proxies names it
    with client(page.url, "127.0.0.1") as laptop, client(page.url, PHONE) as phone:
        # X-Forwarded-For from a connection that is no trusted proxy changes nothing
        for n in range(5):
            forged = {"X-Forwarded-For": f"10.0.0.{n}"}
            assert sign_in(laptop, "guess", **forged).status_code == 401
        refused = sign_in(laptop, **{"X-Forwarded-For": "10.0.0.99"})
        assert refused.status_code == 429
        assert "Too many wrong passwords. Wait 5 minutes, then try again." in refused.text
        assert not signed_in(laptop)

        assert sign_in(phone).status_code == 303  # her phone is another address

        clock.at += timedelta(minutes=4)
        assert "Wait 1 minute, then" in sign_in(laptop).text
        clock.at += timedelta(minutes=1)
        assert sign_in(laptop, "guess").status_code == 401  # one more wrong one: twice the wait
        assert "Wait 10 minutes, then" in sign_in(laptop).text
        clock.at += timedelta(minutes=10)
        assert sign_in(laptop).status_code == 303 and signed_in(laptop)  # right after the wait


def test_a_trusted_proxy_forwards_the_address_that_is_throttled(
    demo_home: Path, web_server: Callable[..., RunningServer]
) -> None:
    page = web_server(demo_home, host=BEYOND, password=PASSWORD, trusted_proxies=[LAPTOP])
    with client(page.url, LAPTOP) as proxy, client(page.url, PHONE) as direct:
        wrong_five_times(proxy, **{"X-Forwarded-For": "192.168.1.20"})
        assert sign_in(proxy, **{"X-Forwarded-For": "192.168.1.20"}).status_code == 429
        # another client behind the same proxy is not held up
        assert sign_in(proxy, **{"X-Forwarded-For": "192.168.1.21"}).status_code == 303
        # from an address that is no proxy, the header is not believed: its own address counts
        assert sign_in(direct, **{"X-Forwarded-For": "192.168.1.21"}).status_code == 303
        wrong_five_times(direct, **{"X-Forwarded-For": "192.168.1.20"})
        assert sign_in(direct, **{"X-Forwarded-For": "192.168.1.22"}).status_code == 429


# HTTPS --------------------------------------------------------------------------------------------
@pytest.fixture
def certificate(tmp_path: Path) -> Tls:
    """A self-signed certificate for 127.0.0.2 and its key, made now."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Banco test")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=30))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(BEYOND))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    tls = Tls(tmp_path / "banco-cert.pem", tmp_path / "banco-key.pem")
    tls.cert.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    tls.key.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return tls


def test_https_serves_the_page_and_the_cookie_is_secure(
    demo_home: Path, web_server: Callable[..., RunningServer], certificate: Tls
) -> None:
    page = web_server(demo_home, host=BEYOND, password=PASSWORD, tls=certificate)
    assert page.url.startswith(f"https://{BEYOND}:")
    trusting = ssl.create_default_context(cafile=str(certificate.cert))
    with client(page.url, LAPTOP, verify=trusting) as laptop:
        login = laptop.get("/login")
        assert login.status_code == 200 and login.url.scheme == "https"
        assert "; secure" in login.headers["set-cookie"].lower()
        answer = sign_in(laptop)
        assert answer.status_code == 303 and "; secure" in answer.headers["set-cookie"].lower()
        assert signed_in(laptop)
    with pytest.raises(httpx.RemoteProtocolError):  # plain http gets no page
        httpx.get(page.url.replace("https://", "http://") + "/login")


@pytest.mark.parametrize(
    ("lines", "said"),
    [
        (
            'tls_cert = "nowhere.pem"\ntls_key = "nowhere-key.pem"\n',
            "[web] cannot read {home}/nowhere.pem: No such file or directory",
        ),
        (
            'tls_cert = "cert.pem"\n',
            "[web] tls_cert and tls_key go together: set both, or neither.",
        ),
        (
            'tls_cert = "key.pem"\ntls_key = "cert.pem"\n',
            "[web] tls_cert and tls_key are not a certificate and its unlocked private key",
        ),
        (
            'trusted_proxies = ["my-router"]\n',
            '[web] trusted_proxies: "my-router" is not an address, such as "192.168.1.10".',
        ),
    ],
)
def test_a_wrong_web_setting_is_one_line_and_exit_status_2(
    demo_home: Path,
    certificate: Tls,
    run: Callable[..., Result],
    lines: str,
    said: str,
) -> None:
    (demo_home / "cert.pem").write_bytes(certificate.cert.read_bytes())
    (demo_home / "key.pem").write_bytes(certificate.key.read_bytes())
    with_web(demo_home, lines)
    for command in (["serve", "--port", "0"], ["run"]):
        if command == ["run"]:
            with_web_enabled(demo_home)
        result = run("--home", str(demo_home), *command)
        assert result.exit_code == 2, result.output
        [line] = result.output.splitlines()
        assert line.startswith(said.format(home=demo_home)), line


def with_web_enabled(home: Path) -> None:
    config = home / "banco.toml"
    config.write_text(config.read_text().replace("[web]\n", "[web]\nenabled = true\n", 1))


# The notice of a page without a password ----------------------------------------------------------
NOTICES = {
    "en": "The page has no password, so anyone who uses this computer can open it.",
    "it": "La pagina non ha una password, quindi chiunque usi questo computer può aprirla.",
    "fr": "La page n'a pas de mot de passe : toute personne qui utilise cet ordinateur peut l'ouvrir.",
}


@pytest.mark.parametrize("lang", ["en", "it", "fr"])
def test_a_page_without_a_password_says_anyone_on_this_computer_can_open_it(
    lang: str, write_shop: Callable[..., Path], serving: Callable[..., list[str]]
) -> None:
    from conftest import SHOP_HEADER

    home = write_shop(header=SHOP_HEADER.replace('languages = ["en"]', f'languages = ["{lang}"]'))
    opened, notice = serving(home)
    assert re.search(r"http://127\.0\.0\.1:\d+", opened), opened
    assert notice.startswith(NOTICES[lang]), notice
    assert '[web] password = {env = "BANCO_WEB_PASSWORD"}' in notice


def test_a_page_with_a_password_says_nothing_more(
    demo_home: Path, web_server: Callable[..., RunningServer]
) -> None:
    assert web_server(demo_home, password=PASSWORD).notice is None
    assert web_server(demo_home).notice == NOTICES["en"] + (
        ' Set one in banco.toml: [web] password = {env = "BANCO_WEB_PASSWORD"} (or {file = ...}'
        " or {command = ...}, like an account's password)."
    )
