"""``banco setup``: the guided flow that writes banco.toml with her (mail, Telegram, her order form,
her day), and one command per step (``banco setup mail``...). The flow's logic is in
``banco.inbox.setup``; this module only reads the command line: every question has a flag."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

import click

from banco.inbox.cli.app import Problem, WrongValue, command, group
from banco.inbox.cli.setup_telegram import telegram as telegram_step
from banco.inbox.i18n.catalogs import N_, _, speaking, system_language
from banco.inbox.setup.autoconfig import PLACES, TIMEOUT_SECONDS, Lookup
from banco.inbox.setup.flow import (
    STEPS,
    Session,
    check_shop,
    one_setup,
    open_document,
    run_flow,
    run_step,
    shop_language,
)
from banco.inbox.setup.prompts import Asker, SetupError, WrongAnswer
from banco.inbox.setup.telegram import Pairing

Decorator = Callable[[Callable[..., Any]], Callable[..., Any]]


def _flag(name: str, help_text: str, **more: Any) -> Decorator:
    return click.option(f"--{name}", name.replace("-", "_"), help=help_text, **more)


COMMON: list[Any] = [
    click.option(
        "--no-input",
        is_flag=True,
        help=N_("Ask nothing: take each answer from its flag, else the proposed one."),
    ),
    _flag("language", N_("Your language, for a new shop: en, it or fr.")),
    # the tests' own autoconfig server and Dovecot (whose certificate is its own)
    click.option("--autoconfig", "places", multiple=True, hidden=True),
    click.option("--autoconfig-timeout", type=float, default=TIMEOUT_SECONDS, hidden=True),
    click.option("--no-tls-verify", is_flag=True, hidden=True),
    _flag("shop-name", N_("Your shop's name, for a new shop.")),
    _flag("owner", N_("Your name, to sign your replies, for a new shop.")),
]
MAIL: list[Any] = [
    _flag("address", N_("Your shop's email address.")),
    _flag("account", N_("The mailbox's short name in Banco (default: mail).")),
    _flag("login", N_("Gmail: password (an app password) or oauth.")),
    _flag("oauth-client", N_("Gmail with oauth: your OAuth client's JSON file.")),
    _flag("oauth-client-id", N_("Outlook: your Microsoft app's client ID.")),
    _flag("imap-host", N_("The IMAP server, or your provider's name (found from the address).")),
    _flag("imap-port", N_("The IMAP port.")),
    _flag("imap-security", N_("ssl, starttls or none.")),
    _flag("smtp-host", N_("The SMTP server, for your replies.")),
    _flag("smtp-port", N_("The SMTP port.")),
    _flag("smtp-security", N_("ssl, starttls or none.")),
    _flag("username", N_("The login name (default: the address).")),
    _flag(
        "password",
        N_("The password, kept in a file only you can read (or set BANCO_SETUP_PASSWORD)."),
        envvar="BANCO_SETUP_PASSWORD",
    ),
    _flag(
        "password-command",
        N_('Instead: your password manager\'s command that prints it, e.g. "pass show shop/mail".'),
    ),
    _flag("sent-folder", N_("Your Sent folder ('-' for none).")),
    _flag("folders", N_("The folders orders arrive in, separated by commas.")),
]
FORM: list[Any] = [
    _flag("form-kind", N_("sheet (a Google sheet) or csv (a downloaded file).")),
    _flag("form-account", N_("The form's short name in Banco (default: order-form).")),
    _flag("sheet", N_("The address of the form's answer sheet.")),
    _flag("service-account", N_("A Google service account's key file ('-': `banco auth`).")),
    _flag("csv", N_("The CSV file of the form's answers.")),
]
SCHEDULE: list[Any] = [
    _flag("keep-day", N_("yes to keep the proposed times, no to change them.")),
    *(
        _flag(f"{routine}-times", N_("Times for this routine, separated by commas."))
        for routine in ("collect", "status", "digest", "reply", "plan")
    ),
]
WHOLE: list[Any] = [
    click.option(
        "--skip",
        type=click.Choice(STEPS),
        multiple=True,
        help=N_("Leave out this step (repeatable)."),
    ),
    click.option(
        "--service/--no-service",
        default=None,
        help=N_(
            "At the end, install the service that runs your day at every login (asked; with"
            " --no-input, only with --service)."
        ),
    ),
]


def options(*groups: Sequence[Any]) -> Decorator:
    def decorate(fn: Callable[..., Any]) -> Callable[..., Any]:
        for group_ in reversed(groups):
            for option in reversed(group_):
                fn = option(fn)
        return fn

    return decorate


@group(
    invoke_without_command=True,
    help=N_(
        "Set up your shop step by step: your mailbox, your Telegram bot, your order form and"
        " your day. Each step can be skipped, and run again alone (`banco setup mail`)."
    ),
)
@options(COMMON, MAIL, FORM, SCHEDULE, WHOLE)
@click.pass_context
def setup(ctx: click.Context, **answers: Any) -> None:
    if ctx.invoked_subcommand is not None:
        return
    skipped = set(answers.pop("skip"))
    api_url = answers.pop("telegram_api_url")
    pairing = Pairing(wait_seconds=answers.pop("wait"))
    if api_url:
        pairing = replace(pairing, api_url=api_url.rstrip("/"))
    _run(ctx, answers, lambda session, doc: run_flow(session, doc), skipped, pairing, True)


def _step_command(step: str, help_text: str, *flags: Sequence[Any]) -> click.Command:
    @command(step, help=help_text)
    @options(COMMON, *flags)
    @click.pass_context
    def run(ctx: click.Context, **answers: Any) -> None:
        _run(ctx, answers, lambda session, doc: run_step(session, doc, step), set())

    return run


def _run(
    ctx: click.Context,
    answers: dict[str, Any],
    steps: Callable[[Session, Any], None],
    skipped: set[str],
    pairing: Pairing | None = None,
    offer_service: bool = False,
) -> None:
    interactive = not answers.pop("no_input")
    # a yes/no flag (--remove-webhook/--keep-webhook) answers its question
    answers = {k: ("yes" if v else "no") if isinstance(v, bool) else v for k, v in answers.items()}
    lookup = Lookup(answers.pop("places") or PLACES, answers.pop("autoconfig_timeout"))
    tls_verify = not answers.pop("no_tls_verify")
    given = {name.replace("_", "-"): value for name, value in answers.items()}
    asker = Asker(given, interactive)
    session = Session(ctx.obj["home"], asker, lookup, tls_verify, skipped, pairing or Pairing())
    try:
        with one_setup(session.home):
            language = shop_language(session, system_language(os.environ))
            with speaking(language):
                doc = open_document(session, language)
                steps(session, doc)
                if not check_shop(session, ctx.obj["clock"]):
                    raise Problem(_("some accounts need attention (see above)"))
                click.echo(
                    _(
                        "Your shop is ready. `banco run` runs your day; `banco --help` lists"
                        " the rest."
                    )
                )
                question = _("Start your day with your computer now (`banco service install`)?")
                if offer_service and asker.yes("service", question, interactive):
                    from banco.inbox.cli.routines import service_install

                    ctx.invoke(service_install, keep_env=False)
                else:
                    click.echo(
                        _("To have your day run even after a restart: `banco service install`.")
                    )
    except WrongAnswer as e:
        raise WrongValue(str(e)) from None
    except SetupError as e:
        raise Problem(str(e)) from None


for _step, _help, _flags in (
    ("mail", N_("Set up your mailbox: find its servers, test the login, pick its folders."), MAIL),
    ("form", N_("Set up your order form: its Google sheet, or a CSV file of its answers."), FORM),
    ("schedule", N_("Set up the times Banco runs your day."), SCHEDULE),
):
    setup.add_command(_step_command(_step, _help, _flags))
setup.add_command(telegram_step)  # its own module: inbox/cli/setup_telegram.py
# the whole flow takes the Telegram step's flags too (those it does not have already)
setup.params += [p for p in telegram_step.params if p.name not in {q.name for q in setup.params}]
