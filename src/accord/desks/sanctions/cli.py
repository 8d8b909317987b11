"""``accord sanctions ...``: the desk's commands (mounted by the CLI through the entry
point). Thin: parse, call the desk, render."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from accord.core.errors import ConfigurationError, InvalidInput, NotFound
from accord.core.markings import Tlp
from accord.core.node import Node
from accord.core.plugins import CommandServices
from accord.core.stix.vessel import vessel_extension_definition
from accord.desks.sanctions.findings import confirmed_hit
from accord.desks.sanctions.goods import (
    load_chpl,
    screen_shipments,
    shipment_columns,
    write_flagged,
)
from accord.desks.sanctions.lists import current_index, lists_dir, load_lists
from accord.desks.sanctions.scoring import DEFAULT_THRESHOLD, Query
from accord.desks.sanctions.scoring import screen as scoring_screen
from accord.desks.sanctions.screening_files import read_queries, write_results
from accord.desks.sanctions.snapshots import (
    Snapshot,
    diff,
    find_snapshot,
    list_snapshots,
    read_entities,
)
from accord.desks.sanctions.watch import WatchEntry, WatchHit, Watchlist

DataDir = Annotated[
    Path | None, typer.Option("--data-dir", help="Node data directory (default: ACCORD_DATA_DIR).")
]


SchemaOption = Annotated[
    str | None, typer.Option("--type", help="Person, Organization, Vessel, ...")
]
ThresholdOption = Annotated[float, typer.Option(help="Lowest score reported (0-1).")]


def commands(services: CommandServices) -> Any:
    """The ``accord sanctions`` command group."""
    app = typer.Typer(help="Sanctions: lists in, screening out.", no_args_is_help=True)

    @app.command()
    def goods(
        shipments: Annotated[
            Path, typer.Argument(help="Shipments CSV (hs_code and/or description).")
        ],
        out: Annotated[Path, typer.Option(help="Where to write the flagged rows (CSV).")],
        chpl: Annotated[
            Path | None, typer.Option(help="The CHPL CSV (default: ACCORD_SANCTIONS_CHPL_FILE).")
        ] = None,
        code_column: Annotated[str, typer.Option(help="Column of the customs code.")] = "hs_code",
        description_column: Annotated[
            str, typer.Option(help="Column of the goods description.")
        ] = "description",
    ) -> None:
        """Flag shipments of Common High Priority List goods (battlefield items), by HS code
        (first six digits) or by description."""
        with services.reported_errors():
            items = load_chpl(_chpl_path(chpl))
            flagged = screen_shipments(
                shipments, items, code_column=code_column, description_column=description_column
            )
            count = write_flagged(flagged, out, shipment_columns(shipments))
            services.console.print(
                f"{shipments}: {count} shipments flagged, written to {out}", soft_wrap=True
            )

    @app.command()
    def load(
        files: Annotated[list[Path], typer.Argument(help="List files: OFAC, UN, EU, FtM.")],
        data_dir: DataDir = None,
    ) -> None:
        """Load sanctions list files as new snapshots (same content: nothing new); their
        designated vessels go to the store for the maritime desk's watch list."""
        with services.reported_errors(), services.open_node(data_dir) as node:
            for report in load_lists(node, files, actor=services.actor()):
                snapshot = report.snapshot
                services.console.print(
                    f"{snapshot.list_name}: snapshot {snapshot.version}, "
                    f"{snapshot.entity_count:,} entities; "
                    f"{report.vessels_published} designated vessels in the store",
                    highlight=False,
                    soft_wrap=True,
                )
            # A new snapshot re-screens the watchlist; only what is new gets reported.
            watchlist = Watchlist.open(watch_path(node))
            if watchlist.entries:
                _print_watch_hits(services, watchlist.run(current_index(node)))

    @app.command("lists")
    def list_lists(data_dir: DataDir = None) -> None:
        """The loaded snapshots, newest first per list."""
        with services.reported_errors(), services.open_node(data_dir) as node:
            table = Table("list", "version", "loaded (UTC)", "entities", "files")
            snapshots = sorted(
                list_snapshots(lists_dir(node)),
                key=lambda s: (s.list_name, s.created_at),
                reverse=True,
            )
            for snapshot in snapshots:
                table.add_row(
                    snapshot.list_name,
                    snapshot.version,
                    f"{snapshot.created_at:%Y-%m-%d %H:%M:%S}",
                    f"{snapshot.entity_count:,}",
                    ", ".join(Path(f).name for f in snapshot.files),
                )
            services.console.print(table)

    @app.command("diff")
    def diff_lists(
        list_name: Annotated[str, typer.Argument(help="The list, e.g. ofac-sdn.")],
        old: Annotated[
            str | None,
            typer.Option("--from", help="Older version (default: the one before the newest)."),
        ] = None,
        new: Annotated[
            str | None, typer.Option("--to", help="Newer version (default: the newest).")
        ] = None,
        data_dir: DataDir = None,
    ) -> None:
        """Additions, removals and changes between two snapshots of a list."""
        with services.reported_errors(), services.open_node(data_dir) as node:
            before, after = _two_snapshots(lists_dir(node), list_name, old, new)
            changes = diff(read_entities(before), read_entities(after))
            services.console.print(
                f"{list_name}: {before.version} -> {after.version}: {len(changes.added)} added, "
                f"{len(changes.removed)} removed, {len(changes.changed)} changed",
                highlight=False,
                soft_wrap=True,
            )
            for entity in changes.added:
                services.console.print(
                    f"+ {entity.key} {entity.names[0] if entity.names else ''}", highlight=False
                )
            for entity in changes.removed:
                services.console.print(
                    f"- {entity.key} {entity.names[0] if entity.names else ''}", highlight=False
                )
            for change in changes.changed:
                services.console.print(
                    f"~ {change.key}: {', '.join(change.fields)}", highlight=False
                )

    @app.command()
    def screen(
        name: Annotated[str, typer.Argument(help="The name to screen, in any script.")],
        schema: Annotated[
            str | None, typer.Option("--type", help="Person, Organization, Vessel, ...")
        ] = None,
        country: Annotated[str | None, typer.Option(help="ISO 3166-1 alpha-2 country.")] = None,
        dob: Annotated[
            str | None, typer.Option(help="Date of birth, ISO 8601 (may be partial).")
        ] = None,
        threshold: Annotated[
            float, typer.Option(help="Lowest score shown (0-1).")
        ] = DEFAULT_THRESHOLD,
        limit: Annotated[int, typer.Option(help="Most hits shown.")] = 10,
        data_dir: DataDir = None,
    ) -> None:
        """Screen one name against every loaded list, with an explanation per hit."""
        with services.reported_errors(), services.open_node(data_dir) as node:
            index = current_index(node)
            if not len(index):
                raise InvalidInput("no lists loaded: run `accord sanctions load FILE...` first")
            query = Query(
                name=name, schema=schema, country=country.lower() if country else None, dob=dob
            )
            hits = scoring_screen(query, index, threshold=threshold, limit=limit)
            if not hits:
                services.console.print(f"{name}: no hit at or above {threshold}", highlight=False)
            for hit in hits:
                services.console.print(
                    f"{hit.score:.2f} {hit.entity.key} {hit.entity.schema} "
                    f"{hit.entity.names[0] if hit.entity.names else ''}\n    {hit.explanation}",
                    highlight=False,
                    soft_wrap=True,
                )

    @app.command()
    def confirm(
        party_id: Annotated[str, typer.Argument(help="Your id of the screened party.")],
        name: Annotated[str, typer.Argument(help="The screened party's name, as screened.")],
        listed: Annotated[str, typer.Argument(help="The hit's list entry, e.g. ofac-sdn:36268.")],
        tlp: Annotated[Tlp, typer.Option(help="TLP 2.0 marking of the finding.")],
        release: Annotated[
            str | None, typer.Option(help="Release list: partner codes and group names, commas.")
        ] = None,
        schema: SchemaOption = None,
        data_dir: DataDir = None,
    ) -> None:
        """Record a screening hit an analyst confirmed as STIX findings of the home partner
        (the party, the listed entity, their relationship with score and explanation),
        shared by the normal releasability rules."""
        with services.reported_errors(), services.open_node(data_dir) as node:
            hits = scoring_screen(Query(name=name, schema=schema), current_index(node), 0.0, 50)
            hit = next((h for h in hits if h.entity.key == listed), None)
            if hit is None:
                raise NotFound(f"{listed} is no hit of {name!r}: screen it first")
            author = node.home_identity_id()
            objects = confirmed_hit(party_id, name, hit, author=author)
            if hit.entity.schema == "Vessel":
                objects.insert(0, vessel_extension_definition())
            report = node.import_objects(
                objects,
                actor=services.actor(),
                tlp=tlp,
                release=[item.strip() for item in release.split(",")] if release else None,
            )
            report.raise_for_rejections()
            services.console.print(
                f"confirmed: {party_id} ~ {listed} (score {hit.score:.2f}); "
                f"{report.stored} STIX objects stored, TLP:{tlp.value.upper()}"
                + (f", released to {release}" if release else ""),
                highlight=False,
                soft_wrap=True,
            )

    @app.command("screen-file")
    def screen_file(
        queries: Annotated[
            Path, typer.Argument(help="CSV with id,name and optional type,country,dob.")
        ],
        out: Annotated[Path, typer.Option(help="Where to write the results (CSV).")],
        threshold: Annotated[
            float, typer.Option(help="Lowest score written (0-1).")
        ] = DEFAULT_THRESHOLD,
        limit: Annotated[int, typer.Option(help="Most hits per query.")] = 10,
        data_dir: DataDir = None,
    ) -> None:
        """Screen every row of a CSV; one output row per query and hit, and a row with
        empty hit columns where nothing matched."""
        with services.reported_errors(), services.open_node(data_dir) as node:
            index = current_index(node)
            if not len(index):
                raise InvalidInput("no lists loaded: run `accord sanctions load FILE...` first")
            rows = read_queries(queries)
            with services.progress() as bar:
                task = bar.add_task(f"screening {queries.name}", total=len(rows))
                written = write_results(
                    rows,
                    index,
                    out,
                    threshold=threshold,
                    limit=limit,
                    advance=lambda n: bar.advance(task, n),
                )
            services.console.print(
                f"{queries}: {len(rows):,} queries, {written:,} rows written to {out}",
                soft_wrap=True,
            )

    watch = typer.Typer(help="A watchlist of counterparties and vessels, re-screened.")
    app.add_typer(watch, name="watch")

    @watch.command("add")
    def watch_add(
        entry_id: Annotated[str, typer.Argument(help="Your id for the entry.")],
        name: Annotated[str, typer.Argument(help="The name to watch.")],
        schema: Annotated[
            str | None, typer.Option("--type", help="Person, Organization, Vessel, ...")
        ] = None,
        country: Annotated[str | None, typer.Option(help="ISO 3166-1 alpha-2 country.")] = None,
        dob: Annotated[str | None, typer.Option(help="Date of birth, ISO 8601.")] = None,
        imo: Annotated[str | None, typer.Option(help="IMO number (vessels).")] = None,
        mmsi: Annotated[str | None, typer.Option(help="MMSI (vessels).")] = None,
        data_dir: DataDir = None,
    ) -> None:
        """Add a counterparty or vessel to the watchlist."""
        with services.reported_errors(), services.open_node(data_dir) as node:
            identifiers = tuple(
                (kind, value) for kind, value in (("imo", imo), ("mmsi", mmsi)) if value
            )
            entry = WatchEntry(
                entry_id, name, schema, country.lower() if country else None, dob, identifiers
            )
            Watchlist.open(watch_path(node)).add(entry)
            services.console.print(f"watching {entry_id}: {name}", highlight=False)

    @watch.command("list")
    def watch_list(data_dir: DataDir = None) -> None:
        """The watchlist's entries."""
        with services.reported_errors(), services.open_node(data_dir) as node:
            for entry in Watchlist.open(watch_path(node)).entries.values():
                services.console.print(
                    f"{entry.id}: {entry.name} ({entry.schema or 'any type'})", highlight=False
                )

    @watch.command("remove")
    def watch_remove(
        entry_id: Annotated[str, typer.Argument(help="The entry's id.")], data_dir: DataDir = None
    ) -> None:
        """Stop watching an entry."""
        with services.reported_errors(), services.open_node(data_dir) as node:
            Watchlist.open(watch_path(node)).remove(entry_id)
            services.console.print(f"{entry_id} removed from the watchlist", highlight=False)

    @watch.command("run")
    def watch_run(
        threshold: Annotated[
            float, typer.Option(help="Lowest score reported (0-1).")
        ] = DEFAULT_THRESHOLD,
        data_dir: DataDir = None,
    ) -> None:
        """Re-screen the watchlist; report only hits new or changed since the last run."""
        with services.reported_errors(), services.open_node(data_dir) as node:
            index = current_index(node)
            if not len(index):
                raise InvalidInput("no lists loaded: run `accord sanctions load FILE...` first")
            _print_watch_hits(services, Watchlist.open(watch_path(node)).run(index, threshold))

    return app


def watch_path(node: Node) -> Path:
    """Where the node keeps its watchlist."""
    return node.settings.data_dir / "sanctions" / "watch.json"


def _print_watch_hits(services: CommandServices, hits: list[WatchHit]) -> None:
    if not hits:
        services.console.print("watchlist: nothing new")
    for found in hits:
        entity = found.hit.entity
        services.console.print(
            f"{found.change}: {found.entry.id} ({found.entry.name}) ~ {entity.key} "
            f"{entity.names[0] if entity.names else ''}\n    {found.hit.explanation}",
            highlight=False,
            soft_wrap=True,
        )


def _two_snapshots(
    directory: Path, list_name: str, old: str | None, new: str | None
) -> tuple[Snapshot, Snapshot]:
    ordered = sorted(list_snapshots(directory, list_name), key=lambda s: s.created_at)
    if not ordered:
        raise NotFound(f"no snapshot of list {list_name!r}: load it first")
    after = find_snapshot(directory, list_name, new) if new else ordered[-1]
    if old:
        return find_snapshot(directory, list_name, old), after
    earlier = [s for s in ordered if s.created_at < after.created_at]
    if not earlier:
        raise InvalidInput(f"list {list_name!r} has one snapshot only: nothing to compare")
    return earlier[-1], after


def _chpl_path(given: Path | None) -> Path:
    found = given or (
        Path(os.environ["ACCORD_SANCTIONS_CHPL_FILE"])
        if os.environ.get("ACCORD_SANCTIONS_CHPL_FILE")
        else None
    )
    if found is None:
        raise ConfigurationError("no CHPL file: give --chpl or set ACCORD_SANCTIONS_CHPL_FILE")
    return found
