"""``accord maritime ...`` through the CLI: ingest, detect, events, track."""

from __future__ import annotations

import csv
import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from accord.cli.app import app
from tests.data import SHARED_DATA
from tests.maritime_tracks import T0, steaming

MARITIME = SHARED_DATA / "maritime"
runner = CliRunner()


@pytest.fixture
def node_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("ACCORD_DATABASE_URL", raising=False)
    monkeypatch.setenv(
        "ACCORD_MARITIME_COASTLINE_FILE", str(MARITIME / "ne_10m_coastline.geojson.gz")
    )
    monkeypatch.setenv("ACCORD_MARITIME_LAND_FILE", str(MARITIME / "ne_50m_land.geojson"))
    monkeypatch.setenv("ACCORD_MARITIME_PORTS_FILE", str(MARITIME / "gfw_WPI_ports.csv"))
    data_dir = tmp_path / "node"
    assert run(data_dir, "init").exit_code == 0
    return data_dir


def run(data_dir: Path, *args: str) -> Any:
    return runner.invoke(app, [*args, "--data-dir", str(data_dir)])


def write_positions(path: Path, rows: list[dict[str, Any]]) -> Path:
    with path.open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["mmsi", "ts", "lat", "lon", "sog_kn"])
        for row in rows:
            writer.writerow(
                [row["mmsi"], row["ts"].isoformat(), row["lat"], row["lon"], row["sog_kn"]]
            )
    return path


def test_ingest_detect_and_list_a_gap_at_sea(node_dir: Path, tmp_path: Path) -> None:
    rows = steaming(244123456, hours=1, lat=30.0, lon=-150.0) + steaming(
        244123456, start=T0 + timedelta(hours=14), hours=1, lat=30.0, lon=-149.5
    )
    path = write_positions(tmp_path / "pacific.csv", rows)
    ingested = run(node_dir, "maritime", "ingest", str(path))
    assert ingested.exit_code == 0, ingested.output
    assert f"{len(rows)} positions added" in ingested.output
    detected = run(node_dir, "maritime", "detect")
    assert detected.exit_code == 0, detected.output
    assert "1 gap" in detected.output
    listed = run(node_dir, "maritime", "events", "--type", "gap", "--format", "json")
    records = json.loads(listed.output)
    assert [(r["type"], r["mmsi"]) for r in records] == [("gap", [244123456])]
    assert set(records[0]) == {"type", "mmsi", "start", "end", "lat", "lon", "score", "evidence"}
    assert records[0]["start"].endswith("Z") and records[0]["evidence"]["shore_nm"] > 50
    as_csv = run(node_dir, "maritime", "events", "--format", "csv")
    assert as_csv.output.splitlines()[0] == "type,mmsi,start,end,lat,lon,score,evidence"


def test_track_prints_the_vessel_and_its_geojson(node_dir: Path, tmp_path: Path) -> None:
    rows = steaming(244123456, hours=1, lat=30.0, lon=179.99, course_deg=90)
    run(node_dir, "maritime", "ingest", str(write_positions(tmp_path / "p.csv", rows)))
    shown = run(node_dir, "maritime", "track", "244123456")
    assert shown.exit_code == 0 and "flag NL" in shown.output
    feature = json.loads(run(node_dir, "maritime", "track", "244123456", "--geojson").output)
    # It crosses the antimeridian: two lines (RFC 7946).
    assert len(feature["geometry"]["coordinates"]) == 2
    assert run(node_dir, "maritime", "track", "111111111").exit_code == 1


def test_detect_names_missing_reference_data(
    node_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run(
        node_dir,
        "maritime",
        "ingest",
        str(write_positions(tmp_path / "p.csv", steaming(1, hours=1))),
    )
    monkeypatch.delenv("ACCORD_MARITIME_COASTLINE_FILE")
    result = run(node_dir, "maritime", "detect")
    assert result.exit_code == 1 and "ACCORD_MARITIME_COASTLINE_FILE" in result.output
    assert run(node_dir, "maritime", "detect", "--bbox", "1,2,3").exit_code == 1
    assert run(node_dir, "maritime", "events", "--type", "nonsense").exit_code == 1


def test_published_events_are_valid_stix_released_as_asked(node_dir: Path, tmp_path: Path) -> None:
    from stix2validator import ValidationOptions, validate_instance

    from accord.core.node import Node
    from accord.core.queries import ObjectQuery
    from accord.core.settings import Settings

    rows = steaming(244123456, hours=1, lat=30.0, lon=-150.0) + steaming(
        244123456, start=T0 + timedelta(hours=14), hours=1, lat=30.0, lon=-149.5
    )
    run(node_dir, "maritime", "ingest", str(write_positions(tmp_path / "p.csv", rows)))
    run(node_dir, "maritime", "detect")
    published = run(node_dir, "maritime", "publish", "--tlp", "amber", "--release", "sdp-jp")
    assert published.exit_code == 0, published.output
    assert "1 events published" in published.output
    again = run(node_dir, "maritime", "publish", "--tlp", "amber", "--release", "sdp-jp")
    assert "0 new" in again.output
    node = Node.open(Settings(data_dir=node_dir))
    try:
        seen_by_jp = node.store.objects(
            node.reader("JP"), ObjectQuery(types=("maritime-event", "vessel", "location"))
        )
        assert sorted(o.type for o in seen_by_jp) == ["location", "maritime-event", "vessel"]
        assert node.store.count(node.reader("KR"), ObjectQuery(types=("maritime-event",))) == 0
        event = next(o.body for o in seen_by_jp if o.type == "maritime-event")
        assert event["event_type"] == "gap" and event["labels"] == ["area:maritime", "maritime:gap"]
        assert len(event["evidence_positions"]) > 5
        definitions = node.store.objects(
            node.reader("KR"), ObjectQuery(types=("extension-definition",))
        )
        for body in [o.body for o in seen_by_jp] + [d.body for d in definitions]:
            result = validate_instance(body, ValidationOptions(version="2.1"))
            assert result.is_valid, (body["type"], [str(e) for e in result.errors])
    finally:
        node.close()


def test_the_demo_day_of_real_ais_is_detected_and_published(tmp_path: Path) -> None:
    from accord.core.node import Node
    from accord.core.queries import ObjectQuery
    from accord.core.settings import Settings
    from accord.desks.maritime.sample import run_sample

    node = Node(Settings(data_dir=tmp_path / "node", database_url=None))
    try:
        node.initialise(actor="test")
        run = run_sample(node, MARITIME)
        assert run.positions == 99_996
        assert run.events["port_visit"] > 100 and run.events["gap"] > 0
        events = ObjectQuery(types=("maritime-event",))
        assert node.store.count(node.reader("JP"), events) == sum(run.events.values())
        assert node.store.count(node.reader("NO"), events) == 0
    finally:
        node.close()


def test_track_splits_at_an_impossible_jump_and_shows_the_static_data(
    node_dir: Path, tmp_path: Path
) -> None:
    path = tmp_path / "mc.csv"
    path.write_text(
        "MMSI,BaseDateTime,LAT,LON,SOG,COG,Heading,VesselName,IMO,CallSign,VesselType\n"
        "440123000,2026-03-01T10:00:00,35.00,129.00,10,90,90,KAI FENG,IMO9074729,DSAB,80\n"
        "440123000,2026-03-01T10:10:00,35.00,129.03,10,90,90,KAI FENG,IMO9074729,DSAB,80\n"
        "440123000,2026-03-01T10:20:00,38.00,135.00,10,90,90,KAI FENG,IMO9074729,DSAB,80\n"
        "440123000,2026-03-01T10:30:00,38.00,135.03,10,90,90,KAI FENG,IMO9074729,DSAB,80\n"
    )
    assert run(node_dir, "maritime", "ingest", str(path)).exit_code == 0
    shown = run(node_dir, "maritime", "track", "440123000")
    assert shown.exit_code == 0, shown.output
    assert "flag KR" in shown.output and "name KAI FENG" in shown.output
    assert "imo 9074729" in shown.output and "4 positions in 2 segment(s)" in shown.output
    feature = json.loads(run(node_dir, "maritime", "track", "440123000", "--geojson").output)
    assert [len(line) for line in feature["geometry"]["coordinates"]] == [2, 2]
