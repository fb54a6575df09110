"""``banco setup telegram``: the command line of the Telegram step (``banco.inbox.setup.telegram``);
every question has a flag."""

from __future__ import annotations

import os

import click

from banco.inbox.cli.app import Problem, WrongValue, command
from banco.inbox.i18n.catalogs import N_, _, speaking, system_language
from banco.inbox.setup import toml_writer
from banco.inbox.setup.flow import Session, open_document, shop_language
from banco.inbox.setup.prompts import Asker, SetupError, WrongAnswer
from banco.inbox.setup.telegram import WAIT_SECONDS, Pairing, run_telegram_step


@command(
    "telegram",
    help=N_(
        "Set up your Telegram bot: check its token, and find your own chat with a one-time code"
        " you send it."
    ),
)
@click.option(
    "--no-input",
    is_flag=True,
    help=N_("Ask nothing: take each answer from its flag, else the proposed one."),
)
@click.option("--language", help=N_("Your language, for a new shop: en, it or fr."))
@click.option("--shop-name", help=N_("Your shop's name, for a new shop."))
@click.option("--owner", help=N_("Your name, to sign your replies, for a new shop."))
@click.option(
    "--bot-token",
    envvar="BANCO_SETUP_BOT_TOKEN",
    help=N_("The bot's token from @BotFather (or set BANCO_SETUP_BOT_TOKEN)."),
)
@click.option("--telegram-account", help=N_("The bot's short name in Banco (default: telegram)."))
@click.option(
    "--remove-webhook/--keep-webhook",
    default=None,
    help=N_("Remove a webhook the bot has (--keep-webhook: keep it, and stop)."),
)
@click.option(
    "--wait",
    type=click.FloatRange(min=0),
    default=WAIT_SECONDS,
    show_default=True,
    help=N_("How many seconds to wait for your /owner message."),
)
# the tests' own Bot API server
@click.option("--telegram-api-url", hidden=True)
@click.pass_context
def telegram(
    ctx: click.Context,
    no_input: bool,
    wait: float,
    telegram_api_url: str | None,
    remove_webhook: bool | None,
    **answers: str | None,
) -> None:
    given = {name.replace("_", "-"): value for name, value in answers.items()}
    if remove_webhook is not None:  # the question's answer, as she would type it
        given["remove-webhook"] = "y" if remove_webhook else "n"
    session = Session(ctx.obj["home"], Asker(given, not no_input))
    pairing = Pairing(wait_seconds=wait)
    if telegram_api_url:
        pairing = Pairing(api_url=telegram_api_url.rstrip("/"), wait_seconds=wait)
    try:
        language = shop_language(session, system_language(os.environ))
        with speaking(language):
            doc = open_document(session, language)
            found = run_telegram_step(session.asker, doc, session.home, pairing)
            # the bot is kept even when her chat did not answer in time
            toml_writer.save(session.path, doc)
            click.echo(_("Saved {path}.").format(path=session.path))
            if found.owner_chat is None:
                raise Problem(_("your Telegram chat is not set yet (see above)"))
    except WrongAnswer as e:
        raise WrongValue(str(e)) from None
    except SetupError as e:
        raise Problem(str(e)) from None
