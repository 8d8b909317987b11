"""``accord fimi suggest | incident create | incident list | publish``: from a coordinated
cluster to a DISARM-tagged incident partners can read. Thin: parse, call the desk, render."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import orjson
import typer
from rich.table import Column, Table

from accord.core.errors import InvalidInput
from accord.core.markings import Tlp
from accord.core.plugins import CommandServices
from accord.desks.fimi.coordination import cluster_numbered
from accord.desks.fimi.incidents import create_incident, drafts, publish_incident
from accord.desks.fimi.posts import desk_folder
from accord.desks.fimi.suggest import DEFAULT_TOP, suggest

DataDir = Annotated[
    Path | None, typer.Option("--data-dir", help="Node data directory (default: ACCORD_DATA_DIR).")
]
Command = Callable[..., None]
ClusterNumber = Annotated[
    int, typer.Option("--cluster", help="Cluster number, as `accord fimi coordination` shows.")
]


def add_commands(app: typer.Typer, services: CommandServices) -> None:
    """Register suggest, the ``incident`` group and publish on the ``accord fimi`` app."""
    app.command("suggest")(_suggest(services))
    incident = typer.Typer(help="Incident drafts: a cluster and its DISARM techniques.")
    incident.command("create")(_create(services))
    incident.command("list")(_list(services))
    app.add_typer(incident, name="incident", no_args_is_help=True)
    app.command("publish")(_publish(services))


def _suggest(services: CommandServices) -> Command:
    def suggest_command(
        cluster: ClusterNumber,
        top: Annotated[int, typer.Option(help="How many techniques.")] = DEFAULT_TOP,
        output: Annotated[str, typer.Option("--format", help="table or json.")] = "table",
        data_dir: DataDir = None,
    ) -> None:
        """DISARM techniques for a cluster, best first, each with why it is suggested."""
        with services.reported_errors(), services.open_node(data_dir) as node:
            if output not in ("table", "json"):
                raise InvalidInput(f"--format {output!r}: table or json")
            found = cluster_numbered(desk_folder(node), cluster)
            # The first run embeds the 391 technique descriptions (about a minute); later
            # runs read them from the cache.
            with services.console.status("suggesting DISARM techniques"):
                suggestions = suggest(node, found, top=top)
            if output == "json":
                records = [s.record() for s in suggestions]
                sys.stdout.write(orjson.dumps(records, option=orjson.OPT_INDENT_2).decode() + "\n")
                return
            table = Table(
                "DISARM", "technique", "tactics", "score", "why", title=f"cluster {cluster}"
            )
            for item in suggestions:
                tactics = ", ".join(item.tactics)
                table.add_row(item.disarm_id, item.name, tactics, f"{item.score:.3f}", item.why)
            services.console.print(table)

    return suggest_command


def _create(services: CommandServices) -> Command:
    def create(
        cluster: ClusterNumber,
        technique: Annotated[
            list[str],
            typer.Option(help="An accepted DISARM technique, e.g. T0049.003 (repeat for more)."),
        ],
        name: Annotated[str | None, typer.Option(help="The campaign's name.")] = None,
        data_dir: DataDir = None,
    ) -> None:
        """Draft a cluster's incident with the accepted techniques (kept until published)."""
        with services.reported_errors(), services.open_node(data_dir) as node:
            found = cluster_numbered(desk_folder(node), cluster)
            draft = create_incident(node, found, technique, name=name)
            kinds = [o["type"] for o in draft.objects]
            services.console.print(
                f"{draft.campaign_id} drafted: {draft.name!r}, {len(kinds)} objects "
                f"({kinds.count('indicator')} indicators, {kinds.count('user-account')} "
                f"accounts) in {draft.path}; share it with "
                f"`accord fimi publish {draft.campaign_id} --tlp ... --release ...`",
                highlight=False,
                soft_wrap=True,
            )

    return create


def _list(services: CommandServices) -> Command:
    def list_drafts(data_dir: DataDir = None) -> None:
        """The incident drafts on this node and whether each is published."""
        with services.reported_errors(), services.open_node(data_dir) as node:
            # The id whole (it is what `publish` takes) and the name under it, so that the
            # table fits 80 columns.
            table = Table(Column("incident", width=46), "created", "state", show_edge=False)
            for draft in drafts(node):
                created = draft.created[:16].replace("T", " ")
                table.add_row(f"{draft.campaign_id}\n{draft.name}", created, draft.state)
            services.console.print(table)

    return list_drafts


def _publish(services: CommandServices) -> Command:
    def publish(
        incident: Annotated[str, typer.Argument(help="The campaign id of a draft.")],
        tlp: Annotated[Tlp, typer.Option(help="TLP 2.0 marking of the findings.")],
        release: Annotated[
            str | None, typer.Option(help="Release list: partner codes and group names, commas.")
        ] = None,
        data_dir: DataDir = None,
    ) -> None:
        """Publish an incident draft as STIX findings, marked and released as given."""
        with services.reported_errors(), services.open_node(data_dir) as node:
            grantees = [item.strip() for item in release.split(",")] if release else None
            report = publish_incident(
                node, incident, actor=services.actor(), tlp=tlp, release=grantees
            )
            services.console.print(
                f"{incident} published: {report.received} STIX objects "
                f"({report.stored} new, {report.duplicates} already there), "
                f"TLP:{tlp.value.upper()}" + (f", released to {release}" if release else ""),
                highlight=False,
                soft_wrap=True,
            )

    return publish
