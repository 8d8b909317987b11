"""``accord sanctions ...``: the desk's commands (mounted by the CLI through the entry
point). Thin: parse, call the desk, render."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any

import typer

from accord.core.errors import ConfigurationError
from accord.core.plugins import CommandServices
from accord.desks.sanctions.goods import (
    load_chpl,
    screen_shipments,
    shipment_columns,
    write_flagged,
)

DataDir = Annotated[
    Path | None, typer.Option("--data-dir", help="Node data directory (default: ACCORD_DATA_DIR).")
]


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

    return app


def _chpl_path(given: Path | None) -> Path:
    found = given or (
        Path(os.environ["ACCORD_SANCTIONS_CHPL_FILE"])
        if os.environ.get("ACCORD_SANCTIONS_CHPL_FILE")
        else None
    )
    if found is None:
        raise ConfigurationError("no CHPL file: give --chpl or set ACCORD_SANCTIONS_CHPL_FILE")
    return found
