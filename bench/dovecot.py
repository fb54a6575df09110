"""A throwaway Dovecot IMAP server on loopback, for the email tests and the IMAP benchmark.

    server = Dovecot.create()          # config, certificate and folders in a fresh temporary folder
    server.start()                     # `dovecot -F` on free ports; returns once it answers
    user = server.add_user("ann", "secret")
    server.write_message(user, "INBOX", raw_bytes)    # straight into the Maildir, as a delivery would
    ...
    server.stop()                      # by its PID
    server.remove()

One server offers implicit TLS (``imaps_port``) and plain IMAP with STARTTLS (``imap_port``), with a
self-signed certificate. As root (CI), mail is stored under a throwaway system user, because Dovecot
refuses to run mail processes as uid 0; as another user, everything runs as that user. The recipe is
the one in ``../shared/research/imap_server_and_performance.md``.
"""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

#: The system user owning the mail when the server is started by root.
MAIL_USER = "imapci"
START_SECONDS = 15
STOP_SECONDS = 10


class DovecotMissing(RuntimeError):
    """Dovecot is not installed: the email tests need the Debian package dovecot-imapd."""


@dataclass(frozen=True)
class MailUser:
    name: str
    password: str
    maildir: Path


def dovecot_binary() -> str:
    found = shutil.which("dovecot") or next(
        (p for p in ("/usr/sbin/dovecot", "/usr/local/sbin/dovecot") if os.access(p, os.X_OK)), None
    )
    if found is None:
        raise DovecotMissing(
            "Dovecot is not installed: install the Debian package dovecot-imapd"
            " (apt-get install dovecot-imapd); the email tests need a real IMAP server"
        )
    return found


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def encode_folder(name: str) -> str:
    """A folder's directory name in Dovecot's Maildir++ layout: ``.Name``, in modified UTF-7."""
    from banco.connectors.maildir.folders import encode_mutf7  # only needed here

    return "." + encode_mutf7(name.replace("/", "."))


class Dovecot:
    """One Dovecot master process and its folder. Ports stay the same across restarts."""

    def __init__(self, root: Path, introspection_url: str | None = None) -> None:
        self.root = root
        #: where Dovecot asks whether an XOAUTH2 token is valid (an ``oauth2`` passdb after the
        #: password file); None: the password file only, and XOAUTH2 takes the password
        self.introspection_url = introspection_url
        self.binary = dovecot_binary()
        self.imap_port = free_port()
        self.imaps_port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.as_root = os.geteuid() == 0
        self.owner = _mail_owner() if self.as_root else pwd.getpwuid(os.geteuid())
        #: base_dir holds the server's sockets: a short path keeps them under the Unix limit
        self.run_dir = Path(tempfile.mkdtemp(prefix="dc-"))
        self._write_config()

    @classmethod
    def create(cls, introspection_url: str | None = None) -> Dovecot:
        """A server in a new temporary folder (short, so socket paths stay under the Unix limit,
        and outside 0700 folders, so the mail user can reach its Maildir)."""
        root = Path(tempfile.mkdtemp(prefix="banco-dovecot-"))
        root.chmod(0o755)
        return cls(root, introspection_url)

    # --- life cycle ---------------------------------------------------------------------------
    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    def start(self) -> None:
        if self.process is not None:
            return
        self.process = subprocess.Popen(
            [self.binary, "-F", "-c", str(self.root / "dovecot.conf")],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=open(self.root / "dovecot.stderr", "ab"),  # noqa: SIM115 (the child keeps it)
            start_new_session=True,  # its own process group, so pause() reaches every process
        )
        deadline = time.monotonic() + START_SECONDS
        while not self._answers():
            if self.process.poll() is not None:
                self.process = None
                raise RuntimeError(f"Dovecot stopped at start:\n{self.log_tail()}")
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(
                    f"Dovecot did not answer in {START_SECONDS} s:\n{self.log_tail()}"
                )
            time.sleep(0.01)  # polling the port until the server answers, not waiting for time

    def stop(self) -> None:
        """Stop the server by its master's PID, then end what is left of its process group:
        a mail process serving a client outlives its master for a while."""
        process, self.process = self.process, None
        if process is None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(STOP_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        with suppress(ProcessLookupError, PermissionError):  # nothing left
            os.killpg(process.pid, signal.SIGKILL)

    def pause(self) -> None:
        """Freeze every process of the server (SIGSTOP): connections open, nothing answers."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGSTOP)

    def resume(self) -> None:
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGCONT)

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)
        shutil.rmtree(self.run_dir, ignore_errors=True)

    def log_tail(self, lines: int = 30) -> str:
        text = ""
        for name in ("dovecot.stderr", "dovecot.log"):
            path = self.root / name
            if path.exists():
                text += path.read_text(errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def _answers(self) -> bool:
        """True once the plain port greets with ``* OK`` (a connection made earlier is dropped)."""
        try:
            with socket.create_connection(("127.0.0.1", self.imap_port), timeout=1) as s:
                return s.recv(64).startswith(b"* OK")
        except OSError:
            return False

    # --- users and mail -----------------------------------------------------------------------
    def add_user(self, name: str, password: str) -> MailUser:
        maildir = self.root / "home" / name / "Maildir"
        for sub in ("cur", "new", "tmp"):
            (maildir / sub).mkdir(parents=True, exist_ok=True)
        self._give(self.root / "home" / name)
        # One file per user: Dovecot caches a passwd file by its time (in seconds) and size, so
        # a second user added to one file in the same second could go unseen.
        (self.root / "passwd.d" / name).write_text(f"{name}:{{PLAIN}}{password}::::::nodelay=yes\n")
        return MailUser(name, password, maildir)

    def folder_path(self, user: MailUser, folder: str) -> Path:
        return user.maildir if folder.upper() == "INBOX" else user.maildir / encode_folder(folder)

    def write_message(
        self,
        user: MailUser,
        folder: str,
        data: bytes,
        *,
        name: str | None = None,
        mtime: float | None = None,
        flags: str | None = None,
    ) -> Path:
        """Deliver ``data`` straight into a Maildir folder: ``new/`` unless ``flags`` are given
        (then ``cur/NAME:2,FLAGS``). The file's time is the message's INTERNALDATE."""
        directory = self.folder_path(user, folder)
        if not (directory / "cur").is_dir():
            for sub in ("cur", "new", "tmp"):
                (directory / sub).mkdir(parents=True, exist_ok=True)
            (directory / "maildirfolder").touch()
            self._give(directory)
        name = name or f"{time.time_ns()}.P{os.getpid()}.banco"
        path = directory / ("new" if flags is None else "cur") / name
        if flags is not None:
            path = path.with_name(f"{name}:2,{flags}")
        temporary = directory / "tmp" / name
        temporary.write_bytes(data)
        if mtime is not None:
            os.utime(temporary, (mtime, mtime))
        os.chown(temporary, self.owner.pw_uid, self.owner.pw_gid)
        temporary.rename(path)
        return path

    def _give(self, path: Path) -> None:
        """Make ``path`` (and everything under it) belong to the mail user."""
        uid, gid = self.owner.pw_uid, self.owner.pw_gid
        os.chown(path, uid, gid)
        for parent, dirs, files in os.walk(path):
            for entry in dirs + files:
                os.chown(os.path.join(parent, entry), uid, gid)

    # --- configuration ------------------------------------------------------------------------
    def _write_config(self) -> None:
        root = self.root
        run = self.run_dir
        for sub in ("state", "home"):
            (root / sub).mkdir(exist_ok=True)
        (root / "home").chmod(0o755)
        (root / "passwd.d").mkdir(exist_ok=True)
        _self_signed_certificate(root / "cert.pem", root / "key.pem")
        owner = self.owner
        if self.as_root:
            userdb = f"uid={owner.pw_uid} gid={owner.pw_gid} home={root}/home/%u"
            extra = ""
        else:
            userdb = f"home={root}/home/%u"
            extra = _NON_ROOT.format(user=owner.pw_name, group=_group_name(owner.pw_gid))
        (root / "dovecot.conf").write_text(
            _CONFIG.format(
                root=root,
                run=run,
                userdb=userdb,
                uid=owner.pw_uid,
                gid=owner.pw_gid,
                imap_port=self.imap_port,
                imaps_port=self.imaps_port,
            )
            + extra
            + self._oauth2_passdb()
        )

    def _oauth2_passdb(self) -> str:
        if self.introspection_url is None:
            return ""
        settings = self.root / "dovecot-oauth2.conf.ext"
        settings.write_text(_OAUTH2.format(url=self.introspection_url))
        return f"passdb {{\n  driver = oauth2\n  mechanisms = xoauth2 oauthbearer\n  args = {settings}\n}}\n"


def _mail_owner() -> pwd.struct_passwd:
    """The throwaway system user the mail belongs to when running as root; created if missing."""
    try:
        return pwd.getpwnam(MAIL_USER)
    except KeyError:
        subprocess.run(
            ["useradd", "-M", "-r", "-s", "/usr/sbin/nologin", MAIL_USER],
            check=True,
            capture_output=True,
        )
        return pwd.getpwnam(MAIL_USER)


def _group_name(gid: int) -> str:
    import grp

    return grp.getgrgid(gid).gr_name


def _self_signed_certificate(cert: Path, key: Path) -> None:
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
            "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "3650",
            "-subj", "/CN=localhost",
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    key.chmod(0o600)


# Each block spans several lines: Dovecot refuses `x { y }` on one line.
_CONFIG = """\
base_dir = {run}
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = yes
ssl_cert = <{root}/cert.pem
ssl_key = <{root}/key.pem
disable_plaintext_auth = no
auth_mechanisms = plain login xoauth2 oauthbearer
auth_failure_delay = 0
first_valid_uid = {uid}
first_valid_gid = {gid}
mail_max_userip_connections = 200
mail_location = maildir:{root}/home/%u/Maildir
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd.d/%u
}}
userdb {{
  driver = static
  args = {userdb}
}}
# no growing delay for an address after failed logins (the tests fail some on purpose)
service anvil {{
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {imap_port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {imaps_port}
    ssl = yes
  }}
}}
"""

# Dovecot posts the token (token=...) and takes it when the answer says active and names the user.
_OAUTH2 = """\
introspection_mode = post
introspection_url = {url}
force_introspection = yes
username_attribute = username
active_attribute = active
active_value = true
"""

_NON_ROOT = """\
default_login_user = {user}
default_internal_user = {user}
default_internal_group = {group}
service anvil {{
  chroot =
  user = {user}
}}
service imap-login {{
  chroot =
}}
service auth {{
  user = {user}
}}
service auth-worker {{
  user = {user}
}}
service stats {{
  user = {user}
}}
"""
