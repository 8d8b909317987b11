"""``accord industry supply``: a bill of materials' origin shares under EDIRPA, EDIP and
SAFE, its dependencies and the least-cost substitutions that make it eligible. Thin: parse,
call the desk, render. Needs no node."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import orjson
import typer
from rich.markup import escape
from rich.table import Table

from accord.core.errors import InvalidInput
from accord.core.plugins import CommandServices
from accord.desks.industry.bom import BillOfMaterials, example_bom, read_bom
from accord.desks.industry.cli_options import check_format
from accord.desks.industry.origin import OriginShare, percent
from accord.desks.industry.rules import Rule, parse_date
from accord.desks.industry.substitution import Substitution
from accord.desks.industry.supply import Concentration, SupplyReport, analyse_supply

Command = Callable[..., None]


def add_commands(app: typer.Typer, services: CommandServices) -> None:
    """Register ``supply`` on the ``accord industry`` app."""
    app.command("supply")(_supply(services))


def _supply(services: CommandServices) -> Command:
    def supply(
        bom: Annotated[
            Path | None, typer.Option("--bom", help="The bill of materials (YAML or JSON).")
        ] = None,
        example: Annotated[
            bool, typer.Option("--example", help="Use the packaged howitzer example.")
        ] = False,
        instrument: Annotated[
            list[str] | None,
            typer.Option(help="edirpa, edip or safe (repeat for more; default: all in force)."),
        ] = None,
        on: Annotated[
            str | None,
            typer.Option(help="The day the rules apply on, YYYY-MM-DD (default: today)."),
        ] = None,
        agreement: Annotated[
            list[str] | None,
            typer.Option(help="Assume a SAFE agreement in force with this country (repeatable)."),
        ] = None,
        output: Annotated[str, typer.Option("--format", help="table or json.")] = "table",
    ) -> None:
        """Origin shares, dependencies and least-cost substitutions of a bill of materials."""
        with services.reported_errors():
            check_format(output)
            day = parse_date(on, "--on") if on else dt.datetime.now(dt.UTC).date()
            report = analyse_supply(_bom(bom, example), day, instrument or (), agreement or ())
            if output == "json":
                text = orjson.dumps(report_record(report), option=orjson.OPT_INDENT_2).decode()
                sys.stdout.write(text + "\n")
                return
            _print(services.console, report)

    return supply


def _bom(path: Path | None, example: bool) -> BillOfMaterials:
    if (path is None) == (not example):
        raise InvalidInput("give either --bom FILE or --example")
    return read_bom(path) if path is not None else example_bom()


def report_record(report: SupplyReport) -> dict[str, Any]:
    """The report as JSON-ready data: money in whole units, shares as "n/d" and percent."""
    bom = report.bom
    return {
        "system": bom.name,
        "licence": bom.licence,
        "source": bom.source,
        "on": report.on.isoformat(),
        "estimated_value": bom.estimated_value,
        "component_cost": bom.component_cost,
        "instruments": [
            {
                "instrument": item.instrument,
                "act": item.act,
                "passed": item.passed,
                "shares": [_share_record(share, item.rule(share.rule_id)) for share in item.shares],
                "outside": list(item.outside),
                "notes": list(item.notes),
            }
            for item in report.instruments
        ],
        "skipped": list(report.skipped),
        "single_source": [part.name for part in report.single_source],
        "by_supplier": [_concentration_record(item) for item in report.by_supplier],
        "by_country": [_concentration_record(item) for item in report.by_country],
        "substitutions": [_substitution_record(item) for item in report.substitutions],
    }


def _share_record(share: OriginShare, rule: Rule | None = None) -> dict[str, Any]:
    record: dict[str, Any] = {
        "rule": share.rule_id,
        "counted": share.counted,
        "base": share.base,
        "counted_cost": share.counted_cost,
        "base_amount": share.base_amount,
        "share": str(share.share),
        "percent": share.percent,
        "bound": share.bound,
        "limit": str(share.limit),
        "passed": share.passed,
    }
    if rule is not None:
        record |= {"citation": rule.citation, "status": rule.status}
    return record


def _concentration_record(item: Concentration) -> dict[str, Any]:
    return {
        "holder": item.holder,
        "cost": item.cost,
        "share": str(item.share),
        "percent": percent(item.share),
        "components": list(item.components),
    }


def _substitution_record(item: Substitution) -> dict[str, Any]:
    return {
        "target": item.target,
        "status": item.status,
        "eligible": item.eligible,
        "optimal": item.optimal,
        "summary": item.summary,
        "cost_before": item.cost_before,
        "cost_after": item.cost_after,
        "cost_delta": item.cost_delta,
        "swaps": [
            {
                "component": swap.component,
                "subsystem": swap.subsystem,
                "from": {
                    "supplier": swap.before.supplier,
                    "origin": swap.before.origin,
                    "cost": swap.before.cost,
                },
                "to": {
                    "supplier": swap.after.supplier,
                    "origin": swap.after.origin,
                    "cost": swap.after.cost,
                },
                "cost_delta": swap.cost_delta,
            }
            for swap in item.swaps
        ],
        "shares": [_share_record(share) for share in item.shares],
    }


def _print(console: Any, report: SupplyReport) -> None:
    bom = report.bom
    licence = f" ({bom.licence})" if bom.licence else ""
    console.print(
        f"{escape(bom.name)}{escape(licence)}: estimated value {bom.estimated_value:,}, "
        f"components {bom.component_cost:,}"
        f" ({len(bom.parts)} in {len(bom.subsystems)} subsystems); rules in force on "
        f"{report.on.isoformat()}",
        highlight=False,
        soft_wrap=True,
    )
    for note in report.skipped:
        console.print(f"[yellow]{escape(note)}[/yellow]", highlight=False, soft_wrap=True)
    console.print(_shares_table(report))
    for item in report.instruments:
        for note in item.notes:
            console.print(f"{item.instrument}: {escape(note)}", highlight=False, soft_wrap=True)
    console.print(_dependencies_table(report))
    console.print(_concentration_table("supplier", report.by_supplier))
    console.print(_concentration_table("country", report.by_country))
    for substitution in report.substitutions:
        if substitution.swaps:
            console.print(_substitution_table(substitution))
        else:
            line = f"Least-cost substitution for {substitution.target}: {substitution.summary}"
            console.print(escape(line), highlight=False, soft_wrap=True)


def _shares_table(report: SupplyReport) -> Table:
    table = Table("rule", "share", "limit", "result", "status", title="Origin shares")
    for item in report.instruments:
        for share in item.shares:
            rule = item.rule(share.rule_id)
            base = "value" if share.base == "end_product_value" else "components"
            table.add_row(
                f"{rule.id} ({item.instrument})\n[dim]{rule.citation}[/dim]",
                f"{share.percent} %\n{share.counted} {share.counted_cost:,}\n"
                f"of {base} {share.base_amount:,}",
                _limit(share),
                _result(share.passed),
                rule.status,
            )
    return table


def _dependencies_table(report: SupplyReport) -> Table:
    table = Table("component", "supplier (origin)", "cost", "dependency", title="Dependencies")
    single = {part.name for part in report.single_source}
    for part in report.bom.parts:
        outside = [item.instrument for item in report.instruments if part.name in item.outside]
        flags = (["single source"] if part.name in single else []) + (
            [f"outside: {', '.join(outside)}"] if outside else []
        )
        if flags:
            table.add_row(
                escape(part.name),
                escape(f"{part.supplier} ({part.origin})"),
                f"{part.cost:,}",
                escape("\n".join(flags)),
            )
    return table


def _concentration_table(holder: str, items: tuple[Concentration, ...]) -> Table:
    table = Table(holder, "cost", "share %", "components", title=f"Concentration by {holder}")
    for item in items:
        table.add_row(
            escape(item.holder),
            f"{item.cost:,}",
            percent(item.share),
            escape(", ".join(item.components)),
        )
    return table


def _substitution_table(item: Substitution) -> Table:
    table = Table(
        "component",
        "from",
        "to",
        "cost delta",
        title=escape(f"Least-cost substitution for {item.target}: {item.summary}"),
    )
    for swap in item.swaps:
        table.add_row(
            escape(swap.component),
            escape(f"{swap.before.supplier} ({swap.before.origin}) {swap.before.cost:,}"),
            escape(f"{swap.after.supplier} ({swap.after.origin}) {swap.after.cost:,}"),
            f"{swap.cost_delta:+,}",
        )
    if item.eligible:
        after = ", ".join(
            f"{share.rule_id} {share.percent} % {_result(share.passed)}" for share in item.shares
        )
        # Rule ids and figures only, with _result's own markup.
        table.caption = f"cost {item.cost_before:,} -> {item.cost_after:,}; after: {after}"
    return table


def _limit(share: OriginShare) -> str:
    return f"{'≥' if share.bound == 'at_least' else '≤'} {percent(share.limit)} %"


def _result(passed: bool) -> str:
    return "[green]pass[/green]" if passed else "[red]fail[/red]"
