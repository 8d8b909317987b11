"""``accord fimi`` ingest and coordination through the CLI."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from accord.cli.app import app

runner = CliRunner()


def run(data_dir: Path, *args: str) -> Any:
    return runner.invoke(app, [*args, "--data-dir", str(data_dir)])


def test_ingest_then_coordination_finds_the_ring(tmp_path: Path) -> None:
    data_dir = tmp_path / "node"
    assert run(data_dir, "init").exit_code == 0
    lines = ["id,account,text,timestamp,url"]
    for burst in range(5):
        for offset, account in enumerate(("ring1", "ring2", "ring3")):
            seconds = burst * 3600 + offset * 10
            lines.append(
                f"{burst}-{account},{account},look,{1772366400 + seconds},https://ring.example/{burst}"
            )
    lines += [
        f"o{i},organic{i},hello {i},{1772366400 + i * 997},https://popular.example"
        for i in range(20)
    ]
    lines.append("bad,,no account,1772366400,")
    posts = tmp_path / "posts.csv"
    posts.write_text("\n".join(lines) + "\n")
    first = run(data_dir, "fimi", "ingest", str(posts))
    assert first.exit_code == 0, first.output
    assert "35 posts added" in first.output and "1 rejected" in first.output
    assert "0 posts added, 35 already there" in run(data_dir, "fimi", "ingest", str(posts)).output
    found = json.loads(run(data_dir, "fimi", "coordination", "--format", "json").output)
    assert [c["accounts"] for c in found] == [["ring1", "ring2", "ring3"]]
    assert found[0]["signals"]["url"] == 15 and len(found[0]["evidence"]) == 15
    assert (
        json.loads(
            run(data_dir, "fimi", "coordination", "--window", "1", "--format", "json").output
        )
        == []
    )
