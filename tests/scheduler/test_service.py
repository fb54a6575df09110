"""`banco service install|status|logs`: every secret read the way the service will, the
environment file, the launchd agent, and the service manager's answers in plain words."""

from __future__ import annotations

import os
import plistlib
import stat
from pathlib import Path

import pytest

from banco.scheduler import service as svc

VAR = "BANCO_TEST_SERVICE_TOKEN"


def telegram(token: str) -> str:
    return f'\n[[accounts]]\nname = "tg"\nkind = "telegram"\ntoken = {token}\n'


@pytest.fixture
def xdg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "xdg"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(folder))
    return folder / "systemd" / "user"


def test_install_refuses_an_env_secret_then_keeps_it_in_a_private_file(
    write_shop, run, xdg: Path, monkeypatch
) -> None:
    """Her shell has the token, the service would not: refused with the fix, then --env-file."""
    monkeypatch.setenv(VAR, "123:secret-from-bashrc")
    home = write_shop(telegram(f'{{env = "{VAR}"}}'))
    refused = run("--home", str(home), "service", "install")
    assert refused.exit_code == 1
    assert f"tg.token = {{env = '{VAR}'}}: the service does not see your shell's environment" in (
        refused.output
    )
    assert "run `banco service install --env-file` to keep its value in" in refused.output
    assert "nothing was installed" in refused.output and not xdg.exists()

    kept = run("--home", str(home), "service", "install", "--env-file")
    assert kept.exit_code == 0, kept.output
    env_file = home / "service.env"
    assert stat.S_IMODE(env_file.stat().st_mode) == 0o600
    assert svc.read_env_file(env_file) == {VAR: "123:secret-from-bashrc"}
    [unit] = xdg.glob("banco-*.service")
    assert f"EnvironmentFile={env_file}\n" in unit.read_text()

    # later installs read it from the file, whatever the shell says
    monkeypatch.delenv(VAR)
    again = run("--home", str(home), "service", "install")
    assert again.exit_code == 0, again.output


def test_an_env_secret_set_nowhere_gets_the_file_fix(write_shop, run, xdg: Path) -> None:
    home = write_shop(telegram(f'{{env = "{VAR}"}}'))
    refused = run("--home", str(home), "service", "install", "--env-file")
    assert refused.exit_code == 1
    assert "write {file = " in refused.output and "--env-file" not in refused.output
    assert not (home / "service.env").exists()


def test_a_readable_file_secret_is_accepted_a_missing_one_refused(
    write_shop, run, xdg: Path
) -> None:
    home = write_shop(telegram('{file = "tg-token"}'))
    refused = run("--home", str(home), "service", "install")
    assert refused.exit_code == 1
    assert f"cannot read the secret file {home / 'tg-token'}" in refused.output
    assert "check the path in banco.toml" in refused.output

    (home / "tg-token").write_text("123:abc\n")
    installed = run("--home", str(home), "service", "install")
    assert installed.exit_code == 0, installed.output
    [unit] = xdg.glob("banco-*.service")
    assert "EnvironmentFile" not in unit.read_text()  # no environment file: none named


def test_a_command_secret_runs_without_her_shell(write_shop, run, xdg: Path, monkeypatch) -> None:
    """A password manager's command that needs a variable of her shell fails under the service."""
    monkeypatch.setenv(VAR, "from-the-shell")
    home = write_shop(telegram(f'{{command = "printenv {VAR}"}}'))
    refused = run("--home", str(home), "service", "install")
    assert refused.exit_code == 1
    assert f"the command 'printenv {VAR}' failed" in refused.output
    assert "the service runs it with no settings of your shell" in refused.output


def test_the_launchd_agent_is_written_valid_and_private(
    write_shop, run, tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.setattr("sys.platform", "darwin")
    monkeypatch.setenv("HOME", str(tmp_path / "mac"))
    monkeypatch.setenv(VAR, "123:tok")
    home = write_shop(telegram(f'{{env = "{VAR}"}}'))
    installed = run("--home", str(home), "service", "install", "--env-file")
    assert installed.exit_code == 0, installed.output
    [path] = (tmp_path / "mac" / "Library" / "LaunchAgents").glob("org.banco.banco-*.plist")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600  # it holds the token
    agent = plistlib.loads(path.read_bytes())
    assert agent["Label"] == path.stem
    assert agent["ProgramArguments"][-3:] == ["--home", str(home), "run"]
    assert agent["RunAtLoad"] is True and agent["KeepAlive"] == {"SuccessfulExit": False}
    assert agent["EnvironmentVariables"][VAR] == "123:tok"
    assert agent["StandardOutPath"] == str(home / "banco-run.log")
    assert f"launchctl bootstrap gui/$(id -u) {path}" in installed.output

    (home / "banco-run.log").write_text("09:00 collect: 3 new messages\n")
    logs = run("--home", str(home), "service", "logs")
    assert logs.output == "09:00 collect: 3 new messages\n"
    status = run("--home", str(home), "service", "status")
    assert f"Banco's service is installed ({path})" in status.output


def test_status_and_logs_without_systemd_say_so_in_one_line(write_shop, run, monkeypatch) -> None:
    home = write_shop()
    monkeypatch.setenv("PATH", "/nonexistent")
    for what in ("status", "logs"):
        result = run("--home", str(home), "service", what)
        assert result.exit_code == 1
        assert "this computer has no " in result.output and "(no systemd)" in result.output
        assert len(result.output.strip().splitlines()) == 1 and "Traceback" not in result.output


def test_an_unreachable_user_manager_is_one_line(write_shop, run, monkeypatch) -> None:
    """systemctl is here but no user manager answers (a container, a session without systemd)."""
    monkeypatch.setenv("XDG_RUNTIME_DIR", "/nonexistent")
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)
    result = run("--home", str(write_shop()), "service", "status")
    assert result.exit_code == 1
    assert "cannot reach your user's services (systemctl: " in result.output
    assert len(result.output.strip().splitlines()) == 1


SHOWN_RUNNING = """LoadState=loaded
ActiveState=active
SubState=running
UnitFileState=enabled
ActiveEnterTimestamp=Wed 2026-12-02 08:00:01 CET
"""


@pytest.mark.parametrize(
    ("shown", "said"),
    [
        (SHOWN_RUNNING, "Banco's service is running since Wed 2026-12-02 08:00:01 CET."),
        (
            "LoadState=not-found\nActiveState=inactive\nUnitFileState=\n",
            "The service is not installed: run `banco service install`",
        ),
        (
            "LoadState=loaded\nActiveState=failed\nUnitFileState=enabled\n",
            "Banco's service stopped with an error: `banco service logs` shows why",
        ),
        (
            "LoadState=loaded\nActiveState=inactive\nUnitFileState=disabled\n",
            "installed but not switched on: systemctl --user enable --now banco-",
        ),
    ],
)
def test_what_systemctl_shows_is_said_plainly(shown: str, said: str) -> None:
    assert said in svc.state_sentence("banco-1234abcd", svc.parse_show(shown))


def test_a_password_manager_that_stalls_is_stopped_and_refused(write_shop, run, xdg: Path) -> None:
    """A command secret that never answers (a locked password manager waiting for a PIN that no
    one will type under the service) is stopped at its timeout, and install says so."""
    home = write_shop(telegram('{command = "sleep 600", timeout_seconds = 1}'))
    refused = run("--home", str(home), "service", "install")
    assert refused.exit_code == 1
    assert "the command 'sleep 600' took longer than 1 s and was stopped" in refused.output
    assert not xdg.exists()


def test_install_starts_the_service_when_her_user_services_answer(
    write_shop, run, tmp_path: Path, monkeypatch
) -> None:
    """Where systemd runs for her, install starts the service at once; this machine has no user
    manager, so a `systemctl` on the PATH stands in for it and records what it was asked."""
    asked = tmp_path / "asked"
    fake = tmp_path / "bin" / "systemctl"
    fake.parent.mkdir()
    fake.write_text(f'#!/bin/sh\necho "$@" >> {asked}\n')
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake.parent}:{os.environ['PATH']}")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    home = write_shop()
    installed = run("--home", str(home), "service", "install")
    assert installed.exit_code == 0, installed.output
    [unit] = (tmp_path / "xdg" / "systemd" / "user").glob("banco-*.service")
    assert asked.read_text().splitlines() == [
        "--user daemon-reload",
        f"--user enable --now {unit.stem}",
    ]
    assert "and started it: your day runs now and at every login" in installed.output


def test_without_her_user_services_install_says_why_and_what_to_run(
    write_shop, run, tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("XDG_RUNTIME_DIR", "/nonexistent")
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)
    installed = run("--home", str(write_shop()), "service", "install")
    assert installed.exit_code == 0, installed.output
    # no user manager here (or no systemd at all): the reason, then what to run
    assert "cannot reach your user's services" in installed.output or (
        "this computer has no systemctl" in installed.output
    )
    assert "systemctl --user enable --now banco-" in installed.output
