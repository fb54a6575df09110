"""The shop's SQLite store, the only place that writes SQL: ``database`` opens it, ``migrations``
holds its schema, one module per noun (``orders``, ``tasks``, ``outbox``, ``accounts``, ``runs``,
...) reads and writes it, and ``queries`` holds the screens' read-only views (messages, orders,
search)."""
