"""``accord industry load | companies``: the EDF participants and the partners' own
companies, and who can do what. Thin: parse, call the desk, render."""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import orjson
import typer
from rich.markup import escape
from rich.table import Column, Table

from accord.core.errors import InvalidInput
from accord.core.plugins import CommandServices
from accord.desks.industry.capabilities import vocabulary
from accord.desks.industry.cli_options import DataDir, check_format
from accord.desks.industry.companies import read_companies
from accord.desks.industry.edf_network import read_edf
from accord.desks.industry.organisations import (
    ORGANISATION_TYPES,
    Network,
    Organisation,
    desk_folder,
    find_organisations,
    store_network,
    stored_network,
)
from accord.desks.industry.questions import country_code

Command = Callable[..., None]
DEFAULT_LIMIT = 20
_CAPABILITIES_SHOWN = 3


def add_commands(app: typer.Typer, services: CommandServices) -> None:
    """Register ``load`` and ``companies`` on the ``accord industry`` app."""
    app.command("load")(_load(services))
    app.command("companies")(_companies(services))


def _load(services: CommandServices) -> Command:
    def load(
        file: Annotated[
            Path, typer.Argument(help="EDF calls with their projects and participants (JSON, .gz).")
        ],
        data_dir: DataDir = None,
    ) -> None:
        """Load the European Defence Fund's participants (replaces the EDF ones loaded before;
        the partners' companies stay)."""
        with services.reported_errors(), services.open_node(data_dir) as node:
            network = read_edf(file)
            folder = desk_folder(node)
            store_network(folder, network)
            kept = sum(1 for o in stored_network(folder).organisations if o.source == "partner")
            kinds = Counter(o.type for o in network.organisations)
            types = ", ".join(f"{kinds[t]:,} {t}" for t in ORGANISATION_TYPES if kinds[t])
            services.console.print(
                f"{file}: {len(network.organisations):,} organisations in "
                f"{len(network.projects()):,} EDF projects of "
                f"{len({t for o in network.organisations for t in o.topics}):,} calls "
                f"({sum(len(o.projects) for o in network.organisations):,} participations): "
                f"{types}; {sum(o.sme for o in network.organisations):,} SMEs; "
                f"{len({o.country for o in network.organisations})} countries. "
                f"{kept:,} partner companies kept.",
                highlight=False,
                soft_wrap=True,
            )

    return load


def _companies(services: CommandServices) -> Command:
    def companies(
        file: Annotated[
            Path | None,
            typer.Argument(help="Companies to add or replace (CSV, YAML or JSON); none: list."),
        ] = None,
        capability: Annotated[
            list[str] | None,
            typer.Option(
                help="Only organisations with this capability term (repeat: all of them)."
            ),
        ] = None,
        country: Annotated[
            list[str] | None,
            typer.Option(
                help="Only organisations in these countries, ISO alpha-2: GR,CY (any of them)."
            ),
        ] = None,
        source: Annotated[str | None, typer.Option(help="Only edf or partner.")] = None,
        sme: Annotated[
            bool | None, typer.Option("--sme/--no-sme", help="Only SMEs, or only the others.")
        ] = None,
        search: Annotated[
            str | None, typer.Option(help="Only those whose name, id or keywords contain this.")
        ] = None,
        limit: Annotated[int, typer.Option(help="Show this many (0: all).")] = DEFAULT_LIMIT,
        output: Annotated[str, typer.Option("--format", help="table or json.")] = "table",
        data_dir: DataDir = None,
    ) -> None:
        """Add a partner's companies from FILE; without FILE, list the organisations (most
        EDF projects first) with their capabilities, controllers and certifications."""
        with services.reported_errors(), services.open_node(data_dir) as node:
            folder = desk_folder(node)
            if file is not None:
                _add(services, folder, file)
                return
            check_format(output)
            if source not in (None, "edf", "partner"):
                raise InvalidInput(f"--source {source!r}: edf or partner")
            terms = [vocabulary().term(value, "--capability") for value in capability or ()]
            network = stored_network(folder)
            found = find_organisations(
                network,
                capabilities=terms,
                countries=[
                    country_code(code.strip(), "--country")
                    for value in country or ()
                    for code in value.split(",")
                ],
                source=source,
                sme=sme,
                text=search,
            )
            shown = found[:limit] if limit > 0 else found
            if output == "json":
                records = [o.record() for o in shown]
                sys.stdout.write(orjson.dumps(records, option=orjson.OPT_INDENT_2).decode() + "\n")
            elif not network.organisations:
                services.console.print(
                    "no organisations yet: load the EDF participants "
                    "(accord industry load FILE) or add companies (accord industry companies "
                    "FILE)",
                    highlight=False,
                    soft_wrap=True,
                )
            else:
                services.console.print(_table(shown, terms, len(found)))

    return companies


def _add(services: CommandServices, folder: Path, file: Path) -> None:
    companies = read_companies(file)
    before = {o.id for o in stored_network(folder).organisations if o.source == "partner"}
    store_network(folder, Network(tuple(companies)))
    network = stored_network(folder)
    replaced = sum(1 for company in companies if company.id in before)
    amending = sum(1 for company in companies if company.amends_edf)
    partners = sum(1 for o in network.organisations if o.source == "partner")
    services.console.print(
        f"{file}: {len(companies):,} compan{'y' if len(companies) == 1 else 'ies'}, "
        f"{len(companies) - replaced:,} added and "
        f"{replaced:,} replaced"
        + (f" ({amending:,} amending EDF organisations)" if amending else "")
        + f"; the network has {len(network.organisations):,} organisations, "
        f"{partners:,} from partners (list them: accord industry companies --source partner)",
        highlight=False,
        soft_wrap=True,
    )


def _table(organisations: list[Organisation], terms: list[str], total: int) -> Table:
    caption = f"{len(organisations):,} of {total:,} organisations"
    if len(organisations) < total:
        caption += " (--limit 0 shows all)"
    # The controllers and certifications column only when a partner has given some (the
    # EDF data has neither), so that the table fits 80 columns.
    facts = any(o.control_chain or o.certifications for o in organisations)
    table = Table(
        Column("id", overflow="fold"),
        Column("organisation", ratio=3),
        Column("projects", justify="right"),
        Column("capabilities (EDF projects)", ratio=3, overflow="fold"),
        *([Column("controlled by; certified", ratio=2)] if facts else []),
        caption=caption,
    )
    for organisation in organisations:
        ranked = organisation.capabilities_ranked()
        counted = dict(organisation.capability_projects)
        capabilities = [
            f"{term} ({counted[term]})" if term in counted else term
            for term in terms + [term for term in ranked if term not in terms]
        ]
        more = len(capabilities) - _CAPABILITIES_SHOWN
        about = [organisation.country, organisation.type, "SME" if organisation.sme else ""]
        row = [
            escape(organisation.id),
            f"{escape(organisation.name)}\n[dim]{' · '.join(fact for fact in about if fact)}[/dim]",
            str(len(organisation.projects)),
            "\n".join(capabilities[:_CAPABILITIES_SHOWN] + ([f"+{more} more"] if more > 0 else [])),
        ]
        if facts:
            row.append(_control_and_certification(organisation))
        table.add_row(*row)
    return table


def _control_and_certification(organisation: Organisation) -> str:
    ultimate = organisation.ultimate_controller
    lines = [escape(f"{ultimate.name} ({ultimate.country})")] if ultimate else []
    if organisation.certifications:
        lines.append(escape(", ".join(organisation.certifications)))
    return "\n".join(lines)
