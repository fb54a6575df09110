"""Which of her folders setup proposes: the Sent folder (the server's special-use flag first, then
its name in English, Italian or French) and the folders orders arrive in."""

from __future__ import annotations

from banco.inbox.setup.mail import Folder, proposed_folders, proposed_sent


def folders(*names: str, flagged: str = "", delimiter: str = "/") -> list[Folder]:
    return [
        Folder(name, (b"\\HasNoChildren", b"\\Sent") if name == flagged else (), delimiter)
        for name in names
    ]


def test_the_folder_the_server_flags_as_sent_comes_first() -> None:
    listed = folders("INBOX", "Sent", "[Gmail]/Posta inviata", flagged="[Gmail]/Posta inviata")
    assert proposed_sent(listed) == "[Gmail]/Posta inviata"


def test_else_a_sent_folder_by_its_name_in_her_language() -> None:
    assert proposed_sent(folders("INBOX", "Posta inviata")) == "Posta inviata"
    assert proposed_sent(folders("INBOX", "Éléments envoyés")) == "Éléments envoyés"
    assert proposed_sent(folders("INBOX", "INBOX.Sent Items", delimiter=".")) == "INBOX.Sent Items"
    assert proposed_sent(folders("INBOX", "Archivio")) is None


def test_the_inbox_and_the_folders_named_like_orders() -> None:
    listed = folders("INBOX", "Ordini", "INBOX/Commandes 2026", "Orders", "Spam", "Sent")
    assert proposed_folders(listed) == ["INBOX", "Ordini", "INBOX/Commandes 2026", "Orders"]
