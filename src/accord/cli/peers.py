"""``accord peer``: the partner nodes this node federates with."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from accord.cli.context import actor, console, open_node, reported_errors, split_list
from accord.core.peers import new_federation_key
from accord.core.signing import key_id, public_key_text

DataDir = Annotated[
    Path | None, typer.Option("--data-dir", help="Node data directory (default: ACCORD_DATA_DIR).")
]
app = typer.Typer(help="Peers: partner nodes to sync findings with.", no_args_is_help=True)


@app.command("keygen")
def peer_keygen() -> None:
    """Print a new federation key (for ACCORD_FEDERATION_KEY, which encrypts peers'
    tokens at rest)."""
    console.print(new_federation_key(), highlight=False)


@app.command("key")
def peer_key(data_dir: DataDir = None) -> None:
    """Print this node's public signing key, for partners to register with `peer add
    --public-key`."""
    with reported_errors(), open_node(data_dir) as node:
        public = node.public_key()
        console.print(
            f"partner {node.settings.home_partner}\n"
            f"public key {public_key_text(public)}\n{key_id(public)}",
            highlight=False,
        )


@app.command("add")
def peer_add(
    name: Annotated[str, typer.Argument(help="Short name, e.g. jp-mod.")],
    url: Annotated[str, typer.Argument(help="The peer's TAXII API root, https://.../taxii2/api/")],
    token: Annotated[str, typer.Option(help="Bearer token this node uses at the peer.")],
    partner: Annotated[str, typer.Option(help="Code of the partner that runs the peer.")],
    public_key: Annotated[
        str, typer.Option(help="The peer's public signing key (`accord peer key` there).")
    ],
    collections: Annotated[
        str | None, typer.Option(help="Collection ids or aliases to sync, commas (default: all).")
    ] = None,
    mode: Annotated[str, typer.Option(help="pull, push or both.")] = "both",
    data_dir: DataDir = None,
) -> None:
    """Register a peer; its token is kept encrypted (ACCORD_FEDERATION_KEY)."""
    with reported_errors(), open_node(data_dir) as node:
        peer = node.peers.add(
            name,
            url,
            partner=partner,
            public_key=public_key,
            token=token,
            mode=mode,
            collections=split_list(collections),
            actor=actor(),
        )
        console.print(f"peer {peer.name} ({peer.partner}, {peer.mode}) at {peer.url}")


@app.command("list")
def peer_list(data_dir: DataDir = None) -> None:
    """List the peers (never their tokens)."""
    with reported_errors(), open_node(data_dir) as node:
        table = Table("peer", "partner", "mode", "url", "collections", "key")
        for peer in node.peers.peers():
            table.add_row(
                peer.name,
                peer.partner,
                peer.mode,
                peer.url,
                ", ".join(peer.collections or ("all",)),
                peer.public_key[:12] + "…",
            )
        console.print(table)


@app.command("remove")
def peer_remove(
    name: Annotated[str, typer.Argument(help="The peer to forget.")], data_dir: DataDir = None
) -> None:
    """Forget a peer and where its syncs stood (what came from it stays)."""
    with reported_errors(), open_node(data_dir) as node:
        node.peers.remove(name, actor=actor())
        console.print(f"peer {name} removed")


@app.command("reset")
def peer_reset(
    name: Annotated[str, typer.Argument(help="The peer to sync from the start.")],
    data_dir: DataDir = None,
) -> None:
    """Forget where the syncs with a peer stood: the next round reads and sends everything
    again, and stores what was refused before and is now accepted (a key registered since,
    say). What is held already is recognised, not stored twice."""
    with reported_errors(), open_node(data_dir) as node:
        node.peers.reset(name, actor=actor())
        console.print(f"peer {name}: the next round starts from the beginning")


@app.command("status")
def peer_status(
    name: Annotated[str | None, typer.Argument(help="One peer (default: all).")] = None,
    data_dir: DataDir = None,
) -> None:
    """Where each sync stands: last sync and lag, position, objects, last error."""
    with reported_errors(), open_node(data_dir) as node:
        table = Table(
            "peer", "collection", "direction", "last sync", "lag", "position", "objects", "error"
        )
        now = datetime.now(UTC)
        for state in node.peers.states(name):
            table.add_row(
                state.peer,
                state.collection,
                state.direction,
                state.last_sync.strftime("%Y-%m-%d %H:%M:%S") if state.last_sync else "never",
                f"{(now - state.last_sync).total_seconds():,.0f} s" if state.last_sync else "-",
                state.position or "-",
                f"{state.objects:,}",
                state.last_error or "",
            )
        console.print(table)
