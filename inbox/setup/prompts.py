"""The questions of ``banco setup``, asked through one :class:`Asker`.

Every question has a flag: an answer given on the command line is taken without asking (once: a
refused password given as a flag is asked again in a terminal). With ``--no-input`` nothing is
asked: a question without a flag takes its proposed answer, or stops with one line naming the flag.
Questions are read with click's prompt, from a terminal or from a pipe (the tests type into it)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import click

from banco.inbox.i18n.catalogs import _

#: what she may type for yes and no, in every language Banco speaks
YES = ("y", "yes", "s", "si", "sì", "o", "oui")
NO = ("n", "no", "non")


class SetupError(Exception):
    """The flow cannot go on: ``str()`` is one line for the maker, saying what to do."""


class WrongAnswer(SetupError):
    """An answer given on the command line that Banco cannot use (exit status 2)."""


class MissingAnswer(WrongAnswer):
    """A question ``--no-input`` cannot answer: ``str()`` is one line naming its flag."""

    def __init__(self, flag: str) -> None:
        super().__init__(
            _("banco setup needs --{flag} when it runs with --no-input").format(flag=flag)
        )


@dataclass
class Asker:
    #: flag name (without --) -> the value given on the command line, or None
    given: dict[str, str | None]
    interactive: bool = True
    say: Callable[[str], None] = click.echo
    _used: set[str] = field(default_factory=set)
    #: the flag whose command-line value is the answer being checked
    _given_now: set[str] = field(default_factory=set)

    def ask(
        self,
        flag: str,
        question: str,
        default: str | None = None,
        *,
        secret: bool = False,
        check: Callable[[str], str | None] | None = None,
    ) -> str:
        """Her answer to ``question``; ``check`` returns a line saying what is wrong with an
        answer (asked again), or None when it will do."""
        while True:
            self._given_now.clear()
            answer = self._answer(flag, question, default, secret)
            problem = check(answer) if check else None
            if problem is None:
                return answer
            if not self.interactive or flag in self._given_now:
                raise WrongAnswer(problem)
            self.say(problem)

    def choose(self, flag: str, question: str, choices: Mapping[str, str], default: str) -> str:
        """One of ``choices`` (what she types -> what it means), shown after the question."""
        shown = " / ".join(choices)
        by_word = {word.lower(): meaning for word, meaning in choices.items()}

        def known(answer: str) -> str | None:
            if answer.strip().lower() in by_word:
                return None
            return _("Please answer one of: {choices}.").format(choices=shown)

        answer = self.ask(flag, f"{question} ({shown})", default, check=known)
        return by_word[answer.strip().lower()]

    def yes(self, flag: str, question: str, default: bool) -> bool:
        words = (_("yes"), _("no"))

        def yes_or_no(answer: str) -> str | None:
            if answer.strip().lower() in (*YES, *NO, *(w.lower() for w in words)):
                return None
            return _("Please answer {yes} or {no}.").format(yes=words[0], no=words[1])

        answer = self.ask(flag, question, words[0] if default else words[1], check=yes_or_no)
        return answer.strip().lower() in (*YES, words[0].lower())

    def given_once(self, flag: str) -> bool:
        """True when ``flag``'s value came from the command line and was taken already."""
        return flag in self._used

    def _answer(self, flag: str, question: str, default: str | None, secret: bool) -> str:
        value = self.given.get(flag)
        if value is not None and flag not in self._used:
            self._used.add(flag)
            self._given_now.add(flag)
            return value
        if not self.interactive:
            if default is not None:
                return default
            raise MissingAnswer(flag)
        # a pipe cannot hide what is typed; getpass would warn on stderr that it cannot
        answer: str = click.prompt(
            question,
            default=default,
            hide_input=secret and sys.stdin.isatty(),
            show_default=not secret,
        )
        return answer.strip()
