"""``accord industry ...``: the desk's commands (mounted by the CLI through the entry
point). Thin: parse, call the desk, render."""

from __future__ import annotations

from typing import Any

import typer

from accord.core.plugins import CommandServices
from accord.desks.industry.cli_consortium import add_commands as add_consortium_commands
from accord.desks.industry.cli_eligibility import add_commands as add_eligibility_commands
from accord.desks.industry.cli_organisations import add_commands as add_organisation_commands
from accord.desks.industry.cli_supply import add_commands as add_supply_commands


def commands(services: CommandServices) -> Any:
    """The ``accord industry`` command group."""
    app = typer.Typer(
        help="Defence industry: eligibility under the EDF, EDIRPA, EDIP and SAFE; consortia; "
        "supply options.",
        no_args_is_help=True,
    )
    add_organisation_commands(app, services)
    add_eligibility_commands(app, services)
    add_consortium_commands(app, services)
    add_supply_commands(app, services)
    return app
