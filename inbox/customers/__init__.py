"""Customers: one contact per person however many addresses, phones and chats she writes from.
``merging`` joins two contacts (or two orders for one job) and splits them again; ``suggestions``
finds the contacts and orders that may be one, for the maker to confirm."""
