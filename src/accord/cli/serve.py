"""``accord serve``: the TAXII 2.1 API of the node, with uvicorn."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
import uvicorn

from accord.api.app import create_app
from accord.cli.context import actor, console, open_node, reported_errors
from accord.core.durations import duration_seconds
from accord.core.errors import InvalidInput
from accord.core.node import Node
from accord.core.settings import Settings
from accord.federation.rounds import run_forever

DataDir = Annotated[
    Path | None, typer.Option("--data-dir", help="Node data directory (default: ACCORD_DATA_DIR).")
]


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port to listen on.")] = 8000,
    log_level: Annotated[str, typer.Option(help="uvicorn log level.")] = "info",
    ssl_certfile: Annotated[
        Path | None, typer.Option(help="TLS certificate (PEM): serve HTTPS, as TAXII requires.")
    ] = None,
    ssl_keyfile: Annotated[Path | None, typer.Option(help="TLS private key (PEM).")] = None,
    forwarded_allow_ips: Annotated[
        str,
        typer.Option(
            help="Reverse proxies whose X-Forwarded-For/-Proto headers are trusted: addresses "
            "or networks, commas ('*': any; default: this machine only)."
        ),
    ] = "127.0.0.1,::1",
    federate_every: Annotated[
        str | None,
        typer.Option(help="Also sync with the peers every so long (60s, 5m...) in the background."),
    ] = None,
    data_dir: DataDir = None,
) -> None:
    """Serve TAXII 2.1 at HOST:PORT/taxii2/ (OpenAPI schema at /openapi.json)."""
    with reported_errors():
        if (ssl_certfile is None) != (ssl_keyfile is None):
            raise InvalidInput("give both --ssl-certfile and --ssl-keyfile, or neither")
        for path in (ssl_certfile, ssl_keyfile):
            if path is not None and not path.is_file():
                raise InvalidInput(f"{path}: no such file")
        every = duration_seconds(federate_every, "--federate-every") if federate_every else None
        with open_node(data_dir) as node, _federating(node.settings, every):
            node.apply_collections_file(actor=actor())
            app = create_app(node)
            scheme = "https" if ssl_certfile else "http"
            console.print(f"Accord TAXII 2.1 at {scheme}://{host}:{port}/taxii2/", soft_wrap=True)
            uvicorn.run(
                app,
                host=host,
                port=port,
                log_level=log_level,
                ssl_certfile=str(ssl_certfile) if ssl_certfile else None,
                ssl_keyfile=str(ssl_keyfile) if ssl_keyfile else None,
                # Behind a trusted proxy, the client's own address (per-address login limits,
                # audit) and the public https URL (discovery's API roots) come from its headers.
                proxy_headers=True,
                forwarded_allow_ips=forwarded_allow_ips,
            )


@contextmanager
def _federating(settings: Settings, every: float | None) -> Iterator[None]:
    """Sync rounds in a background thread, on a node of their own, while the server runs."""
    if every is None:
        yield
        return
    stop = threading.Event()
    node = Node.open(settings)
    worker = threading.Thread(
        target=run_forever, args=(node, every, stop), name="accord-federation", daemon=True
    )
    worker.start()
    try:
        yield
    finally:
        stop.set()
        worker.join(timeout=30)
        node.close()
