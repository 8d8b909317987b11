"""``accord collection``: the views TAXII serves as collections."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError

from accord.cli.context import actor, console, open_node, reported_errors, split_list
from accord.core.collections import CollectionSpec
from accord.core.errors import InvalidInput

DataDir = Annotated[
    Path | None, typer.Option("--data-dir", help="Node data directory (default: ACCORD_DATA_DIR).")
]
app = typer.Typer(help="Collections: views on the store that TAXII serves.", no_args_is_help=True)


@app.command("list")
def collection_list(data_dir: DataDir = None) -> None:
    """List the collections with what each selects."""
    with reported_errors(), open_node(data_dir) as node:
        for item in node.collections.collections():
            selects = (
                f"types {', '.join(item.types) or 'any'}; label {item.label or 'any'}; "
                f"released to {item.audience or 'anyone'}"
            )
            mode = "read-write" if item.writable else "read-only"
            console.print(
                f"[bold]{item.alias}[/bold] {item.id} ({mode}): {item.title}\n    {selects}",
                soft_wrap=True,
                highlight=False,
            )


@app.command("add")
def collection_add(
    alias: Annotated[str, typer.Argument(help="Short name, e.g. baltic-cables.")],
    title: Annotated[str, typer.Option(help="Title shown to TAXII clients.")],
    description: Annotated[str, typer.Option(help="What the collection holds.")] = "",
    types: Annotated[str | None, typer.Option(help="STIX types, commas (default: all).")] = None,
    label: Annotated[str | None, typer.Option(help="Label objects carry, e.g. area:cyber.")] = None,
    audience: Annotated[
        str | None, typer.Option(help="Partner or group the objects are released to.")
    ] = None,
    read_only: Annotated[bool, typer.Option("--read-only", help="Refuse writes.")] = False,
    data_dir: DataDir = None,
) -> None:
    """Add a collection, or change the one with this alias."""
    with reported_errors(), open_node(data_dir) as node:
        try:
            spec = CollectionSpec(
                alias=alias,
                title=title,
                description=description,
                types=split_list(types),
                label=label,
                audience=audience,
                writable=not read_only,
            )
        except ValidationError as exc:
            problem = exc.errors()[0]
            raise InvalidInput(
                f"collection {alias}: {problem['loc'][0]}: {problem['msg']}"
            ) from exc
        node.declare_collections([spec], actor=actor())
        console.print(f"collection {alias} declared ({node.collections.collection(alias).id})")


@app.command("remove")
def collection_remove(
    alias: Annotated[str, typer.Argument(help="Alias of the collection.")],
    data_dir: DataDir = None,
) -> None:
    """Remove a collection (its objects stay in the store)."""
    with reported_errors(), open_node(data_dir) as node:
        node.collections.remove(alias, actor=actor())
        console.print(f"collection {alias} removed")
