"""``accord fimi ...``: the desk's commands (mounted by the CLI through the entry point).
Thin: parse, call the desk, render."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from accord.core.plugins import CommandServices
from accord.desks.fimi.disarm import import_framework, read_framework

DataDir = Annotated[
    Path | None, typer.Option("--data-dir", help="Node data directory (default: ACCORD_DATA_DIR).")
]


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

    return app
