"""Which alternatives to buy so that a product meets its origin rules at the least cost: a
CP-SAT model choosing one option (the current one or an alternative) per component.

Each origin rule is an exact integer linear constraint
(:func:`accord.desks.industry.origin.linear_bound`): ``counted * d <= n * base`` (or ``>=``)
for the limit n/d. EDIRPA's base is the fixed estimated value of the end product; EDIP's
and SAFE's is the components' total cost, which the choice changes, and the constraint
stays linear (``outside * 100 <= 35 * total``). The objective is the total component cost;
among choices of equal cost the one with the fewest swaps wins. A cheaper alternative that
keeps the product eligible is therefore taken too: the answer is the least total cost.
The chosen combination is checked again with :func:`~accord.desks.industry.origin.origin_share`,
the same exact arithmetic the report uses, so the solver is never the only judge.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ortools.sat.python import cp_model

from accord.desks.industry.bom import BillOfMaterials, Option, Part
from accord.desks.industry.origin import OriginShare, linear_bound, origin_share
from accord.desks.industry.rules import Rule

TIME_LIMIT_S = 10.0
_Counts = Callable[[Option], bool]
_STATUS = {
    cp_model.OPTIMAL: "optimal",
    cp_model.FEASIBLE: "feasible",
    cp_model.INFEASIBLE: "infeasible",
    cp_model.MODEL_INVALID: "invalid",
}


@dataclass(frozen=True)
class OriginTest:
    """An origin rule with the countries counted as inside for it."""

    rule: Rule
    inside: frozenset[str]


@dataclass(frozen=True)
class Swap:
    """One component bought from an alternative instead of the current option."""

    component: str
    subsystem: str
    before: Option
    after: Option

    @property
    def cost_delta(self) -> int:
        return self.after.cost - self.before.cost


@dataclass(frozen=True)
class Substitution:
    """The least-cost choice of options meeting every rule of `target`, if one exists."""

    target: str  # an instrument, or several joined by "+"
    status: str  # optimal (proven) | feasible (time ran out) | infeasible | unknown | invalid
    swaps: tuple[Swap, ...]
    cost_before: int  # total component cost, whole units
    cost_after: int
    shares: tuple[OriginShare, ...]  # the rules worked out after the swaps

    @property
    def eligible(self) -> bool:
        """Whether some choice of options meets every rule."""
        return self.status in ("optimal", "feasible")

    @property
    def optimal(self) -> bool:
        """Whether the solver proved that no cheaper choice exists."""
        return self.status == "optimal"

    @property
    def cost_delta(self) -> int:
        return self.cost_after - self.cost_before

    @property
    def summary(self) -> str:
        """One line saying what the answer is."""
        if self.status == "infeasible":
            return "no combination of the alternatives makes it eligible"
        if self.status == "invalid":
            return "the solver refused the model (a bug: please report the bill of materials)"
        if self.status == "unknown":
            return "no answer within the time limit"
        if not self.swaps:
            return "eligible as built"
        proof = "proven optimal" if self.optimal else "best found, not proven optimal"
        return f"{len(self.swaps)} swap(s), {self.cost_delta:+,} ({proof})"


def least_cost_substitution(
    bom: BillOfMaterials,
    tests: Sequence[OriginTest],
    target: str,
    time_limit_s: float = TIME_LIMIT_S,
) -> Substitution:
    """The cheapest choice of one option per component meeting every test; costs are whole
    units. status "infeasible" when no combination of the alternatives meets them all."""
    model, choice = _model(bom, tests)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit_s
    solver.parameters.num_workers = 1  # small models; one worker keeps answers repeatable
    status = _STATUS.get(solver.solve(model), "unknown")
    if status not in ("optimal", "feasible"):
        return Substitution(target, status, (), bom.component_cost, bom.component_cost, ())
    chosen = [
        next(option for option, var in zip(part.options, row, strict=True) if solver.value(var))
        for part, row in zip(bom.parts, choice, strict=True)
    ]
    return _answer(bom, tests, target, status, chosen)


def _model(
    bom: BillOfMaterials, tests: Sequence[OriginTest]
) -> tuple[cp_model.CpModel, list[list[cp_model.IntVar]]]:
    """The model: one boolean per option, exactly one option per component, each test's
    linear bound, and the objective."""
    parts = bom.parts
    model = cp_model.CpModel()
    choice = [
        [model.new_bool_var(f"{number}:{k}") for k in range(len(part.options))]
        for number, part in enumerate(parts)
    ]
    for row in choice:
        model.add_exactly_one(row)
    total = _cost(parts, choice, lambda option: True)
    for test in tests:
        bound = linear_bound(test.rule)
        counted = _cost(parts, choice, _counted_by(test.inside, bound.counted == "inside"))
        base = bom.estimated_value if bound.base == "end_product_value" else total
        if bound.sense == "<=":
            model.add(counted * bound.counted_factor <= base * bound.base_factor)
        else:
            model.add(counted * bound.counted_factor >= base * bound.base_factor)
    swaps = cp_model.LinearExpr.sum([var for row in choice for var in row[1:]])
    # Lexicographic: cost first (weighted above any number of swaps), then fewer swaps.
    model.minimize(total * (len(parts) + 1) + swaps)
    return model, choice


def _counted_by(inside: frozenset[str], counts_inside: bool) -> _Counts:
    """Whether an option's cost is counted: its origin is inside, or outside, as the rule
    counts."""
    return lambda option: (option.origin in inside) == counts_inside


def _cost(
    parts: Sequence[Part], choice: Sequence[Sequence[cp_model.IntVar]], counted: _Counts
) -> cp_model.LinearExpr:
    """The cost of the chosen options that `counted` keeps, as a linear expression."""
    pairs = [
        (var, option.cost)
        for part, row in zip(parts, choice, strict=True)
        for option, var in zip(part.options, row, strict=True)
        if counted(option)
    ]
    return cp_model.LinearExpr.weighted_sum([var for var, _ in pairs], [c for _, c in pairs])


def _answer(
    bom: BillOfMaterials,
    tests: Sequence[OriginTest],
    target: str,
    status: str,
    chosen: Sequence[Option],
) -> Substitution:
    parts = bom.parts
    swaps = tuple(
        Swap(part.name, part.subsystem, part.current, option)
        for part, option in zip(parts, chosen, strict=True)
        if option is not part.current
    )
    components = [
        (part.name, option.origin, option.cost) for part, option in zip(parts, chosen, strict=True)
    ]
    shares = tuple(
        origin_share(test.rule, components, bom.estimated_value, test.inside) for test in tests
    )
    return Substitution(
        target=target,
        status=status,
        swaps=swaps,
        cost_before=bom.component_cost,
        cost_after=sum(option.cost for option in chosen),
        shares=shares,
    )
