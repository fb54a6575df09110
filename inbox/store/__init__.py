"""The shop's SQLite store: ``database`` opens it, ``migrations`` holds its schema, ``queries`` and
``runs`` read and write it for the views and the routines."""
