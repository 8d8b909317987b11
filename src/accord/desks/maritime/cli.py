"""``accord maritime ...``: the desk's commands (mounted by the CLI through the entry point).

Thin: parse, call the desk, render.
"""

from __future__ import annotations

import csv
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import orjson
import typer
from rich.table import Table

from accord.core.errors import InvalidInput
from accord.core.markings import Tlp
from accord.core.plugins import CommandServices
from accord.core.queries import ObjectQuery
from accord.desks.maritime.columns import parse_mapping
from accord.desks.maritime.dataset import AisArchive
from accord.desks.maritime.detect import EVENT_TYPES, Window
from accord.desks.maritime.detect import detect as run_detectors
from accord.desks.maritime.engines import DuckDBEngine, SparkEngine
from accord.desks.maritime.findings import publish_events
from accord.desks.maritime.flags import mmsi_identity
from accord.desks.maritime.ingest import FileReport, ingest_file
from accord.desks.maritime.outputs import (
    event_records,
    load_events,
    save_events,
    track_geojson,
    vessel_details,
)
from accord.desks.maritime.outputs import track as vessel_track
from accord.desks.maritime.reference import ReferenceFiles, load_reference
from accord.desks.maritime.rules import DetectorRules
from accord.desks.maritime.watchlist import watchlist_table

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
            with services.progress() as bar:
                task = bar.add_task("ingesting", total=len(paths))
                for path in paths:
                    report = ingest_file(archive, path, mapping=mapping, strict=strict)
                    _print_report(services, report)
                    bar.advance(task)

    @app.command()
    def detect(
        engine: Annotated[str, typer.Option(help="duckdb (embedded) or spark.")] = "duckdb",
        since: Annotated[str | None, typer.Option(help="From this UTC time (ISO 8601).")] = None,
        until: Annotated[str | None, typer.Option(help="Before this UTC time (ISO 8601).")] = None,
        bbox: Annotated[
            str | None,
            typer.Option(help="West,south,east,north in degrees (west > east crosses 180)."),
        ] = None,
        data_dir: DataDir = None,
    ) -> None:
        """Run every detector over the archive; the events replace the previous run's."""
        with services.reported_errors(), services.open_node(data_dir) as node:
            archive = archive_of(node.settings.data_dir)
            if not archive.days():
                raise InvalidInput(f"no positions in {archive.root}: run `accord maritime ingest`")
            window = Window(_time("--since", since), _time("--until", until), _bbox(bbox))
            reference = load_reference(ReferenceFiles(), archive.root / "cache")
            started = time.perf_counter()
            vessels = node.store.iter_objects(node.reader(), ObjectQuery(types=("vessel",)))
            watchlist = watchlist_table(item.body for item in vessels)
            statics = archive.statics_glob if archive.has_statics() else None
            with _engine(engine) as runner:
                events = run_detectors(
                    runner,
                    archive.positions_glob,
                    DetectorRules(),
                    reference,
                    window,
                    statics=statics,
                    watchlist=watchlist,
                )
            save_events(archive, events)
            seconds = time.perf_counter() - started
            counts = Counter(events["type"].to_pylist())
            summary = ", ".join(f"{counts[kind]} {kind}" for kind in EVENT_TYPES)
            services.console.print(
                f"{events.num_rows} events in {seconds:.1f} s ({engine}): {summary}"
            )

    @app.command()
    def events(
        kind: Annotated[
            str | None, typer.Option("--type", help="Only events of this type.")
        ] = None,
        output: Annotated[str, typer.Option("--format", help="table, json or csv.")] = "table",
        data_dir: DataDir = None,
    ) -> None:
        """The events of the last detection run."""
        with services.reported_errors(), services.open_node(data_dir) as node:
            if kind is not None and kind not in EVENT_TYPES:
                raise InvalidInput(f"--type {kind!r}: one of {', '.join(EVENT_TYPES)}")
            if output not in {"table", "json", "csv"}:
                raise InvalidInput(f"--format {output!r}: table, json or csv")
            records = event_records(load_events(archive_of(node.settings.data_dir), kind))
            _print_events(services, records, output)

    @app.command()
    def track(
        mmsi: Annotated[int, typer.Argument(help="The vessel's MMSI.")],
        geojson: Annotated[
            bool, typer.Option("--geojson", help="Print a GeoJSON Feature.")
        ] = False,
        data_dir: DataDir = None,
    ) -> None:
        """A vessel's positions in time order, with its flag."""
        with services.reported_errors(), services.open_node(data_dir) as node:
            positions = vessel_track(archive_of(node.settings.data_dir), mmsi)
            if geojson:
                sys.stdout.write(orjson.dumps(track_geojson(positions)).decode() + "\n")
                return
            identity = mmsi_identity(mmsi)
            archive = archive_of(node.settings.data_dir)
            details = vessel_details(archive, mmsi)
            described = ", ".join(f"{key} {value}" for key, value in details.items())
            segments = len(set(positions["segment"].to_pylist()))
            services.console.print(
                f"MMSI {mmsi}: {identity.kind}, flag {identity.flag_iso2 or 'none'} "
                f"({identity.country or 'unknown'}); {described or 'no static data'}; "
                f"{positions.num_rows} positions in {segments} segment(s)",
                highlight=False,
                soft_wrap=True,
            )
            table = Table("time (UTC)", "lat", "lon", "speed (kn)", "segment")
            for row in positions.to_pylist():
                table.add_row(
                    row["ts"].strftime("%Y-%m-%d %H:%M:%S"),
                    f"{row['lat']:.5f}",
                    f"{row['lon']:.5f}",
                    _number(row["sog_kn"]),
                    str(row["segment"]),
                )
            services.console.print(table)

    @app.command()
    def publish(
        tlp: Annotated[Tlp, typer.Option(help="TLP 2.0 marking of the findings.")],
        release: Annotated[
            str | None, typer.Option(help="Release list: partner codes and group names, commas.")
        ] = None,
        kind: Annotated[
            str | None, typer.Option("--type", help="Only events of this type.")
        ] = None,
        data_dir: DataDir = None,
    ) -> None:
        """Publish the last run's events as STIX findings of the home partner, marked and
        released as given; they then travel like any other finding."""
        with services.reported_errors(), services.open_node(data_dir) as node:
            archive = archive_of(node.settings.data_dir)
            records = event_records(load_events(archive, kind))
            if not records:
                raise InvalidInput("no events to publish: run `accord maritime detect` first")
            report = publish_events(
                node,
                records,
                archive,
                actor=services.actor(),
                tlp=tlp,
                release=[item.strip() for item in release.split(",")] if release else None,
            )
            findings = report.received
            services.console.print(
                f"{len(records)} events published as {findings} STIX objects "
                f"({report.stored} new, {report.duplicates} already there), TLP:{tlp.value.upper()}"
                + (f", released to {release}" if release else ""),
                highlight=False,
            )

    return app


def _engine(name: str) -> Any:
    if name == "duckdb":
        return DuckDBEngine()
    if name == "spark":
        return SparkEngine()
    raise InvalidInput(f"--engine {name!r}: duckdb or spark")


def _time(option: str, value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        raise InvalidInput(f"{option} {value!r}: not an ISO 8601 time") from exc
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _bbox(value: str | None) -> tuple[float, float, float, float] | None:
    if value is None:
        return None
    try:
        west, south, east, north = (float(part) for part in value.split(","))
    except ValueError as exc:
        raise InvalidInput(f"--bbox {value!r}: four numbers, west,south,east,north") from exc
    if not (-180 <= west <= 180 and -180 <= east <= 180 and -90 <= south <= north <= 90):
        raise InvalidInput(f"--bbox {value!r}: longitudes in -180..180, south <= north in -90..90")
    return west, south, east, north


def _print_events(services: CommandServices, records: list[dict[str, Any]], output: str) -> None:
    if output == "json":
        sys.stdout.write(orjson.dumps(records, option=orjson.OPT_INDENT_2).decode() + "\n")
        return
    if output == "csv":
        writer = csv.writer(sys.stdout)
        writer.writerow(["type", "mmsi", "start", "end", "lat", "lon", "score", "evidence"])
        for record in records:
            writer.writerow(
                [
                    record["type"],
                    " ".join(str(m) for m in record["mmsi"]),
                    record["start"],
                    record["end"],
                    record["lat"],
                    record["lon"],
                    record["score"],
                    orjson.dumps(record["evidence"]).decode(),
                ]
            )
        return
    table = Table("type", "mmsi", "start", "end", "lat", "lon", "score")
    for record in records:
        table.add_row(
            record["type"],
            " ".join(str(m) for m in record["mmsi"]),
            record["start"],
            record["end"],
            f"{record['lat']:.4f}",
            f"{record['lon']:.4f}",
            f"{record['score']:.2f}",
        )
    services.console.print(table)


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"


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
