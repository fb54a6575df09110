"""Every question of `banco setup` has a flag: the steps run with --no-input, a wrong or missing
answer is one line and exit status 2, a refused password one line, and her banco.toml keeps what
she wrote."""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from fixtures_autoconfig import AutoconfigServer
from fixtures_imap import Mailbox
from test_setup_mail import dovecot_ispdb

Run = Callable[..., Result]


def mail_flags(mailbox: Mailbox, **more: str) -> list[str]:
    flags = {
        "address": f"{mailbox.name}@shop.example",
        "imap-host": "127.0.0.1",
        "imap-port": str(mailbox.server.imaps_port),
        "imap-security": "ssl",
        "smtp-host": "127.0.0.1",
        "smtp-port": "2525",
        "smtp-security": "none",
        "username": mailbox.name,
        "password": mailbox.user.password,
        **more,
    }
    return [part for key, value in flags.items() for part in (f"--{key}", value)]


def new_shop(home: Path, *flags: str) -> list[str]:
    return ["--home", str(home), "setup", *flags]


def test_the_mail_step_with_every_answer_given_asks_nothing(
    tmp_path: Path, run: Run, mailbox: Mailbox
) -> None:
    mailbox.append("Sent", [b"Subject: x\r\n\r\nx\r\n"])
    home = tmp_path / "shop"
    done = run(
        *new_shop(home, "mail", "--no-input", "--no-tls-verify", "--language", "it"),
        *mail_flags(mailbox, **{"shop-name": "Ceramiche Giulia", "folders": "INBOX"}),
    )
    assert done.exit_code == 0, done.output
    config = tomllib.loads((home / "banco.toml").read_text())
    assert config["shop"]["name"] == "Ceramiche Giulia" and config["shop"]["languages"] == ["it"]
    assert config["shop"]["addresses"] == [f"{mailbox.name}@shop.example"]
    account = config["accounts"][0]
    assert account["sent_folder"] == "Sent"  # proposed, and taken without a question
    assert account["password"] == {"file": "secrets/mail.password"}
    assert "La tua bottega è pronta" in done.output  # she chose Italian: the rest is in it


def test_a_refused_password_given_as_a_flag_is_one_line_and_nothing_is_written(
    tmp_path: Path, run: Run, mailbox: Mailbox
) -> None:
    home = tmp_path / "shop"
    done = run(
        *new_shop(home, "mail", "--no-input", "--no-tls-verify"),
        *mail_flags(mailbox, password="wrong"),
    )
    assert done.exit_code == 1
    assert (
        done.output.strip().splitlines()[-1].startswith("Error: The mail server 127.0.0.1 refused")
    )
    assert "Traceback" not in done.output
    assert "accounts" not in tomllib.loads((home / "banco.toml").read_text())


def test_a_missing_answer_with_no_input_names_its_flag(tmp_path: Path, run: Run) -> None:
    done = run(*new_shop(tmp_path / "shop", "mail", "--no-input"))
    assert done.exit_code == 2
    assert done.output.strip().splitlines()[-1] == (
        "Error: banco setup needs --address when it runs with --no-input"
    )


def test_a_wrong_value_on_the_command_line_is_one_line_and_exit_2(tmp_path: Path, run: Run) -> None:
    done = run(*new_shop(tmp_path / "shop", "mail", "--no-input", "--address", "giulia"))
    assert done.exit_code == 2
    assert done.output.strip().splitlines()[-1] == (
        "Error: giulia is not an email address (such as giulia@example.com)."
    )
    bad_time = run(
        *new_shop(tmp_path / "shop", "schedule", "--no-input", "--keep-day", "no"),
        "--collect-times",
        "8 o'clock",
    )
    assert bad_time.exit_code == 2 and "8 o'clock is not a time" in bad_time.output


def test_an_existing_banco_toml_keeps_her_comments_and_accounts(
    tmp_path: Path, run: Run, mailbox: Mailbox, write_shop: Callable[..., Path]
) -> None:
    home = write_shop(
        """
        # my own note about the shop
        [[accounts]]
        name = "answers"
        kind = "csv"
        path = "answers.csv"  # downloaded on Mondays
        """
    )
    (home / "answers.csv").write_text("Timestamp,Email\n")
    done = run(
        *new_shop(home, "mail", "--no-input", "--no-tls-verify"),
        *mail_flags(mailbox, **{"sent-folder": "-"}),
    )
    assert done.exit_code == 0, done.output
    text = (home / "banco.toml").read_text()
    assert "# my own note about the shop" in text and "# downloaded on Mondays" in text
    config = tomllib.loads(text)
    assert [a["name"] for a in config["accounts"]] == ["answers", "mail"]
    assert config["shop"]["addresses"] == ["giulia@shop.example", f"{mailbox.name}@shop.example"]
    # run again: the same account is replaced, not added twice
    again = run(
        *new_shop(home, "mail", "--no-input", "--no-tls-verify"),
        *mail_flags(mailbox, **{"sent-folder": "-"}),
    )
    assert again.exit_code == 0, again.output
    assert [a["name"] for a in tomllib.loads((home / "banco.toml").read_text())["accounts"]] == [
        "answers",
        "mail",
    ]


def test_a_stalled_lookup_is_one_line_and_the_servers_are_asked_by_hand(
    tmp_path: Path, run: Run, mailbox: Mailbox, stalling: str
) -> None:
    home = tmp_path / "shop"
    flags = [f for f in mail_flags(mailbox)]
    done = run(
        *new_shop(home, "mail", "--no-tls-verify", "--autoconfig-timeout", "0.2"),
        "--autoconfig",
        stalling,
        "--address",
        f"{mailbox.name}@shop.example",
        "--username",
        mailbox.name,
        "--password",
        mailbox.user.password,
        input="\n".join(
            [
                "en",
                "",
                "",
                "",
                "127.0.0.1",
                "ssl",
                str(mailbox.server.imaps_port),
                "",
                "",
                "",
                "",
                "",
                "",
            ]
        ),
    )
    assert flags and done.exit_code == 0, done.output
    assert (
        "Banco could not find your mail servers (looking up the mail servers of shop.example"
        " took too long)." in done.output
    )
    assert "The IMAP server (or your provider's name, such as Aruba):" in done.output


def test_the_servers_found_by_autoconfig_need_no_server_flags(
    tmp_path: Path, run: Run, mailbox: Mailbox, autoconfig: AutoconfigServer
) -> None:
    autoconfig.files["shop.example"] = dovecot_ispdb(mailbox)
    done = run(
        *new_shop(tmp_path / "shop", "mail", "--no-input", "--no-tls-verify"),
        "--autoconfig",
        autoconfig.place,
        "--address",
        f"{mailbox.name}@shop.example",
        "--password",
        mailbox.user.password,
    )
    assert done.exit_code == 0, done.output


def test_the_schedule_step_writes_her_times(tmp_path: Path, run: Run) -> None:
    home = tmp_path / "shop"
    done = run(
        *new_shop(home, "schedule", "--no-input", "--keep-day", "no"),
        "--collect-times",
        "07:30, mon-fri 13:00",
        "--plan-times",
        "-",
    )
    assert done.exit_code == 0, done.output
    schedule = tomllib.loads((home / "banco.toml").read_text())["schedule"]
    assert schedule["collect"] == ["07:30", "mon-fri 13:00"]
    assert schedule["plan"] == [] and schedule["reply"] == ["09:00", "17:00"]


def test_the_form_step_writes_a_csv_account(tmp_path: Path, run: Run) -> None:
    home = tmp_path / "shop"
    home.mkdir()
    (home / "answers.csv").write_text("Timestamp,Email Address,Name\n")
    done = run(*new_shop(home, "form", "--no-input", "--form-kind", "csv", "--csv", "answers.csv"))
    assert done.exit_code == 0, done.output
    account = tomllib.loads((home / "banco.toml").read_text())["accounts"][0]
    assert account == {"name": "order-form", "kind": "csv", "path": "answers.csv"}
    assert "✓ order-form" in done.output


def test_the_whole_flow_skips_what_she_leaves_out(tmp_path: Path, run: Run) -> None:
    home = tmp_path / "shop"
    done = run(
        *new_shop(home, "--no-input", "--skip", "mail", "--skip", "telegram", "--skip", "form")
    )
    assert done.exit_code == 0, done.output
    config = tomllib.loads((home / "banco.toml").read_text())
    assert "accounts" not in config and config["schedule"]["digest"] == ["08:30"]


def test_outlook_is_written_for_microsoft_sign_in_without_a_password(
    tmp_path: Path, run: Run
) -> None:
    home = tmp_path / "shop"
    done = run(
        *new_shop(home, "mail", "--no-input", "--address", "giulia@hotmail.it"),
        "--oauth-client-id",
        "0b5e-her-app",
    )
    assert "Found: Outlook." in done.output and "`banco auth mail`" in done.output
    assert "Traceback" not in done.output
    account = tomllib.loads((home / "banco.toml").read_text())["accounts"][0]
    assert account["auth"] == "microsoft" and account["host"] == "outlook.office365.com"
    assert account["oauth_client_id"] == "0b5e-her-app" and account["append_to_sent"] is False
    assert "password" not in account and not (home / "secrets").exists()


def test_gmail_offers_an_app_password_or_google_sign_in(tmp_path: Path, run: Run) -> None:
    home = tmp_path / "shop"
    done = run(
        *new_shop(home, "mail", "--no-input", "--address", "giulia@gmail.com", "--login", "oauth"),
        "--oauth-client",
        "client_secret.json",
    )
    assert "App passwords" in done.output
    account = tomllib.loads((home / "banco.toml").read_text())["accounts"][0]
    assert account["auth"] == "google" and account["username"] == "giulia@gmail.com"
    assert account["oauth_client"] == {"file": "client_secret.json"}
    assert account["append_to_sent"] is False  # Gmail files what is sent itself


def test_a_password_manager_command_stays_the_only_place_of_the_password(
    tmp_path: Path, run: Run, mailbox: Mailbox
) -> None:
    home = tmp_path / "shop"
    flags = mail_flags(mailbox, **{"sent-folder": "-"})
    at = flags.index("--password")
    del flags[at : at + 2]
    command = f"printf %s {mailbox.user.password}"
    done = run(
        *new_shop(home, "mail", "--no-input", "--no-tls-verify"),
        *flags,
        "--password-command",
        command,
    )
    assert done.exit_code == 0, done.output
    account = tomllib.loads((home / "banco.toml").read_text())["accounts"][0]
    assert account["password"] == {"command": command}
    assert not (home / "secrets").exists()


def test_the_form_step_writes_a_google_sheet_with_its_key_file(tmp_path: Path, run: Run) -> None:
    home = tmp_path / "shop"
    sheet = "https://docs.google.com/spreadsheets/d/1AbC/edit"
    done = run(
        *new_shop(home, "form", "--no-input", "--form-kind", "sheet", "--sheet", sheet),
        "--service-account",
        "service-account.json",
    )
    account = tomllib.loads((home / "banco.toml").read_text())["accounts"][0]
    assert account == {
        "name": "order-form",
        "kind": "gsheet",
        "spreadsheet": sheet,
        "credentials": {"file": "service-account.json"},
    }
    # the key file is not there yet: the checks say so in a line, and what was written stays
    assert done.exit_code == 1 and "✗ order-form: needs you" in done.output
    assert "Traceback" not in done.output


def test_a_banco_toml_that_is_not_toml_is_one_line_and_stays_as_it_is(
    tmp_path: Path, run: Run
) -> None:
    home = tmp_path / "shop"
    home.mkdir()
    (home / "banco.toml").write_text('[shop]\nname = "Giulia\n')
    done = run(*new_shop(home, "schedule", "--no-input"))
    assert done.exit_code == 1
    [line] = done.output.strip().splitlines()
    assert line.startswith(f"Error: {home / 'banco.toml'} cannot be read (")
    assert line.endswith("fix that line, then run `banco setup` again.")
    assert (home / "banco.toml").read_text() == '[shop]\nname = "Giulia\n'


def test_the_password_can_come_from_banco_setup_password_not_the_command_line(
    tmp_path: Path, run: Run, mailbox: Mailbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BANCO_SETUP_PASSWORD", mailbox.user.password)
    flags = mail_flags(mailbox, **{"sent-folder": "-"})
    at = flags.index("--password")
    del flags[at : at + 2]
    home = tmp_path / "shop"
    done = run(*new_shop(home, "mail", "--no-input", "--no-tls-verify"), *flags)
    assert done.exit_code == 0, done.output
    assert (home / "secrets" / "mail.password").read_text().strip() == mailbox.user.password


def test_the_whole_flow_ends_by_installing_the_service_when_she_says_so(
    tmp_path: Path, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    home = tmp_path / "shop"
    skips = ("--skip", "mail", "--skip", "telegram", "--skip", "form")
    without = run(*new_shop(home, "--no-input", *skips))
    assert without.exit_code == 0, without.output
    assert not (tmp_path / "xdg").exists()  # a script installs nothing it did not ask for
    assert "`banco service install`" in without.output
    done = run(*new_shop(home, "--no-input", "--service", *skips))
    assert done.exit_code == 0, done.output
    [unit] = (tmp_path / "xdg" / "systemd" / "user").glob("banco-*.service")
    assert f"--home {home.resolve()} run" in unit.read_text()
    assert "systemctl --user enable --now" in done.output
