"""``accord federate``: sync findings with the peer nodes."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from accord.cli.context import console, open_node, reported_errors, split_list
from accord.core.durations import duration_seconds
from accord.federation.pull import Transfer
from accord.federation.rounds import run_forever, run_round

DataDir = Annotated[
    Path | None, typer.Option("--data-dir", help="Node data directory (default: ACCORD_DATA_DIR).")
]
app = typer.Typer(help="Federation: sync findings with peer nodes.", no_args_is_help=True)


@app.command("run")
def federate_run(
    peer: Annotated[
        str | None, typer.Option(help="Peer names, commas (default: every peer).")
    ] = None,
    every: Annotated[
        str | None,
        typer.Option(help="Sync again every so long (60, 60s, 5m, 1h) until stopped."),
    ] = None,
    data_dir: DataDir = None,
) -> None:
    """Pull from and push to the peers once (or every --every); exit status 1 if a peer
    failed in a single round."""
    with reported_errors(), open_node(data_dir) as node:
        names = split_list(peer) or []
        if every is None:
            transfers = run_round(node, names)
            _print(transfers)
            if any(transfer.error for transfer in transfers):
                raise typer.Exit(1)
            return
        seconds = duration_seconds(every, "--every")
        for name in names:
            node.peers.peer(name)  # an unknown name fails now, not every round
        stop = threading.Event()
        console.print(f"syncing every {seconds:g} s; Ctrl-C stops")
        try:
            run_forever(node, seconds, stop, names=names, report=_print)
        except KeyboardInterrupt:
            stop.set()


def _print(transfers: list[Transfer]) -> None:
    table = Table(
        "peer", "collection", "direction", "objects", "held already", "withheld", "refused", "error"
    )
    for transfer in transfers:
        table.add_row(
            transfer.peer,
            transfer.collection,
            transfer.direction,
            f"{transfer.objects:,}",
            f"{transfer.duplicates:,}",
            f"{transfer.withheld:,}",
            f"{transfer.refused:,}",
            transfer.error or "",
        )
    console.print(table)
