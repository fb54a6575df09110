"""banco.toml written whole or not at all: a setup killed while saving leaves her file as it was
before or after that save, never half of it."""

from __future__ import annotations

import signal
import subprocess
import sys
import tomllib
from pathlib import Path

import tomlkit

from banco.inbox.setup import toml_writer

# Saves her banco.toml with one more account, and stops halfway through writing the file's bytes
# (the worst moment), says so, and waits there to be killed.
SAVER = """
import pathlib, sys
import tomlkit

from banco.inbox.setup import toml_writer

def halfway(self, data, *args, **kwargs):
    with open(self, "w", encoding="utf-8") as f:
        f.write(data[: len(data) // 2])
        f.flush()
        print("halfway", flush=True)
        sys.stdin.readline()

pathlib.Path.write_text = halfway
path = pathlib.Path(sys.argv[1])
doc = toml_writer.read(path)
toml_writer.put_account(doc, {"name": "mail", "kind": "imap"}, {})
toml_writer.save(path, doc)
"""


def test_a_setup_killed_while_saving_leaves_her_banco_toml_whole(tmp_path: Path) -> None:
    path = tmp_path / "banco.toml"
    before = '# her note\n[shop]\nname = "Giulia"\n'
    path.write_text(before)
    saver = subprocess.Popen(
        [sys.executable, "-c", SAVER, str(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert saver.stdout is not None and saver.stdout.readline() == "halfway\n"
    saver.send_signal(signal.SIGKILL)
    saver.wait()
    assert path.read_text() == before
    tomllib.loads(path.read_text())


def test_adding_an_account_keeps_her_layout_and_comments(tmp_path: Path) -> None:
    path = tmp_path / "banco.toml"
    before = (
        '# her note\n[shop]\nname = "Giulia"  # the sign on the door\n\n'
        '[[accounts]]\nname = "form"\nkind = "csv"\npath = "a.csv"\n'
    )
    path.write_text(before)
    doc = toml_writer.read(path)
    toml_writer.put_account(doc, {"name": "mail", "kind": "imap", "password": {"file": "p"}}, {})
    toml_writer.save(path, doc)
    after = path.read_text()
    assert after.startswith(before)
    assert 'password = {file = "p"}' in after
    assert [p.name for p in tmp_path.iterdir()] == ["banco.toml"]  # no file left beside it


def test_her_first_account_starts_after_a_blank_line(tmp_path: Path) -> None:
    doc = toml_writer.parse('[templates]\n# dir = "templates"  # her reply templates\n')
    toml_writer.put_account(doc, {"name": "mail", "kind": "imap"}, {})
    assert tomlkit.dumps(doc).endswith(
        '# her reply templates\n\n[[accounts]]\nname = "mail"\nkind = "imap"\n'
    )
