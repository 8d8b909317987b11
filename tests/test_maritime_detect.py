"""Detection end to end: the SQL detectors with the shore and port conditions, on the real
coastline and ports, as events."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import orjson
import pyarrow as pa
import pytest

from accord.desks.maritime.detect import EVENTS, Window, detect
from accord.desks.maritime.engines import DuckDBEngine
from accord.desks.maritime.reference import Reference, ReferenceFiles, load_reference
from accord.desks.maritime.rules import DetectorRules
from tests.data import SHARED_DATA
from tests.maritime_tracks import T0, positions, steaming

MARITIME = SHARED_DATA / "maritime"
RULES = DetectorRules()
# Open ocean, hundreds of nm from any shore (North Pacific).
AT_SEA = (30.0, -150.0)


@pytest.fixture(scope="module")
def reference(maritime_reference: Reference) -> Reference:
    return maritime_reference


def port_position(reference: Reference, name: str) -> tuple[float, float]:
    table = reference.ports.table.to_pylist()
    found = next(row for row in table if row["name"] == name)
    return found["lat"], found["lon"]


def events(
    table: pa.Table, reference: Reference, window: Window | None = None
) -> list[dict[str, object]]:
    with DuckDBEngine(memory_limit="1GB") as engine:
        found = detect(engine, table, RULES, reference, window or Window())
    assert found.schema == EVENTS
    return found.to_pylist()


def test_going_dark_at_sea_is_a_gap_and_in_port_is_not(reference: Reference) -> None:
    lat, lon = AT_SEA
    port_lat, port_lon = port_position(reference, "ROTTERDAM")
    dark_at_sea = steaming(1, hours=1, lat=lat, lon=lon) + steaming(
        1, start=T0 + timedelta(hours=14), hours=1, lat=lat, lon=lon + 0.5
    )
    dark_in_port = steaming(2, hours=1, lat=port_lat, lon=port_lon, speed_kn=0) + steaming(
        2, start=T0 + timedelta(hours=14), hours=1, lat=port_lat, lon=port_lon, speed_kn=0
    )
    found = [
        e for e in events(positions(dark_at_sea, dark_in_port), reference) if e["type"] == "gap"
    ]
    assert [e["mmsi"] for e in found] == [[1]]
    evidence = orjson.loads(str(found[0]["evidence"]))
    assert evidence["shore_nm"] > 50 and evidence["hours"] == pytest.approx(13, abs=0.1)
    assert "reception_reports_per_hour" in evidence


def test_meeting_at_sea_is_an_encounter_and_moored_side_by_side_is_not(
    reference: Reference,
) -> None:
    lat, lon = AT_SEA
    port_lat, port_lon = port_position(reference, "ROTTERDAM")
    at_sea = [
        steaming(3, hours=3, speed_kn=0.5, lat=lat, lon=lon),
        steaming(4, hours=3, speed_kn=0.5, lat=lat + 0.002, lon=lon),
    ]
    moored = [
        steaming(5, hours=3, speed_kn=0, lat=port_lat, lon=port_lon),
        steaming(6, hours=3, speed_kn=0, lat=port_lat + 0.001, lon=port_lon),
    ]
    found = events(positions(*at_sea, *moored), reference)
    assert [(e["type"], e["mmsi"]) for e in found if e["type"] == "encounter"] == [
        ("encounter", [3, 4])
    ]
    # The pair at sea met each other, so neither was loitering alone.
    assert [e for e in found if e["type"] == "loitering"] == []


def test_drifting_alone_far_out_is_loitering(reference: Reference) -> None:
    lat, lon = AT_SEA
    found = events(positions(steaming(7, hours=5, speed_kn=0.8, lat=lat, lon=lon)), reference)
    assert [(e["type"], e["mmsi"]) for e in found] == [("loitering", [7])]


def test_the_window_limits_time_and_place(reference: Reference) -> None:
    lat, lon = AT_SEA
    table = positions(steaming(8, hours=5, speed_kn=0.8, lat=lat, lon=lon))
    assert events(table, reference, Window(until=T0 + timedelta(hours=3))) == []
    outside = Window(bbox=(10.0, 40.0, 20.0, 50.0))
    assert events(table, reference, outside) == []
    across_dateline = Window(bbox=(170.0, 20.0, -140.0, 40.0))
    assert len(events(table, reference, across_dateline)) == 1


def test_reference_files_must_be_configured(tmp_path: Path) -> None:
    from accord.core.errors import ConfigurationError

    with pytest.raises(ConfigurationError, match="ACCORD_MARITIME_COASTLINE_FILE"):
        load_reference(ReferenceFiles(), tmp_path)


def test_vessels_of_interest_are_hit_by_mmsi_imo_or_name(reference: Reference) -> None:
    from accord.core.stix.vessel import vessel
    from accord.desks.maritime.schema import STATICS
    from accord.desks.maritime.watchlist import watchlist_table

    lat, lon = AT_SEA
    author = "identity--11111111-1111-4111-8111-111111111111"
    of_interest = [
        {**vessel(mmsi=111, created_by_ref=author), "labels": ["watchlist"]},
        {**vessel(imo=9074729, created_by_ref=author), "labels": ["watchlist"]},
        {**vessel(mmsi=999, name="Ocean  Star", created_by_ref=author), "labels": ["watchlist"]},
        vessel(mmsi=444, created_by_ref=author),  # mentioned in a finding, not of interest
    ]
    statics = pa.Table.from_pylist(
        [
            {"mmsi": 222, "ts": T0, "imo": 9074729, "name": "RENAMED", "source": "t"},
            {"mmsi": 333, "ts": T0, "imo": None, "name": "OCEAN-STAR", "source": "t"},
        ],
        schema=STATICS,
    )
    tracks = [
        steaming(m, hours=1, lat=lat + i, lon=lon, speed_kn=12)
        for i, m in enumerate((111, 222, 333, 444))
    ]
    with DuckDBEngine(memory_limit="1GB") as engine:
        found = detect(
            engine,
            positions(*tracks),
            RULES,
            reference,
            statics=statics,
            watchlist=watchlist_table(of_interest),
        ).to_pylist()
    hits = {
        (e["mmsi"][0], orjson.loads(str(e["evidence"]))["matched_on"])
        for e in found
        if e["type"] == "watchlist_hit"
    }
    assert hits == {(111, "mmsi"), (222, "imo"), (333, "name")}
