"""``accord maritime ...``: the desk's commands (mounted by the CLI through the entry point).

Thin: parse, call the desk, render.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from accord.core.plugins import CommandServices
from accord.desks.maritime.columns import parse_mapping
from accord.desks.maritime.dataset import AisArchive
from accord.desks.maritime.ingest import FileReport, ingest_file

_REJECTS_SHOWN = 10
DataDir = Annotated[
    Path | None, typer.Option("--data-dir", help="Node data directory (default: ACCORD_DATA_DIR).")
]


def archive_of(data_dir: Path) -> AisArchive:
    """The desk's AIS archive in a node's data directory."""
    return AisArchive(data_dir / "maritime")


def commands(services: CommandServices) -> Any:
    """The ``accord maritime`` command group."""
    app = typer.Typer(help="Maritime security: AIS in, findings out.", no_args_is_help=True)

    @app.command()
    def ingest(
        paths: Annotated[list[Path], typer.Argument(help="AIS files: NMEA, CSV, Parquet.")],
        columns: Annotated[
            str | None,
            typer.Option(
                "--map", help="Column mapping for CSV/Parquet, e.g. mmsi=MMSI,ts=BaseDateTime."
            ),
        ] = None,
        strict: Annotated[
            bool, typer.Option(help="Stop at the first bad line instead of counting it.")
        ] = False,
        data_dir: DataDir = None,
    ) -> None:
        """Ingest AIS files into the node's archive (Parquet by day); re-ingesting a file
        adds nothing."""
        with services.reported_errors(), services.open_node(data_dir) as node:
            mapping = parse_mapping(columns) if columns else None
            archive = archive_of(node.settings.data_dir)
            with _progress(services) as bar:
                task = bar.add_task("ingesting", total=len(paths))
                for path in paths:
                    report = ingest_file(archive, path, mapping=mapping, strict=strict)
                    _print_report(services, report)
                    bar.advance(task)

    return app


def _print_report(services: CommandServices, report: FileReport) -> None:
    rate = report.rows / report.seconds if report.seconds else 0.0
    services.console.print(
        f"{report.path}: {report.rows:,} rows in {report.seconds:.1f} s ({rate:,.0f}/s); "
        f"{report.positions_added:,} positions added, {report.positions_duplicate:,} already "
        f"there; {report.statics_added:,} static reports added; {len(report.rejects):,} rejected, "
        f"{report.skipped:,} other lines skipped, {report.untimed:,} reports without time",
        soft_wrap=True,
        highlight=False,
    )
    for reject in report.rejects[:_REJECTS_SHOWN]:
        services.errors.print(
            f"[yellow]rejected:[/yellow] {report.path}:{reject.line}: {reject.reason}",
            soft_wrap=True,
            highlight=False,
        )
    if len(report.rejects) > _REJECTS_SHOWN:
        services.errors.print(f"... and {len(report.rejects) - _REJECTS_SHOWN:,} more rejected")


def _progress(services: CommandServices) -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=services.console,
        transient=True,
    )
