"""The consortium builder: the best eligible consortia for a call, found with OR-Tools
CP-SAT (issue 11).

Best means the highest objective of calls.Weights: required capabilities covered, EDF
projects the members shared, funded SMEs, less control from outside and fewer members.
Eligible means EDF Art. 9 and 10(4) as the rule book states them (consortium_pool). The
k best are found one after the other: each solve forbids the consortia found before (a
no-good cut), so the k-th is the best consortium unlike the first k-1, and its
optimality is proved or its gap to the solver's best bound is given.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ortools.sat.python import cp_model

from accord.core.errors import InvalidInput, NotFound
from accord.desks.industry.calls import Call
from accord.desks.industry.consortium_model import SCALE, consortium_model
from accord.desks.industry.consortium_pool import (
    Pool,
    Terms,
    candidate_pool,
    eligibility_problems,
    terms,
)
from accord.desks.industry.organisations import Network

DEFAULT_TOP = 3
DEFAULT_TIME_LIMIT_S = 10.0
SEED = 0


@dataclass(frozen=True)
class Member:
    """One member of a proposed consortium and its role: coordinator, participant
    (funded) or cooperation (established outside; unfunded, not counted for Art. 10(4))."""

    id: str
    name: str
    country: str
    role: str
    covers: tuple[str, ...]
    sme: bool
    outside_control: bool  # needs guarantees (EDF Art. 9(4))


@dataclass(frozen=True)
class Proposal:
    """A consortium, its objective and its terms, and how sure the method is of it:
    `optimal` (proved best, given the ones ranked before), else `gap`, the relative
    distance to the solver's best `bound` (None for the greedy baseline)."""

    rank: int
    method: str  # cp-sat | greedy
    members: tuple[Member, ...]
    terms: Terms
    objective: int
    bound: float | None
    optimal: bool
    gap: float | None
    seconds: float
    uncovered: tuple[str, ...]
    budget_per_funded_member: int | None

    def record(self) -> dict[str, Any]:
        """The proposal as plain JSON-ready data."""
        return {
            "rank": self.rank,
            "method": self.method,
            "objective": self.objective,
            "terms": vars(self.terms),
            "optimal": self.optimal,
            "gap": self.gap,
            "bound": self.bound,
            "seconds": round(self.seconds, 4),
            "uncovered": list(self.uncovered),
            "budget_per_funded_member": self.budget_per_funded_member,
            "members": [{**vars(member), "covers": list(member.covers)} for member in self.members],
        }


def build_consortia(
    call: Call,
    network: Network,
    top: int = DEFAULT_TOP,
    time_limit_s: float = DEFAULT_TIME_LIMIT_S,
    on: dt.date | None = None,
) -> list[Proposal]:
    """Up to `top` distinct eligible consortia for `call`, best first, each solve
    stopped after `time_limit_s` seconds. NotFound if there is none (or none was found in
    the time). Candidates covering no required capability join only if no consortium
    exists without them."""
    if top < 1:
        raise InvalidInput(f"--top {top}: 1 or more")
    if time_limit_s <= 0:
        raise InvalidInput(f"--time-limit {time_limit_s}: more than 0 seconds")
    pool = candidate_pool(call, network, on)
    found, status = _ranked(pool, top, time_limit_s)
    if status == cp_model.INFEASIBLE and not found and not pool.complete:
        pool = candidate_pool(call, network, on, complete=True)
        found, status = _ranked(pool, top, time_limit_s)
    if not found:
        why = (
            "none exists" if status == cp_model.INFEASIBLE else f"none found in {time_limit_s:g} s"
        )
        raise NotFound(
            f"{call.source}: no consortium meets the call and {pool.rule.rule_id} among "
            f"{len(pool.candidates)} candidates ({why})"
        )
    return found


def proposal(
    pool: Pool,
    members: Sequence[int],
    *,
    rank: int,
    method: str,
    seconds: float,
    bound: float | None = None,
    optimal: bool = False,
) -> Proposal:
    """The proposal of the consortium `members` (pool indices), with roles assigned."""
    problems = eligibility_problems(pool, members)
    assert not problems, f"{method} proposed an ineligible consortium: {problems}"
    scored = terms(pool, members)
    objective = scored.objective(pool.call.weights)
    gap = None
    if bound is not None:
        gap = 0.0 if optimal else max(0.0, bound - objective) / max(1.0, abs(bound))
    covered = {name for i in members for name in pool.candidates[i].covers}
    funded = sum(1 for i in members if pool.candidates[i].funded)
    budget = pool.call.budget
    return Proposal(
        rank=rank,
        method=method,
        members=_members(pool, members),
        terms=scored,
        objective=objective,
        bound=bound,
        optimal=optimal,
        gap=gap,
        seconds=seconds,
        uncovered=tuple(c for c in pool.call.required_capabilities if c not in covered),
        budget_per_funded_member=budget // funded if budget is not None and funded else None,
    )


def coordinator_of(pool: Pool, members: Sequence[int]) -> int:
    """The member to coordinate: the one the call names, else the funded member without
    control from outside that shared most projects with the others, then the one with
    most EDF projects, then the first by id."""
    if pool.coordinator is not None:
        return pool.coordinator
    funded = [i for i in members if pool.candidates[i].funded]

    def preference(number: int) -> tuple[bool, int, int, str]:
        candidate = pool.candidates[number]
        shared = sum(pool.links.get((min(number, o), max(number, o)), 0) for o in members)
        projects = len(candidate.organisation.projects)
        return (candidate.outside_control, -shared, -projects, candidate.id)

    return min(funded, key=preference)


def _ranked(pool: Pool, top: int, time_limit_s: float) -> tuple[list[Proposal], Any]:
    """The best consortia of `pool`, and the status of the last solve."""
    built = consortium_model(pool)
    found: list[Proposal] = []
    status = cp_model.UNKNOWN
    while len(found) < top:
        solver = _solver(time_limit_s)
        started = time.perf_counter()
        status = solver.solve(built.model)
        seconds = time.perf_counter() - started
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            break
        members = [i for i, var in enumerate(built.chosen) if solver.boolean_value(var)]
        found.append(
            proposal(
                pool,
                members,
                rank=len(found) + 1,
                method="cp-sat",
                seconds=seconds,
                bound=solver.best_objective_bound / SCALE,
                optimal=status == cp_model.OPTIMAL,
            )
        )
        built.forbid(members)
    return found, status


def _solver(time_limit_s: float) -> cp_model.CpSolver:
    """CP-SAT as measured fastest on this model (benchmarks/consortium.py): one worker
    (on two cores a second one slowed the proof: the portfolio's helpers share the
    cores), no presolve (it cost more than it saved), the full linear relaxation (the
    bound is what proves optimality). One worker and a fixed seed make it repeatable."""
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = SEED
    solver.parameters.cp_model_presolve = False
    solver.parameters.linearization_level = 2
    solver.parameters.max_time_in_seconds = time_limit_s
    return solver


def _members(pool: Pool, members: Sequence[int]) -> tuple[Member, ...]:
    coordinator = coordinator_of(pool, members)

    def role(number: int) -> str:
        if number == coordinator:
            return "coordinator"
        return "participant" if pool.candidates[number].funded else "cooperation"

    order = {"coordinator": 0, "participant": 1, "cooperation": 2}
    ranked = sorted(members, key=lambda i: (order[role(i)], pool.candidates[i].id))
    return tuple(
        Member(
            id=pool.candidates[i].id,
            name=pool.candidates[i].organisation.name,
            country=pool.candidates[i].organisation.country,
            role=role(i),
            covers=tuple(sorted(pool.candidates[i].covers)),
            sme=pool.candidates[i].organisation.sme,
            outside_control=pool.candidates[i].outside_control,
        )
        for i in ranked
    )
