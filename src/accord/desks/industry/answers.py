"""An assessment told to a person: the verdict, what it rests on, each entity's standing,
the figures, and every rule with its legal citation and how well it is established."""

from __future__ import annotations

from typing import Any

from rich.console import Group
from rich.table import Column, Table
from rich.text import Text

from accord.desks.industry.assessment import Assessment

VERDICT_STYLES = {
    "eligible": "bold green",
    "eligible_with_condition": "bold yellow",
    "not_eligible": "bold red",
}
STATUS_LABELS = {
    "text_read": "text read",
    "secondary": "secondary",
    "not_verified": "NOT VERIFIED",
}
CONDITION_TEXTS = {
    "guarantees_required": "guarantees approved by its state of establishment",
    "no_eu_funding": "takes part without Union money (does not count towards the minimum)",
    "fdi_screening_or_guarantees": "foreign direct investment screening or guarantees",
    "third_country_agreement_terms": "the terms of the SAFE agreement with its country",
}


def assessment_view(assessment: Assessment) -> Group:
    """The assessment as Rich renderables, top to bottom."""
    parts: list[Any] = [_headline(assessment)]
    if assessment.conditions:
        parts.append(_conditions(assessment))
    if assessment.entity_status:
        parts.append(_entities(assessment))
    if assessment.metrics:
        parts.append(_metrics(assessment))
    parts.append(_rules(assessment))
    return Group(*parts)


def _headline(assessment: Assessment) -> Text:
    verdict = assessment.verdict.replace("_", " ")
    text = Text(f"{assessment.act} ({assessment.instrument}), {assessment.on.isoformat()}: ")
    text.append(verdict.upper(), style=VERDICT_STYLES[assessment.verdict])
    failed = [result.rule.id for result in assessment.failed if result.scope == "action"]
    if failed:
        text.append(f"; failed: {', '.join(failed)}")
    return text


def _conditions(assessment: Assessment) -> Table:
    table = Table("condition", "for", "meaning", title="Conditions", title_justify="left")
    for condition in assessment.conditions:
        code, target = condition.split(":", 1)
        table.add_row(code, Text(target), CONDITION_TEXTS.get(code, ""))
    return table


def _entities(assessment: Assessment) -> Table:
    table = Table("entity", "standing", title="Entities", title_justify="left")
    styles = {"eligible": "green", "not_eligible": "red"}
    for entity_id, status in assessment.entity_status.items():
        table.add_row(
            Text(entity_id), Text(status.replace("_", " "), style=styles.get(status, "yellow"))
        )
    return table


def _metrics(assessment: Assessment) -> Table:
    table = Table("figure", "value", title="Figures", title_justify="left")
    for name, value in assessment.metrics.items():
        table.add_row(name.replace("_", " "), Text(_figure(value)))
    return table


def _rules(assessment: Assessment) -> Table:
    table = Table(
        Column("rule", no_wrap=True),
        "citation",
        Column("status", no_wrap=True),
        Column("result", no_wrap=True),
        "why",
        title="Rules",
        title_justify="left",
    )
    marks = {True: Text("pass", "green"), False: Text("FAIL", "red"), None: Text("n/a", "dim")}
    for result in assessment.results:
        rule = result.rule
        status = STATUS_LABELS[rule.status]
        table.add_row(
            rule.id,
            rule.citation,
            Text(status, style="bold red" if rule.status == "not_verified" else ""),
            marks[result.finding.passed],
            Text(result.finding.why),  # plain text: ids in brackets are no markup
        )
    return table


def _figure(value: Any) -> str:
    if isinstance(value, dict):
        if set(value) == {"percent", "exact"}:
            return f"{value['percent']} % ({value['exact']})"
        return ", ".join(f"{key}: {_figure(item)}" for key, item in value.items())
    if isinstance(value, list):
        return ", ".join(str(item) for item in value) or "none"
    return str(value)
