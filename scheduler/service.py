"""``banco service``: start ``banco run`` with the computer, so the day runs by itself.

The service runs without her shell: a variable she exports in ~/.bashrc never reaches it. So
``install`` first reads every secret of banco.toml the way the service will (``unreadable``): an
``{env}`` secret only from the service's environment file (``service.env`` beside banco.toml,
readable by her only), a ``{file}`` as the file stands, a ``{command}`` with the service's bare
environment; while one cannot be read, ``install`` refuses and says the fix.

On Linux the service is a systemd user unit, on a Mac a launchd agent in ~/Library/LaunchAgents
(launchd has no environment file: the agent holds the variables itself, and is readable by her
only). ``status`` and ``logs`` read systemctl and journalctl and say what they found in a sentence.
"""

from __future__ import annotations

import hashlib
import os
import plistlib
import shlex
import subprocess
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from banco.config import Config
from banco.config.secrets import Secret, SecretError, run_command
from banco.config.sentence import Sentence

#: the service's own environment variables, beside banco.toml
ENV_FILE = "service.env"
#: the PATH a user service starts with (systemd's default, launchd's is shorter)
SERVICE_PATH = "/usr/local/bin:/usr/bin:/bin"
FILE_EXAMPLE = '{file = "~/.config/banco/secret-name"}'
#: how long systemctl and journalctl may take
TOOL_TIMEOUT_SECONDS = 30


def service_name(home: Path) -> str:
    """One service per shop folder: ``banco-<short hash of the folder>``."""
    return "banco-" + hashlib.sha256(str(home).encode()).hexdigest()[:8]


def command(home: Path) -> list[str]:
    return [sys.executable, "-m", "banco.inbox", "--home", str(home), "run"]


# Secrets, as the service will read them --------------------------------------------------------
@dataclass(frozen=True)
class Unreadable:
    """A secret the service could not read: where banco.toml names it, why, and the fix."""

    where: str
    secret: Secret
    reason: Sentence
    fix: Sentence


def env_file(home: Path) -> Path:
    return home / ENV_FILE


def read_env_file(path: Path) -> dict[str, str]:
    """``NAME="value"`` lines, as systemd's EnvironmentFile reads the ones ``write_env_file``
    writes; nothing when there is no file."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    values = {}
    for line in text.splitlines():
        name, equals, value = line.strip().partition("=")
        if not equals or name.startswith("#"):
            continue
        if len(value) >= 2 and value[0] == value[-1] == '"':
            value = value[1:-1].replace('\\"', '"').replace("\\\\", "\\")
        values[name.strip()] = value
    return values


def write_env_file(path: Path, values: Mapping[str, str]) -> None:
    """Write ``values`` readable by her only (0600 from the first byte), replacing the file whole."""
    lines = [
        "# Banco's service reads these instead of your shell's environment. Keep it private.\n"
    ]
    for name, value in sorted(values.items()):
        quoted = value.replace("\\", "\\\\").replace('"', '\\"')
        lines.append(f'{name}="{quoted}"\n')
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.writelines(lines)
    os.chmod(tmp, 0o600)  # an older tmp file kept its own mode
    os.replace(tmp, path)


def service_environment(values: Mapping[str, str]) -> dict[str, str]:
    """What a user service starts with: who she is, a plain PATH, and the environment file."""
    base = {k: v for k in ("HOME", "USER", "LOGNAME") if (v := os.environ.get(k)) is not None}
    return {**base, "PATH": SERVICE_PATH, **values}


def secrets_of(config: Config) -> Iterator[tuple[str, Secret]]:
    """Every secret the service will read: each enabled account's, and the page's password."""
    for account in config.accounts:
        if account.enabled:
            for key, value in account.settings.items():
                for secret in _secrets_in(value):
                    yield f"{account.name}.{key}", secret
    if isinstance(config.web.get("password"), Secret) and config.web.get("enabled"):
        yield "web.password", config.web["password"]


def _secrets_in(value: object) -> Iterator[Secret]:
    if isinstance(value, Secret):
        yield value
    elif isinstance(value, Mapping):
        for inner in value.values():
            yield from _secrets_in(inner)


def unreadable(config: Config, values: Mapping[str, str]) -> list[Unreadable]:
    """The secrets the service could not read with the environment file's ``values``."""
    found = []
    environment = service_environment(values)
    path = env_file(config.home)
    for where, secret in secrets_of(config):
        if secret.kind == "env":
            if secret.source in values:
                continue
            fix = (
                Sentence(
                    "run `banco service install --env-file` to keep its value in {path}, readable"
                    " by you only",
                    path=path,
                )
                if secret.source in os.environ
                else Sentence(
                    "put it in a file readable by you only (chmod 600) and write {example} in"
                    " banco.toml instead",
                    example=FILE_EXAMPLE,
                )
            )
            reason = Sentence(
                "the service does not see your shell's environment, so {name} is not set there",
                name=secret.source,
            )
            found.append(Unreadable(where, secret, reason, fix))
            continue
        try:
            if secret.kind == "command":
                run_command(secret.source, secret.timeout, secret.base_dir, env=environment)
            else:
                secret.reveal()
        except SecretError as e:
            fix = (
                Sentence(
                    "the service runs it with no settings of your shell: make it work without"
                    " them, or use {example} instead",
                    example=FILE_EXAMPLE,
                )
                if secret.kind == "command"
                else Sentence("check the path in banco.toml, then run `banco check`")
            )
            found.append(Unreadable(where, secret, e.sentence, fix))
    return found


def keep_environment(config: Config) -> list[str]:
    """Add to the environment file every ``{env}`` secret missing there and set in this shell;
    return their names."""
    path = env_file(config.home)
    values = read_env_file(path)
    added = [
        s.source
        for _, s in secrets_of(config)
        if s.kind == "env" and s.source not in values and s.source in os.environ
    ]
    if added:
        write_env_file(path, {**values, **{name: os.environ[name] for name in added}})
    return sorted(set(added))


# systemd ----------------------------------------------------------------------------------------
def systemd_unit(home: Path, environment: Path | None = None) -> str:
    return (
        "[Unit]\n"
        f"Description=Banco, the order inbox of {home}\n"
        "After=network-online.target\n"
        "Wants=network-online.target\n\n"
        "[Service]\n"
        f"ExecStart={shlex.join(command(home))}\n"
        + (f"EnvironmentFile={environment}\n" if environment is not None else "")
        + "Restart=on-failure\n"
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
    environment = env_file(home)
    path.write_text(
        systemd_unit(home, environment if environment.exists() else None), encoding="utf-8"
    )
    return path, [
        "systemctl --user daemon-reload",
        f"systemctl --user enable --now {name}",
        # without lingering, user services stop at logout and start only at login
        "loginctl enable-linger $USER",
    ]


def start_systemd(home: Path) -> None:
    """Have systemd read the unit and start it now and at every login. Raises ServiceError
    when her user's services cannot be reached (the commands ``install_systemd`` returns are
    then hers to run)."""
    _tool(["systemctl", "--user", "daemon-reload"])
    _tool(["systemctl", "--user", "enable", "--now", service_name(home)])


# launchd ----------------------------------------------------------------------------------------
def launchd_label(home: Path) -> str:
    return f"org.banco.{service_name(home)}"


def launchd_folder() -> Path:
    return Path.home() / "Library" / "LaunchAgents"


def launchd_log(home: Path) -> Path:
    """Where a Mac's agent writes what ``banco run`` prints (launchd keeps no journal)."""
    return home / "banco-run.log"


def launchd_plist(home: Path, environment: Mapping[str, str] | None = None) -> bytes:
    agent: dict[str, object] = {
        "Label": launchd_label(home),
        "ProgramArguments": command(home),
        "RunAtLoad": True,
        # started again when it stops with an error, not after a clean stop
        "KeepAlive": {"SuccessfulExit": False},
        "ThrottleInterval": 60,
        "ExitTimeOut": 300,
        "StandardOutPath": str(launchd_log(home)),
        "StandardErrorPath": str(launchd_log(home)),
        "EnvironmentVariables": {"PATH": SERVICE_PATH, **(environment or {})},
    }
    return plistlib.dumps(agent)


def install_launchd(home: Path) -> tuple[Path, list[str]]:
    """Write the agent, readable by her only (it may hold the environment file's values)."""
    path = launchd_folder() / f"{launchd_label(home)}.plist"
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(launchd_plist(home, read_env_file(env_file(home))))
    os.chmod(path, 0o600)
    return path, [f"launchctl bootstrap gui/$(id -u) {shlex.quote(str(path))}"]


# status and logs --------------------------------------------------------------------------------
class ServiceError(Exception):
    """The service manager cannot be asked (not installed, not reachable): one sentence."""


def _tool(args: list[str]) -> str:
    try:
        done = subprocess.run(
            args, capture_output=True, text=True, timeout=TOOL_TIMEOUT_SECONDS, check=False
        )
    except FileNotFoundError:
        raise ServiceError(
            Sentence(
                "this computer has no {tool} (no systemd): start `banco run` yourself, or with"
                " your system's own way of starting programs",
                tool=args[0],
            )
        ) from None
    except subprocess.TimeoutExpired:
        raise ServiceError(Sentence("{tool} did not answer", tool=args[0])) from None
    if done.returncode != 0 and not done.stdout.strip():
        why = (done.stderr.strip().splitlines() or [f"exit status {done.returncode}"])[-1]
        raise ServiceError(
            Sentence(
                "cannot reach your user's services ({tool}: {why}); is this a session where"
                " systemd runs for you?",
                tool=args[0],
                why=why,
            )
        )
    return done.stdout


def parse_show(text: str) -> dict[str, str]:
    """``systemctl show``'s ``Key=value`` lines."""
    return dict(line.partition("=")[::2] for line in text.splitlines() if "=" in line)


def state_sentence(name: str, state: Mapping[str, str]) -> Sentence:
    """What ``systemctl --user show`` says about the service, in a sentence."""
    if state.get("LoadState") != "loaded":
        return Sentence(
            "The service is not installed: run `banco service install`, then the lines it prints"
        )
    active = state.get("ActiveState", "")
    if active == "active":
        return Sentence(
            "Banco's service is running since {since}.",
            since=state.get("ActiveEnterTimestamp") or "?",
        )
    if active == "failed":
        return Sentence(
            "Banco's service stopped with an error: `banco service logs` shows why; start it again"
            " with: systemctl --user restart {name}",
            name=name,
        )
    if active in ("activating", "reloading"):
        return Sentence("Banco's service is starting.")
    enabled = state.get("UnitFileState") == "enabled"
    if enabled:
        return Sentence(
            "Banco's service is installed but stopped; it starts at your next login, or now"
            " with: systemctl --user start {name}",
            name=name,
        )
    return Sentence(
        "Banco's service is installed but not switched on: systemctl --user enable --now {name}",
        name=name,
    )


def systemd_status(home: Path) -> Sentence:
    name = service_name(home)
    properties = "LoadState,ActiveState,SubState,UnitFileState,ActiveEnterTimestamp"
    shown = _tool(["systemctl", "--user", "show", f"{name}.service", f"--property={properties}"])
    return state_sentence(name, parse_show(shown))


def systemd_logs(home: Path, lines: int) -> list[str]:
    shown = _tool(
        [
            "journalctl",
            "--user",
            "--unit",
            f"{service_name(home)}.service",
            "--lines",
            str(lines),
            "--output",
            "short",
            "--no-pager",
            "--quiet",
        ]
    )
    return shown.splitlines()


def launchd_status(home: Path) -> Sentence:
    path = launchd_folder() / f"{launchd_label(home)}.plist"
    if not path.exists():
        return Sentence(
            "The service is not installed: run `banco service install`, then the lines it prints"
        )
    return Sentence(
        "Banco's service is installed ({path}); `launchctl list {label}` shows whether it runs.",
        path=path,
        label=launchd_label(home),
    )


def launchd_logs(home: Path, lines: int) -> list[str]:
    try:
        text = launchd_log(home).read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return []
    return text.splitlines()[-lines:]
