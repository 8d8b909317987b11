"""``accord fimi ...``: the desk's commands (mounted by the CLI through the entry point).
Thin: parse, call the desk, render."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import orjson
import typer
from rich.table import Table

from accord.core.errors import InvalidInput
from accord.core.plugins import CommandServices
from accord.desks.fimi.coordination import DEFAULT_MIN_COACTIONS, DEFAULT_WINDOW_S, clusters
from accord.desks.fimi.disarm import import_framework, read_framework
from accord.desks.fimi.posts import parse_mapping, read_posts, store_posts, stored_posts

DataDir = Annotated[
    Path | None, typer.Option("--data-dir", help="Node data directory (default: ACCORD_DATA_DIR).")
]
_REJECTS_SHOWN = 10


def commands(services: CommandServices) -> Any:
    """The ``accord fimi`` command group."""
    app = typer.Typer(
        help="FIMI: coordination, narratives, DISARM incidents.", no_args_is_help=True
    )

    @app.command()
    def disarm(
        bundle: Annotated[Path, typer.Argument(help="The DISARM framework STIX bundle (JSON).")],
        data_dir: DataDir = None,
    ) -> None:
        """Store the DISARM framework's techniques and tactics (TLP:CLEAR) for incidents to
        use."""
        with services.reported_errors(), services.open_node(data_dir) as node:
            framework = read_framework(bundle)
            report = import_framework(node, framework, actor=services.actor())
            subtechniques = sum(1 for t in framework.techniques if t.subtechnique)
            services.console.print(
                f"{bundle}: DISARM {len(framework.techniques) - subtechniques} techniques, "
                f"{subtechniques} sub-techniques, {len(framework.tactics)} tactics; "
                f"{report.stored} objects stored, {report.duplicates} already there",
                highlight=False,
                soft_wrap=True,
            )

    @app.command()
    def ingest(
        file: Annotated[Path, typer.Argument(help="Posts: CSV, JSON lines or Parquet.")],
        columns: Annotated[
            str | None,
            typer.Option("--map", help="Column mapping, e.g. id=pid,account=user,text=body."),
        ] = None,
        strict: Annotated[bool, typer.Option(help="Stop at the first bad row.")] = False,
        data_dir: DataDir = None,
    ) -> None:
        """Ingest posts (normalised; re-ingesting adds nothing)."""
        with services.reported_errors(), services.open_node(data_dir) as node:
            found = read_posts(file, parse_mapping(columns) if columns else None, strict=strict)
            added, known = store_posts(node.settings.data_dir / "fimi", found.posts)
            services.console.print(
                f"{file}: {found.rows:,} rows; {added:,} posts added, {known:,} already there, "
                f"{len(found.rejects):,} rejected",
                highlight=False,
                soft_wrap=True,
            )
            for reject in found.rejects[:_REJECTS_SHOWN]:
                services.errors.print(
                    f"rejected: {file}:{reject.line}: {reject.reason}", highlight=False
                )

    @app.command()
    def coordination(
        window: Annotated[
            float, typer.Option(help="Seconds within which acts count as co-acts.")
        ] = DEFAULT_WINDOW_S,
        min_coactions: Annotated[
            int, typer.Option(help="Co-acts an account pair needs.")
        ] = DEFAULT_MIN_COACTIONS,
        output: Annotated[str, typer.Option("--format", help="table or json.")] = "table",
        data_dir: DataDir = None,
    ) -> None:
        """Clusters of accounts acting together (co-repost, co-URL, co-similar text)."""
        with services.reported_errors(), services.open_node(data_dir) as node:
            if output not in ("table", "json"):
                raise InvalidInput(f"--format {output!r}: table or json")
            if window <= 0:
                raise InvalidInput(f"--window {window}: a positive number of seconds")
            posts = stored_posts(node.settings.data_dir / "fimi")
            found = clusters(posts, window, min_coactions=min_coactions)
            if output == "json":
                records = [cluster.record() for cluster in found]
                sys.stdout.write(orjson.dumps(records, option=orjson.OPT_INDENT_2).decode() + "\n")
                return
            table = Table("cluster", "accounts", "score", "text", "url", "repost", "median gap (s)")
            for cluster in found:
                table.add_row(
                    str(cluster.cluster),
                    ", ".join(cluster.accounts),
                    f"{cluster.score:.3f}",
                    *(str(cluster.signals[s]) for s in ("text", "url", "repost")),
                    f"{cluster.median_gap_s:.0f}",
                )
            services.console.print(table)

    return app
