"""The ``accord`` command: node set-up, partners, tokens, import/export, objects, audit."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from accord.cli import admin, collections, federate, objects, peers, serve
from accord.cli.context import (
    actor,
    console,
    errors,
    open_node,
    progress,
    reported_errors,
    settings,
    split_list,
)
from accord.cli.desks import mount_desks
from accord.core.errors import InvalidInput
from accord.core.exchange import read_bundle
from accord.core.markings import Tlp
from accord.core.node import Node
from accord.demo import AREAS, load_demo, visibility
from accord.desks.fimi.sample import DEMO_RELEASE as FIMI_RELEASE
from accord.desks.fimi.sample import fimi_sample_dir
from accord.desks.fimi.sample import run_sample as run_fimi_sample
from accord.desks.industry.sample import DEMO_RELEASE as INDUSTRY_RELEASE
from accord.desks.industry.sample import run_sample as run_industry_sample
from accord.desks.maritime.sample import DEMO_RELEASE, run_sample, sample_dir

app = typer.Typer(
    help="Accord: the shared workspace of a Security and Defence Partnership.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(admin.partners, name="partner")
app.add_typer(admin.groups, name="group")
app.add_typer(admin.tokens, name="token")
app.add_typer(admin.users, name="user")
app.add_typer(objects.app, name="objects")
app.add_typer(admin.audit, name="audit")
app.add_typer(collections.app, name="collection")
app.add_typer(peers.app, name="peer")
app.add_typer(federate.app, name="federate")
app.command()(serve.serve)
mount_desks(app)

# Rejected objects listed after an import; the count covers the rest.
_REJECTIONS_SHOWN = 20

DataDir = Annotated[
    Path | None, typer.Option("--data-dir", help="Node data directory (default: ACCORD_DATA_DIR).")
]


@app.command()
def init(
    data_dir: DataDir = None,
    no_seed: Annotated[
        bool, typer.Option("--no-seed", help="Add only the home partner, no partnership.")
    ] = False,
) -> None:
    """Create (or upgrade) the node: schema, reference objects, partners and groups."""
    with reported_errors():
        node = Node(settings(data_dir))
        try:
            node.initialise(actor=actor(), seed=not no_seed)
            console.print(
                f"Accord node ready at {node.settings.resolved_database_url()} "
                f"(home partner {node.settings.home_partner})"
            )
        finally:
            node.close()


@app.command("import")
def import_bundle(
    file: Annotated[Path, typer.Argument(help="STIX 2.1 bundle (JSON).")],
    tlp: Annotated[
        Tlp | None, typer.Option(help="TLP 2.0 marking to set (replaces the objects' own).")
    ] = None,
    release: Annotated[
        str | None, typer.Option(help="Release list: partner codes and group names, commas.")
    ] = None,
    owner: Annotated[str | None, typer.Option(help="Owner partner (default: home).")] = None,
    data_dir: DataDir = None,
) -> None:
    """Import a STIX bundle. Without --tlp/--release the objects' own markings count."""
    with reported_errors(), open_node(data_dir) as node:
        objects = read_bundle(file)
        with progress() as bar:
            task = bar.add_task(f"importing {file.name}", total=len(objects))
            try:
                report = node.import_objects(
                    objects,
                    owner=owner,
                    actor=actor(),
                    tlp=tlp,
                    release=split_list(release) or None,
                    progress=lambda n: bar.advance(task, n),
                )
            except InvalidInput as exc:
                raise InvalidInput(f"{file}: {exc}") from exc
        console.print(
            f"{file}: {report.stored} stored, {report.duplicates} already present, "
            f"{len(report.rejected)} rejected ({report.received} objects, "
            f"{report.batches} batches)",
            soft_wrap=True,
        )
        for rejection in report.rejected[:_REJECTIONS_SHOWN]:
            errors.print(
                f"[red]rejected:[/red] {file}: {rejection}", highlight=False, soft_wrap=True
            )
        if len(report.rejected) > _REJECTIONS_SHOWN:
            errors.print(f"... and {len(report.rejected) - _REJECTIONS_SHOWN} more rejected")
        if report.rejected:
            raise typer.Exit(code=1)


@app.command()
def export(
    as_partner: Annotated[str, typer.Option("--as", help="Partner the export is for.")],
    out: Annotated[Path, typer.Option("--out", help="Bundle file to write.")],
    data_dir: DataDir = None,
) -> None:
    """Export, as one bundle, every object the partner may receive from this node."""
    with reported_errors(), open_node(data_dir) as node:
        count = node.export(as_partner, out, actor=actor())
        console.print(f"{out}: {count} objects for {as_partner}")


@app.command()
def demo(
    directory: Annotated[
        Path | None, typer.Option("--dir", help="Where to build the demo node (default: temp).")
    ] = None,
) -> None:
    """Build a demo partnership node and show what each partner can see."""
    with reported_errors():
        target = directory or Path(tempfile.mkdtemp(prefix="accord-demo-"))
        node = Node(settings(target).model_copy(update={"database_url": None}))
        try:
            node.initialise(actor="accord demo")
            with console.status("loading demo findings"):
                stored = load_demo(node)
            console.print(f"Demo node at {target}: {stored} objects stored.")
            _maritime_demo(node)
            _fimi_demo(node)
            _industry_demo(node)
            console.print(_visibility_table(node))
            console.print(f"Try: ACCORD_DATA_DIR={target} accord objects list --as JP --limit 10")
        finally:
            node.close()


def _maritime_demo(node: Node) -> None:
    samples = sample_dir()
    if samples is None:
        console.print(
            "Maritime part skipped: no AIS sample found "
            "(set ACCORD_DEMO_MARITIME_DIR to the folder of the NOAA sample and reference data)."
        )
        return
    with console.status("maritime: ingesting a real AIS day, detecting, publishing"):
        run = run_sample(node, samples)
    found = ", ".join(f"{count} {kind}" for kind, count in sorted(run.events.items()))
    console.print(
        f"Maritime: {run.positions:,} AIS positions of 2022-01-03 (NOAA) ingested; "
        f"events: {found}; {run.published:,} STIX objects published (TLP:AMBER, "
        f"released to {', '.join(DEMO_RELEASE)}).",
        soft_wrap=True,
    )


def _fimi_demo(node: Node) -> None:
    data = fimi_sample_dir()
    if data is None:
        console.print(
            "FIMI part skipped: no DISARM bundle and EUvsDisinfo export found "
            "(set ACCORD_DEMO_FIMI_DIR to the folder that holds them)."
        )
        return
    with console.status("fimi: posts, coordination, narratives, DISARM, an incident"):
        run = run_fimi_sample(node, data)
    console.print(
        f"FIMI: {run.posts:,} posts by {run.accounts:,} accounts (synthetic, with a network "
        f"pushing three debunked EUvsDisinfo claims); {run.clusters} coordinated clusters; "
        f"{run.narratives} narratives, {run.linked_cases} linked to EUvsDisinfo cases; the "
        f"network's incident (DISARM {', '.join(run.techniques)}) published as "
        f"{run.published} STIX objects (TLP:AMBER, released to {', '.join(FIMI_RELEASE)}).",
        soft_wrap=True,
    )


def _industry_demo(node: Node) -> None:
    with console.status("industry: eligibility answers, supply options"):
        run = run_industry_sample(node)
    answers = "; ".join(
        f"{instrument.upper()} {verdict.replace('_', ' ')}"
        + (f" ({', '.join(conditions)})" if conditions else "")
        for instrument, verdict, conditions in run.verdicts
    )
    console.print(
        f"Industry: the example consortium and procurement: {answers}; stored as "
        f"{run.published} STIX objects (TLP:AMBER, released to {', '.join(INDUSTRY_RELEASE)}). "
        f"The licence-built howitzer fails the origin rules of "
        f"{', '.join(i.upper() for i in run.supply_failing)} as built; least-cost fix: "
        f"{run.substitution}.",
        soft_wrap=True,
        highlight=False,
    )


def _visibility_table(node: Node) -> Table:
    table = Table(title="Objects each partner can read on this node (newest versions)")
    table.add_column("partner")
    for area in AREAS:
        table.add_column(area, justify="right")
    table.add_column("total", justify="right", style="bold")
    for row in visibility(node):
        table.add_row(row.partner, *(str(row.per_area[a]) for a in AREAS), str(row.total))
    return table


def main() -> None:
    """Entry point of the ``accord`` console script."""
    app()
