"""Banco installs the way a maker installs a command: with pipx, from this checkout and from a
built wheel, into a folder of its own (every dependency from the package index, nothing of the
test environment). The installed `banco` runs the demo, and the commands the demo prints work
as printed (the real path when `banco` is not on the PATH)."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def pipx(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "PIPX_HOME": str(home / "pipx"),
        "PIPX_BIN_DIR": str(home / "bin"),
        "PIPX_MAN_DIR": str(home / "man"),
    }
    done = subprocess.run(
        [sys.executable, "-m", "pipx", *args], capture_output=True, text=True, env=env, timeout=900
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done


@pytest.mark.parametrize("source", ["checkout", "wheel"])
def test_pipx_installs_a_banco_whose_demo_commands_work_as_printed(
    source: str, tmp_path: Path
) -> None:
    target = str(ROOT)
    if source == "wheel":
        subprocess.run(
            [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), target],
            check=True,
            capture_output=True,
            timeout=600,
        )
        [wheel] = tmp_path.glob("banco-*.whl")
        target = str(wheel)
    pipx(tmp_path, "install", target)
    banco = tmp_path / "bin" / "banco"
    assert subprocess.run([banco, "--version"], capture_output=True, text=True).stdout.startswith(
        "banco, version"
    )

    shop = tmp_path / "demo"
    demo = subprocess.run([banco, "demo", str(shop)], capture_output=True, text=True, timeout=300)
    assert demo.returncode == 0, demo.stderr
    # not on the PATH here: each line names the program pipx installed
    program = shlex.quote(str(Path(demo.stdout.split("Try next:")[1].split()[0])))
    assert Path(program).resolve() == banco.resolve()
    for args in ("orders", "orders show B-0001", "messages --waiting", 'search "tazze"'):
        printed = f"{program} --home {shlex.quote(str(shop))} {args}"
        assert f"\n  {printed} " in demo.stdout, printed
        ran = subprocess.run(shlex.split(printed), capture_output=True, text=True, timeout=120)
        assert ran.returncode == 0 and ran.stdout, (printed, ran.stderr)
