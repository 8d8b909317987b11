"""Options the ``accord industry`` commands share, and storing their findings: one
definition of ``--data-dir``, ``--publish``, ``--tlp`` and ``--release``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any

import typer

from accord.core.errors import InvalidInput
from accord.core.markings import Tlp
from accord.core.node import Node
from accord.core.plugins import CommandServices
from accord.desks.industry.findings import DEFAULT_TLP, publish_findings

DataDir = Annotated[
    Path | None, typer.Option("--data-dir", help="Node data directory (default: ACCORD_DATA_DIR).")
]
Publish = Annotated[bool, typer.Option("--publish", help="Store the result as STIX findings.")]
TlpOption = Annotated[Tlp, typer.Option(help="TLP 2.0 marking of stored findings.")]
Release = Annotated[
    str | None,
    typer.Option(help="Release list: partner codes and group names, commas (default: none)."),
]
__all__ = [
    "DEFAULT_TLP",
    "DataDir",
    "Publish",
    "Release",
    "TlpOption",
    "check_format",
    "store_findings",
]


def check_format(output: str) -> None:
    """InvalidInput unless `output` is one of the formats the commands print."""
    if output not in ("table", "json"):
        raise InvalidInput(f"--format {output!r}: table or json")


def store_findings(
    services: CommandServices,
    node: Node,
    objects: Sequence[Mapping[str, Any]],
    *,
    tlp: Tlp,
    release: str | None,
    what: str,
) -> None:
    """Store `objects` as the home partner's findings, marked and released as the options
    say, and report it on standard error (standard output may carry JSON)."""
    grantees = [item.strip() for item in release.split(",") if item.strip()] if release else None
    report = publish_findings(node, objects, actor=services.actor(), tlp=tlp, release=grantees)
    services.errors.print(
        f"stored: {what} as {report.received} STIX objects ({report.stored} new, "
        f"{report.duplicates} already there), TLP:{tlp.value.upper()}, "
        + (f"released to {release}" if release else "released to no other partner"),
        highlight=False,
        soft_wrap=True,
    )
