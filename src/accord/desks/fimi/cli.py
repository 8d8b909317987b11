"""``accord fimi ...``: the desk's commands (mounted by the CLI through the entry point).
Thin: parse, call the desk, render."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import orjson
import typer
from rich.table import Table

from accord.core.durations import duration_seconds
from accord.core.errors import InvalidInput
from accord.core.plugins import CommandServices
from accord.desks.fimi.cases import is_case_file, read_cases, store_cases, stored_cases
from accord.desks.fimi.cli_incidents import add_commands
from accord.desks.fimi.coordination import (
    DEFAULT_MIN_COACTIONS,
    DEFAULT_WINDOW_S,
    clusters,
    save_clusters,
)
from accord.desks.fimi.disarm import import_framework, read_framework
from accord.desks.fimi.narratives import DEFAULT_MIN_POSTS, DEFAULT_SIMILARITY, narratives
from accord.desks.fimi.near_duplicates import DEFAULT_THRESHOLD, duplicate_groups, groups_of
from accord.desks.fimi.posts import (
    desk_folder,
    parse_mapping,
    read_posts,
    store_posts,
    stored_posts,
)

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
        file: Annotated[
            Path,
            typer.Argument(help="Posts (CSV, JSON lines or Parquet) or an EUvsDisinfo export."),
        ],
        columns: Annotated[
            str | None,
            typer.Option("--map", help="Column mapping, e.g. id=pid,account=user,text=body."),
        ] = None,
        strict: Annotated[bool, typer.Option(help="Stop at the first bad row.")] = False,
        data_dir: DataDir = None,
    ) -> None:
        """Ingest posts (normalised; re-ingesting adds nothing), or debunked cases."""
        with services.reported_errors(), services.open_node(data_dir) as node:
            if is_case_file(file):
                added, known = store_cases(desk_folder(node), read_cases(file))
                services.console.print(
                    f"{file}: {added:,} cases added, {known:,} already there",
                    highlight=False,
                    soft_wrap=True,
                )
                return
            found = read_posts(file, parse_mapping(columns) if columns else None, strict=strict)
            added, known = store_posts(desk_folder(node), found.posts)
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
            str, typer.Option(help="Time within which acts count as co-acts: 60, 60s, 5m, 1h.")
        ] = f"{DEFAULT_WINDOW_S:g}s",
        min_coactions: Annotated[
            int, typer.Option(help="Co-acts an account pair needs.")
        ] = DEFAULT_MIN_COACTIONS,
        min_weight: Annotated[
            float | None,
            typer.Option(
                help="Evidence a pair needs: the sum of -ln(share of accounts acting on the "
                "item) over its co-acts (default 3 x ln(accounts), at most 20.7)."
            ),
        ] = None,
        output: Annotated[str, typer.Option("--format", help="table or json.")] = "table",
        data_dir: DataDir = None,
    ) -> None:
        """Clusters of accounts acting together (co-repost, co-URL, co-similar text)."""
        with services.reported_errors(), services.open_node(data_dir) as node:
            _check_format(output)
            seconds = _seconds(window)
            found = clusters(
                stored_posts(desk_folder(node)),
                seconds,
                min_coactions=min_coactions,
                min_weight=min_weight,
            )
            save_clusters(desk_folder(node), found, seconds)
            if output == "json":
                _print_json([cluster.record() for cluster in found])
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

    @app.command()
    def dedup(
        threshold: Annotated[
            float, typer.Option(help="Share of word pairs two texts need in common (0-1).")
        ] = DEFAULT_THRESHOLD,
        min_posts: Annotated[int, typer.Option(help="Show groups of this many posts.")] = 2,
        output: Annotated[str, typer.Option("--format", help="table or json.")] = "table",
        data_dir: DataDir = None,
    ) -> None:
        """Near-duplicate posts (copy-pasta, light edits included), largest groups first."""
        with services.reported_errors(), services.open_node(data_dir) as node:
            _check_format(output)
            if not 0 < threshold <= 1:
                raise InvalidInput(f"--threshold {threshold}: a share between 0 and 1")
            posts = stored_posts(desk_folder(node))
            found = groups_of(
                posts, duplicate_groups(posts, threshold=threshold), min_posts=min_posts
            )
            if output == "json":
                _print_json([vars(group) for group in found])
                return
            table = Table("group", "posts", "accounts", "text")
            for group in found:
                table.add_row(
                    str(group.group), str(len(group.post_ids)), str(len(group.accounts)), group.text
                )
            services.console.print(table)

    @app.command("narratives")
    def narratives_command(
        min_posts: Annotated[
            int, typer.Option(help="A claim must be posted this often (reposts count).")
        ] = DEFAULT_MIN_POSTS,
        similarity: Annotated[
            float, typer.Option(help="Cosine similarity that joins claims (0-1).")
        ] = DEFAULT_SIMILARITY,
        output: Annotated[str, typer.Option("--format", help="table or json.")] = "table",
        data_dir: DataDir = None,
    ) -> None:
        """Narratives: claims grouped across languages, labelled, linked to debunked cases,
        with their daily volume."""
        with services.reported_errors(), services.open_node(data_dir) as node:
            _check_format(output)
            folder = desk_folder(node)
            posts = stored_posts(folder)
            found = narratives(
                posts,
                duplicate_groups(posts),
                cases=stored_cases(folder),
                cache=folder / "embeddings.parquet",
                min_posts=min_posts,
                similarity=similarity,
            )
            if output == "json":
                _print_json([narrative.record() for narrative in found])
                return
            table = Table("narrative", "posts", "accounts", "languages", "terms", "cases", "days")
            for n in found:
                table.add_row(
                    str(n.narrative),
                    str(n.posts),
                    str(n.accounts),
                    ", ".join(f"{lang} {count}" for lang, count in n.languages.items()),
                    "\n".join(f"{lang}: {' '.join(terms)}" for lang, terms in n.terms.items()),
                    "\n".join(f"{c.title} ({c.similarity:.2f})" for c in n.cases) or "-",
                    " ".join(f"{day[5:]}:{count}" for day, count in n.timeline.items()),
                )
            services.console.print(table)

    add_commands(app, services)
    return app


def _seconds(window: str) -> float:
    return duration_seconds(window, "--window")


def _check_format(output: str) -> None:
    if output not in ("table", "json"):
        raise InvalidInput(f"--format {output!r}: table or json")


def _print_json(records: list[dict[str, Any]]) -> None:
    sys.stdout.write(orjson.dumps(records, option=orjson.OPT_INDENT_2).decode() + "\n")
