"""``accord serve``: the TAXII 2.1 API of the node, with uvicorn."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
import uvicorn

from accord.api.app import create_app
from accord.cli.context import actor, console, open_node, reported_errors

DataDir = Annotated[
    Path | None, typer.Option("--data-dir", help="Node data directory (default: ACCORD_DATA_DIR).")
]


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port to listen on.")] = 8000,
    log_level: Annotated[str, typer.Option(help="uvicorn log level.")] = "info",
    data_dir: DataDir = None,
) -> None:
    """Serve TAXII 2.1 at http://HOST:PORT/taxii2/ (OpenAPI schema at /openapi.json)."""
    with reported_errors(), open_node(data_dir) as node:
        node.apply_collections_file(actor=actor())
        app = create_app(node)
        console.print(f"Accord TAXII 2.1 at http://{host}:{port}/taxii2/", soft_wrap=True)
        uvicorn.run(app, host=host, port=port, log_level=log_level)
