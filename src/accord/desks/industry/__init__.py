"""The industry desk: eligible consortia, origin rules and supply options for joint
defence projects under the EDF, EDIRPA, EDIP and SAFE (issue 11).

Only ``accord.core`` is imported here; the CLI finds the desk through the ``accord.desks``
entry point ``industry``. The rules are data (``data/rules.yaml``), read by
:mod:`accord.desks.industry.rules` and evaluated by :mod:`accord.desks.industry.engine`.
"""

from __future__ import annotations

from typing import Any

from accord.core.plugins import CommandServices, Desk


def _commands(services: CommandServices) -> Any:
    # Imported when the CLI asks, so that loading the desk stays cheap.
    from accord.desks.industry.cli import commands

    return commands(services)


desk = Desk(name="industry", title="Defence industry", commands=_commands)
