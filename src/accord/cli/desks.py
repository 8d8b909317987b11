"""Mounting the desks: every ``accord.desks`` entry point becomes ``accord <desk> ...``."""

from __future__ import annotations

from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import typer
from rich.progress import Progress

from accord.cli.context import actor, console, errors, open_node, progress, reported_errors
from accord.core.node import Node
from accord.core.plugins import installed_desks


class Services:
    """The :class:`accord.core.plugins.CommandServices` the CLI lends every desk."""

    console = console
    errors = errors

    def open_node(self, data_dir: Path | None) -> AbstractContextManager[Node]:
        return open_node(data_dir)

    def reported_errors(self) -> AbstractContextManager[None]:
        return reported_errors()

    def actor(self) -> str:
        return actor()

    def progress(self) -> Progress:
        return progress()


def mount_desks(app: typer.Typer) -> None:
    """Add each desk's command group to the ``accord`` command."""
    services = Services()
    for desk in installed_desks():
        group: Any = desk.commands(services)
        app.add_typer(group, name=desk.name, help=desk.title)
