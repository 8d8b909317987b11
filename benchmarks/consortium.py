"""Consortium builder: CP-SAT against the greedy baseline on one call over the EDF network.

The network is the European Defence Fund's participants (``../shared/data/industry/
edf_calls.json.gz``, read with ``edf_network.read_edf``): the ``--candidates`` (500)
organisations with the most EDF projects (ties: by id), with the co-participations of
those projects. The EDF data names no owners, so the benchmark gives the organisations
of a few well-known groups one controller each, found by name (``GROUPS``: THALES ... is
controlled by Thales SA, FR), and those of two groups a controller outside the EDF
(BAE Systems, GB; Honeywell, US). That is the benchmark's assumption, to exercise the
independence and guarantee constraints, not a fact the desk asserts.

The call asks for ``REQUIRED`` (10) capabilities: the candidates' capability terms ranked
by how many candidates have them (ties: by term), every third from the second (so common
and rare ones, 1st to 10th decile; ``--capabilities`` names others); EDF rules, the
default roles (3 to 8 members) and weights (``calls.Weights``). Both methods see the same
pool (candidates with at least one required capability) and the same objective.

1. CP-SAT: ``build_consortia(top=1)``: pool, model and solve, timed whole; the
   solver's own time, the objective, its bound and gap, and whether optimality is proved.
   Median of ``--repeat`` runs (each run gives the same consortium: one worker, fixed
   seed). ``--top K`` times the K best as well.
2. Greedy: ``greedy_consortium``, timed whole; its objective and how far it falls short
   of the proved optimum.

    python benchmarks/consortium.py [--candidates 500] [--repeat 5] [--top 5]
        [--capabilities radar,space,...] [--data ../shared/data/industry/edf_calls.json.gz]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TypeVar

from accord.desks.industry.calls import Call
from accord.desks.industry.capabilities import vocabulary
from accord.desks.industry.consortium import Proposal, build_consortia
from accord.desks.industry.consortium_greedy import greedy_consortium
from accord.desks.industry.consortium_pool import candidate_pool
from accord.desks.industry.edf_network import read_edf
from accord.desks.industry.organisations import Network, Organisation
from accord.desks.industry.questions import Controller
from bench_output import print_rows

T = TypeVar("T")

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "industry" / "edf_calls.json.gz"
REQUIRED = 10
# name prefix -> the group's controller (the benchmark's assumption; see above)
GROUPS = {
    "THALES": Controller("Thales SA", "FR", "company"),
    "AIRBUS": Controller("Airbus SE", "NL", "company"),
    "SAFRAN": Controller("Safran SA", "FR", "company"),
    "RHEINMETALL": Controller("Rheinmetall AG", "DE", "company"),
    "SAAB": Controller("Saab AB", "SE", "company"),
    "HENSOLDT": Controller("Hensoldt AG", "DE", "company"),
    "MBDA": Controller("MBDA SAS", "FR", "company"),
    "KONGSBERG": Controller("Kongsberg Gruppen ASA", "NO", "company"),
    "KNDS": Controller("KNDS N.V.", "NL", "company"),
    "INDRA": Controller("Indra Sistemas SA", "ES", "company"),
    "PATRIA": Controller("Patria Oyj", "FI", "company"),
    "NAMMO": Controller("Nammo AS", "NO", "company"),
    "BAE SYSTEMS": Controller("BAE Systems plc", "GB", "company"),
    "HONEYWELL": Controller("Honeywell International Inc.", "US", "company"),
}


def _positive(text: str) -> int:
    number = int(text)
    if number < 1:
        raise argparse.ArgumentTypeError(f"{text}: 1 or more")
    return number


def main() -> None:
    """Read the network, run both methods on the call, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--candidates", type=int, default=500)
    parser.add_argument("--repeat", type=_positive, default=5)
    parser.add_argument("--top", type=int, default=5, help="also time the K best (0: skip)")
    parser.add_argument("--capabilities", help="required terms, commas (default: see above)")
    parser.add_argument("--data", type=Path, default=DATA)
    args = parser.parse_args()

    started = time.perf_counter()
    network = candidates(read_edf(args.data), args.candidates)
    having = Counter(c for o in network.organisations for c in o.capabilities)
    required = (
        tuple(vocabulary().term(term, "--capabilities") for term in args.capabilities.split(","))
        if args.capabilities
        else spread(having)
    )
    call = Call(id="BENCH", title="benchmark", instrument="edf", required_capabilities=required)
    pool = candidate_pool(call, network)
    controlled = sum(1 for o in network.organisations if o.control_chain)
    print(
        f"{len(network.organisations)} EDF organisations read in "
        f"{time.perf_counter() - started:.1f} s ({controlled} given a group controller); "
        f"{len(pool.candidates)} have one of the {len(required)} required capabilities "
        f"({', '.join(f'{c} {having[c]}' for c in required)}); "
        f"{len(pool.links):,} co-participation links among them, "
        f"{len(pool.dependent_groups)} groups; {os.cpu_count()} cores"
    )
    runs = [timed(lambda: build_consortia(call, network, top=1)[0]) for _ in range(args.repeat)]
    cp_sat = Timed(
        proposal=runs[0][1],
        seconds=statistics.median(elapsed for elapsed, _ in runs),
        solver_seconds=statistics.median(run.seconds for _, run in runs),
        repeatable=len({tuple(m.id for m in run.members) for _, run in runs}) == 1,
    )
    greedy_seconds, greedy = timed(lambda: greedy_consortium(call, network))
    top = timed(lambda: build_consortia(call, network, top=args.top)) if args.top else None
    baseline = Timed(greedy, greedy_seconds, greedy_seconds, True)
    report(call, cp_sat, baseline, top, args.repeat)


@dataclass(frozen=True)
class Timed:
    """A method's consortium and its times (median over the runs for CP-SAT)."""

    proposal: Proposal
    seconds: float  # pool, model and solve
    solver_seconds: float
    repeatable: bool  # every run gave the same consortium


def candidates(network: Network, count: int) -> Network:
    """The `count` organisations with the most EDF projects (ties: by id), with the
    groups' controllers."""
    ranked = sorted(network.organisations, key=lambda o: (-len(o.projects), o.id))[:count]
    return Network(tuple(with_controller(organisation) for organisation in ranked))


def spread(having: Counter[str]) -> tuple[str, ...]:
    """`REQUIRED` terms from common to rare: every third by frequency, from the second."""
    ranked = sorted(having, key=lambda term: (-having[term], term))
    return tuple(ranked[1::3][:REQUIRED])


def with_controller(organisation: Organisation) -> Organisation:
    name = organisation.name.upper()
    for prefix, controller in GROUPS.items():
        if name.startswith(prefix) or f" {prefix} " in f" {name} ":
            return replace(organisation, control_chain=(controller,))
    return organisation


def timed(work: Callable[[], T]) -> tuple[float, T]:
    started = time.perf_counter()
    result = work()
    return time.perf_counter() - started, result


def report(
    call: Call,
    cp_sat: Timed,
    greedy: Timed,
    top: tuple[float, list[Proposal]] | None,
    repeat: int,
) -> None:
    """The figures, CP-SAT beside greedy, with the targets, then one JSON line."""
    best, other = cp_sat.proposal, greedy.proposal
    shortfall = (best.objective - other.objective) / best.objective
    cover = call.weights.capability * best.terms.capabilities
    beyond = (best.objective - other.objective) / max(1, best.objective - cover)
    proof = "proved optimal" if best.optimal else f"gap {best.gap:.2%}"
    print(f"\nbest consortium ({proof}): {', '.join(m.name for m in best.members)}")
    print(f"greedy's: {', '.join(m.name for m in other.members)}\n")
    rows = [("", "CP-SAT", "greedy", "ratio", "target")]
    rows.append(
        (
            "objective",
            str(best.objective),
            str(other.objective),
            f"greedy {shortfall:.2%} short",
            "CP-SAT proved optimal",
        )
    )
    rows.append(("  beyond cover", str(best.objective - cover), "", f"{beyond:.1%} short", ""))
    rows.append(("bound / gap", f"{best.bound:g} / {best.gap:.2%}", "-", "", ""))
    rows += _time_rows(cp_sat, greedy, repeat)
    for name in ("capabilities", "co_participation", "smes", "outside_controlled", "members"):
        ours, theirs = getattr(best.terms, name), getattr(other.terms, name)
        rows.append((f"  {name}", str(ours), str(theirs), "", ""))
    if top is not None:
        rows.append(_top_row(*top))
    print_rows(rows)
    print(json.dumps(figures(cp_sat, greedy, top)))


def figures(
    cp_sat: Timed, greedy: Timed, top: tuple[float, list[Proposal]] | None
) -> dict[str, Any]:
    """The run's figures as one JSON-ready record."""
    best, other = cp_sat.proposal, greedy.proposal
    return {
        "benchmark": "consortium",
        "cp_sat": {**summary(best), "seconds_total": round(cp_sat.seconds, 4)},
        "greedy": {**summary(other), "seconds_total": round(greedy.seconds, 4)},
        "greedy_shortfall": round((best.objective - other.objective) / best.objective, 6),
        "repeatable": cp_sat.repeatable,
        "top": [p.objective for p in top[1]] if top else None,
        "top_seconds": round(top[0], 4) if top else None,
    }


def _top_row(elapsed: float, ranked: list[Proposal]) -> tuple[str, ...]:
    proved = sum(1 for p in ranked if p.optimal)
    objectives = "/".join(str(p.objective) for p in ranked)
    return (f"top {len(ranked)} (s)", f"{elapsed:.3f}", "-", f"{proved} proved", objectives)


def _time_rows(cp_sat: Timed, greedy: Timed, repeat: int) -> list[tuple[str, ...]]:
    same = "same consortium every run" if cp_sat.repeatable else "consortia differ between runs"
    return [
        (
            f"time (s, median of {repeat})",
            f"{cp_sat.seconds:.3f}",
            f"{greedy.seconds:.3f}",
            f"{cp_sat.seconds / greedy.seconds:.1f}x greedy's",
            "CP-SAT <= 1 s",
        ),
        ("  of which the solver", f"{cp_sat.solver_seconds:.3f}", "-", "", same),
    ]


def summary(proposal: Proposal) -> dict[str, Any]:
    """The proposal's record with member ids only."""
    return {**proposal.record(), "members": [member.id for member in proposal.members]}


if __name__ == "__main__":
    main()
