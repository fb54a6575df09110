"""Each marketplace notification of tests/data/marketplace/ (sources in its SOURCES.md) read to
its exact fields through the real email parser; a marketplace's mail Banco cannot read, and any
text at all from a marketplace's address, is read as nothing, never a crash."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from banco.connectors import Handle, Person, Record
from banco.connectors.email import parse_message
from banco.inbox.collect.marketplace import BuyerMessage, Item, Sale, read_notice

DATA = Path(__file__).parent.parent / "data" / "marketplace"

GOLDEN: dict[str, Sale | BuyerMessage] = {
    "etsy/sale-en.eml": Sale(
        marketplace="etsy",
        order_number="3187654321",
        buyer_name="Hannah Schmidt",
        buyer_handle="hannahschmidt84",
        items=(Item("Lemon mug, 350 ml", 2, (("personalization", "Names: Anna & Luca"),)),),
        total=Decimal("64.00"),
        currency="USD",
        ship_by=date(2026, 12, 4),
        ship_to="Hannah Schmidt, 14 Bergmann Street, Springfield, IL 62704, United States",
        url="https://www.etsy.com/your/orders/sold?order_id=3187654321",
        paid=True,
    ),
    "etsy/sale-en-two-items.eml": Sale(
        marketplace="etsy",
        order_number="3187999001",
        buyer_name="Sam Okafor",
        buyer_email="sam.okafor@mail.example",
        buyer_handle="samokafor",
        items=(
            Item("Espresso cup, speckled", 4, (("colour", "Sage green"),)),
            Item("Serving bowl, large", 1, (("personalization", '"For Mum, 70"'),)),
        ),
        total=Decimal("118.00"),
        currency="USD",
        ship_by=date(2026, 12, 9),
        ship_to="Sam Okafor, 3 Mill Lane, Leeds LS1 4AB, United Kingdom",
        url="https://www.etsy.com/your/orders/sold?order_id=3187999001",
        paid=True,
    ),
    "etsy/sale-en-first-sale.eml": Sale(
        marketplace="etsy",
        order_number="3188000123",
        buyer_name="Grace Miller",
        buyer_email="grace.miller@mail.example",
        buyer_handle="gracemillerart",
        items=(Item("Lemon mug, 350 ml, hand-thrown stoneware", 1),),
        total=Decimal("41.50"),
        currency="USD",
        ship_to="Grace Miller, 7 Orchard Road, PORTLAND, OR 97205, United States",
        url="https://www.etsy.com/your/orders/sold?order_id=3188000123",
        paid=True,
    ),
    "etsy/sale-it.eml": Sale(
        marketplace="etsy",
        order_number="3187654400",
        buyer_name="Marta Bianchi",
        items=(Item("Tazza «Limoni», 350 ml", 2),),
        total=Decimal("64.00"),
        currency="EUR",
        ship_by=date(2026, 12, 4),
        ship_to="Marta Bianchi, Via Zamboni 3, 40126 Bologna, Italia",
        url="https://www.etsy.com/your/orders/sold/3187654400",
        paid=True,
    ),
    "etsy/sale-fr.eml": Sale(
        marketplace="etsy",
        order_number="3187654500",
        buyer_name="Camille Laurent",
        buyer_handle="camillelaurent",
        items=(Item("Bol à ramen, bleu", 3, (("personnalisation", "Initiales C.L."),)),),
        total=Decimal("96.00"),
        currency="EUR",
        ship_by=date(2026, 12, 7),
        ship_to="Camille Laurent, 12 rue des Lilas, 69003 Lyon, France",
        url="https://www.etsy.com/your/orders/sold/3187654500",
        paid=True,
    ),
    "etsy/message-en.eml": BuyerMessage(
        marketplace="etsy",
        buyer_name="hannahschmidt84",
        buyer_handle="hannahschmidt84",
        text="Hi Giulia, could the two lemon mugs be gift-wrapped separately? It's for order"
        " #3187654321. Thanks!",
        order_number="3187654321",
        url="https://www.etsy.com/messages/1122334455",
    ),
    "etsy/message-it.eml": BuyerMessage(
        marketplace="etsy",
        buyer_name="martabianchi",
        buyer_handle="martabianchi",
        text="Ciao Giulia, posso avere la tazza anche in blu? Grazie, Marta",
        url="https://www.etsy.com/messages/5566778899",
    ),
    "shopify/new-order-en.eml": Sale(
        marketplace="shopify",
        order_number="1042",
        buyer_name="Emma Walsh",
        buyer_email="emma.walsh@fastmail.example",
        items=(
            Item("Custom dog mug", 2, (("variant", "Large / Navy"), ("dog's name", "Biscuit"))),
            Item("Espresso cup", 1),
        ),
        total=Decimal("102.00"),
        currency="EUR",
        ship_to="Emma Walsh, 22 Hackney Road, London E2 7NX, United Kingdom",
        url="https://bottega-giulia.myshopify.com/admin/orders/5551234001",
    ),
    "shopify/new-order-en-classic.eml": Sale(
        marketplace="shopify",
        order_number="1045",
        buyer_name="Ruth Evans",
        items=(Item("Custom dog mug", 2), Item("Espresso cup", 1)),
        total=Decimal("64.00"),
        currency="EUR",
        ship_to="Ruth Evans, 9 Castle Street, Cardiff, Cardiff CF10 1BS, United Kingdom",
        url="https://bottega-giulia.myshopify.com/admin/orders/5551234004",
    ),
    "shopify/new-order-it.eml": Sale(
        marketplace="shopify",
        order_number="1043",
        buyer_name="Chiara Rossi",
        buyer_email="chiara.rossi@libero.example",
        items=(Item("Bomboniera a cuore", 40, (("incisione", "Chiara & Paolo"),)),),
        total=Decimal("189.00"),
        currency="EUR",
        ship_to="Chiara Rossi, Via dell'Indipendenza 8, 40121 Bologna BO, Italia",
        url="https://bottega-giulia.myshopify.com/admin/orders/5551234002",
    ),
    "shopify/new-order-fr.eml": Sale(
        marketplace="shopify",
        order_number="1044",
        buyer_name="Julien Moreau",
        buyer_email="julien.moreau@free.example",
        items=(Item("Assiette plate, terre cuite", 8),),
        total=Decimal("191.00"),
        currency="EUR",
        ship_to="Julien Moreau, 5 place Bellecour, 69002 Lyon, France",
        url="https://bottega-giulia.myshopify.com/admin/orders/5551234003",
    ),
    "woocommerce/admin-new-order-en.eml": Sale(
        marketplace="woocommerce",
        order_number="1234",
        buyer_name="Olivia Bennett",
        buyer_email="olivia.bennett@outlook.example",
        items=(Item("Birthday plate", 1, (("inscription", "Nonna 90"),)), Item("Mug, lemon", 2)),
        total=Decimal("161.00"),
        currency="EUR",
        ship_to="Olivia Bennett, 40 King Street West, Toronto ON M5H 1A1, Canada",
        url="https://bottegagiulia.example/wp-admin/post.php?post=1234&action=edit",
    ),
    "woocommerce/admin-new-order-it.eml": Sale(
        marketplace="woocommerce",
        order_number="1235",
        buyer_name="Anna Colombo",
        buyer_email="anna.colombo@tiscali.example",
        items=(Item("Piatto dipinto a mano", 1, (("dedica", "Per i 90 anni della nonna"),)),),
        total=Decimal("94.00"),
        currency="EUR",
        ship_to="Anna Colombo, Via Roma 12, 20121 Milano MI",
        url="https://bottegagiulia.example/wp-admin/post.php?post=1235&action=edit",
    ),
    "woocommerce/admin-new-order-fr.eml": Sale(
        marketplace="woocommerce",
        order_number="1236",
        buyer_name="Claire Dubois",
        buyer_email="claire.dubois@orange.example",
        items=(Item("Assiette, bleu de Delft", 8, (("couleur", "Bleu"),)),),
        total=Decimal("191.00"),
        currency="EUR",
        ship_to="Claire Dubois, 8 rue Oberkampf, 75011 Paris",
        url="https://bottegagiulia.example/wp-admin/post.php?post=1236&action=edit",
    ),
    "kofi/shop-order-en.eml": Sale(
        marketplace="kofi",
        order_number="0a1fac0c-f960-4506-a60e-824979a74e71",
        buyer_name="Tom Hughes",
        buyer_email="tom@flatwhite-hackney.example",
        items=(Item("Flat white cup", 6, (("variation", "Charcoal"),)),),
        total=Decimal("90.00"),
        currency="GBP",
        ship_to="Tom Hughes, 1 Mare Street, London E8 4RP, United Kingdom",
        url="https://ko-fi.com/Home/CoffeeShop?txid=0a1fac0c-f960-4506-a60e-824979a74e71",
        paid=True,
    ),
}


def read(path: str) -> Sale | BuyerMessage | None:
    return read_notice(parse_message((DATA / path).read_bytes(), path))


def test_every_golden_file_is_checked() -> None:
    assert sorted(str(p.relative_to(DATA)) for p in DATA.rglob("*.eml")) == sorted(GOLDEN)


@pytest.mark.parametrize("path", sorted(GOLDEN))
def test_a_golden_notification_is_read_to_its_exact_fields(path: str) -> None:
    assert read(path) == GOLDEN[path]


def test_the_ship_by_day_without_a_year_is_the_next_one() -> None:
    """Etsy writes "Ship by Jan 4": a sale made in December ships next year."""
    data = (DATA / "etsy/sale-en.eml").read_bytes()
    december = data.replace(b"Ship by: Dec 4", b"Ship by: Jan 4").replace(
        b"30 Nov 2026", b"28 Dec 2026"
    )
    sale = read_notice(parse_message(december, "late"))
    assert isinstance(sale, Sale) and sale.ship_by == date(2027, 1, 4)


def mail_from(sender: str, subject: str, text: str) -> Record:
    return Record(
        external_id="x",
        channel="email",
        sender=Person("Someone", [Handle("email", sender)]),
        subject=subject,
        text=text,
        raw_type="text",
    )


def test_a_marketplace_mail_of_another_kind_is_not_a_sale() -> None:
    """Etsy's bill, a Shopify newsletter, a WooCommerce mail without its order lines: nothing."""
    for sender, subject, text in [
        ("transaction@etsy.com", "Your Etsy statement is ready", "Your bill: $12.40"),
        ("mailer@shopify.com", "Grow your store this winter", "Tips for selling more."),
        ("wordpress@shop.example", "[Shop]: New order #12", "Someone wrote."),
        ("ko-fi@ko-fi.com", "New shop order from Sam", "Thank you!"),
        ("hello@etsy-fans.example.org", "You made a sale on Etsy", "Item: Mug\nQuantity: 1"),
    ]:
        assert read_notice(mail_from(sender, subject, text)) is None


SENDERS = st.sampled_from(
    ["transaction@etsy.com", "store+1@t.shopifyemail.com", "ko-fi@ko-fi.com", "wp@shop.example"]
)
SUBJECTS = st.sampled_from(
    [
        "You made a sale on Etsy - Ship by Dec 4 - [$64.00, Order #3187654321]",
        "Nuovo messaggio da anna",
        "[Shop] Order #1042 placed by Emma",
        "[Shop]: New order #1234",
        "New shop order from Tom!",
    ]
)
LINES = st.lists(
    st.one_of(
        st.text(max_size=40),
        st.sampled_from(
            [
                "Item: Mug",
                "Quantity: x",
                "Quantity: 2",
                "Order total: €€",
                "Ship by: 31 feb",
                "Mug × 2",
                "Total",
                "You’ve received the following order from :",
                "Mug X 2 = €1",
                "- : ",
                "Shipping address",
                "BILLING ADDRESS",
                "Transaction ID:",
                "Acquirente: ()",
                "Transaction ID: 1",
                "Shop: x",
                "Order total:",
                "Buyer details",
                "Order number: 1234567",
                "$1.00",
                "2x Mug for € each",
            ]
        ),
    ),
    max_size=25,
)


@given(SENDERS, SUBJECTS, LINES)
def test_any_text_from_a_marketplace_is_read_or_left_never_a_crash(
    sender: str, subject: str, lines: list[str]
) -> None:
    found = read_notice(mail_from(sender, subject, "\n".join(lines)))
    assert found is None or isinstance(found, (Sale, BuyerMessage))
