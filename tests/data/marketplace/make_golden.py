"""One-off: writes the golden notification mails (see tests/data/marketplace/SOURCES.md)."""

from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

ROOT = Path(__file__).parent


def mail(
    path,
    sender,
    to,
    subject,
    plain,
    html=None,
    when=datetime(2026, 11, 30, 21, 33, tzinfo=UTC),
    reply_to=None,
    msgid=None,
    extra=(),
):
    m = EmailMessage()
    m["From"] = sender
    m["To"] = to
    m["Subject"] = subject
    m["Date"] = format_datetime(when)
    m["Message-ID"] = msgid or f"<{Path(path).stem}.{when:%Y%m%d%H%M}@golden.example>"
    if reply_to:
        m["Reply-To"] = reply_to
    for k, v in extra:
        m[k] = v
    if plain is None:  # an HTML-only mail
        m.set_content(html, subtype="html")
    else:
        m.set_content(plain.strip("\n") + "\n")
        if html:
            m.add_alternative(html, subtype="html")
    p = ROOT / path
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_bytes(bytes(m))


GIULIA = "Giulia Rinaldi <giulia@bottegagiulia.example>"

# Etsy --------------------------------------------------------------------------------------------
mail(
    "etsy/sale-en.eml",
    "Etsy <transaction@etsy.com>",
    GIULIA,
    "You made a sale on Etsy - Ship by Dec 4 - [$64.00, Order #3187654321]",
    """
Congratulations, Giulia!

You made a sale on Etsy. Please ship this order by Dec 4.

Order #3187654321

Item: Lemon mug, 350 ml
Quantity: 2
Personalization: Names: Anna & Luca
Item price: $32.00

Order total: $64.00

Buyer: Hannah Schmidt (hannahschmidt84)
Shipping address: Hannah Schmidt, 14 Bergmann Street, Springfield, IL 62704, United States
Ship by: Dec 4

View the order: https://www.etsy.com/your/orders/sold?order_id=3187654321
""",
    html="""<html><body><h2>Congratulations, Giulia!</h2><p>You made a sale on Etsy.</p>
<p><a href="https://www.etsy.com/your/orders/sold?order_id=3187654321">View the order</a></p></body></html>""",
    extra=(("List-Unsubscribe", "<https://www.etsy.com/your/account/notifications>"),),
)


def etsy_html(*paragraphs):
    """Etsy's HTML sale mail as its readers see it: one paragraph a block, a line a <br>."""
    body = "\n".join("<p>" + "<br>".join(p.strip().splitlines()) + "</p>" for p in paragraphs)
    return f"<html><body>{body}</body></html>"


# the order details of Etsy's HTML sale mail (see SOURCES.md): a real layout, made-up values
mail(
    "etsy/sale-en-two-items.eml",
    "Etsy <transaction@etsy.com>",
    GIULIA,
    "You made a sale on Etsy - Ship by Dec 9 - [$118.00, Order #3187999001]",
    None,
    html=etsy_html(
        "Ship it!",
        '<a href="https://www.etsy.com/your/orders/sold?order_id=3187999001">Mark order as shipped</a>',
        "Order details",
        "Your order number is: 3187999001",
        "Espresso cup, speckled\nColour: Sage green\nShop: BottegaGiulia\n"
        "Transaction ID: 4412345001\nQuantity: 4\nPrice: $18.00",
        'Serving bowl, large\nPersonalization: "For Mum, 70"\nShop: BottegaGiulia\n'
        "Transaction ID: 4412345002\nQuantity: 1\nPrice: $46.00",
        "Item total:\n$118.00\nShipping:\n$0.00\nSales tax:\n$0.00\nOrder total:\n$118.00",
        "Buyer details",
        "samokafor",
        '<a href="https://www.etsy.com/messages/new?with_id=90871234">Send them a Convo</a> |'
        ' <a href="mailto:sam.okafor@mail.example">Send them an email</a>',
        "Shipping address",
        "Sam Okafor\n3 Mill Lane\nLeeds LS1 4AB\nUnited Kingdom",
        "Shipping internationally? Print a customs form with your label.",
    ),
    when=datetime(2026, 12, 1, 8, 5, tzinfo=UTC),
)

mail(
    "etsy/sale-en-first-sale.eml",
    "Etsy <emails@mail.etsy.com>",
    GIULIA,
    "Giulia, congrats on your first sale! Verify your info to get paid.",
    None,
    html=etsy_html(
        "Get paid for this sale by verifying your seller info",
        "Verify your info within 60 days to get paid for this order.",
        "Ship it!",
        "Mark the order as shipped",
        '<a href="https://www.etsy.com/your/orders/sold?order_id=3188000123">Mark order as shipped</a>',
        "Order details",
        "Order number: 3188000123",
        "Lemon mug, 350 ml, hand-thrown stoneware\nTransaction ID: 4412399001\nQuantity: 1\n$32.00",
        "Item total:\n$32.00\nShipping:\n$9.50\nCovered by Etsy Insider\nSales tax:\n$0.00\n"
        "Order total:\n$41.50",
        "Buyer details",
        "gracemillerart",
        '<a href="https://www.etsy.com/messages/new?with_id=90875678">Send them a Convo</a> |'
        ' <a href="mailto:grace.miller@mail.example">Send them an email</a>',
        "Payment method",
        "Shipping address",
        "Grace Miller\n7 Orchard Road\nPORTLAND, OR 97205\nUnited States",
        "If you were not involved in this transaction, please contact us via our Contact Page.",
    ),
    when=datetime(2026, 12, 1, 6, 16, tzinfo=UTC),
    reply_to="noreply@mail.etsy.com",
)

mail(
    "etsy/sale-it.eml",
    "Etsy <transaction@etsy.com>",
    GIULIA,
    "Hai fatto una vendita su Etsy! Ordine n. 3187654400",
    """
Congratulazioni, Giulia!

Hai una nuova vendita su Etsy.

Ordine n. 3187654400
Articolo: Tazza «Limoni», 350 ml
Quantità: 2
Totale dell'ordine: 64,00 €

Acquirente: Marta Bianchi
Spedire a: Marta Bianchi, Via Zamboni 3, 40126 Bologna, Italia
Spedisci entro il: 4 dicembre

Vedi l'ordine: https://www.etsy.com/your/orders/sold/3187654400
""",
)

mail(
    "etsy/sale-fr.eml",
    "Etsy <transaction@etsy.com>",
    GIULIA,
    "Vous avez fait une vente sur Etsy ! Commande n° 3187654500",
    """
Félicitations, Giulia !

Vous avez fait une vente sur Etsy.

Commande n° 3187654500
Article : Bol à ramen, bleu
Quantité : 3
Personnalisation : Initiales C.L.
Total de la commande : 96,00 €

Acheteur : Camille Laurent (camillelaurent)
Adresse de livraison : Camille Laurent, 12 rue des Lilas, 69003 Lyon, France
À expédier avant le : 7 décembre

Voir la commande : https://www.etsy.com/your/orders/sold/3187654500
""",
)

mail(
    "etsy/message-en.eml",
    "Etsy Conversations <conversations@mail.etsy.com>",
    GIULIA,
    "Etsy Conversations: new message from hannahschmidt84",
    """
Hi Giulia, could the two lemon mugs be gift-wrapped separately? It's for order #3187654321. Thanks!

Reply on Etsy: https://www.etsy.com/messages/1122334455
""",
    when=datetime(2026, 12, 1, 9, 12, tzinfo=UTC),
)

mail(
    "etsy/message-it.eml",
    "Etsy <conversations@mail.etsy.com>",
    GIULIA,
    "Nuovo messaggio da martabianchi",
    """
Ciao Giulia, posso avere la tazza anche in blu? Grazie, Marta

Rispondi su Etsy: https://www.etsy.com/messages/5566778899
""",
    when=datetime(2026, 12, 1, 10, 0, tzinfo=UTC),
)

# Shopify ------------------------------------------------------------------------------------------
SHOP_HTML = """<html><body><p>{intro}</p>
<p><a href="https://bottega-giulia.myshopify.com/admin/orders/{order}">{button}</a></p></body></html>"""
mail(
    "shopify/new-order-en.eml",
    "Bottega Giulia <store+68123@t.shopifyemail.com>",
    GIULIA,
    "[Bottega Giulia] Order #1042 placed by Emma Walsh",
    """
Emma Walsh placed a new order with your store, Nov 30 at 9:33pm:

View order: https://bottega-giulia.myshopify.com/admin/orders/5551234001

Order summary

Custom dog mug × 2
Large / Navy
Dog's name: Biscuit
€38.00

Espresso cup × 1
€14.00

Subtotal
€90.00
Shipping
€12.00
Total
€102.00 EUR

Customer email
emma.walsh@fastmail.example

Shipping address
Emma Walsh
22 Hackney Road
London E2 7NX
United Kingdom

Shipping method
Standard international
""",
    html=SHOP_HTML.format(
        intro="Emma Walsh placed a new order with your store.",
        button="View order",
        order="5551234001",
    ),
    reply_to="Emma Walsh <emma.walsh@fastmail.example>",
)

mail(
    "shopify/new-order-it.eml",
    "Bottega Giulia <store+68123@t.shopifyemail.com>",
    GIULIA,
    "[Bottega Giulia] Ordine #1043 effettuato da Chiara Rossi",
    """
Chiara Rossi ha effettuato un nuovo ordine nel tuo negozio, 30 nov alle 21:40:

Visualizza ordine: https://bottega-giulia.myshopify.com/admin/orders/5551234002

Riepilogo ordine

Bomboniera a cuore × 40
Incisione: Chiara & Paolo
€4,50

Subtotale
€180,00
Spedizione
€9,00
Totale
€189,00 EUR

Email del cliente
chiara.rossi@libero.example

Indirizzo di spedizione
Chiara Rossi
Via dell'Indipendenza 8
40121 Bologna BO
Italia
""",
    html=SHOP_HTML.format(
        intro="Chiara Rossi ha effettuato un nuovo ordine.",
        button="Visualizza ordine",
        order="5551234002",
    ),
)

mail(
    "shopify/new-order-fr.eml",
    "Bottega Giulia <store+68123@t.shopifyemail.com>",
    GIULIA,
    "[Bottega Giulia] Commande #1044 passée par Julien Moreau",
    """
Julien Moreau a passé une nouvelle commande dans votre boutique, 30 nov. à 21:45 :

Voir la commande : https://bottega-giulia.myshopify.com/admin/orders/5551234003

Récapitulatif de la commande

Assiette plate, terre cuite × 8
€22,00

Sous-total
€176,00
Expédition
€15,00
Total
€191,00 EUR

E-mail du client
julien.moreau@free.example

Adresse de livraison
Julien Moreau
5 place Bellecour
69002 Lyon
France
""",
)

# Shopify's classic default staff "New order" mail, as lightward/mechanic-tasks reproduces it
# (see SOURCES.md): the Liquid rendered by hand, made-up values, no phone given
mail(
    "shopify/new-order-en-classic.eml",
    "Bottega Giulia <store+68123@t.shopifyemail.com>",
    GIULIA,
    "[Bottega Giulia] Order #1045 placed by Ruth Evans",
    None,
    html="""<html><body>Hello,<br><br>Ruth Evans placed a new order with your store, on Nov 30 at 09:33pm:<br>
<ul>  <li> 2x Custom dog mug (SKU: MUG-DOG) for €19.00 each </li>  <li> 1x Espresso cup  for €14.00 each </li> </ul>
Subtotal: €52.00<br>Total: €64.00<br><br>Note:<br>Please wrap them separately.<br><br>
<a href="https://bottega-giulia.myshopify.com/admin/orders/5551234004">View order #1045</a><br>
<b>Shipping address:</b><br>Ruth Evans<br>9 Castle Street<br>Cardiff, Cardiff  CF10 1BS<br>United Kingdom<br><br>
Thanks,<br>- Mechanic, for Bottega Giulia</body></html>""",
    when=datetime(2026, 11, 30, 21, 33, tzinfo=UTC),
)

# WooCommerce ------------------------------------------------------------------------------------
WOO = """
=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=
{heading}
=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=

{intro}

{order_line}

{items}==========

{totals}
{view}

----------------------------------------

{billing_h}

{billing}

{shipping_h}

{shipping}


----------------------------------------

{footer}
"""
mail(
    "woocommerce/admin-new-order-en.eml",
    "Bottega Giulia <wordpress@bottegagiulia.example>",
    GIULIA,
    "[Bottega Giulia]: New order #1234",
    WOO.format(
        heading="New Order: #1234",
        intro="You’ve received the following order from Olivia Bennett:",
        order_line="[ORDER #1234] (NOVEMBER 30, 2026)",
        items="Birthday plate (#PLT-90) X 1 = €85.00\n- Inscription: Nonna 90\n\nMug, lemon X 2 = €64.00\n\n",
        totals="Subtotal:\t €149.00\nShipping:\t €12.00 via Flat rate\nPayment method:\t Direct bank transfer\nTotal:\t €161.00",
        view="\nView order: https://bottegagiulia.example/wp-admin/post.php?post=1234&action=edit",
        billing_h="BILLING ADDRESS",
        billing="Olivia Bennett\n40 King Street West\nToronto ON M5H 1A1\nCanada\n+1 416 555 0199\nolivia.bennett@outlook.example",
        shipping_h="SHIPPING ADDRESS",
        shipping="Olivia Bennett\n40 King Street West\nToronto ON M5H 1A1\nCanada",
        footer="Bottega Giulia — Built with WooCommerce",
    ),
    reply_to="Olivia Bennett <olivia.bennett@outlook.example>",
)

mail(
    "woocommerce/admin-new-order-it.eml",
    "Bottega Giulia <wordpress@bottegagiulia.example>",
    GIULIA,
    "[Bottega Giulia]: Nuovo ordine #1235",
    WOO.format(
        heading="Nuovo ordine: #1235",
        intro="Hai ricevuto il seguente ordine da Anna Colombo:",
        order_line="[ORDINE #1235] (30 NOVEMBRE 2026)",
        items="Piatto dipinto a mano X 1 = 85,00 €\n- Dedica: Per i 90 anni della nonna\n\n",
        totals="Subtotale:\t 85,00 €\nSpedizione:\t 9,00 € tramite Tariffa unica\nMetodo di pagamento:\t Bonifico bancario\nTotale:\t 94,00 €",
        view="\nVisualizza ordine: https://bottegagiulia.example/wp-admin/post.php?post=1235&action=edit",
        billing_h="INDIRIZZO DI FATTURAZIONE",
        billing="Anna Colombo\nVia Roma 12\n20121 Milano MI\n+39 333 555 0101\nanna.colombo@tiscali.example",
        shipping_h="INDIRIZZO DI SPEDIZIONE",
        shipping="Anna Colombo\nVia Roma 12\n20121 Milano MI",
        footer="Bottega Giulia — Realizzato con WooCommerce",
    ),
)

mail(
    "woocommerce/admin-new-order-fr.eml",
    "Bottega Giulia <wordpress@bottegagiulia.example>",
    GIULIA,
    "[Bottega Giulia] : Nouvelle commande #1236",
    WOO.format(
        heading="Nouvelle commande : #1236",
        intro="Vous avez reçu la commande suivante de Claire Dubois :",
        order_line="[COMMANDE N°1236] (30 NOVEMBRE 2026)",
        items="Assiette, bleu de Delft X 8 = 176,00 €\n- Couleur : Bleu\n\n",
        totals="Sous-total :\t 176,00 €\nExpédition :\t 15,00 € via Forfait\nMoyen de paiement :\t Virement bancaire\nTotal :\t 191,00 €",
        view="\nVoir la commande : https://bottegagiulia.example/wp-admin/post.php?post=1236&action=edit",
        billing_h="ADRESSE DE FACTURATION",
        billing="Claire Dubois\n8 rue Oberkampf\n75011 Paris\nclaire.dubois@orange.example",
        shipping_h="ADRESSE DE LIVRAISON",
        shipping="Claire Dubois\n8 rue Oberkampf\n75011 Paris",
        footer="Bottega Giulia — Conçu avec WooCommerce",
    ),
)

# Ko-fi --------------------------------------------------------------------------------------------
mail(
    "kofi/shop-order-en.eml",
    "Ko-fi <ko-fi@ko-fi.com>",
    GIULIA,
    "New shop order from Tom Hughes!",
    """
Hi Giulia,

Tom Hughes bought something from your Ko-fi Shop.

Item: Flat white cup
Variation: Charcoal
Quantity: 6
Amount: 90.00 GBP
Email: tom@flatwhite-hackney.example
Ship to: Tom Hughes, 1 Mare Street, London E8 4RP, United Kingdom
Transaction ID: 0a1fac0c-f960-4506-a60e-824979a74e71

See the order: https://ko-fi.com/Home/CoffeeShop?txid=0a1fac0c-f960-4506-a60e-824979a74e71
""",
)
