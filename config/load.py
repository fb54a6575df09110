"""Read ``banco.toml`` into frozen dataclasses, reporting every problem at once.

Every problem names the file, the key path and what was expected; the CLI prints them and exits
with status 2. Every key is typed and every number ranged here, at load, so a wrong value never
reaches a command, the page or ``banco run``. Nothing here touches the network or reads a secret's
value.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.core import get_global
from babel.numbers import get_territory_currencies, is_currency

from .options import Option, Problem, check_options, one_line, shown, shown_key, suggest
from .sentence import Sentence

ROUTINES = ("collect", "reply", "status", "plan", "digest")
LANGUAGES = ("en", "it", "fr")
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
SLOT = re.compile(
    r"^(?:(?P<days>[a-z]{3}(?:-[a-z]{3})?(?:,[a-z]{3}(?:-[a-z]{3})?)*)\s+)?(?P<h>\d{1,2}):(?P<m>\d{2})$"
)

SECTIONS: dict[str, dict[str, Option]] = {
    "shop": {
        "name": Option(
            "name", "My shop", Sentence("the shop's name, used in replies and the digest")
        ),
        "owner": Option("str", "", Sentence("your name, used to sign replies")),
        "addresses": Option(
            "addresses", [], Sentence("your own email addresses, so your sent mail counts as yours")
        ),
        "timezone": Option("str", "UTC", Sentence('an IANA time zone such as "Europe/Rome"')),
        "languages": Option(
            "list", ["en"], Sentence('your languages, yours first: "en", "it" or "fr"')
        ),
        "order_prefix": Option(
            "str", "B", Sentence("the letters before order numbers, as in B-0042")
        ),
        "owner_chat": Option(
            "chat", 0, Sentence("your own Telegram chat id, for the digest and replies")
        ),
        "currency": Option(
            "str",
            "",
            Sentence('your prices\' currency, such as "EUR" or "GBP"; empty: your country\'s'),
        ),
    },
    "schedule": {
        r: Option(
            "list", [], Sentence('times for the {routine} routine, e.g. ["08:00"]', routine=r)
        )
        for r in ROUTINES
    },
    "digest": {
        "skip_empty": Option(
            "bool", True, Sentence("skip the digest on a day with nothing to say")
        ),
        "due_days": Option(
            "int", 7, Sentence("how many days ahead deadlines are shown"), minimum=0, maximum=366
        ),
        "email_to": Option(
            "addresses", [], Sentence("addresses the digest is emailed to (default: yours)")
        ),
        "telegram": Option("bool", True, Sentence("also send the digest to your Telegram chat")),
    },
    "plan": {
        "hours": Option(
            "table",
            {"mon": 6, "tue": 6, "wed": 6, "thu": 6, "fri": 6},
            Sentence("hours of work per weekday, e.g. { mon = 6, sat = 3 }"),
        ),
        "day_starts": Option("str", "09:00", Sentence("when your working day starts")),
        "days_off": Option("list", [], Sentence('dates you do not work, e.g. ["2026-12-24"]')),
        "weeks": Option(
            "int", 2, Sentence("how many weeks `banco plan` shows"), minimum=1, maximum=52
        ),
    },
    "status": {
        "quote_days": Option(
            "int",
            5,
            Sentence("days without an answer after a quote before a reminder"),
            minimum=1,
            maximum=366,
        ),
        "waiting_days": Option(
            "int",
            4,
            Sentence("days waiting on a customer before a reminder"),
            minimum=1,
            maximum=366,
        ),
        "checkin_months": Option(
            "ints",
            [3, 6, 12],
            Sentence("months after an order to check in with a past client"),
            minimum=1,
            maximum=120,
        ),
        "checkins_per_week": Option(
            "int",
            2,
            Sentence("at most this many past-client suggestions a week"),
            minimum=0,
            maximum=100,
        ),
        "tasks": Option(
            "table",
            {},
            Sentence('tasks created when an order enters a status, e.g. { booked = ["Buy clay"] }'),
        ),
    },
    "web": {
        "enabled": Option(
            "bool", False, Sentence("also serve the web page while `banco run` runs")
        ),
        "host": Option(
            "str", "127.0.0.1", Sentence("where the page listens; another address needs a password")
        ),
        "port": Option("int", 8765, Sentence("the page's port"), minimum=1, maximum=65535),
        "password": Option(
            "secret", None, Sentence('the page\'s password, e.g. {env = "BANCO_WEB_PASSWORD"}')
        ),
        "tls_cert": Option(
            "str", "", Sentence("a certificate file, to serve the page over HTTPS (with tls_key)")
        ),
        "tls_key": Option("str", "", Sentence("the certificate's private key file")),
        "trusted_proxies": Option(
            "list", [], Sentence("addresses of proxies whose X-Forwarded-For Banco believes")
        ),
    },
    "templates": {
        "dir": Option("path", Path("templates"), Sentence("folder of your own reply templates")),
        "language": Option(
            "str", "", Sentence("language of suggested replies (default: your first)")
        ),
    },
}
ACCOUNT_COMMON = {
    "name": Option("name", help=Sentence("a short name for this account, such as shop-mail")),
    "kind": Option("str", help=Sentence("the kind of account")),
    "enabled": Option("bool", True, Sentence("set to false to pause this account")),
}


class ConfigError(Exception):
    """The config file is missing or wrong. ``problems`` holds one line per problem.

    ``language`` is the maker's language as far as the file could be read (``shop.languages[0]``
    when Banco speaks it), else "" (no file, not TOML, no language of Banco's): the command and
    the page say the problems in it, else in the language they speak already (the command: the
    computer's language when Banco speaks it, else English)."""

    def __init__(self, path: Path, problems: list[Problem], language: str = ""):
        self.path = path
        self.problems = problems
        self.language = language
        super().__init__("\n".join(self.lines))

    @property
    def lines(self) -> list[Sentence]:
        """One sentence per problem: the file, the key path, what is wrong."""
        return [
            Sentence("{path}: {problem}", path=str(self.path), problem=p.sentence)
            for p in self.problems
        ]


@dataclass(frozen=True)
class Slot:
    """A fixed time in the shop's time zone, on some days of the week (all days if ``days`` is "")."""

    text: str
    days: str
    hour: int
    minute: int


def slot_days(slot: Slot) -> list[int]:
    """The weekdays (0 = Monday) a slot fires on."""
    if not slot.days:
        return list(range(7))
    days: list[int] = []
    for part in slot.days.split(","):
        first, _, last = part.partition("-")
        start, end = DAYS.index(first), DAYS.index(last or first)
        days += [d % 7 for d in range(start, end + 1 if end >= start else end + 8)]
    return sorted(set(days))


def longest_gap_hours(slots: tuple[Slot, ...]) -> float | None:
    """The longest time between two consecutive slots over a week; None when there are none."""
    minutes = sorted(
        d * 1440 + slot.hour * 60 + slot.minute for slot in slots for d in slot_days(slot)
    )
    if not minutes:
        return None
    gaps = [b - a for a, b in zip(minutes, minutes[1:], strict=False)]
    gaps.append(minutes[0] + 7 * 1440 - minutes[-1])
    return max(gaps) / 60


@dataclass(frozen=True)
class ShopConfig:
    name: str
    owner: str
    addresses: tuple[str, ...]
    timezone: ZoneInfo
    languages: tuple[str, ...]
    order_prefix: str
    owner_chat: int
    #: an ISO 4217 code, such as "EUR"
    currency: str = "EUR"

    @property
    def language(self) -> str:
        return self.languages[0]


@dataclass(frozen=True)
class AccountConfig:
    name: str
    kind: str
    enabled: bool
    settings: Mapping[str, Any]


@dataclass(frozen=True)
class Config:
    path: Path
    shop: ShopConfig
    accounts: tuple[AccountConfig, ...]
    schedule: Mapping[str, tuple[Slot, ...]]
    digest: Mapping[str, Any]
    templates: Mapping[str, Any]
    plan: Mapping[str, Any] = field(default_factory=dict)
    status: Mapping[str, Any] = field(default_factory=dict)
    web: Mapping[str, Any] = field(default_factory=dict)

    @property
    def home(self) -> Path:
        return self.path.parent

    def account(self, name: str) -> AccountConfig:
        for account in self.accounts:
            if account.name == name:
                return account
        known = [a.name for a in self.accounts]
        raise ConfigError(
            self.path,
            [
                Problem(
                    "",
                    'no account named "{name}"{hint} (accounts: {accounts})',
                    name=name,
                    hint=suggest(name, known),
                    accounts=", ".join(known) or Sentence("none yet"),
                )
            ],
        )


def load_config(path: Path, kinds: Mapping[str, Mapping[str, Option]]) -> Config:
    """Load and check ``path``. ``kinds`` maps each known account kind to its options."""
    return parse_config(path, read_document(path), kinds)


def read_document(path: Path) -> dict[str, Any]:
    """``path`` read as TOML, unchecked; a ConfigError says plainly why it cannot be read."""
    try:
        # utf-8-sig: a byte-order mark, which some Windows editors write first, is skipped
        return tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise ConfigError(
            path, [Problem("", "no config file here; run `banco init` to write one")]
        ) from None
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(path, [Problem("", "not valid TOML: {error}", error=str(e))]) from None
    except RecursionError:
        raise ConfigError(path, [Problem("", "values nested too deeply to read")]) from None
    except (OSError, UnicodeDecodeError) as e:
        raise ConfigError(
            path, [Problem("", "cannot read the file: {error}", error=str(e))]
        ) from None
    except ValueError:  # a whole number of more than 4300 digits, which Python refuses to read
        raise ConfigError(path, [Problem("", "a number too long to read")]) from None


def parse_config(
    path: Path, data: Mapping[str, Any], kinds: Mapping[str, Mapping[str, Option]]
) -> Config:
    problems: list[Problem] = []
    if not data:
        problems.append(
            Problem(
                "",
                "the file is empty; write at least a [shop] section with your shop's name and"
                " time zone (or delete it and run `banco init` for an example)",
            )
        )
    base = path.parent
    sections: dict[str, dict[str, Any]] = {}
    for name, options in SECTIONS.items():
        value = data.get(name, {})
        if not isinstance(value, dict):
            problems.append(Problem(name, "expected a [{name}] section", name=name))
            value = {}
        sections[name] = check_options(value, options, f"{name}.", base, problems)
    for name in data:
        if name not in SECTIONS and name != "accounts":
            known = [*SECTIONS, "accounts"]
            problems.append(
                Problem(shown_key(name), "unknown section{hint}", hint=suggest(name, known))
            )

    shop = _shop(sections["shop"], problems)
    accounts = _accounts(data.get("accounts", []), kinds, base, problems)
    schedule = {
        routine: tuple(_slot(text, f"schedule.{routine}", problems) for text in slots)
        for routine, slots in sections["schedule"].items()
    }
    _check_plan(sections["plan"], problems)
    _check_tasks(sections["status"]["tasks"], problems)
    if problems:
        raise ConfigError(path, problems, _named_language(data))
    return Config(
        path=path,
        shop=shop,
        accounts=accounts,
        schedule=schedule,
        digest=sections["digest"],
        templates=sections["templates"],
        plan=sections["plan"],
        status=sections["status"],
        web=sections["web"],
    )


def _named_language(data: Mapping[str, Any]) -> str:
    """``shop.languages[0]`` as banco.toml writes it, when Banco speaks it; else ""."""
    shop = data.get("shop")
    languages = shop.get("languages") if isinstance(shop, dict) else None
    first = languages[0] if isinstance(languages, list) and languages else None
    return first if isinstance(first, str) and first in LANGUAGES else ""


def _shop(values: dict[str, Any], problems: list[Problem]) -> ShopConfig:
    try:
        zone = ZoneInfo(values["timezone"])
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a folder, such as "Europe"
        problems.append(
            Problem(
                "shop.timezone",
                '"{zone}" is not a time zone; use a name such as "Europe/Rome" or "America/New_York"',
                zone=one_line(values["timezone"]),
            )
        )
        zone = ZoneInfo("UTC")
    languages = tuple(values["languages"]) or ("en",)
    for lang in languages:
        if lang not in LANGUAGES:
            problems.append(
                Problem(
                    "shop.languages",
                    '"{language}" is not available; use {languages}',
                    language=one_line(lang),
                    languages=", ".join(LANGUAGES),
                )
            )
    prefix = values["order_prefix"]
    if not re.fullmatch(r"[A-Z]{1,3}", prefix):
        problems.append(Problem("shop.order_prefix", "expected one to three capital letters"))
    currency = values["currency"].strip().upper() or _home_currency(zone, languages[0])
    if not is_currency(currency):
        problems.append(
            Problem(
                "shop.currency",
                '"{currency}" is not a currency; use a code such as "EUR"',
                currency=one_line(values["currency"]),
            )
        )
    return ShopConfig(
        name=values["name"],
        owner=values["owner"],
        addresses=tuple(a.strip().lower() for a in values["addresses"]),
        timezone=zone,
        languages=languages,
        order_prefix=prefix,
        owner_chat=values["owner_chat"],
        currency=currency,
    )


#: the country of each language Banco speaks, when the time zone names none (UTC)
_LANGUAGE_TERRITORY = {"en": "GB", "it": "IT", "fr": "FR"}


def _home_currency(zone: ZoneInfo, language: str) -> str:
    """The currency of the country the shop's time zone is in (Europe/Rome: EUR, Europe/London:
    GBP), else of the first language's country."""
    territory = get_global("zone_territories").get(str(zone)) or _LANGUAGE_TERRITORY.get(language)
    found = get_territory_currencies(territory) if territory else []
    return found[0] if found else "EUR"


def _accounts(
    raw: Any, kinds: Mapping[str, Mapping[str, Option]], base: Path, problems: list[Problem]
) -> tuple[AccountConfig, ...]:
    if not isinstance(raw, list):
        problems.append(Problem("accounts", "expected [[accounts]] tables"))
        return ()
    accounts: list[AccountConfig] = []
    seen: set[str] = set()
    for i, entry in enumerate(raw, start=1):
        prefix = f"accounts[{i}]."
        if not isinstance(entry, dict):
            problems.append(Problem(f"accounts[{i}]", "expected a table of keys"))
            continue
        common = check_options(
            {k: v for k, v in entry.items() if k in ACCOUNT_COMMON},
            ACCOUNT_COMMON,
            prefix,
            base,
            problems,
        )
        name, kind = common.get("name"), common.get("kind")
        if name is not None:
            prefix = f"accounts[{i}] ({name})."
            if name in seen:
                problems.append(
                    Problem(f"{prefix}name", '"{name}" is used by two accounts', name=name)
                )
            seen.add(name)
        if kind is None:
            continue
        if kind not in kinds:
            problems.append(
                Problem(
                    f"{prefix}kind",
                    'unknown kind "{kind}"{hint} (known kinds: {kinds})',
                    kind=kind,
                    hint=suggest(kind, sorted(kinds)),
                    kinds=", ".join(sorted(kinds)),
                )
            )
            continue
        settings = check_options(
            entry, kinds[kind], prefix, base, problems, ignore=tuple(ACCOUNT_COMMON)
        )
        if name is not None:
            accounts.append(AccountConfig(name, kind, common["enabled"], settings))
    return tuple(accounts)


def _check_plan(plan: dict[str, Any], problems: list[Problem]) -> None:
    for day, hours in plan["hours"].items():
        if day not in DAYS:
            problems.append(
                Problem(
                    f"plan.hours.{shown_key(day)}",
                    "not a day{hint}; use {days}",
                    hint=suggest(day, DAYS),
                    days=", ".join(DAYS),
                )
            )
        elif not isinstance(hours, int | float) or isinstance(hours, bool) or not 0 <= hours <= 24:
            problems.append(
                Problem(
                    f"plan.hours.{day}",
                    "is {value}; expected hours from 0 to 24",
                    value=shown(hours),
                )
            )
    for text in plan["days_off"]:
        try:
            date.fromisoformat(text)
        except ValueError:
            problems.append(
                Problem(
                    "plan.days_off",
                    '"{text}" is not a date; write it as "2026-12-24"',
                    text=one_line(text),
                )
            )
    if not re.fullmatch(r"([01]?\d|2[0-3]):[0-5]\d", plan["day_starts"]):
        problems.append(
            Problem(
                "plan.day_starts",
                '"{text}" is not a time such as "09:00"',
                text=one_line(plan["day_starts"]),
            )
        )


def _check_tasks(tasks: dict[str, Any], problems: list[Problem]) -> None:
    for status, titles in tasks.items():
        if not isinstance(titles, list) or not all(isinstance(t, str) for t in titles):
            problems.append(
                Problem(
                    f"status.tasks.{shown_key(status)}",
                    'expected a list of tasks, e.g. ["Buy clay"]',
                )
            )


def _slot(text: str, key: str, problems: list[Problem]) -> Slot:
    match = SLOT.match(text.strip().lower())
    if not match or int(match["h"]) > 23 or int(match["m"]) > 59:
        problems.append(
            Problem(
                key,
                '"{text}" is not a time; expected a time such as "08:30", "mon 08:45" or "mon-fri 17:00"',
                text=one_line(text),
            )
        )
        return Slot(text, "", 0, 0)
    days = match["days"] or ""
    for part in re.split(r"[,-]", days) if days else []:
        if part not in DAYS:
            problems.append(
                Problem(
                    key,
                    '"{day}" in "{text}" is not a day; use {days}',
                    day=part,
                    text=one_line(text),
                    days=", ".join(DAYS),
                )
            )
    return Slot(text, days, int(match["h"]), int(match["m"]))
