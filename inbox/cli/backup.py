"""``banco backup``, ``banco restore`` and ``banco export``: the maker's data, hers to keep."""

from __future__ import annotations

from pathlib import Path

import click

from banco.inbox.cli.app import Problem, command, open_shop, with_shop
from banco.inbox.i18n.catalogs import N_, _
from banco.inbox.shop import Shop
from banco.inbox.store import backup as backups
from banco.scheduler.lock import ShopLock


@command(
    "backup",
    help=N_(
        "Back up the store and its attachments into the backups folder, while Banco runs; "
        "old backups are rotated (7 daily, 4 weekly)."
    ),
)
@with_shop
def backup_command(shop: Shop) -> None:
    made = backups.backup(shop.store, shop.clock.now())
    click.echo(_("Backed up to {path}.").format(path=made.path))


@command(
    "restore",
    help=N_(
        "Put a backup back as the store (FILE: a backup's folder or its banco.db); "
        "the store as it was is kept aside first."
    ),
)
@click.argument("source", metavar="FILE", type=click.Path(exists=True, path_type=Path))
@click.pass_context
def restore_command(ctx: click.Context, source: Path) -> None:
    shop = open_shop(ctx)  # its settings and language; the store is opened only once restored
    lock = ShopLock(shop.home)  # no `banco run` starts while the store is swapped
    holder = lock.acquire()
    if holder is not None:
        raise Problem(
            _("banco run is running (process {pid}): stop it, then restore again.").format(
                pid=holder
            )
        )
    try:
        restored = backups.restore(shop.home, source.resolve(), shop.clock.now())
    finally:
        lock.release()
    message_count, order_count = backups.holds(shop.store)  # opening it checks it
    click.echo(
        _("Restored {backup}: {messages} messages, {orders} orders.").format(
            backup=restored.backup, messages=message_count, orders=order_count
        )
    )
    click.echo(_("The store as it was is kept in {path}.").format(path=restored.kept_aside))


@command(
    "export",
    help=N_(
        "Write your orders, contacts, messages and tasks into FOLDER as CSV (or JSON), "
        "and your email messages as .eml files (or one mbox)."
    ),
)
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--format",
    "form",
    type=click.Choice(["csv", "json"]),
    default="csv",
    help=N_("The tables' format (default: csv)."),
)
@click.option(
    "--messages",
    "mail",
    type=click.Choice(["eml", "mbox", "none"]),
    default="eml",
    help=N_("Email messages as received: one .eml file each (default), one mbox, or none."),
)
@with_shop
def export_command(shop: Shop, folder: Path, form: str, mail: str) -> None:
    # imported here: the export reads mail with the email connector's parser, slow to import
    from banco.inbox.store.export import write_export

    rows = write_export(shop.store, folder, form, mail)
    click.echo(
        _(
            "Exported to {folder}: {orders} orders, {contacts} contacts, {messages} messages,"
            " {tasks} tasks."
        ).format(folder=folder, **rows)
    )
