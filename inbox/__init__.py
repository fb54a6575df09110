"""Banco's inbox: everything between the connectors and the maker's screens.

    store/      the SQLite file: schema, migrations, and the queries (the only door to the data)
    collect/    fetching from the connectors and filing each record: contact, thread, order, who waits
    orders/     the order pipeline (statuses, references, links) and each order's status check
    replies/    the reply session, suggested replies, the outbox that sends at most once, the owner chat
    routines/   the maker's day: the routines the scheduler calls, the digest, the plan and its calendar
    i18n/       the maker's words in her language
    cli/        the `banco` command
    web/        the web page
    demo/       a made-up shop to try Banco on

``shop.Shop`` (a shop folder: its settings, its store, its connectors) and ``clock`` are shared by all.
See ARCHITECTURE.md for what each room may import.
"""
