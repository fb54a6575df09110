"""``banco setup schedule``: the times Banco runs her day, proposed in her words and written to
``[schedule]``."""

from __future__ import annotations

import re

from banco.inbox.i18n.catalogs import N_, _
from banco.inbox.setup.prompts import Asker
from banco.inbox.setup.toml_writer import TOMLDocument, set_values

#: routine -> (its default times, what it does in her words)
DEFAULT_DAY: dict[str, tuple[list[str], str]] = {
    "collect": (["08:00", "12:00", "16:00"], N_("fetch new messages and form answers")),
    "status": (["08:30"], N_("look at what is next for each order")),
    "digest": (["08:30"], N_("send you the day's digest")),
    "reply": (["09:00", "17:00"], N_("open a reply session with what to answer")),
    "plan": (["mon 08:45"], N_("plan the week's work")),
}
#: a time as banco.toml writes it: "08:00", "mon 08:45", "mon-fri 17:00"
TIME = re.compile(
    r"^(?:(?:mon|tue|wed|thu|fri|sat|sun)(?:-(?:mon|tue|wed|thu|fri|sat|sun))? )?\d{1,2}:\d{2}$"
)


def run_schedule_step(asker: Asker, doc: TOMLDocument) -> dict[str, list[str]]:
    """Propose the default day, let her change each routine's times, write ``[schedule]``."""
    asker.say(_("Banco runs your day at these times (in your time zone):"))
    for routine, (times, words) in DEFAULT_DAY.items():
        asker.say(f"  {routine:<8} {', '.join(times):<22} {_(words)}")
    schedule = {routine: times for routine, (times, _words) in DEFAULT_DAY.items()}
    if not asker.yes("keep-day", _("Keep these times?"), True):
        for routine, (times, words) in DEFAULT_DAY.items():
            answer = asker.ask(
                f"{routine}-times",
                _("When to {what} (times separated by commas, '-' for never)").format(
                    what=_(words)
                ),
                ", ".join(times),
                check=times_problem,
            )
            schedule[routine] = typed_times(answer)
    set_values(doc, "schedule", schedule)
    return schedule


def typed_times(answer: str) -> list[str]:
    """The times of an answer ("08:00, mon-fri 13:00"), as banco.toml writes them; "-" is none."""
    if answer.strip() == "-":
        return []
    return [" ".join(part.split()).lower() for part in answer.split(",") if part.strip()]


def times_problem(answer: str) -> str | None:
    """A line saying which of the times typed is not one, or None when they all are."""
    for part in typed_times(answer):
        match = TIME.match(part)
        hour, minute = part.rsplit(" ", 1)[-1].split(":") if match else ("99", "99")
        if not match or int(hour) > 23 or int(minute) > 59:
            return _(
                '{time} is not a time; write it like "08:30", "mon 08:45" or "mon-fri 17:00".'
            ).format(time=part)
    return None
