"""``accord industry eligible | rules``: is this consortium, product or common procurement
eligible for an instrument, and why; the rules the answers rest on. Thin: parse, call the
engine, render."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import orjson
import typer
from rich.table import Column, Table

from accord.core.errors import InvalidInput
from accord.core.plugins import CommandServices
from accord.desks.industry.answers import STATUS_LABELS, assessment_view
from accord.desks.industry.cli_options import (
    DEFAULT_TLP,
    DataDir,
    Publish,
    Release,
    TlpOption,
    check_format,
    store_findings,
)
from accord.desks.industry.engine import QUESTION_KINDS, assess
from accord.desks.industry.findings import assessment_findings
from accord.desks.industry.questions import read_question
from accord.desks.industry.rules import Rule, parse_date, rule_book

Command = Callable[..., None]


def add_commands(app: typer.Typer, services: CommandServices) -> None:
    """Register ``eligible`` and ``rules`` on the ``accord industry`` app."""
    app.command("eligible")(_eligible(services))
    app.command("rules")(_rules(services))


def _eligible(services: CommandServices) -> Command:
    def eligible(
        file: Annotated[
            Path, typer.Argument(help="The question (YAML or JSON; docs/industry.md).")
        ],
        instrument: Annotated[str, typer.Option("--instrument", help="edf, edirpa, edip or safe.")],
        on: Annotated[
            str | None,
            typer.Option(
                "--on",
                help="Judge by the rules in force on this day (default: the "
                "contract's signature date, else today).",
            ),
        ] = None,
        output: Annotated[str, typer.Option("--format", help="table or json.")] = "table",
        publish: Publish = False,
        tlp: TlpOption = DEFAULT_TLP,
        release: Release = None,
        data_dir: DataDir = None,
    ) -> None:
        """Is the question's consortium, product or procurement eligible for the
        instrument, and why (each rule with its citation and status)."""
        with services.reported_errors():
            _check_instrument(instrument)
            check_format(output)
            day = parse_date(on, "--on") if on else None
            question = read_question(file)
            assessment = assess(question, instrument, on=day)
            if publish:
                with services.open_node(data_dir) as node:
                    objects = assessment_findings(
                        assessment, question, author=node.home_identity_id()
                    )
                    store_findings(
                        services, node, objects, tlp=tlp, release=release, what="the answer"
                    )
            if output == "json":
                sys.stdout.write(
                    orjson.dumps(assessment.as_json(), option=orjson.OPT_INDENT_2).decode() + "\n"
                )
                return
            services.console.print(assessment_view(assessment))

    return eligible


def _rules(services: CommandServices) -> Command:
    def rules(
        instrument: Annotated[
            str | None, typer.Option("--instrument", help="Only this instrument's rules.")
        ] = None,
        output: Annotated[str, typer.Option("--format", help="table or json.")] = "table",
    ) -> None:
        """The eligibility rules the desk applies: id, version, dates, citation, status,
        sources and our paraphrase."""
        with services.reported_errors():
            if instrument:
                _check_instrument(instrument)
            check_format(output)
            chosen = [r for r in rule_book().rules if instrument in (None, r.instrument)]
            if output == "json":
                records = [_rule_record(rule) for rule in chosen]
                sys.stdout.write(orjson.dumps(records, option=orjson.OPT_INDENT_2).decode() + "\n")
                return
            table = Table(
                Column("rule", no_wrap=True),
                "v",
                "in force",
                "citation",
                Column("status", no_wrap=True),
                "sources",
                "paraphrase",
            )
            for rule in chosen:
                record = _rule_record(rule)
                table.add_row(
                    rule.id,
                    str(rule.version),
                    f"{record['valid_from']} – {record['valid_to'] or ''}",
                    rule.citation,
                    STATUS_LABELS[rule.status],
                    ", ".join(rule.sources) or "none",
                    rule.paraphrase,
                )
            services.console.print(table)

    return rules


def _rule_record(rule: Rule) -> dict[str, Any]:
    return {
        "id": rule.id,
        "instrument": rule.instrument,
        "version": rule.version,
        "valid_from": rule.valid_from.isoformat(),
        "valid_to": rule.valid_to.isoformat() if rule.valid_to else None,
        "citation": rule.citation,
        "status": rule.status,
        "sources": list(rule.sources),
        "paraphrase": rule.paraphrase,
    }


def _check_instrument(instrument: str) -> None:
    if instrument not in QUESTION_KINDS:
        raise InvalidInput(f"--instrument {instrument!r}: one of {', '.join(QUESTION_KINDS)}")
