"""Plain HTTP against the running page: every change needs the page's CSRF token (on loopback
too), the page answers only to loopback names without a password, and the session key is made
once and kept private in the shop folder."""

# Fixtures imported from fixtures_web are parameters of the tests below, by name.
# ruff: noqa: F811

from __future__ import annotations

import html
import re
import stat
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from fixtures_web import demo_home, demo_server, open_shop_at, web_server  # noqa: F401 (fixtures)

from banco.connectors import Registry
from banco.inbox.clock import FixedClock
from banco.inbox.web import RunningServer
from banco.inbox.web.sessions import SECRET_FILE


@pytest.fixture
def client(demo_server: RunningServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=demo_server.url, follow_redirects=False) as made:
        yield made


def token(client: httpx.Client, path: str = "/orders") -> str:
    page = client.get(path)
    found = re.search(r'<meta name="csrf-token" content="([^"]+)">', page.text)
    assert found
    return found[1]


def status_of(home: Path, clock: FixedClock, registry: Registry, ref: str) -> str:
    shop = open_shop_at(home, clock, registry)
    try:
        return str(shop.store.scalar("select status from orders where ref = ?", [ref]))
    finally:
        shop.close()


Status = Callable[[str], str]


@pytest.fixture
def status(demo_home: Path, clock: FixedClock, registry: Registry) -> Status:
    return lambda ref: status_of(demo_home, clock, registry, ref)


def test_a_post_without_the_token_changes_nothing(client: httpx.Client, status: Status) -> None:
    before = status("B-0009")
    good = token(client)
    with httpx.Client(base_url=str(client.base_url)) as stranger:
        theirs = token(stranger)
    for form, headers in [
        ({"status": "lost"}, {}),
        ({"status": "lost", "csrf": "guess"}, {}),
        ({"status": "lost", "csrf": theirs}, {}),  # a token of another session
        ({"status": "lost", "csrf": good}, {"Origin": "http://evil.example"}),
        ({"status": "lost", "csrf": good}, {"Sec-Fetch-Site": "cross-site"}),
    ]:
        answer = client.post("/orders/B-0009/status", data=form, headers=headers)
        assert answer.status_code == 403, (form, headers)
        assert "This form is out of date." in answer.text
    assert status("B-0009") == before != "lost"

    answer = client.post("/orders/B-0009/status", data={"status": "lost", "csrf": good})
    assert (answer.status_code, answer.headers["location"]) == (303, "/orders/B-0009")
    assert status("B-0009") == "lost"


def test_every_form_on_every_page_carries_the_token(client: httpx.Client) -> None:
    for path in ("/", "/orders", "/orders/B-0005", "/session", "/plan", "/accounts"):
        page = client.get(path).text
        forms = re.findall(r"<form\b[^>]*>.*?</form>", page, re.S)
        posts = [f for f in forms if 'method="post"' in f]
        assert posts or path in ("/", "/plan"), path
        for form in posts:
            assert 'name="csrf"' in form, form[:200]


def test_the_boards_script_moves_with_the_token_in_a_header(
    client: httpx.Client, status: Status
) -> None:
    answer = client.post(
        "/orders/B-0010/status",
        data={"status": "quoted"},
        headers={"Accept": "application/json", "X-CSRF-Token": token(client)},
    )
    assert answer.json() == {
        "ok": True,
        "ref": "B-0010",
        "status": "quoted",
        "message": "B-0010 is now quote sent.",
    }
    refused = client.post(
        "/orders/B-0010/status",
        data={"status": "nonsense"},
        headers={"Accept": "application/json", "X-CSRF-Token": token(client)},
    )
    assert refused.status_code == 400 and refused.json()["ok"] is False
    assert status("B-0010") == "quoted"


def test_a_get_never_changes_anything(client: httpx.Client, status: Status) -> None:
    before = status("B-0009")
    for path in ("/orders/B-0009/status", "/session/o9/no-reply", "/collect", "/logout"):
        assert client.get(path).status_code == 405, path
    assert status("B-0009") == before


def test_without_a_password_only_loopback_names_are_answered(demo_server: RunningServer) -> None:
    port = demo_server.url.rsplit(":", 1)[1]
    for host in (f"127.0.0.1:{port}", f"localhost:{port}"):
        assert httpx.get(demo_server.url, headers={"Host": host}).status_code == 200
    for host in (f"evil.example:{port}", "evil.example", f"192.168.1.20:{port}", "["):
        answer = httpx.get(demo_server.url + "/orders", headers={"Host": host})
        assert answer.status_code == 421, host
        assert "B-0009" not in answer.text


def test_unknown_things_are_plain_404_pages(client: httpx.Client) -> None:
    for path in ("/orders/B-0999", "/messages/999", "/nowhere", "/messages/3/formatted"):
        answer = client.get(path)
        assert answer.status_code == 404, path
        assert "<h1>" in answer.text and "Traceback" not in answer.text
    assert 'No order "B-0999"' in html.unescape(client.get("/orders/B-0999").text)


def test_the_session_key_is_made_once_and_kept_private(
    demo_home: Path, demo_server: RunningServer, web_server: Callable[..., RunningServer]
) -> None:
    path = demo_home / SECRET_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    key = path.read_text()
    assert len(key.strip()) >= 32 and key.strip() not in (demo_home / "banco.toml").read_text()
    with httpx.Client(base_url=demo_server.url) as first:
        token(first)
        cookie = first.cookies["banco_session"]
    again = web_server(demo_home)  # another start: same key, so the same session still works
    assert path.read_text() == key
    with httpx.Client(base_url=again.url, cookies={"banco_session": cookie}) as second:
        page = second.get("/")
        assert "banco_session" not in page.headers.get("set-cookie", "")  # nothing new to sign
    answer = httpx.get(demo_server.url + "/")
    cookie_line = answer.headers["set-cookie"]
    assert "httponly" in cookie_line and "samesite=lax" in cookie_line
    assert "secure" not in cookie_line  # plain http on this computer
