"""Orders: ``pipeline`` (statuses, references, tokens, linking a new sender) and ``status`` (what is
next for each open order, who waits on whom)."""
