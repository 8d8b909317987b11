"""The README's examples run as written."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pytest

from accord.core.principals import Role
from tests.live_server import live_server

README = Path(__file__).resolve().parents[1] / "README.md"


def python_block_after(heading: str) -> str:
    """The first ```python block of the README section under `heading`."""
    section = README.read_text().split(f"## {heading}\n", 1)[1].split("\n## ", 1)[0]
    found = re.search(r"```python\n(.*?)```", section, re.DOTALL)
    assert found, f"no python example under '## {heading}'"
    return found.group(1)


def test_sharing_over_taxii_snippet_runs_against_a_live_server(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    snippet = python_block_after("Sharing over TAXII")
    with live_server(tmp_path_factory.mktemp("readme")) as server:
        server.add_user("jp-analyst", "a long passphrase", "JP", Role.ANALYST)
        code = snippet.replace("http://127.0.0.1:8000", server.base_url)
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            exec(compile(code, "README.md (Sharing over TAXII)", "exec"), {})
    lines = printed.getvalue().splitlines()
    assert lines[0] == "complete 1"
    assert "indicator--0b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d Loader C2" in lines[1:]
