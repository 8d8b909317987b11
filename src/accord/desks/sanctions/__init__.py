"""The sanctions desk: sanctions lists in; screening of people, companies, vessels and
goods; designated vessels and confirmed hits out as STIX findings (issue 6).

Only ``accord.core`` is imported here; the CLI finds the desk through the ``accord.desks``
entry point ``sanctions``.
"""

from __future__ import annotations

from typing import Any

from accord.core.plugins import CommandServices, Desk, RouteServices


def _commands(services: CommandServices) -> Any:
    # Imported when the CLI asks, so that loading the desk stays cheap.
    from accord.desks.sanctions.cli import commands

    return commands(services)


def _routes(services: RouteServices) -> Any:
    from accord.desks.sanctions.api import routes

    return routes(services)


desk = Desk(name="sanctions", title="Sanctions screening", commands=_commands, routes=_routes)
