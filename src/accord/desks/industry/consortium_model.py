"""The CP-SAT model of the consortium builder (OR-Tools).

One Boolean per candidate says it is in the consortium. The objective (calls.Weights) is
linear but for the co-participation term, a sum over member pairs; instead of a variable
per pair, each candidate i gets an integer ``links_i``, at most the projects it shared
with the chosen others (sum of w_ij x_j, over the pairs that worked together only) and at
most ``x_i`` times the most it could share with ``max_members - 1`` partners. Maximising
makes ``links_i`` exact, and the sum over i counts each pair twice, so the model's
objective is twice the builder's. The second bound keeps the linear relaxation tight,
which is what proves optimality quickly.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from ortools.sat.python import cp_model

from accord.desks.industry.calls import Weights
from accord.desks.industry.consortium_pool import Candidate, Pool

SCALE = 2  # the model's objective is SCALE times the builder's (pairs counted twice)


@dataclass(frozen=True)
class ConsortiumModel:
    """A CP-SAT model of a pool, with one Boolean per candidate (pool order)."""

    model: cp_model.CpModel
    chosen: tuple[cp_model.IntVar, ...]

    def forbid(self, members: Sequence[int]) -> None:
        """Cut off exactly the consortium `members` (a no-good), for the next best."""
        inside = set(members)
        literals = [~var if number in inside else var for number, var in enumerate(self.chosen)]
        self.model.add_bool_or(literals)


def consortium_model(pool: Pool) -> ConsortiumModel:
    """The model of `pool`: the call's sizes and required members, EDF Art. 10(4), and
    the objective (SCALE times the builder's)."""
    model = cp_model.CpModel()
    chosen = tuple(model.new_bool_var(f"x_{c.id}") for c in pool.candidates)
    _sizes(pool, model, chosen)
    _minimum(pool, model, chosen)
    weights = pool.call.weights
    terms: list[cp_model.IntVar] = []
    points: list[int] = []
    for var in _covered(pool, model, chosen):
        terms.append(var)
        points.append(SCALE * weights.capability)
    for var in _links(pool, model, chosen):
        terms.append(var)
        points.append(weights.co_participation)
    for candidate, var in zip(pool.candidates, chosen, strict=True):
        terms.append(var)
        points.append(SCALE * _member_points(candidate, weights))
    model.maximize(cp_model.LinearExpr.weighted_sum(terms, points))
    return ConsortiumModel(model, chosen)


def _member_points(candidate: Candidate, weights: Weights) -> int:
    """What a member adds on its own: SME (if funded), control from outside, size."""
    points = -weights.member
    points += weights.sme if candidate.funded and candidate.organisation.sme else 0
    points -= weights.outside_control if candidate.outside_control else 0
    return points


def _sizes(pool: Pool, model: cp_model.CpModel, chosen: Sequence[cp_model.IntVar]) -> None:
    roles = pool.call.roles
    model.add(cp_model.LinearExpr.sum(chosen) >= roles.min_members)
    model.add(cp_model.LinearExpr.sum(chosen) <= roles.max_members)
    if pool.call.max_funded is not None:
        funded = [var for c, var in zip(pool.candidates, chosen, strict=True) if c.funded]
        model.add(sum(funded) <= pool.call.max_funded)
    for number in pool.required:
        model.add(chosen[number] == 1)
    if pool.coordinator is not None:
        model.add(chosen[pool.coordinator] == 1)


def _minimum(pool: Pool, model: cp_model.CpModel, chosen: Sequence[cp_model.IntVar]) -> None:
    """EDF Art. 10(4): entities, their countries, and an independent core."""
    rule = pool.rule
    funded = [number for number, c in enumerate(pool.candidates) if c.funded]
    model.add(sum(chosen[i] for i in funded) >= rule.entities)
    model.add(sum(_countries(pool, model, funded, chosen)) >= rule.countries)
    grouped = {number for group in pool.dependent_groups for number in group}
    independent = list(chosen)
    for number in grouped:
        # May count as independent only if chosen; at most one of each group counts.
        independent[number] = model.new_bool_var(f"independent_{pool.candidates[number].id}")
        model.add_implication(independent[number], chosen[number])
    for group in pool.dependent_groups:
        model.add_at_most_one(independent[number] for number in group)
    model.add(sum(independent[i] for i in funded) >= rule.independent)
    spread = _countries(pool, model, funded, independent)
    model.add(sum(spread) >= rule.independent_countries)


def _countries(
    pool: Pool,
    model: cp_model.CpModel,
    numbers: Sequence[int],
    chosen: Sequence[cp_model.IntVar],
) -> list[cp_model.IntVar]:
    """One Boolean per country, true only if one of `numbers` there is chosen."""
    by_country: defaultdict[str, list[int]] = defaultdict(list)
    for number in numbers:
        by_country[pool.candidates[number].organisation.country].append(number)
    present = []
    for country, members in sorted(by_country.items()):
        var = model.new_bool_var(f"country_{country}")
        model.add_bool_or([chosen[i] for i in members]).only_enforce_if(var)
        present.append(var)
    return present


def _covered(
    pool: Pool, model: cp_model.CpModel, chosen: Sequence[cp_model.IntVar]
) -> list[cp_model.IntVar]:
    """One Boolean per required capability, true only if a chosen member has it."""
    covered = []
    for capability in pool.call.required_capabilities:
        having = [chosen[i] for i, c in enumerate(pool.candidates) if capability in c.covers]
        if having:
            var = model.new_bool_var(f"covers_{capability}")
            model.add_bool_or(having).only_enforce_if(var)
            covered.append(var)
    return covered


def _links(
    pool: Pool, model: cp_model.CpModel, chosen: Sequence[cp_model.IntVar]
) -> list[cp_model.IntVar]:
    """One integer per linked candidate: the projects it shared with the chosen others."""
    partners: defaultdict[int, list[tuple[int, int]]] = defaultdict(list)
    for (first, second), weight in pool.links.items():
        partners[first].append((second, weight))
        partners[second].append((first, weight))
    room = pool.call.roles.max_members - 1
    links = []
    for number, shared in sorted(partners.items()):
        most = sum(sorted((w for _, w in shared), reverse=True)[:room])
        var = model.new_int_var(0, most, f"links_{pool.candidates[number].id}")
        model.add(var <= most * chosen[number])
        others = [chosen[other] for other, _ in shared]
        model.add(var <= cp_model.LinearExpr.weighted_sum(others, [w for _, w in shared]))
        links.append(var)
    return links
