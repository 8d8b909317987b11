"""The contract between Accord and its desks (plug-ins found through the ``accord.desks``
entry-point group).

A desk package exposes a :class:`Desk`. The CLI finds every desk, gives each the
:class:`CommandServices` it needs (opening the node, reporting errors, the console), and
mounts the command group the desk builds under ``accord <desk name>``. Core defines the
contract only: it never imports a desk.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any, Protocol

from accord.core.errors import ConfigurationError
from accord.core.node import Node

ENTRY_POINT_GROUP = "accord.desks"


class CommandServices(Protocol):
    """What the CLI lends a desk's commands."""

    console: Any  # a rich Console, for output
    errors: Any  # a rich Console on stderr

    def open_node(self, data_dir: Path | None) -> AbstractContextManager[Node]:
        """The initialised node of the current settings (with `data_dir` first)."""
        ...

    def reported_errors(self) -> AbstractContextManager[None]:
        """Turns an AccordError into one red line and exit status 1."""
        ...

    def actor(self) -> str:
        """Who runs the command, as the audit log names it."""
        ...

    def progress(self) -> Any:
        """A rich Progress bar (a context manager) for long work."""
        ...


class RouteServices(Protocol):
    """What the API lends a desk's HTTP routes."""

    @property
    def node(self) -> Node:
        """The node the API serves."""
        ...

    @property
    def authenticated(self) -> Callable[..., Any]:
        """A FastAPI dependency: the authenticated caller (with ``principal`` and
        ``reader``); it answers 401/406/429 itself, as every route of the API does."""
        ...


@dataclass(frozen=True)
class Desk:
    """A cooperation area's plug-in."""

    name: str  # the command group and collection alias, e.g. "maritime"
    title: str
    # Builds the desk's command group (a Typer app) with the CLI's services.
    commands: Callable[[CommandServices], Any]
    # Builds the desk's HTTP routes (a FastAPI APIRouter), mounted at /api/<name>/.
    routes: Callable[[RouteServices], Any] | None = None


def installed_desks() -> list[Desk]:
    """The desks installed in this environment (entry points of ``accord.desks``), by
    name. Loaded when asked, so core never imports a desk itself."""
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
