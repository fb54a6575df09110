"""The demo shop's ``banco.toml``, commented for the maker who opens it."""

BANCO_TOML = """\
# Banco's settings for Bottega Giulia, a made-up shop to look around in.
# Lines starting with # are notes for you; Banco skips them.

[shop]
# The shop's name, as customers see it in replies and in your daily summary.
name = "Bottega Giulia"
# Your name, used to sign your replies.
owner = "Giulia Rinaldi"
# Your own email addresses, so Banco knows which emails you wrote yourself.
addresses = ["giulia@bottegagiulia.example"]
# Your time zone: Banco shows every date and time in it.
timezone = "Europe/Rome"
# The languages you answer in, the one you use most first.
languages = ["it", "en", "fr"]

# Each [[accounts]] block below is one place where orders arrive.

[[accounts]]
# A short name you choose for this account.
name = "shop-mail"
# "maildir" means emails kept as files in a folder on this computer.
kind = "maildir"
# The folder with the emails, next to this file.
path = "Maildir"
# The folder, inside it, with the emails you sent.
sent_folder = "Sent"

[[accounts]]
# A short name you choose for this account.
name = "order-form"
# "csv" means a table saved as a .csv file, such as the answers to your order form.
kind = "csv"
# The file with the answers, from Google Forms: Responses, then "Download responses (.csv)".
path = "form-responses.csv"
"""
