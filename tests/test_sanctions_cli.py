"""``accord sanctions`` load, lists, diff, screen and screen-file on the real lists."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from accord.cli.app import app
from accord.core.node import Node
from accord.core.queries import ObjectQuery
from accord.core.settings import Settings
from tests.data import SHARED_DATA

SANCTIONS = SHARED_DATA / "sanctions"
runner = CliRunner()


def run(data_dir: Path, *args: str) -> Any:
    return runner.invoke(app, [*args, "--data-dir", str(data_dir)])


@pytest.fixture(scope="module")
def node_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data_dir = tmp_path_factory.mktemp("sanctions") / "node"
    assert run(data_dir, "init").exit_code == 0
    loaded = run(
        data_dir,
        "sanctions",
        "load",
        str(SANCTIONS / "ofac_sdn.csv.gz"),
        str(SANCTIONS / "un_consolidated.xml.gz"),
    )
    assert loaded.exit_code == 0, loaded.output
    return data_dir


def test_loading_makes_snapshots_and_stores_designated_vessels(node_dir: Path) -> None:
    listed = run(node_dir, "sanctions", "lists")
    assert "ofac-sdn" in listed.output and "un-sc" in listed.output
    again = run(node_dir, "sanctions", "load", str(SANCTIONS / "ofac_sdn.csv.gz"))
    assert again.exit_code == 0
    assert len(run(node_dir, "sanctions", "lists").output.split("ofac-sdn")) == 2  # still one
    node = Node.open(Settings(data_dir=node_dir))
    try:
        vessels = node.store.objects(node.reader("JP"), ObjectQuery(types=("vessel",)))
        assert len(vessels) > 300
        assert all("watchlist" in v.body["labels"] for v in vessels)
    finally:
        node.close()


def test_diff_needs_two_snapshots(node_dir: Path) -> None:
    result = run(node_dir, "sanctions", "diff", "ofac-sdn")
    assert result.exit_code == 1 and "one snapshot only" in result.output


def test_screen_finds_a_designated_person_in_another_script(node_dir: Path) -> None:
    result = run(node_dir, "sanctions", "screen", "김정은", "--type", "Person")
    assert result.exit_code == 0, result.output
    assert "KIM" in result.output.upper() and "score" in result.output


def test_screen_file_writes_a_row_per_hit_and_one_for_no_hit(
    node_dir: Path, tmp_path: Path
) -> None:
    queries = tmp_path / "q.csv"
    queries.write_text("id,name,type\n1,Kim Jong Un,Person\n2,Nobody Atall Xyzzy,Person\n")
    out = tmp_path / "out.csv"
    result = run(node_dir, "sanctions", "screen-file", str(queries), "--out", str(out))
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(out.open()))
    assert list(rows[0]) == [
        "id",
        "name",
        "score",
        "source",
        "source_id",
        "matched_name",
        "explanation",
    ]
    assert any(r["id"] == "1" and r["source"] == "ofac-sdn" for r in rows)
    assert [r for r in rows if r["id"] == "2"] == [
        {
            "id": "2",
            "name": "Nobody Atall Xyzzy",
            "score": "",
            "source": "",
            "source_id": "",
            "matched_name": "",
            "explanation": "",
        }
    ]


def test_the_watchlist_reports_only_new_hits(tmp_path: Path) -> None:
    data_dir = tmp_path / "node"
    assert run(data_dir, "init").exit_code == 0
    assert (
        run(
            data_dir, "sanctions", "watch", "add", "c1", "Kim Jong Un", "--type", "Person"
        ).exit_code
        == 0
    )
    assert run(data_dir, "sanctions", "watch", "add", "c2", "Harmless Trading Ltd").exit_code == 0
    assert run(data_dir, "sanctions", "watch", "add", "c1", "again").exit_code == 1
    first = run(data_dir, "sanctions", "load", str(SANCTIONS / "ofac_sdn.csv.gz"))
    assert first.exit_code == 0, first.output
    assert "new: c1 (Kim Jong Un)" in first.output and "c2" not in first.output
    again = run(data_dir, "sanctions", "watch", "run")
    assert again.exit_code == 0 and "watchlist: nothing new" in again.output
    assert "c2: Harmless Trading Ltd" in run(data_dir, "sanctions", "watch", "list").output
    assert run(data_dir, "sanctions", "watch", "remove", "c2").exit_code == 0
    assert run(data_dir, "sanctions", "watch", "remove", "c2").exit_code == 1


def test_a_confirmed_hit_is_shared_only_as_released(node_dir: Path) -> None:
    from stix2validator import ValidationOptions, validate_instance

    result = run(
        node_dir, "sanctions", "confirm", "cp-7", "Kim Chong Un", "ofac-sdn:20157",
        "--tlp", "amber", "--release", "sdp-kr", "--type", "Person",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "confirmed: cp-7 ~ ofac-sdn:20157" in result.output
    node = Node.open(Settings(data_dir=node_dir))
    try:
        links = ObjectQuery(types=("relationship",))
        seen = node.store.objects(node.reader("KR"), links)
        assert len(seen) == 1 and "Confirmed sanctions screening hit" in seen[0].body["description"]
        assert node.store.count(node.reader("JP"), links) == 0
        for body in (
            o.body for o in node.store.objects(node.reader("KR"), ObjectQuery(types=("identity",)))
        ):
            assert validate_instance(body, ValidationOptions(version="2.1")).is_valid
    finally:
        node.close()
    wrong = run(
        node_dir, "sanctions", "confirm", "cp-8", "Kim Chong Un", "un-sc:NOPE", "--tlp", "amber"
    )
    assert wrong.exit_code == 1 and "no hit" in wrong.output
