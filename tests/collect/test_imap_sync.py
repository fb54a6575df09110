"""The imap connector against a real Dovecot: what a collect reads, what it leaves alone, and what
the maker is told when something goes wrong."""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from dovecot import Dovecot
from fixtures_imap import Mailbox, mail, new_mailbox

from banco.connectors.errors import NeedsUser
from banco.connectors.imap import ImapConnector, helper
from banco.inbox.collect.sync import collect
from banco.inbox.shop import Shop

DAY = 86_400
ImapShop = Callable[..., tuple[Shop, Path]]


def stored(
    shop: Shop, where: str = "1 = 1", params: list[Any] | None = None
) -> list[dict[str, Any]]:
    return shop.store.all(f"select * from messages where {where} order by id", params or [])


def cursor(shop: Shop, stream: str) -> dict[str, Any]:
    row = shop.store.one(
        "select cursor from sync_state where account = 'mail' and stream = ?", [stream]
    )
    assert row is not None
    return dict(json.loads(row["cursor"]))


def source_count(shop: Shop, stream: str) -> int:
    return int(shop.store.scalar("select source_count from sync_state where stream = ?", [stream]))


def commands(caplog: pytest.LogCaptureFixture) -> list[str]:
    """The IMAP commands sent while ``caplog`` listened, without their tags."""
    sent = []
    for record in caplog.records:
        message = record.getMessage()
        if record.name == "imapclient.imaplib" and message.startswith("> b"):
            line = message[3:].rstrip("'\"").replace('"', "")  # "> b'TAG COMMAND ...'"
            sent.append(line.split(" ", 1)[1])
    return sent


# --- what a collect reads ------------------------------------------------------------------------
@pytest.mark.parametrize(("backfill", "expected"), [(90, 4), ("all", 6)])
def test_the_first_collect_reads_the_backfill_window_and_counts_it(
    mailbox: Mailbox, imap_shop: ImapShop, backfill: Any, expected: int
) -> None:
    now = time.time()
    for n, age_days in enumerate([200, 120, 30, 5, 1, 0]):
        mailbox.deliver("INBOX", mail(n), mtime=now - age_days * DAY)
    shop, _ = imap_shop(backfill_days=backfill)
    [result] = collect(shop)
    assert result.ok, result.error
    rows = stored(shop)
    assert len(rows) == result.counts.new == expected
    assert [r["subject"] for r in rows] == [f"Ordine {n}" for n in range(6 - expected, 6)]
    saved = cursor(shop, "INBOX")
    assert all(re.fullmatch(rf"INBOX/{saved['uidvalidity']}/\d+", r["external_id"]) for r in rows)
    assert source_count(shop, "INBOX") == expected
    assert saved["last_uid"] == 6 and "backfilling" not in saved
    assert ("since" in saved) == (backfill != "all")


def test_later_collects_read_every_new_message_whatever_its_date(
    mailbox: Mailbox, imap_shop: ImapShop
) -> None:
    mailbox.append("INBOX", [mail(1)])
    shop, _ = imap_shop()
    collect(shop)
    long_ago = time.time() - 400 * DAY
    mailbox.append("INBOX", [mail(2, subject="Just arrived")])
    with mailbox.client() as client:  # a message the maker moved in, with its old arrival date
        client.append("INBOX", mail(3), msg_time=datetime.fromtimestamp(long_ago, UTC))
    [result] = collect(shop)
    assert result.counts.new == 2
    assert len(stored(shop)) == 3
    [nothing] = collect(shop)
    assert nothing.ok and nothing.counts.new == 0


def test_a_collect_with_nothing_new_costs_one_status_per_folder(
    mailbox: Mailbox, imap_shop: ImapShop, caplog: pytest.LogCaptureFixture
) -> None:
    mailbox.append("INBOX", [mail(n) for n in range(3)])
    mailbox.append("Orders", [mail(n) for n in range(3, 5)])
    shop, _ = imap_shop(folders=["INBOX", "Orders"])
    collect(shop)
    saved = {stream: cursor(shop, stream) for stream in ("INBOX", "Orders")}
    with caplog.at_level("DEBUG", logger="imapclient.imaplib"):
        [result] = collect(shop)
    assert result.ok and result.counts.new == 0
    sent = [c for c in commands(caplog) if not c.startswith(("LOGIN", "CAPABILITY"))]
    assert [c.split(" (")[0] for c in sent] == ["STATUS INBOX", "STATUS Orders", "LOGOUT"]
    assert {stream: cursor(shop, stream) for stream in saved} == saved


def test_bodies_are_fetched_in_bounded_batches_and_only_peeked(
    mailbox: Mailbox,
    imap_shop: ImapShop,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    mailbox.append("INBOX", [mail(n, body="x" * 3000) for n in range(10)])
    monkeypatch.setattr(ImapConnector, "FETCH_BATCH", 4)
    monkeypatch.setattr(ImapConnector, "BATCH_BYTES", 7000)  # two messages of ~3.2 kB
    shop, _ = imap_shop()
    with caplog.at_level("DEBUG", logger="imapclient.imaplib"):
        [result] = collect(shop)
    assert result.counts.new == 10
    fetches = [c for c in commands(caplog) if c.startswith("UID FETCH")]
    assert fetches[0] == "UID FETCH 1,2,3,4,5,6,7,8,9,10 (RFC822.SIZE)"
    bodies = [c for c in fetches[1:]]
    assert bodies == [f"UID FETCH {a},{a + 1} (BODY.PEEK[])" for a in range(1, 11, 2)]
    assert not any("SELECT" in c for c in commands(caplog))  # EXAMINE only: read-only


def test_a_message_without_a_usable_date_is_dated_when_it_arrived(
    mailbox: Mailbox, imap_shop: ImapShop, caplog: pytest.LogCaptureFixture
) -> None:
    arrived = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)
    no_date = [mail(2, date="not a date"), mail(4, date="")]
    mailbox.append("INBOX", [mail(1), no_date[0], mail(3), no_date[1]], when=arrived)
    shop, _ = imap_shop()
    with caplog.at_level("DEBUG", logger="imapclient.imaplib"):
        [result] = collect(shop)
    assert result.counts.new == 4
    dated, undated = "2026-11-16T09:00:00+00:00", "2026-11-20T09:30:00+00:00"
    assert [row["sent_at"] for row in stored(shop)] == [dated, undated, dated, undated]
    # asked only when a message needs it, once for the rest of its batch
    asked = [c for c in commands(caplog) if "INTERNALDATE" in c]
    assert asked == ["UID FETCH 2,3,4 (INTERNALDATE)"]


def test_reading_never_changes_a_flag(mailbox: Mailbox, imap_shop: ImapShop) -> None:
    mailbox.append("INBOX", [mail(1)])
    mailbox.append("INBOX", [mail(2)], flags=(b"\\Flagged",))
    mailbox.append("INBOX", [mail(3)], flags=(b"\\Seen", b"\\Answered"))
    mailbox.deliver("INBOX", mail(4))  # straight into new/, as a delivery agent leaves it
    before = mailbox.flags()
    shop, _ = imap_shop()
    [result] = collect(shop)
    assert result.counts.new == 4
    after = mailbox.flags()
    assert after == before
    assert [b"\\Seen" in flags for flags in after.values()] == [False, False, True, False]


def test_a_renumbered_folder_is_read_again_without_duplicates(
    mailbox: Mailbox, imap_shop: ImapShop
) -> None:
    messages = [mail(1), mail(2), mail(3, message_id=None), mail(4, message_id=None, body="other")]
    mailbox.append("Orders", messages)
    shop, _ = imap_shop(folders=["Orders"])
    collect(shop)
    before = cursor(shop, "Orders")["uidvalidity"]
    with mailbox.client() as client:  # the maker's mail program rebuilt the folder
        client.delete_folder("Orders")
    mailbox.append("Orders", [*messages, mail(5)])
    [result] = collect(shop)
    assert result.ok and result.counts.new == 1
    after = cursor(shop, "Orders")
    assert after["uidvalidity"] != before and after["last_uid"] == 5
    rows = stored(shop)
    assert len(rows) == 5 and len({r["message_key"] for r in rows}) == 5
    assert rows[-1]["external_id"] == f"Orders/{after['uidvalidity']}/5"
    assert source_count(shop, "Orders") == 5


def test_a_folder_with_a_non_ascii_name(mailbox: Mailbox, imap_shop: ImapShop) -> None:
    folder = "Ordini è Заказы"
    mailbox.append(folder, [mail(1), mail(2)])
    assert (mailbox.user.maildir / ".Ordini &AOg- &BBcEMAQ6BDAENwRL-").is_dir()
    shop, _ = imap_shop(folders=["INBOX", folder])
    [result] = collect(shop)
    assert result.ok and result.counts.new == 2
    rows = stored(shop)
    assert {r["stream"] for r in rows} == {folder}
    assert all(r["external_id"].startswith(folder + "/") for r in rows)
    assert source_count(shop, folder) == 2


def test_deleted_messages_lower_the_folder_count_and_nothing_is_read_again(
    mailbox: Mailbox, imap_shop: ImapShop, caplog: pytest.LogCaptureFixture
) -> None:
    mailbox.append("INBOX", [mail(n) for n in range(4)])
    shop, _ = imap_shop()
    collect(shop)
    with mailbox.client() as client:
        client.select_folder("INBOX")
        client.delete_messages([2])
        client.expunge()
    [result] = collect(shop)
    assert result.ok and result.counts.new == 0
    assert source_count(shop, "INBOX") == 3 and cursor(shop, "INBOX")["messages"] == 3
    with caplog.at_level("DEBUG", logger="imapclient.imaplib"):
        collect(shop)
    assert [c for c in commands(caplog) if c.startswith(("EXAMINE", "UID"))] == []


def test_the_sent_folder_is_read_as_the_makers_replies(
    mailbox: Mailbox, imap_shop: ImapShop
) -> None:
    mailbox.append("INBOX", [mail(1, subject="Sei tazze blu")])
    reply = mail(
        2,
        sender="Giulia <giulia@shop.example>",
        to="anna@example.com",
        subject="Re: Sei tazze blu (and a new subject)",
        in_reply_to="m1@example.com",
        date="Mon, 16 Nov 2026 12:00:00 +0100",
    )
    mailbox.append("Sent", [reply], flags=(b"\\Seen",))
    shop, _ = imap_shop(sent_folder="Sent")
    [result] = collect(shop)
    assert result.ok and result.counts.new == 2
    question, answer = stored(shop)
    assert (answer["stream"], answer["direction"]) == ("Sent", "out")
    assert answer["order_id"] == question["order_id"] is not None
    assert question["waiting"] == 0 and question["handled_how"] == "replied"


@pytest.mark.parametrize("security", ["ssl", "starttls", "none"])
def test_each_kind_of_connection(mailbox: Mailbox, imap_shop: ImapShop, security: str) -> None:
    mailbox.append("INBOX", [mail(1), mail(2)])
    port = mailbox.server.imaps_port if security == "ssl" else mailbox.server.imap_port
    shop, _ = imap_shop(security=security, port=port)
    [result] = collect(shop)
    assert result.ok, result.error
    assert result.counts.new == 2


def test_an_oauth2_token_from_a_command(mailbox: Mailbox, imap_shop: ImapShop) -> None:
    # This Dovecot takes the user's password as the XOAUTH2 token: the exchange is the real one.
    mailbox.append("INBOX", [mail(1)])
    token = {"command": f"printf %s {mailbox.user.password}"}
    shop, _ = imap_shop(password=None, oauth2_token=token)
    [result] = collect(shop)
    assert result.ok and result.counts.new == 1
    wrong, _ = imap_shop(password=None, oauth2_token={"command": "printf %s expired-token"})
    [refused] = collect(wrong)
    assert refused.error_kind == "needs_you" and "refused the OAuth2 token" in refused.error


# --- what the maker is told -------------------------------------------------------------------
def test_a_wrong_password_needs_the_maker_and_is_tried_once(
    mailbox: Mailbox,
    imap_shop: ImapShop,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setenv(mailbox.password_env, "not-the-password")
    shop, _ = imap_shop(folders=["INBOX", "Orders"])
    with caplog.at_level("DEBUG", logger="imapclient.imaplib"):
        [result] = collect(shop)
    assert result.error_kind == "needs_you"
    assert result.error == (
        'The mail server 127.0.0.1 refused the user name or password of the account "mail"'
        " ([AUTHENTICATIONFAILED] Authentication failed.). Check `username` and `password` in"
        " banco.toml; Gmail and Microsoft 365 need an app password or `oauth2_token`."
    )
    assert [c for c in commands(caplog) if c.startswith("LOGIN")] == ["LOGIN **REDACTED**"]
    state = shop.store.one("select * from account_state where account = 'mail'")
    assert state is not None and state["error_kind"] == "needs_you"


@pytest.mark.parametrize(
    ("settings", "says"),
    [
        ({"password": None}, "Banco needs a way to log in to the mailbox: add `password`"),
        ({"oauth2_token": "x"}, "Both `password` and `oauth2_token` are set"),
        ({"backfill_days": "lots"}, "`backfill_days` is 'lots'"),
        ({"backfill_days": -3}, 'write a number of days, such as 90, or "all"'),
        ({"security": "starttls", "port": 993}, 'Port 993 goes with `security = "ssl"`'),
        ({"timeout_seconds": 0}, "`timeout_seconds` must be more than 0"),
    ],
)
def test_settings_the_maker_must_fix_are_said_in_words(
    mailbox: Mailbox, settings: dict[str, Any], says: str
) -> None:
    if settings.get("oauth2_token") == "x":
        settings = {"oauth2_token": mailbox.settings()["password"]}
    connector = mailbox.connector(**settings)
    for call in (connector.check, lambda: list(connector.fetch({}))):
        with pytest.raises(NeedsUser, match=re.escape(says)):
            call()
    connector.close()


def test_a_missing_folder_needs_the_maker_and_the_other_folders_are_still_read(
    mailbox: Mailbox, imap_shop: ImapShop
) -> None:
    mailbox.append("INBOX", [mail(1)])
    mailbox.append("Orders", [mail(2)])
    shop, _ = imap_shop(folders=["INBOX", "Ordres", "Orders"])
    [result] = collect(shop)
    assert result.error_kind == "needs_you"
    assert result.error == (
        'There is no folder "Ordres" in the mailbox of the account "mail" (its folders are:'
        " INBOX, Orders). Check `folders` in banco.toml."
    )
    assert result.counts.new == 2
    assert {r["stream"] for r in stored(shop)} == {"INBOX", "Orders"}


def test_an_oversize_message_is_kept_as_its_headers_with_its_size(
    mailbox: Mailbox, imap_shop: ImapShop, run: Callable[..., Any]
) -> None:
    big = mail(1, subject="Foto del vaso", body="A" * 300_000)
    mailbox.append("INBOX", [big, mail(2)])
    shop, home = imap_shop(max_message_mb=0.25)
    [result] = collect(shop)
    assert result.ok and result.counts.new == 2
    large, small = stored(shop)
    assert (large["status"], large["subject"], large["text"]) == ("too_large", "Foto del vaso", "")
    assert large["size"] == len(big) and large["raw"] == big.split(b"\r\n\r\n")[0] + b"\r\n\r\n"
    assert large["problem"].startswith("too large to download")
    assert small["status"] == "ok"
    digest = run("--home", str(home), "digest").output
    assert "Messages too large to download (1)" in digest and "(0.3 MB)" in digest


def test_malformed_messages_are_stored_raw_and_reported(
    mailbox: Mailbox, imap_shop: ImapShop, run: Callable[..., Any]
) -> None:
    broken = {
        "garbage": bytes(b for b in range(1, 256) if b not in b"\r\n") * 3,
        "headers only, no sender": b"Subject: who?\r\nDate: yesterday\r\n\r\nhello\r\n",
        "bad mime": b"From: a@example.com\r\nContent-Type: multipart/mixed\r\n\r\nno boundary\r\n",
        "8-bit junk in headers": b"From: \xff\xfe <b@example.com>\r\nSubject: \xe9t\xe9\r\n\r\nok\r\n",
    }
    mailbox.append("INBOX", [mail(1), *broken.values()])
    unreadable = mailbox.deliver("INBOX", mail(9, subject="The server cannot open me"))
    os.chmod(unreadable, 0)  # a file Dovecot fails on: it drops the connection over it
    mailbox.append("INBOX", [mail(10)])
    shop, home = imap_shop()
    [result] = collect(shop)
    assert result.ok, result.error
    rows = stored(shop)
    assert len(rows) == 7
    problems = {r["subject"]: (r["status"], r["problem"]) for r in rows if r["subject"]}
    assert problems["Ordine 1"] == problems["Ordine 10"] == ("ok", "")
    assert problems["who?"] == ("ok", "")  # no sender: nobody can answer it, but it is read
    [dropped] = [r for r in rows if r["problem"].startswith("the mail server could not send")]
    assert (dropped["status"], dropped["raw"]) == ("unreadable", b"")
    for data in broken.values():
        [row] = [r for r in rows if r["raw"] == data]  # kept exactly as received
        assert row["status"] in ("ok", "unreadable")
    [garbage] = [r for r in rows if r["raw"] == broken["garbage"]]
    assert garbage["problem"] == "no email headers found"
    assert result.counts.unreadable == 2
    digest = run("--home", str(home), "digest").output
    assert "Messages Banco could not read (2)" in digest


# --- interrupted collects -------------------------------------------------------------------
def _interrupted_shop(
    server: Dovecot, monkeypatch: pytest.MonkeyPatch, write_shop: Callable[..., Path],
    open_shop: Callable[[Path], Shop], n: int, **settings: Any,
) -> tuple[Shop, Mailbox]:  # fmt: skip
    box = new_mailbox(server, monkeypatch)
    # Long enough that a few fill the pipe from a helper process, which cannot read far ahead.
    body = "Vorrei sei tazze blu, grazie. " * 1_000
    monkeypatch.setattr(helper, "AHEAD", 2)
    box.append("INBOX", [mail(k, body=body) for k in range(n)])
    monkeypatch.setattr(ImapConnector, "PAGE_SIZE", 5)
    monkeypatch.setattr(ImapConnector, "FETCH_BATCH", 5)
    home = write_shop(f'\n[[accounts]]\nname = "mail"\n{box.account(**settings)}')
    return open_shop(home), box


@pytest.mark.parametrize("helper_from", [None, 1])
def test_a_server_stopped_in_the_middle_of_a_collect_loses_and_doubles_nothing(
    helper_from: int | None,
    own_dovecot: Dovecot, monkeypatch: pytest.MonkeyPatch, write_shop: Callable[..., Path],
    open_shop: Callable[[Path], Shop],
) -> None:  # fmt: skip
    shop, _ = _interrupted_shop(own_dovecot, monkeypatch, write_shop, open_shop, 60)
    monkeypatch.setattr(ImapConnector, "HELPER_FROM", helper_from)

    def stop_after_the_first_page(account: str, done: int, remaining: int | None) -> None:
        own_dovecot.stop()

    [broken] = collect(shop, progress=stop_after_the_first_page)
    assert broken.error_kind == "will_retry" and "Banco will try again" in broken.error
    kept = len(stored(shop))
    assert 5 <= kept < 60  # the pages read before the stop
    own_dovecot.start()
    [again] = collect(shop)
    assert again.ok and again.counts.new == 60 - kept
    rows = stored(shop)
    assert sorted(r["subject"] for r in rows) == sorted(f"Ordine {k}" for k in range(60))
    assert len({r["external_id"] for r in rows}) == len({r["message_key"] for r in rows}) == 60


@pytest.mark.parametrize("helper_from", [None, 1])
def test_a_server_that_stops_answering_is_retried_later_and_the_first_pages_are_kept(
    helper_from: int | None,
    own_dovecot: Dovecot, monkeypatch: pytest.MonkeyPatch, write_shop: Callable[..., Path],
    open_shop: Callable[[Path], Shop],
) -> None:  # fmt: skip
    shop, _ = _interrupted_shop(
        own_dovecot, monkeypatch, write_shop, open_shop, 60, timeout_seconds=1
    )
    monkeypatch.setattr(ImapConnector, "HELPER_FROM", helper_from)

    def freeze_after_the_first_page(account: str, done: int, remaining: int | None) -> None:
        own_dovecot.pause()

    started = time.monotonic()
    [broken] = collect(shop, progress=freeze_after_the_first_page)
    assert time.monotonic() - started < 10
    assert (
        broken.error == "The mail server 127.0.0.1 took too long to answer; Banco will try again."
    )
    kept = len(stored(shop))
    assert broken.error_kind == "will_retry" and 5 <= kept < 60
    own_dovecot.resume()
    [again] = collect(shop)
    assert again.ok and again.counts.new == 60 - kept
