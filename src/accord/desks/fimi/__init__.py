"""The FIMI desk: posts and articles in; coordination, narratives and DISARM-tagged
incidents out, as STIX findings partners can share (issue 7).

Only ``accord.core`` is imported here; the CLI finds the desk through the ``accord.desks``
entry point ``fimi``.
"""

from __future__ import annotations

from typing import Any

from accord.core.plugins import CommandServices, Desk


def _commands(services: CommandServices) -> Any:
    # Imported when the CLI asks, so that loading the desk stays cheap.
    from accord.desks.fimi.cli import commands

    return commands(services)


desk = Desk(
    name="fimi", title="Foreign information manipulation and interference", commands=_commands
)
