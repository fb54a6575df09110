"""`banco init` writes every kind of account, her computer's time zone and points to `banco
setup`; the demo's "Try next" lines name a command her shell can run."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from banco.inbox.setup.toml_writer import machine_timezone

Run = Callable[..., Result]
VENV_BANCO = str(Path(sys.executable).with_name("banco"))


def test_init_writes_imap_and_telegram_blocks_and_the_machine_time_zone(
    tmp_path: Path, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TZ", "Europe/Paris")
    done = run("--home", str(tmp_path / "shop"), "init")
    assert done.exit_code == 0 and "`banco setup`" in done.output
    text = (tmp_path / "shop" / "banco.toml").read_text()
    assert '# kind = "imap"' in text and '# kind = "telegram"' in text
    assert tomllib.loads(text)["shop"]["timezone"] == "Europe/Paris"
    lines = {line.split(" ")[0]: line for line in text.splitlines()}
    assert lines["timezone"].index("#") == lines["owner"].index("#")  # the comments' column


def test_the_machine_time_zone_is_read_from_its_link_else_utc(tmp_path: Path) -> None:
    zoneinfo = tmp_path / "usr/share/zoneinfo/Europe"
    zoneinfo.mkdir(parents=True)
    (zoneinfo / "Rome").write_text("")
    link = tmp_path / "localtime"
    link.symlink_to(zoneinfo / "Rome")
    assert machine_timezone({}, link) == "Europe/Rome"
    assert machine_timezone({"TZ": ":America/New_York"}, link) == "America/New_York"
    assert machine_timezone({"TZ": "nowhere"}, tmp_path / "missing") == "UTC"
    (zoneinfo.parent / "Etc").mkdir()
    (zoneinfo.parent / "Etc/UTC").write_text("")
    link.unlink()
    link.symlink_to(zoneinfo.parent / "Etc/UTC")
    assert machine_timezone({}, link) == "UTC"  # as the README writes it


def test_the_demo_names_the_venv_banco_when_the_shell_cannot_find_banco(tmp_path: Path) -> None:
    env = {**os.environ, "PATH": "/usr/bin:/bin", "LANGUAGE": "en"}
    done = subprocess.run(
        [VENV_BANCO, "demo", str(tmp_path / "demo")],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    assert done.returncode == 0, done.stderr
    tries = done.stdout.split("Try next:")[1]
    assert f"{VENV_BANCO} --home {tmp_path / 'demo'} orders" in tries
    assert f"{VENV_BANCO} setup" in tries
    on_path = subprocess.run(
        [VENV_BANCO, "demo", str(tmp_path / "demo")],
        capture_output=True,
        text=True,
        timeout=300,
        env={**env, "PATH": f"{Path(VENV_BANCO).parent}:/usr/bin:/bin"},
    )
    assert "  banco --home" in on_path.stdout.split("Try next:")[1]
