"""The maritime desk: AIS in; tracks, dark activity and ship-to-ship transfers out, as STIX
findings partners can share (issue 5).

Only ``accord.core`` is imported here; the CLI finds the desk through the ``accord.desks``
entry point ``maritime``.
"""

from __future__ import annotations

from typing import Any

from accord.core.plugins import CommandServices, Desk


def _commands(services: CommandServices) -> Any:
    # Imported when the CLI asks, so that loading the desk stays cheap.
    from accord.desks.maritime.cli import commands

    return commands(services)


desk = Desk(name="maritime", title="Maritime security (AIS)", commands=_commands)
