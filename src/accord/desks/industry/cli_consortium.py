"""``accord industry consortium``: the best eligible consortia for a call, from the
organisations stored on the node, with the greedy baseline for comparison. Thin: parse,
call the builder, render."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import orjson
import typer
from rich.markup import escape
from rich.table import Table

from accord.core.errors import NotFound
from accord.core.plugins import CommandServices
from accord.desks.industry.calls import Call, read_call
from accord.desks.industry.cli_options import (
    DEFAULT_TLP,
    DataDir,
    Publish,
    Release,
    TlpOption,
    check_format,
    store_findings,
)
from accord.desks.industry.consortium import (
    DEFAULT_TIME_LIMIT_S,
    DEFAULT_TOP,
    Proposal,
    build_consortia,
)
from accord.desks.industry.consortium_greedy import greedy_consortium
from accord.desks.industry.findings import proposal_findings
from accord.desks.industry.organisations import Network, desk_folder, stored_network

Command = Callable[..., None]


def add_commands(app: typer.Typer, services: CommandServices) -> None:
    """Register ``consortium`` on the ``accord industry`` app."""
    app.command("consortium")(_consortium(services))


def _consortium(services: CommandServices) -> Command:
    def consortium(
        call: Annotated[
            Path, typer.Option("--call", help="The call (YAML or JSON; docs/industry.md).")
        ],
        top: Annotated[int, typer.Option(help="How many consortia, best first.")] = DEFAULT_TOP,
        time_limit: Annotated[
            float, typer.Option("--time-limit", help="Seconds the solver may take per consortium.")
        ] = DEFAULT_TIME_LIMIT_S,
        output: Annotated[str, typer.Option("--format", help="table or json.")] = "table",
        publish: Publish = False,
        tlp: TlpOption = DEFAULT_TLP,
        release: Release = None,
        data_dir: DataDir = None,
    ) -> None:
        """The best eligible consortia for a call (CP-SAT, optimality proved or its gap
        given), and the greedy baseline's objective for comparison."""
        with services.reported_errors(), services.open_node(data_dir) as node:
            check_format(output)
            definition = read_call(call)
            network = stored_network(desk_folder(node))
            if not network.organisations:
                raise NotFound(
                    "no organisations on this node: load the EDF participants first with "
                    "`accord industry load FILE`"
                )
            with services.console.status("building consortia"):
                proposals = build_consortia(definition, network, top=top, time_limit_s=time_limit)
                baseline = _greedy(definition, network)
            if publish:
                author = node.home_identity_id()
                objects = [
                    obj
                    for proposal in proposals
                    for obj in proposal_findings(proposal, definition, network, author=author)
                ]
                store_findings(
                    services,
                    node,
                    objects,
                    tlp=tlp,
                    release=release,
                    what=f"{len(proposals)} proposals",
                )
            _render(services, definition, proposals, baseline, output)

    return consortium


def _render(
    services: CommandServices,
    call: Call,
    proposals: list[Proposal],
    baseline: Proposal | None,
    output: str,
) -> None:
    if output == "json":
        document = _document(call, proposals, baseline)
        sys.stdout.write(orjson.dumps(document, option=orjson.OPT_INDENT_2).decode() + "\n")
        return
    for proposal in proposals:
        services.console.print(_table(call, proposal))
        services.console.print(_terms_line(call, proposal), highlight=False, soft_wrap=True)
    line = _baseline_line(proposals[0], baseline)
    services.console.print(line, highlight=False, soft_wrap=True)


def _greedy(call: Call, network: Network) -> Proposal | None:
    try:
        return greedy_consortium(call, network)
    except NotFound:
        return None  # shown as such: greedy getting stuck is part of the comparison


def _document(call: Call, proposals: list[Proposal], baseline: Proposal | None) -> dict[str, Any]:
    return {
        "call": call.id,
        "weights": vars(call.weights),
        "proposals": [proposal.record() for proposal in proposals],
        "greedy": baseline.record() if baseline is not None else None,
    }


def _table(call: Call, proposal: Proposal) -> Table:
    if proposal.optimal:
        proof = "optimal"
    else:
        proof = f"gap {proposal.gap or 0:.2%} to the bound {proposal.bound:g}"
    table = Table(
        "member",
        "country",
        "role",
        "capabilities",
        "SME",
        "control from outside",
        title=f"{escape(call.id)} #{proposal.rank}: objective {proposal.objective} ({proof}, "
        f"{proposal.seconds:.2f} s)",
    )
    for member in proposal.members:
        table.add_row(
            f"{escape(member.name)}\n{escape(member.id)}",
            member.country,
            member.role,
            ", ".join(member.covers) or "-",
            "yes" if member.sme else "",
            "yes (guarantees needed)" if member.outside_control else "",
        )
    return table


def _terms_line(call: Call, proposal: Proposal) -> str:
    weights, terms = call.weights, proposal.terms
    line = (
        f"capabilities {terms.capabilities}/{len(call.required_capabilities)} x "
        f"{weights.capability} + shared projects {terms.co_participation} x "
        f"{weights.co_participation} + SMEs {terms.smes} x {weights.sme} - outside control "
        f"{terms.outside_controlled} x {weights.outside_control} - members {terms.members} x "
        f"{weights.member} = {proposal.objective}"
    )
    if proposal.uncovered:
        line += f"; not covered: {', '.join(proposal.uncovered)}"
    if proposal.budget_per_funded_member is not None:
        line += f"; budget per funded member: {proposal.budget_per_funded_member:,} EUR"
    return line


def _baseline_line(best: Proposal, baseline: Proposal | None) -> str:
    if baseline is None:
        return "greedy baseline: found no eligible consortium"
    share = baseline.objective / best.objective if best.objective else 1.0
    return (
        f"greedy baseline: objective {baseline.objective} ({share:.1%} of the best), "
        f"{baseline.seconds:.2f} s: {', '.join(m.id for m in baseline.members)}"
    )
