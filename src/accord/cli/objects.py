"""``accord objects``: list, show and count findings as a given partner sees them."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import orjson
import typer
from rich.table import Column, Table

from accord.cli.context import actor, console, open_node, reported_errors, split_list
from accord.core.markings import Tlp
from accord.core.queries import ObjectQuery
from accord.core.stix.canonical import format_timestamp, parse_timestamp

app = typer.Typer(help="Findings in the store, as a partner sees them.", no_args_is_help=True)

DataDir = Annotated[
    Path | None, typer.Option("--data-dir", help="Node data directory (default: ACCORD_DATA_DIR).")
]
AsPartner = Annotated[
    str | None, typer.Option("--as", help="Read as this partner (default: the home partner).")
]


@app.command("list")
def list_objects(
    as_partner: AsPartner = None,
    type_: Annotated[str | None, typer.Option("--type", help="STIX types, commas.")] = None,
    owner: Annotated[str | None, typer.Option(help="Only this owner's.")] = None,
    tlp: Annotated[Tlp | None, typer.Option(help="Only this TLP level.")] = None,
    search: Annotated[str | None, typer.Option(help="Text the object contains.")] = None,
    limit: Annotated[int, typer.Option(min=1, help="At most this many rows.")] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON lines.")] = False,
    data_dir: DataDir = None,
) -> None:
    """List the newest version of each object the partner may read."""
    with reported_errors(), open_node(data_dir) as node:
        reader = node.reader(as_partner)
        query = ObjectQuery(
            types=tuple(split_list(type_)), owner=owner, tlp=tlp, text=search, limit=limit
        )
        found = node.store.objects(reader, query)
        if as_json:
            for item in found:
                print(orjson.dumps(item.body, option=orjson.OPT_SORT_KEYS).decode())
            return
        total = node.store.count(reader, query)
        table = Table(
            Column("id", no_wrap=True),
            "type",
            "owner",
            "TLP",
            "modified",
            "name",
            title=f"{len(found)} of {total} objects readable by {reader.partner}",
        )
        for item in found:
            name = item.body.get("name") or item.body.get("abstract") or ""
            table.add_row(
                item.stix_id,
                item.type,
                item.owner,
                item.tlp.value if item.tlp else "-",
                format_timestamp(item.version),
                str(name)[:60],
            )
        console.print(table)


@app.command("show")
def show_object(
    stix_id: str,
    as_partner: AsPartner = None,
    version: Annotated[str | None, typer.Option(help="A `modified` timestamp.")] = None,
    data_dir: DataDir = None,
) -> None:
    """Print one object as JSON (its newest version, or --version)."""
    with reported_errors(), open_node(data_dir) as node:
        wanted = parse_timestamp(version) if version else None
        item = node.store.get(node.reader(as_partner), stix_id, wanted)
        print(orjson.dumps(item.body, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS).decode())


@app.command("versions")
def object_versions(stix_id: str, as_partner: AsPartner = None, data_dir: DataDir = None) -> None:
    """List the versions of an object the partner may read."""
    with reported_errors(), open_node(data_dir) as node:
        for stamp in node.store.versions(node.reader(as_partner), stix_id):
            print(format_timestamp(stamp))


@app.command("count")
def count_objects(as_partner: AsPartner = None, data_dir: DataDir = None) -> None:
    """Count the newest objects the partner may read, per STIX type."""
    with reported_errors(), open_node(data_dir) as node:
        reader = node.reader(as_partner)
        table = Table("type", "objects", title=f"readable by {reader.partner}")
        counts = node.store.count_by_type(reader)
        for kind, n in counts.items():
            table.add_row(kind, str(n))
        table.add_row("total", str(sum(counts.values())), style="bold")
        console.print(table)


@app.command("share")
def share_object(
    stix_id: str,
    release: Annotated[str, typer.Option(help="Partner codes and group names, commas.")],
    tlp: Annotated[Tlp | None, typer.Option(help="New TLP level (default: keep).")] = None,
    data_dir: DataDir = None,
) -> None:
    """Release an object of the home partner anew (a new version with the new markings)."""
    with reported_errors(), open_node(data_dir) as node:
        item = node.change_release(stix_id, tlp=tlp, release=split_list(release), actor=actor())
        console.print(
            f"{item.stix_id} version {format_timestamp(item.version)} released to "
            f"{', '.join(sorted(node.store.release_of(node.reader(), stix_id)))}"
        )
