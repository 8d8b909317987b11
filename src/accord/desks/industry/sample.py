"""The industry part of ``accord demo``: the worked examples that ship with the desk.

An EDF consortium (a Korean-owned Polish firm, a Japanese firm cooperating without Fund
money) and a SAFE common procurement of licence-built howitzers are judged, and both
answers are stored as findings, TLP:AMBER, released to the EU–Korea partnership only; the
howitzer's bill of materials is worked against the origin rules with its least-cost
substitutions. Everything here is packaged: the demo needs no data beside the checkout.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from importlib import resources

from accord.core.node import Node
from accord.desks.industry.bom import example_bom
from accord.desks.industry.engine import assess
from accord.desks.industry.findings import assessment_findings, publish_findings
from accord.desks.industry.questions import read_question
from accord.desks.industry.supply import analyse_supply

DEMO_RELEASE = ("sdp-kr",)
# The examples are judged on a fixed day, so the demo prints the same answers every year.
DEMO_DAY = dt.date(2026, 11, 30)
_QUESTIONS = (("edf-consortium.yaml", "edf"), ("safe-procurement.yaml", "safe"))


@dataclass(frozen=True)
class IndustrySampleRun:
    """What the demo's industry part did."""

    verdicts: tuple[tuple[str, str, tuple[str, ...]], ...]  # instrument, verdict, conditions
    published: int
    supply_failing: tuple[str, ...]  # instruments whose origin rules the BOM fails as built
    substitution: str  # the least-cost fix for all of them together, with its swaps


def run_sample(node: Node, *, actor: str = "accord demo") -> IndustrySampleRun:
    """Judge and store the example questions, and work the example bill of materials."""
    verdicts = []
    published = 0
    folder = resources.files("accord.desks.industry") / "data" / "examples"
    for file_name, instrument in _QUESTIONS:
        with resources.as_file(folder / file_name) as path:
            question = read_question(path)
        answer = assess(question, instrument, on=DEMO_DAY)
        verdicts.append((instrument, answer.verdict, answer.conditions))
        objects = assessment_findings(answer, question, author=node.home_identity_id())
        report = publish_findings(node, objects, actor=actor, release=DEMO_RELEASE)
        published += report.received
    supply = analyse_supply(example_bom(), DEMO_DAY)
    together = supply.substitutions[-1]
    swaps = ", ".join(
        f"{swap.component} {swap.before.origin}→{swap.after.origin}" for swap in together.swaps
    )
    return IndustrySampleRun(
        verdicts=tuple(verdicts),
        published=published,
        supply_failing=tuple(s.instrument for s in supply.instruments if not s.passed),
        substitution=f"{swaps}: {together.summary}" if swaps else together.summary,
    )
