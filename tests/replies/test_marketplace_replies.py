"""Replies about marketplace sales, over a real IMAP mailbox and a real SMTP server: an Etsy
buyer is answered on Etsy, even when the sale mail shows their address (the session says so,
with the link; the outbox refuses a mail, even one the maker insists on); a Shopify or WooCommerce buyer, whose address the notification gives,
is written to at that address, never at the shop system's own."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from fixtures_imap import ImapShop, Mailbox, SmtpServer, reply_shop
from fixtures_web import server_stopped
from sessions import Script

from banco.inbox.replies.outbox import OutboxError, deliver, queue_reply, warning_for
from banco.inbox.shop import Shop
from banco.inbox.web import start

DATA = Path(__file__).parent.parent / "data" / "marketplace"
MAILS = [
    "etsy/sale-en.eml",
    "etsy/sale-en-two-items.eml",  # the buyer's address shown: still answered on Etsy
    "etsy/message-en.eml",
    "shopify/new-order-en.eml",
    "woocommerce/admin-new-order-en.eml",
]
ETSY_CHAT = "https://www.etsy.com/messages/1122334455"
ETSY_ORDER = "https://www.etsy.com/your/orders/sold?order_id=3187654321"
ETSY_ORDER_WITH_ADDRESS = "https://www.etsy.com/your/orders/sold?order_id=3187999001"


@pytest.fixture
def shop(mailbox: Mailbox, imap_shop: ImapShop, smtp_server: SmtpServer) -> Shop:
    return reply_shop(imap_shop, mailbox, smtp_server, *((DATA / m).read_bytes() for m in MAILS))


def message(shop: Shop, subject: str) -> int:
    return int(shop.store.scalar("select id from messages where subject like ?", [subject]))


def test_an_etsy_buyer_is_answered_on_etsy_never_by_mail(
    shop: Shop, smtp_server: SmtpServer
) -> None:
    for subject, link in [
        ("Etsy Conversations%", ETSY_CHAT),
        ("You made a sale%3187654321%", ETSY_ORDER),
        ("You made a sale%3187999001%", ETSY_ORDER_WITH_ADDRESS),
    ]:
        number = message(shop, subject)
        said = f"Answer on Etsy: {link}"
        assert warning_for(shop, number) == said
        for confirmed in (False, True):
            with pytest.raises(OutboxError, match=f"^{re.escape(said)}$"):
                queue_reply(shop, number, "Thank you!", confirmed=confirmed)
    assert shop.store.scalar("select count(*) from outbox") == 0
    assert deliver(shop) == [] and smtp_server.received == []


def test_a_shop_buyer_is_written_to_at_their_own_address(
    shop: Shop, smtp_server: SmtpServer
) -> None:
    for subject in ("[Bottega Giulia] Order #1042%", "[Bottega Giulia]: New order #1234"):
        queue_reply(shop, message(shop, subject), "Thank you for your order!")
    assert [d.status for d in deliver(shop)] == ["sent", "sent"]
    assert [r.rcpt_tos for r in smtp_server.received] == [
        ["emma.walsh@fastmail.example"],
        ["olivia.bennett@outlook.example"],
    ]


def test_the_session_says_answer_on_etsy_with_the_link(shop: Shop) -> None:
    """The buyer's message waits; the session shows where to answer it, and sends nothing."""
    script = Script(["a", "y", "q"])
    script.run(shop)
    assert f"! Answer on Etsy: {ETSY_CHAT}" in script.lines
    assert f"This reply cannot be sent: Answer on Etsy: {ETSY_CHAT}." in script.lines
    assert shop.store.scalar("select count(*) from outbox") == 0


def test_the_page_says_answer_on_etsy_and_offers_no_send(shop: Shop, clock, registry) -> None:
    server = start(shop.home, port=0, clock=clock, registry=registry)
    with server_stopped(server), httpx.Client(base_url=server.url) as client:
        page = client.get("/session").text
    assert f'<p class="notice">Answer on Etsy: {ETSY_CHAT}</p>' in page
    assert ">Send</button>" not in page and ">Send anyway</button>" not in page


OWNER = 4242


def test_the_owner_chat_says_answer_on_etsy_and_queues_nothing(
    bot_api, write_shop, open_shop, tmp_path: Path
) -> None:
    """The card in the maker's Telegram chat names Etsy and the link; a reply she types there
    is refused with the same words."""
    from fixtures_telegram import account_toml

    from banco.inbox.routines import day as routines

    maildir = tmp_path / "mail"
    for sub in ("cur", "new", "tmp"):
        (maildir / sub).mkdir(parents=True)
    data = (DATA / "etsy/message-en.eml").read_bytes()
    (maildir / "new" / "1700000000.M1P1.test").write_bytes(data)
    home = write_shop(
        f'\nowner_chat = {OWNER}\n[schedule]\nreply = ["09:00", "17:00"]\n'
        f"{account_toml(bot_api)}"
        f'\n[[accounts]]\nname = "mail"\nkind = "maildir"\npath = "{maildir}"\n'
    )
    shop = open_shop(home)
    routines.collect(shop)
    routines.reply(shop)
    card = [m for m in bot_api.sent if m["chat_id"] == OWNER][-1]
    assert f"⚠ Answer on Etsy: {ETSY_CHAT}" in card["text"]
    giulia = bot_api.user(OWNER, "Giulia")
    bot_api.message(giulia, "Thanks!")
    routines.owner_poll(shop)
    said = [m for m in bot_api.sent if m["chat_id"] == OWNER][-1]["text"]
    assert f"Answer on Etsy: {ETSY_CHAT}" in said
    assert shop.store.scalar("select count(*) from outbox") == 0
