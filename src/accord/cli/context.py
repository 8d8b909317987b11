"""What every command needs: the settings, the node, the actor name, error rendering."""

from __future__ import annotations

import getpass
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from accord.core.errors import AccordError, ConfigurationError
from accord.core.node import Node
from accord.core.settings import Settings

console = Console()
errors = Console(stderr=True)


def settings(data_dir: Path | None = None) -> Settings:
    """Settings from ``ACCORD_*`` variables, with `data_dir` taking precedence."""
    try:
        return Settings(data_dir=data_dir) if data_dir else Settings()
    except ValidationError as exc:
        raise ConfigurationError(f"bad ACCORD_* setting: {exc}") from exc


def actor() -> str:
    """Who runs the command, as the audit log records it."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli:unknown"


@contextmanager
def open_node(data_dir: Path | None = None) -> Iterator[Node]:
    """The initialised node of the current settings, closed afterwards."""
    node = Node.open(settings(data_dir))
    try:
        yield node
    finally:
        node.close()


@contextmanager
def reported_errors() -> Iterator[None]:
    """Turn an AccordError into one red line on stderr and exit code 1."""
    try:
        yield
    except AccordError as exc:
        errors.print(f"[red]error:[/red] {exc}", highlight=False, soft_wrap=True)
        raise typer.Exit(code=1) from exc


def split_list(value: str | None) -> list[str]:
    """`JP,KR, sdp-jp` -> ['JP', 'KR', 'sdp-jp']: partner codes and group names as typed."""
    if not value:
        return []
    return [item.strip() for item in value.split(",") if item.strip()]


def progress() -> Progress:
    """The progress bar of long commands (description, bar, done/total, time; it vanishes
    when done)."""
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )
