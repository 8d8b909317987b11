"""Mounting the desks: every ``accord.desks`` entry point becomes ``accord <desk> ...``."""

from __future__ import annotations

from contextlib import AbstractContextManager
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

import typer

from accord.cli.context import actor, console, errors, open_node, reported_errors
from accord.core.errors import ConfigurationError
from accord.core.node import Node
from accord.core.plugins import ENTRY_POINT_GROUP, Desk


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


def installed_desks() -> list[Desk]:
    """The desks installed in this environment, by name."""
    found = []
    for entry in entry_points(group=ENTRY_POINT_GROUP):
        desk = entry.load()
        if not isinstance(desk, Desk):
            raise ConfigurationError(
                f"entry point {entry.name} = {entry.value} of group {ENTRY_POINT_GROUP} "
                "is no accord.core.plugins.Desk"
            )
        found.append(desk)
    return sorted(found, key=lambda desk: desk.name)


def mount_desks(app: typer.Typer) -> None:
    """Add each desk's command group to the ``accord`` command."""
    services = Services()
    for desk in installed_desks():
        group: Any = desk.commands(services)
        app.add_typer(group, name=desk.name, help=desk.title)
