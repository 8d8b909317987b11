"""The documentation keeps up with the code: every command and setting is described."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from typer.main import get_command

from accord.cli.app import app
from accord.core.settings import Settings

ROOT = Path(__file__).resolve().parents[1]


def command_paths(command: Any, prefix: str = "accord") -> list[str]:
    children = getattr(command, "commands", None)
    if not children:
        return [prefix]
    return [
        path
        for name, child in children.items()
        for path in command_paths(child, f"{prefix} {name}")
    ]


def test_every_cli_command_is_documented() -> None:
    documented = (ROOT / "docs" / "cli.md").read_text()
    missing = [path for path in command_paths(get_command(app)) if f"`{path}" not in documented]
    assert missing == []


def test_every_setting_is_documented_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text()
    missing = [
        f"ACCORD_{name.upper()}"
        for name in Settings.model_fields
        if f"`ACCORD_{name.upper()}`" not in readme
    ]
    assert missing == []
