"""``banco service install``: start ``banco run`` with the computer, so the day runs by itself."""

from __future__ import annotations

import hashlib
import os
import shlex
import sys
from pathlib import Path


def service_name(home: Path) -> str:
    """One service per shop folder: ``banco-<short hash of the folder>``."""
    return "banco-" + hashlib.sha256(str(home).encode()).hexdigest()[:8]


def command(home: Path) -> list[str]:
    return [sys.executable, "-m", "banco.inbox", "--home", str(home), "run"]


def systemd_unit(home: Path) -> str:
    return (
        "[Unit]\n"
        f"Description=Banco, the order inbox of {home}\n"
        "After=network-online.target\n"
        "Wants=network-online.target\n\n"
        "[Service]\n"
        f"ExecStart={shlex.join(command(home))}\n"
        "Restart=on-failure\n"
        "RestartSec=60\n"
        # SIGTERM lets the running step finish; give it time before a hard stop.
        "TimeoutStopSec=300\n\n"
        "[Install]\n"
        "WantedBy=default.target\n"
    )


def systemd_folder() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "systemd" / "user"


def install_systemd(home: Path) -> tuple[Path, list[str]]:
    """Write the user unit; return its path and the commands that start it."""
    name = service_name(home)
    path = systemd_folder() / f"{name}.service"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(systemd_unit(home), encoding="utf-8")
    return path, [
        "systemctl --user daemon-reload",
        f"systemctl --user enable --now {name}",
        # without lingering, user services stop at logout and start only at login
        "loginctl enable-linger $USER",
    ]


def launchd_plist(home: Path) -> str:
    args = "".join(f"    <string>{part}</string>\n" for part in command(home))
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" '
        '"http://www.apple.com/DTDs/PropertyList-1.0.dtd">\n'
        '<plist version="1.0">\n<dict>\n'
        f"  <key>Label</key><string>org.banco.{service_name(home)}</string>\n"
        f"  <key>ProgramArguments</key>\n  <array>\n{args}  </array>\n"
        "  <key>RunAtLoad</key><true/>\n"
        "  <key>KeepAlive</key><true/>\n"
        "</dict>\n</plist>\n"
    )
