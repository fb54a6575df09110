"""``banco`` commands of the day's routines: run, routine, plan, serve, schedule, service."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, NoReturn

import click
from babel.dates import format_datetime

from banco.config import ConfigError
from banco.inbox.cli.app import Problem, command, group, open_shop, verbose_option, with_shop
from banco.inbox.i18n.catalogs import N_, _, current_language, ngettext, said
from banco.inbox.i18n.money import locale_of
from banco.inbox.shop import Shop

if TYPE_CHECKING:  # a type only: the routines are imported by the commands that run them
    from banco.inbox.routines.day import Outcome


@command(
    "run", help=N_("Run your day: every routine at its time in [schedule], until stopped (Ctrl-C).")
)
@verbose_option
@click.pass_context
def run_command(ctx: click.Context, verbose: bool) -> None:
    import logging

    from banco.inbox import logs
    from banco.inbox.routines import day as routines
    from banco.inbox.store.runs import last_run
    from banco.scheduler.runner import AlreadyRunning, serve

    shop = open_shop(ctx)  # the config is checked before anything starts
    obj = ctx.find_root().obj
    home = shop.home

    def fresh() -> Shop:
        return Shop.open(home, clock=obj["clock"], registry=obj.get("registry"))

    def run_routine(name: str) -> None:
        try:
            current = fresh()
        except ConfigError as e:  # banco.toml broke while running: say so, keep the schedule
            logging.getLogger("banco").error("%s skipped: %s", name, e)
            return
        try:
            routines.run(current, name, tell=lambda outcome: click.echo(run_line(current, outcome)))
        finally:
            current.close()

    def with_fresh(step: Callable[[Shop], object]) -> Callable[[], None]:
        def run_step() -> None:
            current = fresh()
            try:
                step(current)
            except Exception as e:  # logged; the schedule goes on
                logging.getLogger("banco").error("%s failed: %s", step.__name__, e)
            finally:
                current.close()

        return run_step

    def collect_frequent(current: Shop) -> None:
        routines.collect(current, routines.frequent_accounts(current))

    # Her terminal (and the service's journal) gets one line per routine, in her words; the
    # libraries' lines (APScheduler's jobs added, run, skipped) only with -v.
    logs.setup(logging.INFO if verbose else logging.WARNING, verbose)
    logging.getLogger("apscheduler").setLevel(logging.INFO if verbose else logging.ERROR)
    page = None
    if shop.config.web["enabled"]:
        from banco.inbox.web import Tls, WebError, start

        web = shop.config.web
        try:
            page = start(
                home,
                web["host"],
                web["port"],
                clock=obj["clock"],
                registry=obj.get("registry"),
                password=web["password"],
                tls=Tls.configured(web, home),
                trusted_proxies=web["trusted_proxies"],
            )
        except WebError as e:
            _page_refused(e)
        click.echo(_("Banco's page: {url}").format(url=page.url))
        if page.notice:
            click.echo(page.notice)
    try:
        serve(
            home,
            shop.config,
            run_routine,
            last_runs=lambda: {r: last_run(shop.store, r) for r in routines.ROUTINES},
            now=shop.clock.now,
            collect_frequent=with_fresh(collect_frequent)
            if routines.frequent_accounts(shop)
            else None,
            every_minute=with_fresh(routines.each_minute),
            ready=lambda text: _ready(shop, said(text)),
        )
    except AlreadyRunning as e:
        raise Problem(said(e)) from None
    finally:
        if page is not None:
            page.stop()
    click.echo(_("Stopped."))


def _ready(shop: Shop, text: str) -> None:
    click.echo(text)
    if not any(shop.config.schedule.values()):
        click.echo(
            _(
                "Nothing is scheduled yet: add times under [schedule] in banco.toml, for example"
                ' collect = ["08:00", "14:00"] and digest = ["08:30"], then start `banco run`'
                " again. Until then it only keeps your Telegram chats and the page going."
            )
        )


def run_line(shop: Shop, outcome: Outcome) -> str:
    """``08:00 collect: 12 new messages, 2 new orders``: one routine run, in her words."""
    at = shop.clock.now().astimezone(shop.config.shop.timezone).strftime("%H:%M")
    return f"{at} {outcome.routine}: {_outcome_words(outcome)}"


def _outcome_words(outcome: Outcome) -> str:
    if outcome.error:
        return _("failed: {error}; `banco check` says more").format(error=outcome.error)
    if outcome.skipped:
        return _("nothing to do: {why}").format(why=outcome.skipped)
    s = outcome.summary or {}
    if outcome.routine == "collect":
        parts = [
            ngettext("{n} new message", "{n} new messages", s["new"]).format(n=s["new"]),
            ngettext("{n} new order", "{n} new orders", s["orders"]).format(n=s["orders"]),
        ]
        if s["replies_sent"]:
            parts.append(_replies_sent(s["replies_sent"]))
        if s["failed"]:
            parts.append(
                _("not reached: {accounts} (see `banco check`)").format(
                    accounts=", ".join(s["failed"])
                )
            )
        return ", ".join(parts)
    if outcome.routine == "reply":
        parts = [
            ngettext(
                "{n} message waits for your answer",
                "{n} messages wait for your answer",
                s["waiting"],
            ).format(n=s["waiting"])
        ]
        if s["told_owner"]:
            parts.append(_("told you on Telegram"))
        if s["replies_sent"]:
            parts.append(_replies_sent(s["replies_sent"]))
        return ", ".join(parts)
    if outcome.routine == "status":
        return ngettext(
            "{n} open order checked: {you} wait for you, {them} for the customer",
            "{n} open orders checked: {you} wait for you, {them} for the customer",
            s["open_orders"],
        ).format(n=s["open_orders"], you=s["waiting_for_you"], them=s["waiting_for_customers"])
    if outcome.routine == "plan":
        return _("plan.ics rewritten, {days} days planned").format(days=s["days"])
    if "skipped" in s:  # the digest, on a day with nothing to say
        return _("nothing to say today, no digest sent")
    sent = [account for account in s if account != "file"]  # each account: where it went
    if sent:
        return _("digest sent ({channels}) and written to {path}").format(
            channels=", ".join(sent), path=s["file"]
        )
    return _("digest written to {path}").format(path=s["file"])


def _replies_sent(n: int) -> str:
    return ngettext("{n} reply sent", "{n} replies sent", n).format(n=n)


@command(help=N_("Run one routine now, as the schedule would."))
@click.argument("name", type=click.Choice(["collect", "reply", "status", "plan", "digest"]))
@with_shop
def routine(shop: Shop, name: str) -> None:
    from banco.inbox.routines import day as routines

    if not routines.run(shop, name):
        raise Problem(_("the {name} routine failed; see `banco check`").format(name=name))
    click.echo(_("{name}: done.").format(name=name))


@command(help=N_("Your work laid out over the next weeks, earliest deadline first."))
@click.option(
    "--ics",
    "as_ics",
    is_flag=True,
    help=N_("Print the calendar file instead, and write it (plan.ics)."),
)
@with_shop
def plan(shop: Shop, as_ics: bool) -> None:
    from banco.inbox.i18n.words import say
    from banco.inbox.routines.ics import ICS_NAME, plan_ics, write_plan_ics
    from banco.inbox.routines.plan import build_plan, render_plan_text

    config = shop.config
    now = shop.clock.now()
    laid_out = build_plan(shop.store, config.plan, config.shop.timezone, now, calendar=as_ics)
    if not as_ics:
        # The calendar file holds every deadline ahead: written by the plan routine each morning
        # and here on request, so that reading the plan costs what the plan shows.
        text = render_plan_text(laid_out, config.shop.language, config.plan["weeks"])
        path = shop.home / ICS_NAME
        words = "plan_calendar_kept" if path.exists() else "plan_calendar_none"
        click.echo(text + "\n" + say(config.shop.language, words, path=path))
        return
    data = plan_ics(laid_out, config.shop.name, config.shop.timezone, lang=config.shop.language)
    click.echo(data.decode(), nl=False)
    write_plan_ics(shop.home, data)  # after printing it: a full disk refuses only the file


@command(
    "serve",
    help=N_("Open Banco's page in your browser: today, inbox, orders, replies, plan, accounts."),
)
@click.option(
    "--host",
    help=N_(
        "Where to listen (default [web] host, 127.0.0.1); another address needs [web] password."
    ),
)
@click.option(
    "--port", type=click.IntRange(0, 65535), help=N_("The port (default [web] port, 8765).")
)
@with_shop
def serve_command(shop: Shop, host: str | None, port: int | None) -> None:
    from banco.inbox.web import Tls, WebError, serve

    web = shop.config.web
    try:
        serve(
            shop.home,
            host or web["host"],
            web["port"] if port is None else port,
            clock=shop.clock,
            registry=shop.registry,
            password=web["password"],
            ready=click.echo,
            tls=Tls.configured(web, shop.home),
            trusted_proxies=web["trusted_proxies"],
        )
    except WebError as e:
        _page_refused(e)


def _page_refused(e: Exception) -> NoReturn:
    """The page cannot start: a wrong [web] value in banco.toml exits 2, like any wrong value."""
    from banco.inbox.web import SettingError

    if isinstance(e, SettingError):
        click.echo(str(e), err=True)
        raise click.exceptions.Exit(2)
    raise Problem(str(e)) from None


@command(help=N_("When each routine runs next, in your time zone."))
@with_shop
def schedule(shop: Shop) -> None:
    from banco.inbox.routines.day import frequent_accounts
    from banco.scheduler.runner import FREQUENT_COLLECT_MINUTES, upcoming

    zone = shop.config.shop.timezone
    locale = locale_of(current_language())
    next_word = _("next")
    for name, when in upcoming(shop.config, shop.clock.now()):
        slots = ", ".join(s.text for s in shop.config.schedule[name]) or _("no times set")
        at = (
            format_datetime(when.astimezone(zone), "EEE dd MMM HH:mm", locale=locale)
            if when
            else _("never")
        )
        click.echo(f"{name:<8} {next_word} {at:<16} ({slots})")
    if frequent := frequent_accounts(shop):
        click.echo(
            ngettext(
                "also every {n} minute while `banco run` is on: collect {accounts}",
                "also every {n} minutes while `banco run` is on: collect {accounts}",
                FREQUENT_COLLECT_MINUTES,
            ).format(n=FREQUENT_COLLECT_MINUTES, accounts=", ".join(frequent))
        )


@group(help=N_("Start `banco run` with your computer, and see how it is doing."))
def service() -> None:
    """The group of `banco service install|status|logs`; nothing to do before its commands."""


@service.command(
    "install",
    help=N_(
        "Write the service that starts `banco run` at login (systemd; launchd on a Mac), after"
        " checking that it can read every password and token."
    ),
)
@click.option(
    "--env-file",
    "keep_env",
    is_flag=True,
    help=N_(
        "Keep the values of the environment-variable secrets set in this shell in service.env,"
        " readable by you only, for the service."
    ),
)
@with_shop
def service_install(shop: Shop, keep_env: bool) -> None:
    from banco.scheduler import service as svc

    if keep_env and (kept := svc.keep_environment(shop.config)):
        click.echo(
            _("Kept {names} in {path} (readable by you only).").format(
                names=", ".join(kept), path=svc.env_file(shop.home)
            )
        )
    problems = svc.unreadable(shop.config, svc.read_env_file(svc.env_file(shop.home)))
    for p in problems:
        click.echo(
            _("{where} = {secret}: {reason}; {fix}").format(
                where=p.where, secret=p.secret, reason=said(p.reason), fix=said(p.fix)
            ),
            err=True,
        )
    if problems:
        raise Problem(
            ngettext(
                "the service could not read {n} secret (see above); nothing was installed",
                "the service could not read {n} secrets (see above); nothing was installed",
                len(problems),
            ).format(n=len(problems))
        )
    if sys.platform == "darwin":
        path, commands = svc.install_launchd(shop.home)
    else:
        path, commands = svc.install_systemd(shop.home)
        try:
            svc.start_systemd(shop.home)
        except svc.ServiceError as e:
            click.echo(said(e))
        else:
            click.echo(
                _(
                    "Wrote {path} and started it: your day runs now and at every login. For it"
                    " to run while you are logged out too: loginctl enable-linger $USER"
                ).format(path=path)
            )
            return
    click.echo(_("Wrote {path}. To start it now and at every login, run:").format(path=path))
    for line in commands:
        click.echo(f"  {line}")


@service.command("status", help=N_("Say whether the service is running."))
@with_shop
def service_status(shop: Shop) -> None:
    from banco.scheduler import service as svc

    try:
        state = (
            svc.launchd_status(shop.home)
            if sys.platform == "darwin"
            else svc.systemd_status(shop.home)
        )
    except svc.ServiceError as e:
        raise Problem(said(e)) from None
    click.echo(said(state))


@service.command("logs", help=N_("Show the service's latest lines: what each routine did."))
@click.option(
    "--lines",
    "count",
    type=click.IntRange(1, 10000),
    default=50,
    show_default=True,
    help=N_("How many lines."),
)
@with_shop
def service_logs(shop: Shop, count: int) -> None:
    from banco.scheduler import service as svc

    try:
        lines = (
            svc.launchd_logs(shop.home, count)
            if sys.platform == "darwin"
            else svc.systemd_logs(shop.home, count)
        )
    except svc.ServiceError as e:
        raise Problem(said(e)) from None
    for line in lines:
        click.echo(line)
    if not lines:
        click.echo(_("The service has written nothing yet."))
