"""The demo shop's mail, as data: who writes, when, about what.

Giulia Rinaldi makes ceramics in Bologna. Her customers write in Italian, English and French.
Times count back from the moment the demo is written: ``on(12, "10:42")`` is twelve days ago at
10:42 in Bologna, ``ago(3, 8)`` is three hours and eight minutes ago. ``{wedding}`` and the other
names of :data:`banco.inbox.demo.days.DATES` in a text become real days. Mails are listed thread
by thread, each after the one it answers.
"""

from __future__ import annotations

from dataclasses import dataclass

from banco.inbox.demo.days import When, ago, on


@dataclass(frozen=True)
class Person:
    name: str
    address: str
    lang: str
    zone: str  # the time zone of their mail program, shown in the Date header


@dataclass(frozen=True)
class Attachment:
    filename: str
    kind: str  # "png", "jpeg" or "pdf"
    lines: tuple[str, ...] = ()  # what a PDF shows (ASCII)


@dataclass(frozen=True)
class Mail:
    key: str
    sender: str  # a key of PEOPLE
    sent: When
    subject: str
    body: str = ""  # plain text; may be empty when there is an HTML part
    html: str = ""
    reply_to: str = ""  # key of the mail this one answers
    to: str = ""  # a key of PEOPLE; by default the owner, or whoever wrote the mail answered
    quote: bool = True  # quote the mail answered below the text, as mail programs do
    attachments: tuple[Attachment, ...] = ()
    headers: tuple[tuple[str, str], ...] = ()
    charset: str = "utf-8"


@dataclass(frozen=True)
class Bounce:
    """The mail server's report that ``original`` could not be delivered."""

    key: str
    sent: When
    original: str


@dataclass(frozen=True)
class Garbled:
    """A file in the mailbox that is not an email at all."""

    key: str
    sent: When
    size: int


OWNER = "giulia"

PEOPLE = {
    "giulia": Person("Giulia Rinaldi", "giulia@bottegagiulia.example", "it", "Europe/Rome"),
    "chiara": Person("Chiara Rossi", "chiara.rossi@libero.example", "it", "Europe/Rome"),
    "emma": Person("Emma Walsh", "emma.walsh@fastmail.example", "en", "Europe/London"),
    "claire": Person("Claire Dubois", "claire.dubois@orange.example", "fr", "Europe/Paris"),
    "luca": Person("Luca Ferri", "luca@caffeferri.example", "it", "Europe/Rome"),
    "julien": Person("Julien Moreau", "julien.moreau@free.example", "fr", "Europe/Paris"),
    "anna": Person("Anna Colombo", "anna.colombo@tiscali.example", "it", "Europe/Rome"),
    "sarah": Person("Sarah Mitchell", "sarah.mitchell@mac.example", "en", "America/New_York"),
    "marco": Person("Marco Conti", "marco.conti@alice.example", "it", "Europe/Rome"),
    "olivia": Person("Olivia Bennett", "olivia.bennett@outlook.example", "en", "America/Toronto"),
    "camille": Person("Camille Laurent", "camille.laurent@laposte.example", "fr", "Europe/Paris"),
    "tom": Person("Tom Hughes", "tom@flatwhite-hackney.example", "en", "Europe/London"),
    # Paolo mistyped his address in the order form ("fastmial"), so Giulia's mail bounced.
    "paolo": Person("Paolo Greco", "paolo.greco@fastmial.example", "it", "Europe/Rome"),
    "faenza": Person("Terre di Faenza", "novita@terredifaenza.example", "it", "Europe/Rome"),
    "etsy": Person("Etsy", "transaction@etsy.example", "it", "America/New_York"),
    # Triage: her clay supplier and her sister write too, and neither is an order.
    "argille": Person("Argille Emiliane", "ordini@argille-emiliane.example", "it", "Europe/Rome"),
    "marta": Person("Marta Rinaldi", "marta.rinaldi@libero.example", "it", "Europe/Rome"),
}

#: Giulia's mail program adds this below everything she writes.
SIGNATURE = "\n".join(
    [
        "-- ",  # the standard signature separator: dash, dash, space
        "Giulia Rinaldi",
        "Bottega Giulia · ceramiche fatte a mano",
        "Via San Vitale 41, Bologna",
    ]
)

WEDDING = "Bomboniere per il matrimonio – 40 pezzi"
MUGS = "Custom mugs with our dog's face?"
PLATES_FR = "Service de 8 assiettes pour ma mère"
ESPRESSO = "Tazzine per il bar"
RAMEN = "Bols à ramen ?"
NONNA = "Piatto per i 90 anni della nonna"
TEAM = "Douze tasses pour mon équipe"

ROSSI = [
    Mail(
        key="rossi-1",
        sender="chiara",
        sent=on(12, "10:42"),
        subject=WEDDING,
        headers=(("Cc", "Davide Neri <davide.neri@libero.example>"),),
        body="""
            Buongiorno Giulia,

            ho visto le sue ciotoline blu alla fiera di Santo Stefano e me ne sono innamorata.
            Vorrei 40 bomboniere per il matrimonio: ci sposiamo il {wedding} a Bologna.
            Pensavo a piccole ciotole bianche con il bordo blu cobalto e le nostre iniziali, C & D.

            È fattibile in così poco tempo? Il budget sarebbe intorno ai 300 euro.

            Grazie mille,
            Chiara Rossi
        """,
    ),
    Mail(
        key="rossi-2",
        sender="giulia",
        sent=on(12, "18:05"),
        subject=f"Re: {WEDDING}",
        reply_to="rossi-1",
        body="""
            Cara Chiara,

            grazie, che bello! Sì, ce la facciamo: 40 ciotoline da 8 cm, bianche con il bordo blu
            e le iniziali dipinte a mano, vengono 7,50 € l'una, quindi 300 € in tutto.
            Le bomboniere devono essere pronte due giorni prima: gliele consegno il {favours_due}.

            Preferisce le iniziali all'interno o sul fondo? Se ha un'idea del disegno, me la mandi.

            Un caro saluto,
            Giulia
        """,
    ),
    Mail(
        key="rossi-3",
        sender="chiara",
        sent=on(10, "09:17"),
        subject=f"Re: {WEDDING}",
        reply_to="rossi-2",
        attachments=(Attachment("idea-bomboniera-più-piccola.png", "png"),),
        body="""
            Perfetto! Le iniziali all'interno, per favore. Le allego uno schizzo di Davide:
            il blu solo sul bordo, le iniziali piccole, in corsivo.

            Per il pagamento va bene un acconto con bonifico?

            Chiara
        """,
    ),
    Mail(
        key="rossi-4",
        sender="giulia",
        sent=on(10, "13:30"),
        subject=f"Re: {WEDDING}",
        reply_to="rossi-3",
        body="""
            Lo schizzo è bellissimo, si fa così. Sì, va bene un acconto di 100 € con bonifico.

            Le chiedo di compilare il mio modulo d'ordine con indirizzo e telefono, così ho tutto
            in un posto solo: https://forms.example/bottega-giulia-ordini

            A presto,
            Giulia
        """,
    ),
]

WALSH = [
    Mail(
        key="walsh-1",
        sender="emma",
        sent=on(15, "20:47"),
        subject=MUGS,
        attachments=(Attachment("Biscuit on the sofa.jpg", "jpeg"),),
        body="""
            Hi Giulia,

            A friend bought one of your mugs in Bologna last year and I've wanted one ever since.
            Could you make 6 mugs with our dog's face on them? He's a scruffy terrier called
            Biscuit, photo attached (he's the brown one on the sofa, not the cushion).

            They'd be presents for the family. Do you ship to the UK?

            Thanks so much,
            Emma
        """,
    ),
    Mail(
        key="walsh-2",
        sender="giulia",
        sent=on(14, "08:10"),
        subject=f"Re: {MUGS}",
        reply_to="walsh-1",
        body="""
            Hi Emma,

            Biscuit is a star. Yes, I can do that: six 350 ml mugs, his face painted by hand in
            brown and cream on a white glaze, 38 € each, 228 € in total, plus 24 € for tracked
            shipping to the UK.

            Would you like his name on the other side? And a colour for the inside?

            Best wishes,
            Giulia
        """,
    ),
    Mail(
        key="walsh-3",
        sender="emma",
        sent=on(13, "19:20"),
        subject=f"Re: {MUGS}",
        reply_to="walsh-2",
        body="""
            Yes please: "Biscuit" in a simple handwriting style, and pale blue inside would be
            lovely. Happy with the price. Could you send me a sketch before you start?

            Emma
        """,
    ),
    Mail(
        key="walsh-4",
        sender="giulia",
        sent=on(4, "17:45"),
        subject=f"Re: {MUGS}",
        reply_to="walsh-3",
        attachments=(
            Attachment(
                "Bozza tazze Biscuit – Bottega Giulia.pdf",
                "pdf",
                (
                    "Bottega Giulia - sketch",
                    "6 mugs, 350 ml, white glaze, pale blue inside",
                    "Front: Biscuit's face, brown and cream",
                    "Back: 'Biscuit', handwritten",
                ),
            ),
        ),
        body="""
            Hi Emma,

            here is the sketch of the mugs: Biscuit on the front, his name on the back, pale blue
            inside. If you like it I'll start straight away and they will ship by {emma_ship}.
            Just reply "yes", or tell me what to change.

            Best,
            Giulia
        """,
    ),
    Mail(
        key="walsh-ooo",
        sender="emma",
        sent=on(4, "17:46"),
        subject=f"Automatic reply: Re: {MUGS}",
        reply_to="walsh-4",
        quote=False,
        headers=(("Auto-Submitted", "auto-replied"), ("X-Auto-Response-Suppress", "All")),
        body="""
            Thank you for your email. I'm away until {emma_back} with no access to email.
            For anything urgent, please call the office on 020 7946 0000.

            Emma Walsh
        """,
    ),
]

DUBOIS = [
    Mail(
        key="dubois-1",
        sender="claire",
        sent=on(6, "11:38"),
        subject=PLATES_FR,
        body="""
            Bonjour,

            Je voudrais un service de 8 assiettes plates et 8 assiettes à dessert pour ma mère,
            qui fête ses 70 ans le {claire_birthday}. Elle adore le vert olive et les citrons
            peints qu'on voit sur votre page Instagram.

            Est-ce possible, et à quel prix ? Livrez-vous à Lyon ?

            Merci d'avance et belle journée,
            Claire Dubois
        """,
    ),
    Mail(
        key="dubois-2",
        sender="giulia",
        sent=on(6, "18:10"),
        subject=f"Re: {PLATES_FR}",
        reply_to="dubois-1",
        body="""
            Bonjour Claire,

            Merci pour votre message ! Oui, c'est possible : 8 assiettes plates (27 cm) et
            8 assiettes à dessert (20 cm), émail vert olive et citrons peints à la main, 420 € le
            service, plus 35 € de livraison à Lyon.

            Pour être prête le {claire_birthday}, il me faudrait votre accord cette semaine.
            Les citrons sur toutes les assiettes, ou seulement sur celles à dessert ?

            Bien à vous,
            Giulia
        """,
    ),
    Mail(
        key="dubois-3",
        sender="claire",
        sent=on(1, "21:47"),
        subject=f"Re: {PLATES_FR}",
        reply_to="dubois-2",
        body="""
            Bonjour Giulia,

            C'est parfait, on part là-dessus ! Les citrons seulement sur les assiettes à dessert,
            ma mère trouve ça plus élégant. Comment puis-je vous régler l'acompte ?

            Claire
        """,
    ),
]

FERRI = [
    Mail(
        key="ferri-1",
        sender="luca",
        sent=on(9, "07:02"),
        subject=ESPRESSO,
        body="""
            Ciao Giulia,

            sono Luca del Caffè Ferri in via del Pratello. Apriamo il secondo locale il
            {bar_opening} e vorrei 60 tazzine da espresso con il nostro logo, più 24 tazze da
            cappuccino.

            Mi fai un preventivo? Il logo te lo mando appena la grafica lo finisce.

            Grazie,
            Luca
        """,
    ),
    Mail(
        key="ferri-2",
        sender="giulia",
        sent=on(9, "13:40"),
        subject=f"Re: {ESPRESSO}",
        reply_to="ferri-1",
        body="""
            Ciao Luca,

            volentieri! 60 tazzine da espresso con piattino a 14 € e 24 tazze da cappuccino a
            18 €, logo in blu sotto smalto: 1.272 € in tutto, IVA inclusa. Per 84 pezzi mi
            servono circa tre settimane da quando ho il logo definitivo.

            Aspetto il file e l'indirizzo di consegna.

            Giulia
        """,
    ),
    # Luca answers Giulia's mail but writes a new subject: it is still the same order.
    Mail(
        key="ferri-3",
        sender="luca",
        sent=ago(1, 52),
        subject="Logo definitivo + indirizzo di consegna",
        reply_to="ferri-2",
        attachments=(
            Attachment(
                "logo-caffè-definitivo.pdf",
                "pdf",
                ("CAFFE FERRI", "dal 1987 - Bologna", "Pantone 2955 C"),
            ),
        ),
        body="""
            Eccolo finalmente! In allegato il logo definitivo (va bene in blu scuro?).

            Consegna al nuovo locale: Caffè Ferri, via Saragozza 112, 40123 Bologna.
            Il preventivo va benissimo, dimmi tu quando passo per l'acconto.

            Luca
        """,
    ),
]

MOREAU = [
    Mail(
        key="moreau-1",
        sender="julien",
        sent=on(1, "18:32"),
        subject=RAMEN,
        body="""
            Bonjour Giulia,

            Je suis chef dans un petit restaurant à Marseille et je cherche 20 bols à ramen faits
            main, environ 18 cm de diamètre, émail noir mat dehors et blanc dedans. Ils doivent
            passer au lave-vaisselle professionnel.

            Pourriez-vous m'envoyer un prix et un délai ?

            Cordialement,
            Julien Moreau
            Chez Ju – Marseille
        """,
    ),
    Mail(
        key="moreau-2",
        sender="julien",
        sent=ago(3, 8),
        subject=f"Re: {RAMEN}",
        reply_to="moreau-1",
        body="""
            Petite précision : je serai à Bologne le {julien_visit}, je peux passer à l'atelier
            voir des échantillons si ça vous arrange.

            Julien
        """,
    ),
]

# Anna's old mail program writes ISO-8859-1 and answers with "R:".
OLD_MAILER = (("X-Mailer", "Microsoft Outlook Express 6.00.2900.5931"),)

COLOMBO = [
    Mail(
        key="colombo-1",
        sender="anna",
        sent=on(23, "15:50"),
        subject=NONNA,
        charset="iso-8859-1",
        headers=OLD_MAILER,
        body="""
            Gentile signora Rinaldi,

            mia nonna Ida compie 90 anni e vorrei regalarle un piatto da appendere con la sua
            città, Modica, e una frase in dialetto: "Unni c'è amuri c'è tuttu".

            Perché sia pronto in tempo mi servirebbe entro tre settimane. È possibile?

            Cordiali saluti
            Anna Colombo
        """,
    ),
    Mail(
        key="colombo-2",
        sender="giulia",
        sent=on(22, "09:02"),
        subject=f"Re: {NONNA}",
        reply_to="colombo-1",
        body="""
            Gentile Anna,

            che bella idea. Sì: un piatto da 30 cm con Modica dipinta in blu e giallo e la frase
            sul bordo, 95 euro, pronto in due settimane. Può ritirarlo in bottega o lo spedisco.

            Cordiali saluti,
            Giulia Rinaldi
        """,
    ),
    Mail(
        key="colombo-3",
        sender="anna",
        sent=on(22, "16:31"),
        subject=f"R: {NONNA}",
        reply_to="colombo-2",
        charset="iso-8859-1",
        headers=OLD_MAILER,
        body="""
            Benissimo, procediamo. Passo a ritirarlo io in bottega, così la saluto di persona.
            Grazie mille!

            Anna
        """,
    ),
    Mail(
        key="colombo-4",
        sender="giulia",
        sent=on(21, "08:40"),
        subject=f"Re: R: {NONNA}",
        reply_to="colombo-3",
        body="""
            Perfetto, Anna: lo metto in lavorazione oggi. Ti scrivo quando è pronto.

            A presto,
            Giulia
        """,
    ),
]

MITCHELL = [
    Mail(
        key="mitchell-1",
        sender="sarah",
        sent=on(33, "23:17"),
        subject="The plates arrived!",
        body="""
            Hi Giulia,

            Just to let you know the four dinner plates arrived in Boston today, not a single
            chip. They're even more beautiful in person. My husband wants to know if you make
            matching bowls!

            Warmly,
            Sarah
        """,
    ),
    Mail(
        key="mitchell-2",
        sender="giulia",
        sent=on(32, "08:03"),
        subject="Re: The plates arrived!",
        reply_to="mitchell-1",
        body="""
            Dear Sarah,

            I'm so glad they made the trip safely! I do make matching bowls: I'll send you photos
            when the next batch comes out of the kiln.

            Warm regards,
            Giulia
        """,
    ),
]

CONTI = [
    Mail(
        key="conti-1",
        sender="marco",
        sent=on(352, "19:44"),
        subject="Il piatto è arrivato",
        body="""
            Ciao Giulia,

            il piatto con i fichi è arrivato ed è già appeso in cucina. Mia moglie lo adora.
            Alla prossima!

            Marco
        """,
    ),
    Mail(
        key="conti-2",
        sender="giulia",
        sent=on(351, "08:09"),
        subject="Re: Il piatto è arrivato",
        reply_to="conti-1",
        body="""
            Che bello, grazie Marco! Un saluto a tua moglie, e buon appetito.

            Giulia
        """,
    ),
]

BENNETT = [
    Mail(
        key="bennett-1",
        sender="olivia",
        sent=on(1, "16:10"),
        subject="Birthday mug for my mum",
        body="""
            Hello!

            I visited your studio in Bologna a few months ago and I'm still thinking about the
            mug with the little lemons. Could you make one with "MUM" on it for my mother's
            birthday on {olivia_birthday}? I live in Toronto, so it would need shipping to Canada.
            Is that possible in time?

            Thank you!
            Olivia Bennett
        """,
    ),
]

LAURENT = [
    Mail(
        key="laurent-1",
        sender="camille",
        sent=on(18, "10:55"),
        subject=TEAM,
        body="""
            Bonjour,

            Je dirige une petite équipe de graphistes à Nantes et j'aimerais offrir à chacun une
            tasse faite main, avec son prénom. Douze tasses en tout, couleurs libres, plutôt
            joyeuses !

            Quel serait votre tarif ?

            Merci,
            Camille Laurent
        """,
    ),
    Mail(
        key="laurent-2",
        sender="giulia",
        sent=on(18, "17:30"),
        subject=f"Re: {TEAM}",
        reply_to="laurent-1",
        body="""
            Bonjour Camille,

            Avec plaisir ! 12 tasses de 300 ml, prénoms peints à la main, couleurs variées :
            32 € la tasse, soit 384 €, plus 25 € de livraison à Nantes. Elles peuvent partir
            le {camille_due}.

            Bien à vous,
            Giulia
        """,
    ),
    Mail(
        key="laurent-3",
        sender="camille",
        sent=on(16, "09:21"),
        subject=f"Re: {TEAM}",
        reply_to="laurent-2",
        body="""
            Super, c'est validé ! Voici les prénoms : Anaïs, Bastien, Chloé, Damien, Élise,
            Farid, Gaëlle, Hugo, Inès, Jules, Léa et Mathis. L'acompte est parti ce matin.

            Camille
        """,
    ),
    Mail(
        key="laurent-4",
        sender="giulia",
        sent=on(16, "12:12"),
        subject=f"Re: {TEAM}",
        reply_to="laurent-3",
        body="""
            Merci Camille, acompte bien reçu. Je vous écris quand les tasses sortent du four.

            Giulia
        """,
    ),
]

HUGHES = [
    Mail(
        key="hughes-1",
        sender="tom",
        sent=on(7, "15:04"),
        subject="Wholesale enquiry – cups for our café in London",
        body="""
            Hi Giulia,

            I run Flat White, a small café in Hackney. We're looking for a maker for 40 handmade
            flat-white cups (about 180 ml) with saucers, in a speckled oatmeal glaze.
            Do you do wholesale prices, and what's your lead time for an order that size?

            Cheers,
            Tom Hughes
        """,
    ),
    Mail(
        key="hughes-2",
        sender="giulia",
        sent=on(6, "08:48"),
        subject="Re: Wholesale enquiry – cups for our café in London",
        reply_to="hughes-1",
        body="""
            Hi Tom,

            thanks for thinking of me! For 40 cups with saucers in a speckled oatmeal glaze the
            wholesale price is 26 € a set, 1,040 € in total, plus about 60 € shipping to London.
            Lead time is five weeks from the deposit. Shall I send two samples first? They are
            30 € each, taken off the order.

            Best,
            Giulia
        """,
    ),
]

GRECO = [
    Mail(
        key="greco-1",
        sender="giulia",
        to="paolo",
        sent=on(2, "18:40"),
        subject="Il tuo servizio di piatti – Bottega Giulia",
        body="""
            Ciao Paolo,

            grazie per aver compilato il modulo! 12 piatti (6 piani e 6 fondi) in grès color
            sabbia con il bordo grezzo: 40 € l'uno, 480 € in tutto. Saranno pronti per il
            {paolo_due}, come chiedevi.

            Se ti va bene, ti mando i dati per l'acconto.

            Giulia
        """,
    ),
]

NEWSLETTER = Mail(
    key="faenza-news",
    sender="faenza",
    sent=on(3, "07:00"),
    subject="Spedizione gratuita sopra i 150 € e nuovi smalti reattivi",
    headers=(
        ("List-Id", "Novità Terre di Faenza <novita.terredifaenza.example>"),
        (
            "List-Unsubscribe",
            "<https://terredifaenza.example/disiscriviti?u=4821>, "
            "<mailto:disiscriviti@terredifaenza.example>",
        ),
        ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
        ("Precedence", "bulk"),
    ),
    html="""
        <!DOCTYPE html>
        <html lang="it"><head><meta charset="utf-8"><title>Terre di Faenza</title></head>
        <body style="margin:0;background:#f4efe9;font-family:Georgia,serif;color:#3b2f2a">
        <table width="100%" cellpadding="0" cellspacing="0"><tr><td align="center">
        <table width="600" cellpadding="24" style="background:#ffffff">
        <tr><td>
        <h1 style="color:#a0522d;font-weight:normal">Nuovi smalti reattivi</h1>
        <p>Cara ceramista, caro ceramista,</p>
        <p>sono arrivati i nuovi smalti reattivi per alta temperatura: <b>Mare d'inverno</b>,
        <b>Terra bruciata</b> e <b>Celadon antico</b>, in barattoli da 500&nbsp;g e 1&nbsp;kg.</p>
        <p>Fino a fine mese la spedizione è gratuita sopra i 150&nbsp;€.</p>
        <p><a href="https://terredifaenza.example/smalti?utm_source=newsletter"
        style="background:#a0522d;color:#ffffff;padding:10px 18px;text-decoration:none">Scopri
        gli smalti</a></p>
        </td></tr>
        <tr><td style="font-size:11px;color:#8a7f78">Ricevi questa email perché hai acquistato
        da Terre di Faenza.
        <a href="https://terredifaenza.example/disiscriviti?u=4821">Cancella l'iscrizione</a>
        </td></tr>
        </table></td></tr></table></body></html>
    """,
)

ETSY_SALE = Mail(
    key="etsy-sale",
    sender="etsy",
    sent=on(5, "22:33"),
    subject="Hai fatto una vendita su Etsy! Ordine n. 3187654321",
    headers=(("Auto-Submitted", "auto-generated"),),
    body="""
        Congratulazioni, Giulia!

        Hai una nuova vendita su Etsy.

        Ordine n. 3187654321
        Articolo: Tazza «Limoni», 350 ml
        Quantità: 2
        Totale dell'ordine: 64,00 €

        Acquirente: Hannah Schmidt
        Spedire a: Hannah Schmidt, Bergmannstraße 14, 10961 Berlin, Germania
        Spedisci entro il: {etsy_ship}

        Vedi l'ordine: https://www.etsy.example/your/orders/sold/3187654321
    """,
    html="""
        <html><body style="font-family:Arial,sans-serif">
        <h2>Congratulazioni, Giulia!</h2>
        <p>Hai una nuova vendita su Etsy.</p>
        <table>
        <tr><td>Ordine</td><td><b>n. 3187654321</b></td></tr>
        <tr><td>Articolo</td><td>Tazza «Limoni», 350 ml</td></tr>
        <tr><td>Quantità</td><td>2</td></tr>
        <tr><td>Totale</td><td>64,00 €</td></tr>
        <tr><td>Spedire a</td><td>Hannah Schmidt, Bergmannstraße 14, 10961 Berlin</td></tr>
        <tr><td>Spedisci entro il</td><td>{etsy_ship}</td></tr>
        </table>
        <p><a href="https://www.etsy.example/your/orders/sold/3187654321">Vedi l'ordine</a></p>
        </body></html>
    """,
)

#: Triage: a supplier's shipping notice and her sister's dinner plans open no order; the reply
#: session asks "an order?" about each.
SUPPLIER = Mail(
    key="argille-shipment",
    sender="argille",
    sent=on(1, "11:20"),
    subject="Spedizione del vostro ordine 2291",
    body="""
        Buongiorno,

        i 4 sacchi di grès chiaro da 25 kg sono partiti oggi con il corriere: arriveranno
        giovedì. In allegato trovate il documento di trasporto.

        Cordiali saluti,
        Ufficio ordini, Argille Emiliane
    """,
)
SISTER = Mail(
    key="marta-dinner",
    sender="marta",
    sent=ago(5, 12),
    subject="Cena sabato?",
    body="""
        Ciao Giuli! Sabato sera cena da noi? Porta anche il vino buono :)

        Marta
    """,
)

#: Every ordinary mail, thread by thread.
MAILS: list[Mail] = [
    *ROSSI,
    *WALSH,
    *DUBOIS,
    *FERRI,
    *MOREAU,
    *COLOMBO,
    *MITCHELL,
    *CONTI,
    *BENNETT,
    *LAURENT,
    *HUGHES,
    *GRECO,
    NEWSLETTER,
    ETSY_SALE,
    SUPPLIER,
    SISTER,
]

#: Giulia's mail to the address Paolo mistyped comes back.
BOUNCE = Bounce(key="greco-bounce", sent=on(2, "18:41"), original="greco-1")

#: A file that a crashed sync left half-written: Banco must show it as unreadable.
GARBLED = Garbled(key="garbled", sent=ago(7, 41), size=700)

#: A Postfix delivery report, filled in for :data:`BOUNCE`.
BOUNCE_TEMPLATE = """\
Return-Path: <>
From: Mail Delivery System <MAILER-DAEMON@mx.bottegagiulia.example>
To: {owner}
Subject: Undelivered Mail Returned to Sender
Date: {date}
Message-ID: {message_id}
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status;
 boundary="{boundary}"

This is a MIME-encapsulated message.

--{boundary}
Content-Description: Notification
Content-Type: text/plain; charset=us-ascii

This is the mail system at host mx.bottegagiulia.example.

I'm sorry to have to inform you that your message could not
be delivered to one or more recipients. It's attached below.

For further assistance, please send mail to postmaster.

                   The mail system

<{recipient}>: Host or domain name not found. Name service error for
    name={domain} type=MX: Host not found, try again

--{boundary}
Content-Description: Delivery report
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.bottegagiulia.example
Arrival-Date: {arrival}

Final-Recipient: rfc822; {recipient}
Original-Recipient: rfc822;{recipient}
Action: failed
Status: 5.4.4
Diagnostic-Code: X-Postfix; Host or domain name not found. Name service error
    for name={domain} type=A: Host not found

--{boundary}
Content-Description: Undelivered Message Headers
Content-Type: text/rfc822-headers

{headers}

--{boundary}--
"""
