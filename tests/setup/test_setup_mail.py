"""`banco setup mail` as she runs it: a real `banco` process, its questions answered on its stdin,
against Dovecot (the login tested, her folders listed, Sent proposed) and a local autoconfig
server; then `banco collect` reads the mailbox it wrote."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

from fixtures_autoconfig import AutoconfigServer, ispdb
from fixtures_imap import Mailbox, mail

BANCO = str(Path(sys.executable).with_name("banco"))


def dovecot_ispdb(mailbox: Mailbox) -> str:
    """Thunderbird's free.fr entry, its servers turned to the test's Dovecot (IMAP over TLS)."""
    port = str(mailbox.server.imaps_port)
    return (
        ispdb("free.fr.xml")
        .replace("imap.free.fr", "127.0.0.1")
        .replace("<port>993</port>", f"<port>{port}</port>")
        .replace("smtp.free.fr", "127.0.0.1")
    )


def setup_mail(
    home: Path, *flags: str, typed: str = "", env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [BANCO, "--home", str(home), "setup", "mail", "--no-tls-verify", *flags],
        input=typed,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "BANCO_DEBUG": "", "LANGUAGE": "en", **(env or {})},
        start_new_session=True,  # no terminal: she types into a pipe
    )


def test_the_whole_mail_step_typed_on_stdin_ends_with_a_shop_that_collects(
    tmp_path: Path, mailbox: Mailbox, autoconfig: AutoconfigServer
) -> None:
    mailbox.append("INBOX", [mail(1)])
    mailbox.append("Ordini", [mail(2)])
    mailbox.append("Posta inviata", [mail(3, sender="giulia@shop.example")])
    autoconfig.files["shop.example"] = dovecot_ispdb(mailbox)
    home = tmp_path / "shop"
    typed = "\n".join(
        [
            "en",  # language
            "Giulia's pottery",  # shop name
            "Giulia",  # her name
            f"{mailbox.name}@shop.example",  # address
            "",  # account name: mail
            "",  # login: the part before the @, as the ISPDB file says
            "not-the-password",  # refused
            mailbox.user.password,
            "",  # Sent: the proposed "Posta inviata"
            "",  # folders: the proposed INBOX, Ordini
            "",
        ]
    )
    done = setup_mail(home, "--autoconfig", autoconfig.place, typed=typed)
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    assert "Found the mail servers of shop.example: 127.0.0.1." in out
    assert (
        "The mail server 127.0.0.1 refused this login name or password ([AUTHENTICATIONFAILED]"
        " Authentication failed.). Type the password again" in out
    )
    assert out.count("Logging in to 127.0.0.1") == 2
    assert "Posta inviata" in out and "✓ mail:" in out
    assert "Traceback" not in done.stderr
    config = (home / "banco.toml").read_text()
    assert 'sent_folder = "Posta inviata"' in config
    assert 'folders = ["INBOX", "Ordini"]' in config
    assert mailbox.user.password not in config
    secret = home / "secrets" / "mail.password"
    assert secret.read_text().strip() == mailbox.user.password
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600
    collected = subprocess.run(
        [BANCO, "--home", str(home), "collect"], capture_output=True, text=True, timeout=120
    )
    assert collected.returncode == 0, collected.stderr
    assert "mail: 3 new" in collected.stdout


def test_the_whole_flow_typed_on_stdin_mail_form_and_day(
    tmp_path: Path, mailbox: Mailbox, autoconfig: AutoconfigServer
) -> None:
    mailbox.append("INBOX", [mail(1)])
    mailbox.append("Sent", [mail(2, sender="giulia@shop.example")])
    autoconfig.files["shop.example"] = dovecot_ispdb(mailbox)
    answers = tmp_path / "answers.csv"
    answers.write_text(
        "Timestamp,Email Address,Name,What would you like?\n"
        "2026/11/18 10:00:00,anna@example.com,Anna,Sei tazze blu\n"
    )
    home = tmp_path / "shop"
    typed = "\n".join(
        [
            "it",
            "Ceramiche Giulia",
            "Giulia",
            "sì",  # mailbox: yes
            f"{mailbox.name}@shop.example",
            "",
            "",
            mailbox.user.password,
            "",  # Sent
            "",  # INBOX
            "no",  # Telegram: later
            "sì",  # form
            "csv",
            "",
            str(answers),
            "sì",  # the day
            "",  # keep these times
            "",  # start the day with the computer: yes
            "",
        ]
    )
    done = subprocess.run(
        [BANCO, "--home", str(home), "setup", "--no-tls-verify", "--autoconfig", autoconfig.place],
        input=typed,
        capture_output=True,
        text=True,
        timeout=120,
        env={
            **os.environ,
            "BANCO_DEBUG": "",
            "LANGUAGE": "en",
            "XDG_CONFIG_HOME": str(tmp_path / "xdg"),
        },
        start_new_session=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "La tua bottega è pronta" in done.stdout
    assert "✓ mail" in done.stdout and "✓ order-form" in done.stdout
    # the last question, answered with Enter: her day starts with her computer
    [unit] = (tmp_path / "xdg" / "systemd" / "user").glob("banco-*.service")
    assert f"--home {home.resolve()} run" in unit.read_text()
    collected = subprocess.run(
        [BANCO, "--home", str(home), "collect"], capture_output=True, text=True, timeout=120
    )
    assert collected.returncode == 0, collected.stderr
    assert "order-form: 1" in collected.stdout and "mail: 2" in collected.stdout


def test_a_second_setup_while_one_waits_for_her_is_one_line_and_changes_nothing(
    tmp_path: Path,
) -> None:
    home = tmp_path / "shop"
    first = subprocess.Popen(
        [BANCO, "--home", str(home), "setup", "schedule"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "LANGUAGE": "en"},
        start_new_session=True,
    )
    assert first.stdout is not None and first.stdin is not None
    # it asks the language first, holding the shop: read its question before starting the second
    assert first.stdout.read(len("Language")) == "Language"
    second = setup_mail(home, "--no-input", "--address", "giulia@libero.it")
    assert second.returncode == 1
    assert second.stderr.strip() == (
        "Error: Another `banco setup` is running in this shop: finish it first."
    )
    assert not (home / "banco.toml").exists()
    out, err = first.communicate("en\n\n\n\n", timeout=120)
    assert first.returncode == 0, out + err
