"""Collecting: ``sync`` runs each account's connector, ``ingest`` files each record (the same
message? which contact? which conversation? which order? who waits now?), ``search_index`` keeps
search up to date, ``checks`` compares each source with the store for `banco check`."""
