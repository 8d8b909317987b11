"""The EDF's independence condition (Art. 10(4)), shared by the eligibility engine and the
consortium builder: how names are compared along chains of control, and the search for
a group of members free of common control."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from itertools import combinations
from typing import TypeVar

Member = TypeVar("Member")


def name_key(name: str) -> str:
    """A name as control chains are matched: case and spacing aside."""
    return " ".join(name.casefold().split())


def independent_group(
    members: Sequence[Member],
    size: int,
    spread: int,
    country: Callable[[Member], str],
    related: Callable[[Member, Member], bool],
) -> tuple[Member, ...] | None:
    """The first `size` members (in the order given), pairwise not `related`, established
    in at least `spread` countries; None if there are none."""
    for group in combinations(members, size):
        spread_ok = len({country(member) for member in group}) >= spread
        if spread_ok and not any(related(a, b) for a, b in combinations(group, 2)):
            return group
    return None
