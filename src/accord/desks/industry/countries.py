"""Country groups the rules name, and each partner's SAFE agreement state, read from
``data/countries.yaml``.

A rule says where "inside" is with group names (``[EU, EEA_EFTA, UA]``); this module turns
them into sets of ISO 3166-1 alpha-2 codes, so that every check and the supply analysis
agree on one definition.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from accord.core.errors import InvalidInput
from accord.desks.industry import yaml12
from accord.desks.industry.rules import Rule

AGREEMENT_STATES = ("in_force", "negotiating", "none")


@dataclass(frozen=True)
class SafeAgreement:
    """A third country's SAFE agreement (Council Regulation (EU) 2025/1106, Art. 17)."""

    country: str
    state: str  # in_force | negotiating | none
    as_of: str  # the month (or day) the state was last confirmed
    note: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class Countries:
    groups: Mapping[str, frozenset[str]]
    safe_agreements: Mapping[str, SafeAgreement]

    def inside(self, names: Iterable[str]) -> frozenset[str]:
        """The countries of the named groups; a two-letter name is a country itself."""
        found: set[str] = set()
        for name in names:
            name = str(name)
            if name in self.groups:
                found |= self.groups[name]
            elif len(name) == 2 and name.isupper():
                found.add(name)
            else:
                raise InvalidInput(f"countries.yaml: no country group {name!r}")
        return frozenset(found)

    @property
    def member_states(self) -> frozenset[str]:
        return self.groups["EU"]

    def safe_agreement_in_force(self, country: str) -> SafeAgreement | None:
        agreement = self.safe_agreements.get(country)
        return agreement if agreement is not None and agreement.state == "in_force" else None

    def inside_under(self, rules: Sequence[Rule]) -> frozenset[str]:
        """Where an instrument's entities may be established, managed and controlled: the
        Union, and whatever its associated-country and contractor rules add."""
        inside = set(self.member_states)
        for rule in rules:
            if rule.kind == "associated_countries":
                inside |= self.inside(rule.check["countries"])
            elif rule.kind == "contractor_eligibility":
                inside |= self.inside(rule.check["inside"])
        return frozenset(inside)


@cache
def countries() -> Countries:
    """The packaged country data (read once)."""
    text = (resources.files("accord.desks.industry") / "data" / "countries.yaml").read_text(
        encoding="utf-8"
    )
    return read_countries(text)


def read_countries(text: str, name: str = "countries.yaml") -> Countries:
    document = yaml12.load(text, name)
    if not isinstance(document, dict) or not isinstance(document.get("groups"), dict):
        raise InvalidInput(f"{name}: expected `groups` (name: [country codes])")
    groups = {
        str(group): frozenset(str(code) for code in codes)
        for group, codes in document["groups"].items()
    }
    if "EU" not in groups:
        raise InvalidInput(f"{name}: groups: EU is missing")
    agreements = {}
    for number, entry in enumerate(document.get("safe_agreements") or []):
        agreement = _agreement(entry, f"{name}: safe_agreements[{number}]")
        agreements[agreement.country] = agreement
    return Countries(groups, agreements)


def _agreement(entry: Any, where: str) -> SafeAgreement:
    if not isinstance(entry, dict) or not entry.get("country"):
        raise InvalidInput(f"{where}: expected a mapping with a country")
    state = entry.get("state")
    if state not in AGREEMENT_STATES:
        raise InvalidInput(f"{where}.state: {state!r}: one of {', '.join(AGREEMENT_STATES)}")
    as_of = entry.get("as_of")
    return SafeAgreement(
        country=str(entry["country"]),
        state=str(state),
        as_of=as_of.isoformat() if isinstance(as_of, dt.date) else str(as_of or ""),
        note=str(entry.get("note") or ""),
        sources=tuple(str(source) for source in entry.get("sources") or ()),
    )
