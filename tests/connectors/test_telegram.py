"""The Telegram connector, collecting: real python-telegram-bot over real HTTP to a local Bot API
server (tests/fixtures_telegram.py), through Banco's own config, runner and store."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fixtures_telegram import BOT_ID, TOKEN_ENV, BotApi, account_toml
from sources import CsvSource

from banco.inbox.collect.sync import collect

ANNA = {
    "id": 1001,
    "is_bot": False,
    "first_name": "Anna",
    "last_name": "Bianchi",
    "username": "anna_b",
}
LUCA = {"id": 1002, "is_bot": False, "first_name": "Luca"}
MAKER = {"id": 42, "is_bot": False, "first_name": "Giulia", "username": "giulia_ceramiche"}
GROUP = {"id": -100555, "type": "supergroup", "title": "Mercatino di Natale"}


def messages(shop: Any) -> list[dict[str, Any]]:
    return shop.store.all("select * from messages order by id")


def cursor(shop: Any) -> Any:
    value = shop.store.scalar("select cursor from sync_state where account = 'tg'")
    return json.loads(value) if value else None


def collect_ok(shop: Any) -> Any:
    [result] = collect(shop, ["tg"])
    assert result.ok, result.error
    return result.counts


# Messages in, and where they show -----------------------------------------------------------------
def test_a_message_to_the_bot_appears_in_messages_and_in_its_order(tg_shop, bot_api, run) -> None:
    shop, home = tg_shop()
    bot_api.message(ANNA, "Ciao! Vorrei sei tazze blu per Natale.")
    counts = collect_ok(shop)
    assert (counts.new, counts.orders) == (1, 1)

    listing = run("--home", str(home), "messages")
    assert listing.exit_code == 0, listing.output
    assert "telegram" in listing.output and "B-0001" in listing.output
    assert "Anna Bianchi: Ciao! Vorrei sei tazze blu per Natale." in listing.output

    order = run("--home", str(home), "orders", "show", "B-0001")
    assert order.exit_code == 0, order.output
    assert "Customer:  Anna Bianchi  telegram: 1001  telegram_username: anna_b" in order.output
    assert "Anna Bianchi via telegram (waiting for your reply)" in order.output
    assert "Ciao! Vorrei sei tazze blu per Natale." in order.output

    [m] = messages(shop)
    assert m["external_id"] == "1001:1" and m["conversation"] == "chat:1001"
    assert m["raw_type"] == "json" and json.loads(m["raw"])["message"]["text"].startswith("Ciao")
    assert m["sent_at"] == "2026-11-19T08:00:01+00:00"


def test_banco_check_reaches_the_bot_and_prints_the_order_link(tg_shop, bot_api, run) -> None:
    shop, home = tg_shop()
    bot_api.message(ANNA, "Buongiorno, quanto costa una tazza?")  # an inquiry: an order
    checked = run("--home", str(home), "check")
    assert checked.exit_code == 0, checked.output
    assert (
        "✓ tg: the bot @banco_shop_bot answers; 1 update(s) waiting to be collected"
        in checked.output
    )
    collect_ok(shop)
    order = run("--home", str(home), "orders", "show", "B-0001")
    token = shop.store.scalar("select token from orders")
    link = f"Link for the customer (tg): https://t.me/banco_shop_bot?start={token}"
    assert link in order.output


def test_check_says_when_the_bot_cannot_see_every_group_message(tg_shop, bot_api, run) -> None:
    _, home = tg_shop(chats=["private", "groups"])
    checked = run("--home", str(home), "check")
    assert "  ! in groups this bot only sees commands and replies to it (privacy mode)" in (
        checked.output
    )
    bot_api.can_read_groups = True
    assert "privacy mode" not in run("--home", str(home), "check").output


def test_the_token_never_shows_and_a_wrong_one_needs_the_maker(
    tg_shop, bot_api, monkeypatch
) -> None:
    monkeypatch.setenv(TOKEN_ENV, "999:wrong-token")
    shop, _ = tg_shop()
    [result] = collect(shop, ["tg"])
    assert result.error_kind == "needs_you"
    assert result.error == (
        "Telegram did not accept the bot token: check `token` for this account (copy it again"
        " from @BotFather, it looks like 123456789:AAH...), and that `api_url`"
        f" ({bot_api.url}) is a Bot API server"
    )


# Offsets ------------------------------------------------------------------------------------------
def test_the_offset_is_stored_with_its_page_and_confirmed_only_after(tg_shop, bot_api) -> None:
    shop, _ = tg_shop()
    for n in range(250):
        bot_api.message(ANNA if n % 2 else LUCA, f"messaggio {n}")
    first = bot_api.updates[0]["update_id"]
    connector = shop.connector("tg")
    try:
        pages = connector.fetch({})
        page = next(pages)
        assert len(page.records) == 100 and page.cursor == {"offset": first + 100}
        assert bot_api.confirmed == 0  # nothing confirmed while the page is not stored
        page = next(pages)  # the runner resumes the generator only after storing the page
        assert bot_api.confirmed == first + 100 and page.cursor == {"offset": first + 200}
        page = next(pages)
        assert len(page.records) == 50 and bot_api.confirmed == first + 200
        assert list(pages) == [] and bot_api.confirmed == first + 250
    finally:
        connector.close()
    assert bot_api.offsets == [None, first + 100, first + 200, first + 250]


def test_the_next_collect_starts_at_the_stored_offset(tg_shop, bot_api) -> None:
    shop, _ = tg_shop()
    for n in range(5):
        bot_api.message(ANNA, f"primo giro {n}")
    last = bot_api.updates[-1]["update_id"]
    assert collect_ok(shop).new == 5
    assert cursor(shop) == {"offset": last + 1}
    assert bot_api.pending == []  # the closing getUpdates confirmed what was stored
    for n in range(3):
        bot_api.message(LUCA, f"secondo giro {n}")
    assert collect_ok(shop).new == 3
    assert bot_api.offsets[2] == last + 1  # the second collect began where the first ended
    assert collect_ok(shop).new == 0
    assert len(messages(shop)) == 8


def test_the_same_updates_again_are_recognised(tg_shop, bot_api) -> None:
    """A crash before the commit: Telegram sends the same updates again, Banco keeps them once."""
    shop, _ = tg_shop()
    for n in range(4):
        bot_api.message(ANNA, f"uno {n}")
    updates = list(bot_api.updates)
    collect_ok(shop)
    shop.store.db.execute("delete from sync_state")
    bot_api.updates = updates  # as if they had never been confirmed
    counts = collect_ok(shop)
    assert (counts.new, counts.unchanged) == (0, 4)
    assert len(messages(shop)) == 4


# Edits, business chats ----------------------------------------------------------------------------
def test_an_edit_updates_the_message_and_keeps_the_old_version(tg_shop, bot_api) -> None:
    shop, _ = tg_shop()
    original = bot_api.message(ANNA, "Vorrei 6 tazze")
    collect_ok(shop)
    bot_api.edit(original, "Vorrei 8 tazze, scusa")
    counts = collect_ok(shop)
    assert (counts.new, counts.updated) == (0, 1)
    [m] = messages(shop)
    assert m["text"] == "Vorrei 8 tazze, scusa"
    [old] = shop.store.all("select * from message_revisions")
    assert old["message_id"] == m["id"] and old["text"] == "Vorrei 6 tazze"


def test_business_messages_come_from_the_makers_own_chats(tg_shop, bot_api) -> None:
    shop, _ = tg_shop()
    chat = bot_api.private_chat(ANNA)
    question = bot_api.message(
        ANNA, "Fate anche piatti?", kind="business_message", business_connection_id="bc-7"
    )
    collect_ok(shop)
    [m] = messages(shop)
    assert m["external_id"] == "biz:bc-7:1001:1" and m["conversation"] == "biz:bc-7:1001"
    assert (m["direction"], m["waiting"], m["sender"]) == ("in", 1, "Anna Bianchi")

    # The maker answers from her own phone: it arrives too, as hers, and Anna is answered.
    bot_api.message(
        MAKER, "Sì, anche piatti!", chat=chat, kind="business_message",
        business_connection_id="bc-7",
    )  # fmt: skip
    bot_api.edit(question, "Fate anche piatti fondi?")
    counts = collect_ok(shop)
    assert (counts.new, counts.updated) == (1, 1)
    first, answer = messages(shop)
    assert first["text"] == "Fate anche piatti fondi?" and first["waiting"] == 0
    assert (answer["direction"], answer["order_id"]) == ("out", first["order_id"])
    assert answer["external_id"] == "biz:bc-7:1001:2"
    assert shop.store.scalar("select count(*) from message_revisions") == 1


# Media --------------------------------------------------------------------------------------------
def photo_sizes(bot_api: BotApi, name: str, data: bytes) -> list[dict[str, Any]]:
    sizes = []
    for k, (w, h) in enumerate([(90, 60), (320, 213), (1280, 853)]):
        body = data if k == 2 else data[: 10 * (k + 1)]
        bot_api.add_file(f"{name}-{k}", body, f"photos/{name} {k}.jpg")
        sizes.append(
            {
                "file_id": f"{name}-{k}",
                "file_unique_id": f"u{name}{k}",
                "width": w,
                "height": h,
                "file_size": len(body),
            }
        )
    return sizes


def test_media_under_the_limit_is_downloaded(tg_shop, bot_api, run) -> None:
    shop, home = tg_shop()
    photo = b"\xff\xd8\xff\xe0 the largest photo " * 100
    bot_api.message(ANNA, photo=photo_sizes(bot_api, "p1", photo), caption="Come questa, in blu")
    pdf = b"%PDF-1.4 preventivo"
    bot_api.add_file("doc-1", pdf, "documents/preventivo finale è.pdf")
    bot_api.message(
        ANNA,
        document={
            "file_id": "doc-1",
            "file_unique_id": "ud1",
            "file_name": "preventivo.pdf",
            "mime_type": "application/pdf",
            "file_size": len(pdf),
        },
    )
    bot_api.add_file("voice-1", b"OggS voice", "voice/file_3.oga")
    bot_api.message(
        ANNA,
        voice={
            "file_id": "voice-1",
            "file_unique_id": "uv1",
            "duration": 75,
            "mime_type": "audio/ogg",
            "file_size": 10,
        },
    )
    bot_api.add_file("vn-1", b"video note bytes", "video_notes/file_4.mp4")
    bot_api.message(
        ANNA, video_note={"file_id": "vn-1", "file_unique_id": "uvn1", "length": 240, "duration": 9}
    )
    assert collect_ok(shop).new == 4

    rows = shop.store.all(
        "select m.text, a.filename, a.content_type, a.size, a.path from attachments a"
        " join messages m on m.id = a.message_id order by a.id"
    )
    assert [(r["text"], r["filename"], r["content_type"]) for r in rows] == [
        ("Come questa, in blu", "photo-1.jpg", "image/jpeg"),
        ("[document: preventivo.pdf]", "preventivo.pdf", "application/pdf"),
        ("[voice message, 1:15]", "voice-3.ogg", "audio/ogg"),
        ("[video note, 0:09]", "video-note-4.mp4", "video/mp4"),
    ]
    assert (home / rows[0]["path"]).read_bytes() == photo  # the largest size, and only it
    assert (home / rows[1]["path"]).read_bytes() == pdf
    # Files are fetched a few at a time, so in any order; each once, the photo at its largest.
    assert sorted(c["file_id"] for c in bot_api.calls_of("getFile")) == [
        "doc-1",
        "p1-2",
        "vn-1",
        "voice-1",
    ]
    shown = run("--home", str(home), "messages", "show", "2")
    assert "Attached: preventivo.pdf (application/pdf, 19 bytes) at " in shown.output


def test_media_over_the_limit_is_listed_not_downloaded(tg_shop, bot_api, run) -> None:
    shop, home = tg_shop(max_file_mb=1)
    big = 3 * 1024 * 1024
    bot_api.message(
        ANNA,
        caption="Il video del vaso: quanto costa?",  # an inquiry: an order (triage)
        video={
            "file_id": "big-video",
            "file_unique_id": "ubv",
            "width": 1920,
            "height": 1080,
            "duration": 30,
            "file_name": "vaso.mp4",
            "mime_type": "video/mp4",
            "file_size": big,
        },
    )
    # Telegram did not say the size in the message: getFile does, and Banco stops there.
    bot_api.add_file("quiet-size", b"x" * 100, "documents/catalogo.zip", size=2 * 1024 * 1024)
    bot_api.message(
        ANNA,
        document={"file_id": "quiet-size", "file_unique_id": "uq", "file_name": "catalogo.zip"},
    )
    assert collect_ok(shop).new == 2

    rows = shop.store.all("select filename, size, path, sha256 from attachments order by id")
    assert [(r["filename"], r["size"], r["path"]) for r in rows] == [
        ("vaso.mp4", big, None),
        ("catalogo.zip", 2 * 1024 * 1024, None),
    ]
    video, archive = messages(shop)
    assert video["text"] == (
        "Il video del vaso: quanto costa?\n[vaso.mp4 (3.0 MB) is larger than Banco downloads (1.0 MB):"
        " open it in Telegram]"
    )
    assert archive["text"].startswith("[document: catalogo.zip]\n[catalogo.zip (2.0 MB) is larger")
    assert [c["file_id"] for c in bot_api.calls_of("getFile")] == ["quiet-size"]
    shown = run("--home", str(home), "messages", "show", str(video["id"]))
    assert "Attached: vaso.mp4 (video/mp4, 3145728 bytes) (not downloaded)" in shown.output
    order = run("--home", str(home), "orders", "show", "B-0001")
    assert "vaso.mp4 (3.0 MB) is larger than Banco downloads" in order.output


def test_a_file_telegram_will_not_hand_over_is_listed(tg_shop, bot_api) -> None:
    shop, _ = tg_shop(max_file_mb=100)
    bot_api.add_file("huge", b"x", "documents/huge.mov", size=60 * 1024 * 1024)
    bot_api.message(
        ANNA, document={"file_id": "huge", "file_unique_id": "uh", "file_name": "huge.mov"}
    )
    bot_api.message(
        ANNA, document={"file_id": "gone", "file_unique_id": "ug", "file_name": "old.pdf"}
    )
    assert collect_ok(shop).new == 2
    huge, gone = messages(shop)
    assert "huge.mov is larger than Telegram lets bots download" in huge["text"]
    assert "old.pdf: Telegram did not hand over this file" in gone["text"]
    assert shop.store.scalar("select count(*) from attachments where path is null") == 2


def test_media_is_not_downloaded_when_switched_off(tg_shop, bot_api) -> None:
    shop, _ = tg_shop(download_media=False)
    bot_api.message(ANNA, photo=photo_sizes(bot_api, "p2", b"photo"))
    collect_ok(shop)
    assert bot_api.calls_of("getFile") == []
    [row] = shop.store.all("select filename, size, path from attachments")
    assert (row["filename"], row["size"], row["path"]) == ("photo-1.jpg", 5, None)
    assert messages(shop)[0]["text"] == "[photo]"


def test_a_failed_download_fetches_the_page_again_later(tg_shop, bot_api) -> None:
    shop, _ = tg_shop()
    bot_api.add_file("doc-2", b"sketch", "documents/schizzo.pdf")
    bot_api.message(
        ANNA,
        document={
            "file_id": "doc-2",
            "file_unique_id": "ud2",
            "file_name": "schizzo.pdf",
            "file_size": 6,
        },
    )
    bot_api.fail("getFile", 502)
    [result] = collect(shop, ["tg"])
    assert result.error_kind == "will_retry" and "Bad Gateway" in result.error
    assert messages(shop) == [] and bot_api.confirmed == 0
    collect_ok(shop)
    [row] = shop.store.all("select filename, size, path from attachments")
    assert row["path"] is not None


# What is kept, and what is not --------------------------------------------------------------------
def test_group_messages_are_ignored_by_default(tg_shop, bot_api) -> None:
    shop, _ = tg_shop()
    bot_api.message(LUCA, "Quanto costa il vaso grande?", chat=GROUP)
    bot_api.message(ANNA, "Ciao!")
    assert collect_ok(shop).new == 1
    [m] = messages(shop)
    assert m["sender"] == "Anna Bianchi"
    assert bot_api.pending == []  # the group message was read past, not left behind
    assert bot_api.allowed_updates == [
        "message", "edited_message", "business_message", "edited_business_message",
        "callback_query",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("chats", "expected"),
    [
        (["groups"], ["Mercatino di Natale", "Altro gruppo"]),
        (["private", "-100555"], ["Mercatino di Natale", "Ciao!"]),
    ],
)
def test_groups_are_read_when_listed(tg_shop, bot_api, chats, expected) -> None:
    shop, _ = tg_shop(chats=chats)
    bot_api.message(LUCA, "Mercatino di Natale", chat=GROUP)
    bot_api.message(LUCA, "Altro gruppo", chat={"id": -100777, "type": "group", "title": "Altro"})
    bot_api.message(ANNA, "Ciao!")
    collect_ok(shop)
    assert [m["text"] for m in messages(shop)] == expected
    if "-100555" in chats:
        assert messages(shop)[0]["conversation"] == "chat:-100555"


def test_a_wrong_chats_entry_is_explained(tg_shop, bot_api) -> None:
    shop, _ = tg_shop(chats=["private", "gruppi"])
    [result] = collect(shop, ["tg"])
    assert result.error_kind == "needs_you"
    assert result.error.startswith('chats: "gruppi" is not "private", "groups" or a chat id')


def test_channel_posts_only_when_asked(tg_shop, bot_api) -> None:
    channel = {
        "id": -100999,
        "type": "channel",
        "title": "Ceramiche Giulia",
        "username": "ceramiche",
    }
    shop, _ = tg_shop(channel_posts=True)
    bot_api.push(
        "channel_post",
        {
            "message_id": 1,
            "chat": channel,
            "sender_chat": channel,
            "date": 1_795_075_300,
            "text": "Nuova collezione!",
        },
    )
    collect_ok(shop)
    [m] = messages(shop)
    assert (m["sender"], m["text"], m["conversation"]) == (
        "Ceramiche Giulia",
        "Nuova collezione!",
        "chat:-100999",
    )
    assert "channel_post" in bot_api.allowed_updates


def test_unsupported_kinds_are_kept_with_a_short_text(tg_shop, bot_api) -> None:
    shop, _ = tg_shop()
    bot_api.message(
        ANNA,
        sticker={
            "file_id": "s",
            "file_unique_id": "us",
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": "🏺",
        },
    )
    bot_api.message(
        ANNA,
        poll={
            "id": "p",
            "question": "Blu o verde?",
            "options": [],
            "total_voter_count": 0,
            "is_closed": False,
            "is_anonymous": True,
            "type": "regular",
            "allows_multiple_answers": False,
        },
    )
    bot_api.message(ANNA, location={"latitude": 44.4949, "longitude": 11.3426})
    bot_api.message(
        ANNA, contact={"phone_number": "+39 051 123456", "first_name": "Anna", "user_id": 1001}
    )
    bot_api.message(
        ANNA, pinned_message={"message_id": 1, "chat": {"id": 1001, "type": "private"}, "date": 0}
    )
    bot_api.message(ANNA, some_future_thing={"x": 1})
    bot_api.push("callback_query", {"id": "cb1", "from": ANNA, "chat_instance": "ci", "data": "x"})
    assert collect_ok(shop).new == 7
    assert [m["text"] for m in messages(shop)] == [
        "[sticker 🏺]",
        "[poll: Blu o verde?]",
        "[location: 44.4949, 11.3426]",
        "[contact: Anna, +39 051 123456]",
        "[pinned message]",
        "[a kind of message Banco cannot show yet]",
        "[button: x]",  # only the maker has Banco's buttons: never an order, never waiting
    ]
    assert shop.store.scalar("select waiting from messages where text = '[button: x]'") == 0
    handles = shop.store.all("select kind, value from handles order by id")
    assert {"kind": "phone", "value": "+39051123456"} in handles  # Anna shared her own number


def test_an_update_that_cannot_be_read_is_kept_raw(tg_shop, bot_api, run) -> None:
    shop, home = tg_shop()
    bot_api.push("message", {"message_id": 9, "chat": "not a chat", "date": 1_795_075_300})
    bot_api.message(ANNA, "Questo invece si legge: quanto costa?")  # an inquiry
    counts = collect_ok(shop)
    assert (counts.new, counts.unreadable) == (2, 1)
    bad, good = messages(shop)
    assert bad["status"] == "unreadable" and "the chat is missing" in bad["problem"]
    assert json.loads(bad["raw"])["message"]["chat"] == "not a chat"
    assert good["text"] == "Questo invece si legge: quanto costa?" and good["order_id"] == 1
    listed = run("--home", str(home), "messages", "--unreadable")
    assert "[unreadable]" in listed.output and "Questo" not in listed.output


# Deep links ---------------------------------------------------------------------------------------
def test_a_deep_link_joins_the_chat_to_the_order_and_its_customer(
    tg_shop, bot_api, tmp_path, run
) -> None:
    form = CsvSource(tmp_path / "answers.csv", 1)  # Cliente 0 <c0@example.com> orders 1 vaso
    shop, home = tg_shop(f'\n[[accounts]]\nname = "form"\n{form.account()}')
    collect(shop)
    assert shop.store.scalar("select ref from orders") == "B-0001"

    newcomer = {"id": 3003, "is_bot": False, "first_name": "Cliente", "username": "cliente_zero"}
    bot_api.message(newcomer, f"/start {shop.store.scalar('select token from orders')}")
    bot_api.message(newcomer, "Ecco la foto del vaso che intendevo")
    collect_ok(shop)
    assert shop.store.scalar("select count(*) from orders") == 1
    assert shop.store.scalar("select count(*) from contacts") == 1
    rows = shop.store.all(
        "select text, order_id, contact_id from messages where channel = 'telegram'"
    )
    assert [(r["order_id"], r["contact_id"]) for r in rows] == [(1, 1), (1, 1)]
    handles = {(h["kind"], h["value"]) for h in shop.store.all("select kind, value from handles")}
    assert {
        ("email", "c0@example.com"),
        ("telegram", "3003"),
        ("telegram_username", "cliente_zero"),
    } <= handles
    order = run("--home", str(home), "orders", "show", "B-0001")
    assert "Ecco la foto del vaso che intendevo" in order.output


def test_opening_the_chat_alone_opens_no_order(tg_shop, bot_api) -> None:
    shop, _ = tg_shop()
    bot_api.message(ANNA, "/start")
    assert collect_ok(shop).orders == 0
    bot_api.message(ANNA, "Vorrei un preventivo per 20 bomboniere")
    assert collect_ok(shop).orders == 1
    start, ask = messages(shop)
    assert (start["auto"], start["waiting"]) == ("telegram_start", 0)
    assert ask["waiting"] == 1 and ask["thread_id"] == start["thread_id"]
    assert shop.store.scalar("select title from orders") == "Vorrei un preventivo per 20 bomboniere"


# Telegram says no ---------------------------------------------------------------------------------
def test_a_webhook_is_explained_and_removed_by_check_fix(tg_shop, bot_api, run) -> None:
    shop, home = tg_shop()
    bot_api.webhook_url = "https://old-server.example/hook"
    for n in range(3):
        bot_api.message(ANNA, f"in attesa {n}")
    collected = run("--home", str(home), "collect")
    assert collected.exit_code == 1
    assert (
        "tg: failed (needs you): This bot has a webhook set, so Banco cannot read its messages:"
        " run `banco check --fix` to remove it"
    ) in collected.output
    checked = run("--home", str(home), "check")
    assert "  ! This bot has a webhook set" in checked.output
    assert bot_api.calls_of("deleteWebhook") == []  # only with --fix

    fixed = run("--home", str(home), "check", "--fix")
    assert fixed.exit_code == 0, fixed.output
    assert "fixed: removed the webhook (https://old-server.example/hook)" in fixed.output
    assert bot_api.calls_of("deleteWebhook") == [{"drop_pending_updates": False}]
    assert bot_api.webhook_url == "" and len(bot_api.pending) == 3  # nothing waiting was dropped
    again = run("--home", str(home), "collect")
    assert again.exit_code == 0 and "tg: 3 new" in again.output


def test_another_reader_of_the_same_bot_is_explained(tg_shop, bot_api) -> None:
    shop, _ = tg_shop()
    bot_api.fail(
        "getUpdates",
        409,
        "Conflict: terminated by other getUpdates request; make sure"
        " that only one bot instance is running",
    )
    [result] = collect(shop, ["tg"])
    assert result.error_kind == "needs_you"
    assert result.error.startswith("another program is reading this bot's messages")


def test_a_rate_limit_while_collecting_waits_for_the_next_collect(tg_shop, bot_api) -> None:
    shop, _ = tg_shop()
    bot_api.message(ANNA, "Ciao")
    bot_api.fail("getUpdates", 429, retry_after=120)
    [result] = collect(shop, ["tg"])
    assert result.error_kind == "will_retry"
    assert (
        result.error
        == "Telegram asks Banco to wait 2 minutes before asking again; Banco will try again then"
    )
    assert messages(shop) == [] and cursor(shop) is None
    assert collect_ok(shop).new == 1


def test_a_rate_limit_after_some_pages_keeps_them(tg_shop, bot_api) -> None:
    shop, _ = tg_shop()
    for n in range(150):
        bot_api.message(ANNA, f"messaggio {n}")
    first = bot_api.updates[0]["update_id"]
    bot_api.fail("getUpdates", 429, retry_after=5, after=1)  # the first page, then "slow down"
    [result] = collect(shop, ["tg"])
    assert result.error_kind == "will_retry" and "wait 5 seconds" in result.error
    assert len(messages(shop)) == 100 and cursor(shop) == {"offset": first + 100}
    assert bot_api.confirmed == 0  # the refused call confirmed nothing
    assert collect_ok(shop).new == 50
    assert cursor(shop) == {"offset": first + 150}


@pytest.mark.parametrize(
    ("status", "words"),
    [(502, "could not reach Telegram at http://127.0.0.1:"), (500, "could not reach Telegram")],
)
def test_a_server_error_means_try_again(tg_shop, bot_api, status, words) -> None:
    shop, _ = tg_shop()
    bot_api.message(ANNA, "Ciao")
    bot_api.fail("getUpdates", status)
    [result] = collect(shop, ["tg"])
    assert result.error_kind == "will_retry" and result.error.startswith(words)
    assert result.error.endswith("Banco will try again")
    assert collect_ok(shop).new == 1


def test_an_unreachable_server_means_try_again(write_shop, open_shop, monkeypatch) -> None:
    closed = BotApi()
    closed.close()  # nothing listens on its port any more
    monkeypatch.setenv(TOKEN_ENV, closed.token)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    shop = open_shop(write_shop(account_toml(closed, timeout_seconds=5)))
    [result] = collect(shop, ["tg"])
    assert result.error_kind == "will_retry"
    assert result.error.startswith(f"could not reach Telegram at {closed.url}")


def test_the_bot_id_keys_its_messages(tg_shop, bot_api) -> None:
    shop, _ = tg_shop()
    first = bot_api.message(ANNA, "Ciao")
    bot_api.message(ANNA, "Rispondo a me stessa", reply_to_message=first)
    collect_ok(shop)
    a, b = messages(shop)
    assert a["message_key"] == f"telegram:{BOT_ID}:1001:1"
    assert json.loads(b["reply_keys"]) == [a["message_key"]] and b["thread_id"] == a["thread_id"]


# The schedule ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("times", "warned"),
    [
        ('["08:00"]', True),  # exactly 24 hours: one late collect loses messages
        ('["mon-fri 08:00"]', True),
        ('["08:00", "14:00", "20:00"]', False),
    ],
)
def test_check_warns_when_collects_are_further_apart_than_telegram_keeps_updates(
    tg_shop, bot_api, run, times, warned
) -> None:
    _, home = tg_shop(f"\n[schedule]\ncollect = {times}\n")
    checked = run("--home", str(home), "check")
    assert checked.exit_code == 0, checked.output
    assert ("this source keeps messages only 24 hours" in checked.output) is warned
