"""Beyond loopback the page needs a password: `serve` refuses to start without one, every page
asks to sign in, a wrong password is refused and repeated wrong ones are slowed down."""

# Fixtures imported from fixtures_web are parameters of the tests below, by name.
# ruff: noqa: F811

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from fixtures_web import (  # noqa: F401 (fixtures)
    Tab,
    browser,
    demo_home,
    desktop,
    phone,
    screenshot,
    web_server,
)
from playwright.sync_api import expect

from banco.config import Secret
from banco.inbox.clock import FixedClock
from banco.inbox.web import RunningServer, WebError, serve
from banco.inbox.web.auth import LoginLimiter, safe_next
from banco.inbox.web.calendar import calendar_key

PASSWORD = "terracotta-42"
#: Another loopback address: not 127.0.0.1, so Banco treats it as reachable from elsewhere.
BEYOND = "127.0.0.2"


@pytest.mark.parametrize("host", [BEYOND, "0.0.0.0", "192.0.2.1"])
def test_serve_refuses_an_open_address_without_a_password(demo_home: Path, host: str) -> None:
    with pytest.raises(WebError) as refused:
        serve(demo_home, host=host, port=0, ready=None)
    assert str(refused.value).startswith(
        f"Banco's page on {host} could be opened from other computers, so it needs a password."
    )
    assert '[web] password = {env = "BANCO_WEB_PASSWORD"}' in str(refused.value)


def test_a_password_that_cannot_be_read_is_said_plainly(demo_home: Path) -> None:
    with pytest.raises(WebError, match="the environment variable BANCO_NO_SUCH_VAR is not set"):
        serve(demo_home, host=BEYOND, port=0, password=Secret("env", "BANCO_NO_SUCH_VAR"))


def test_a_taken_port_is_said_plainly(
    demo_home: Path, web_server: Callable[..., RunningServer]
) -> None:
    running = web_server(demo_home)
    port = int(running.url.rsplit(":", 1)[1])
    with pytest.raises(WebError, match=f"port {port} on 127.0.0.1 is already in use"):
        serve(demo_home, port=port, ready=None)


def test_every_page_asks_to_sign_in_and_a_wrong_password_is_refused(
    demo_home: Path, web_server: Callable[..., RunningServer], desktop: Tab
) -> None:
    server = web_server(demo_home, host=BEYOND, password=PASSWORD)
    url = server.url
    assert url.startswith(f"http://{BEYOND}:")
    page = desktop.page
    for path in ("/", "/inbox", "/orders/B-0005", "/session", "/plan", "/accounts", "/plan.ics"):
        page.goto(url + path)
        expect(page).to_have_url(re.compile(r"/login\?next="))
        expect(page.locator("h1")).to_have_text("Sign in")
        assert "Emma" not in page.content()
    expect(page.get_by_role("navigation", name="Main")).to_have_count(0)

    page.goto(url + "/orders/B-0005")
    page.get_by_label("Password").fill("terracotta-41")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_have_text("That is not the password. Try again.")
    screenshot(desktop, "login-refused-desktop")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(url + "/orders/B-0005")  # back where she was going
    expect(page.locator("h1")).to_contain_text("Custom mugs")

    [cookie] = page.context.cookies()
    assert (cookie["name"], cookie["httpOnly"], cookie["sameSite"]) == (
        "banco_session",
        True,
        "Lax",
    )
    page.get_by_role("button", name="Sign out").click()
    expect(page.locator("h1")).to_have_text("Sign in")
    page.goto(url + "/")
    expect(page).to_have_url(re.compile(r"/login"))
    # the browser notes the refused password's 401; nothing else went wrong
    assert desktop.errors == [
        "Failed to load resource: the server responded with a status of 401 (Unauthorized)"
    ]


def test_sign_in_on_a_phone(
    demo_home: Path, web_server: Callable[..., RunningServer], phone: Tab
) -> None:
    server = web_server(demo_home, host=BEYOND, password=PASSWORD)
    page = phone.page
    page.goto(server.url + "/")
    screenshot(phone, "login-phone")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("h1")).to_contain_text("your day")
    assert phone.errors == []


def test_wrong_passwords_are_slowed_down(
    demo_home: Path, web_server: Callable[..., RunningServer]
) -> None:
    server = web_server(demo_home, host=BEYOND, password=PASSWORD)
    with httpx.Client(base_url=server.url) as client:
        page = client.get("/login")
        csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
        assert csrf
        for _ in range(5):
            answer = client.post("/login", data={"csrf": csrf[1], "password": "guess"})
            assert answer.status_code == 401
        answer = client.post("/login", data={"csrf": csrf[1], "password": PASSWORD})
        assert answer.status_code == 429
        assert "Too many wrong passwords. Wait 5 minutes" in answer.text
        assert client.get("/orders", follow_redirects=False).status_code == 303


@pytest.mark.parametrize(
    ("target", "goes_to"),
    [
        ("/orders/B-0005", "/orders/B-0005"),
        ("/inbox?q=tazze", "/inbox?q=tazze"),
        ("https://evil.example/", "/"),
        ("//evil.example/", "/"),
        ("/\t/evil.example/", "/"),
        ("/\\evil.example/", "/"),
        ("", "/"),
    ],
)
def test_after_signing_in_she_only_goes_back_to_this_site(target: str, goes_to: str) -> None:
    assert safe_next(target) == goes_to


def test_the_limit_lifts_after_its_wait_and_grows_with_each_wrong_password() -> None:
    clock = FixedClock(datetime(2026, 11, 20, 10, 0, tzinfo=UTC))
    limiter = LoginLimiter(clock, free=2, first_wait=timedelta(minutes=1))
    limiter.failed("a")
    limiter.failed("a")
    assert limiter.may_try_at("a") == clock.at + timedelta(minutes=1)
    assert limiter.may_try_at("b") is None
    clock.at += timedelta(minutes=1)
    assert limiter.may_try_at("a") is None
    limiter.failed("a")
    assert limiter.may_try_at("a") == clock.at + timedelta(minutes=2)
    limiter.succeeded("a")
    assert limiter.may_try_at("a") is None


def test_a_calendar_app_reads_the_plan_with_its_key(
    demo_home: Path, web_server: Callable[..., RunningServer], desktop: Tab
) -> None:
    server = web_server(demo_home, host=BEYOND, password=PASSWORD)
    url = server.url
    secret = (demo_home / "web-secret").read_text().strip()
    answer = httpx.get(f"{url}/plan.ics?key={calendar_key(secret)}")
    assert answer.status_code == 200 and answer.text.startswith("BEGIN:VCALENDAR")
    assert httpx.get(f"{url}/plan.ics?key=wrong").status_code == 303
    assert httpx.get(f"{url}/plan?key={calendar_key(secret)}").status_code == 303  # only the file

    page = desktop.page
    page.goto(url + "/plan")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    link = page.get_by_label("Calendar address").input_value()
    assert link == f"{url}/plan.ics?key={calendar_key(secret)}"


def test_the_cookie_is_secure_behind_an_https_proxy(
    demo_home: Path, web_server: Callable[..., RunningServer]
) -> None:
    server = web_server(demo_home, host=BEYOND, password=PASSWORD, trusted_proxies=["127.0.0.1"])
    plain = httpx.get(server.url + "/login")
    assert "secure" not in plain.headers["set-cookie"].lower()
    proxied = httpx.get(server.url + "/login", headers={"X-Forwarded-Proto": "https"})
    assert "; secure" in proxied.headers["set-cookie"].lower()
