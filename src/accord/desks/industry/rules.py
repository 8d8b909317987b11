"""The eligibility rules of the EU defence-industrial instruments, read from data.

Each rule is a record of ``data/rules.yaml``: its legal citation, our paraphrase, how well
it is established (``text_read``, ``secondary``, ``not_verified``), its sources
(``data/sources.yaml``), the dates it applies between, a version, and the check the
engine runs with the rule's own numbers. Rules are data, not code, so that a change in
the law is a new record beside the old one, and every answer can name what it rests on.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from functools import cache
from importlib import resources
from typing import Any

from accord.core.errors import InvalidInput
from accord.desks.industry import yaml12

STATUSES = ("text_read", "secondary", "not_verified")
_REQUIRED = ("id", "instrument", "version", "citation", "paraphrase", "status", "check")


@dataclass(frozen=True)
class Instrument:
    """An EU instrument: its act and the dates it applies between."""

    code: str
    title: str
    act: str
    valid_from: dt.date
    valid_to: dt.date | None


@dataclass(frozen=True)
class Rule:
    """One versioned rule record."""

    id: str
    instrument: str
    version: int
    citation: str
    paraphrase: str
    status: str
    sources: tuple[str, ...]
    valid_from: dt.date
    valid_to: dt.date | None
    check: Mapping[str, Any]

    @property
    def kind(self) -> str:
        """The engine's check this rule runs."""
        return str(self.check["kind"])

    def share(self, name: str) -> Fraction:
        """An exact share parameter of the check ("65/100" -> 13/20)."""
        return parse_share(self.check[name], f"rule {self.id} check.{name}")

    def share_of(self, name: str, key: str) -> Fraction:
        """An exact share inside a mapping parameter (``rates.testing``)."""
        return parse_share(self.check[name][key], f"rule {self.id} check.{name}.{key}")

    def applies_on(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


@dataclass(frozen=True)
class RuleBook:
    """Every instrument, rule and source the desk knows."""

    instruments: Mapping[str, Instrument]
    rules: tuple[Rule, ...]
    sources: Mapping[str, Mapping[str, Any]]

    def rules_for(self, instrument: str, on: dt.date) -> list[Rule]:
        """The rules of `instrument` in force on `on`, the newest version of each;
        InvalidInput if the instrument is unknown or does not apply on that day."""
        found = self.instruments.get(instrument)
        if found is None:
            known = ", ".join(sorted(self.instruments))
            raise InvalidInput(f"instrument {instrument!r}: one of {known}")
        if on < found.valid_from or (found.valid_to is not None and on > found.valid_to):
            until = found.valid_to.isoformat() if found.valid_to else "today"
            raise InvalidInput(
                f"{found.act} ({instrument}) applies from {found.valid_from.isoformat()} "
                f"to {until}, not on {on.isoformat()}"
            )
        newest: dict[str, Rule] = {}
        for rule in self.rules:
            wanted = rule.instrument == instrument and rule.applies_on(on)
            if wanted and (rule.id not in newest or rule.version > newest[rule.id].version):
                newest[rule.id] = rule
        return list(newest.values())


def parse_share(value: Any, where: str) -> Fraction:
    """An exact share from "n/d" (or an integer); InvalidInput naming `where` otherwise."""
    try:
        share = Fraction(str(value))
    except (ValueError, ZeroDivisionError) as exc:
        raise InvalidInput(f"{where}: {value!r} is no share (write it as 65/100)") from exc
    if not 0 <= share <= 1:
        raise InvalidInput(f"{where}: {value!r} is not between 0 and 1")
    return share


@cache
def rule_book() -> RuleBook:
    """The packaged rules (read once)."""
    folder = resources.files("accord.desks.industry") / "data"
    return read_rule_book(
        folder.joinpath("rules.yaml").read_text(encoding="utf-8"),
        folder.joinpath("sources.yaml").read_text(encoding="utf-8"),
    )


def read_rule_book(rules_text: str, sources_text: str, name: str = "rules.yaml") -> RuleBook:
    """A rule book from the YAML texts; InvalidInput naming the file, rule and field of
    the first problem."""
    document = _yaml(rules_text, name)
    sources = _yaml(sources_text, "sources.yaml").get("sources") or {}
    instruments = {
        code: _instrument(code, entry, name)
        for code, entry in (document.get("instruments") or {}).items()
    }
    rules = tuple(
        _rule(entry, number, instruments, sources, name)
        for number, entry in enumerate(document.get("rules") or [], start=1)
    )
    keys = [(rule.id, rule.version) for rule in rules]
    repeated = sorted({key for key in keys if keys.count(key) > 1})
    if repeated:
        rule_id, version = repeated[0]
        raise InvalidInput(f"{name}: rule {rule_id} version {version} appears twice")
    return RuleBook(instruments, rules, sources)


def _yaml(text: str, name: str) -> dict[str, Any]:
    document = yaml12.load(text, name)
    if not isinstance(document, dict):
        raise InvalidInput(f"{name}: expected a mapping at the top")
    return document


def _instrument(code: str, entry: Any, name: str) -> Instrument:
    where = f"{name}: instrument {code}"
    if not isinstance(entry, dict):
        raise InvalidInput(f"{where}: expected a mapping")
    return Instrument(
        code=code,
        title=str(entry.get("title") or code),
        act=str(entry.get("act") or code),
        valid_from=parse_date(entry.get("valid_from"), f"{where}: valid_from"),
        valid_to=parse_date(entry["valid_to"], f"{where}: valid_to")
        if entry.get("valid_to")
        else None,
    )


def _rule(
    entry: Any,
    number: int,
    instruments: Mapping[str, Instrument],
    sources: Mapping[str, Any],
    name: str,
) -> Rule:
    if not isinstance(entry, dict):
        raise InvalidInput(f"{name}: rule {number}: expected a mapping")
    where = f"{name}: rule {entry.get('id') or number}"
    missing = [field for field in _REQUIRED if entry.get(field) in (None, "")]
    if missing:
        raise InvalidInput(f"{where}: {missing[0]} is missing")
    instrument = instruments.get(str(entry["instrument"]))
    if instrument is None:
        raise InvalidInput(f"{where}: instrument {entry['instrument']!r} is not declared")
    if entry["status"] not in STATUSES:
        raise InvalidInput(f"{where}: status {entry['status']!r}: one of {', '.join(STATUSES)}")
    cited = tuple(str(source) for source in entry.get("sources") or ())
    unknown = [source for source in cited if source not in sources]
    if unknown:
        raise InvalidInput(f"{where}: source {unknown[0]} is not in sources.yaml")
    check = entry["check"]
    if not isinstance(check, dict) or not check.get("kind"):
        raise InvalidInput(f"{where}: check needs a kind")
    valid_from = entry.get("valid_from")
    valid_to = entry.get("valid_to", instrument.valid_to)
    return Rule(
        id=str(entry["id"]),
        instrument=instrument.code,
        version=int(entry["version"]),
        citation=str(entry["citation"]),
        paraphrase=str(entry["paraphrase"]),
        status=str(entry["status"]),
        sources=cited,
        valid_from=parse_date(valid_from, f"{where}: valid_from")
        if valid_from
        else instrument.valid_from,
        valid_to=parse_date(valid_to, f"{where}: valid_to") if valid_to else None,
        check=check,
    )


def parse_date(value: Any, where: str) -> dt.date:
    """A date from YAML (already one) or ISO text; InvalidInput naming `where` otherwise."""
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError as exc:
        raise InvalidInput(f"{where}: {value!r} is no date (YYYY-MM-DD)") from exc
