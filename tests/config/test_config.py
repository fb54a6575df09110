from __future__ import annotations

from pathlib import Path

import pytest

from banco.config import ConfigError, Secret, SecretError, load_config


def load(home: Path, registry):
    return load_config(home / "banco.toml", registry.options())


def messages(error: ConfigError) -> list[str]:
    return [str(p) for p in error.problems]


def test_a_valid_config_loads_with_defaults(write_shop, registry) -> None:
    home = write_shop(
        """
        [[accounts]]
        name = "mail"
        kind = "maildir"
        path = "Maildir"

        [schedule]
        collect = ["08:00", "mon-fri 12:30"]
        """
    )
    config = load(home, registry)
    assert config.shop.timezone.key == "Europe/Rome"
    assert config.shop.addresses == ("giulia@shop.example",)
    account = config.account("mail")
    assert account.settings["path"] == home / "Maildir"  # relative to the shop folder
    assert account.settings["max_message_mb"] == 25
    slots = config.schedule["collect"]
    assert [(s.days, s.hour, s.minute) for s in slots] == [("", 8, 0), ("mon-fri", 12, 30)]
    assert config.digest["due_days"] == 7


def test_every_problem_is_reported_with_its_key_and_a_fix(write_shop, registry) -> None:
    home = write_shop(
        """
        [schedul]
        collect = ["8am"]

        [[accounts]]
        name = "mail"
        kind = "mailddir"

        [[accounts]]
        name = "form"
        kind = "csv"
        pth = "answers.csv"
        """
    )
    with pytest.raises(ConfigError) as caught:
        load(home, registry)
    found = messages(caught.value)
    assert 'schedul: unknown section; did you mean "schedule"?' in found
    assert any(
        m.startswith('accounts[1] (mail).kind: unknown kind "mailddir"; did you mean "maildir"?')
        and "known kinds: " in m
        for m in found
    )
    assert 'accounts[2] (form).pth: unknown key; did you mean "path"?' in found
    assert any(m.startswith("accounts[2] (form).path: missing") for m in found)


def test_bad_times_and_languages_and_zones(write_shop, registry) -> None:
    home = write_shop(
        """
        [schedule]
        reply = ["25:00", "fry 09:00"]
        """,
        header='[shop]\ntimezone = "Mars/Olympus"\nlanguages = ["de"]\n',
    )
    with pytest.raises(ConfigError) as caught:
        load(home, registry)
    text = "\n".join(messages(caught.value))
    assert '"25:00" is not a time' in text
    assert '"fry" in "fry 09:00" is not a day' in text
    assert '"Mars/Olympus" is not a time zone' in text
    assert '"de" is not available' in text


def test_a_password_written_in_the_file_is_refused(write_shop, registry, monkeypatch) -> None:
    from banco.config import Option
    from banco.connectors import Registry

    class WithSecret:
        options = {"password": Option("secret")}

    reg = Registry(kinds={**registry.kinds, "secretive": WithSecret})
    home = write_shop('[[accounts]]\nname = "x"\nkind = "secretive"\npassword = "hunter2"\n')
    with pytest.raises(ConfigError) as caught:
        load(home, reg)
    assert "secrets are never written in banco.toml" in str(caught.value)
    assert "hunter2" not in str(caught.value)


def test_secret_references_are_read_only_when_needed(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("SHOP_PW", "s3cret")
    assert Secret("env", "SHOP_PW").reveal() == "s3cret"
    (tmp_path / "pw").write_text("from-file\n")
    assert Secret("file", "pw", tmp_path).reveal() == "from-file"
    assert Secret("command", "echo from-command").reveal() == "from-command"
    assert "s3cret" not in repr(Secret("env", "SHOP_PW"))
    with pytest.raises(SecretError, match="MISSING_VAR is not set"):
        Secret("env", "MISSING_VAR").reveal()
    with pytest.raises(SecretError, match="cannot read the secret file"):
        Secret("file", "nope", tmp_path).reveal()
    with pytest.raises(SecretError, match="failed: no such entry"):
        Secret("command", "echo 'no such entry' >&2; exit 1").reveal()


def test_missing_and_broken_files(tmp_path: Path, registry) -> None:
    with pytest.raises(ConfigError, match="run `banco init`"):
        load(tmp_path, registry)
    (tmp_path / "banco.toml").write_text("[shop\nname=")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load(tmp_path, registry)
