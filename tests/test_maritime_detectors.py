"""The maritime detectors' SQL on hand-built tracks, each rule and its edges (DuckDB)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import numpy as np
import pyarrow as pa
import pytest

from accord.desks.maritime.detectors import (
    gap_sql,
    identity_clash_sql,
    loitering_sql,
    spoof_jump_sql,
)
from accord.desks.maritime.engines import DuckDBEngine
from accord.desks.maritime.meetings import (
    encounter_sql,
    interpolated_sql,
    port_cells,
    port_visit_sql,
    ticks,
)
from accord.desks.maritime.rules import DetectorRules
from accord.desks.maritime.tracks import reports_sql
from tests.maritime_tracks import T0, positions, report, steaming

RULES = DetectorRules()


@pytest.fixture
def engine() -> Iterator[DuckDBEngine]:
    with DuckDBEngine(memory_limit="1GB") as duck:
        yield duck


def run(engine: DuckDBEngine, table: pa.Table, sql: str) -> list[dict[str, Any]]:
    engine.register_table("positions", table)
    engine.create_view("reports", reports_sql())
    return engine.query(sql).to_pylist()


def test_a_silence_of_12_hours_is_a_gap_and_11_h_59_min_is_not(engine: DuckDBEngine) -> None:
    before = steaming(1, hours=2)
    after_12h = steaming(1, start=T0 + timedelta(hours=14), hours=1, lon=140.5)
    short_before = steaming(2, hours=2, lat=30.0)
    after_11h59 = steaming(2, start=T0 + timedelta(hours=13, minutes=59), hours=1, lat=30.0)
    found = run(engine, positions(before, after_12h, short_before, after_11h59), gap_sql(RULES))
    assert [(row["mmsi"], round(row["hours"], 2)) for row in found] == [(1, 12.0)]


def test_slow_drift_of_more_than_4_hours_is_loitering(engine: DuckDBEngine) -> None:
    drifting = steaming(3, hours=4.5, speed_kn=0.5)
    brief = steaming(4, hours=3.5, speed_kn=0.5, lat=20.0)
    fast = steaming(5, hours=8, speed_kn=12, lat=25.0)
    found = run(engine, positions(drifting, brief, fast), loitering_sql(RULES))
    assert [row["mmsi"] for row in found] == [3]
    assert found[0]["reports"] == len(drifting)


def test_loitering_across_the_dateline_is_centred_on_it(engine: DuckDBEngine) -> None:
    track = steaming(6, hours=5, speed_kn=0.5, lon=179.999, course_deg=90)
    found = run(engine, positions(track), loitering_sql(RULES))
    assert len(found) == 1
    assert abs(abs(found[0]["lon"]) - 180) < 0.05


def test_one_report_far_away_then_back_is_a_spoofed_jump(engine: DuckDBEngine) -> None:
    track = steaming(7, hours=2)
    track[5] = report(7, track[5]["ts"], 36.5, 141.5, 10)  # type: ignore[arg-type]
    found = run(engine, positions(track), spoof_jump_sql(RULES))
    assert [(row["mmsi"], row["lat"]) for row in found] == [(7, 36.5)]


def test_a_vessel_that_stays_where_it_jumped_is_no_spoof(engine: DuckDBEngine) -> None:
    track = steaming(8, hours=2) + steaming(
        8, start=T0 + timedelta(hours=2, minutes=5), lat=36.5, lon=141.5, hours=1
    )
    assert run(engine, positions(track), spoof_jump_sql(RULES)) == []


def test_one_mmsi_in_two_places_at_once_is_an_identity_clash(engine: DuckDBEngine) -> None:
    here = steaming(9, hours=2, every_minutes=6)
    there = steaming(
        9, hours=2, every_minutes=6, start=T0 + timedelta(minutes=3), lat=34.0, lon=129.0
    )
    found = run(engine, positions(here, there), identity_clash_sql(RULES))
    assert [row["mmsi"] for row in found] == [9]
    assert found[0]["jumps"] >= 3 and found[0]["apart_nm"] > 100
    # Two single spoofed jumps are no clash.
    spoofed = steaming(10, hours=4)
    for index in (5, 15):
        spoofed[index] = report(10, spoofed[index]["ts"], 36.5, 141.5, 10)  # type: ignore[arg-type]
    assert run(engine, positions(spoofed), identity_clash_sql(RULES)) == []


def meetings(engine: DuckDBEngine, table: pa.Table) -> list[dict[str, Any]]:
    engine.register_table("positions", table)
    engine.create_view("reports", reports_sql())
    engine.register_table("ticks", ticks(int(T0.timestamp()), int(T0.timestamp()) + 86400, 10))
    engine.create_view("interpolated", interpolated_sql(RULES))
    return engine.query(encounter_sql(RULES)).to_pylist()


def test_two_vessels_drifting_side_by_side_for_3_hours_meet(engine: DuckDBEngine) -> None:
    first = steaming(11, hours=3, every_minutes=7, speed_kn=0.5, lat=10.0, lon=120.0)
    second = steaming(12, hours=3, every_minutes=9, speed_kn=0.5, lat=10.002, lon=120.0)
    passing = steaming(13, hours=3, speed_kn=12, lat=10.001, lon=119.9)
    found = meetings(engine, positions(first, second, passing))
    assert [(row["mmsi_a"], row["mmsi_b"]) for row in found] == [(11, 12)]
    assert found[0]["median_apart_m"] == pytest.approx(222, abs=10)
    assert (found[0]["end"] - found[0]["start"]) >= timedelta(hours=2)


def test_a_meeting_of_under_2_hours_or_over_500_m_is_no_encounter(engine: DuckDBEngine) -> None:
    brief = steaming(14, hours=1.5, speed_kn=0.5, lat=11.0)
    brief_partner = steaming(15, hours=1.5, speed_kn=0.5, lat=11.002)
    distant = steaming(16, hours=4, speed_kn=0.5, lat=12.0)
    distant_partner = steaming(17, hours=4, speed_kn=0.5, lat=12.006)  # 670 m
    assert meetings(engine, positions(brief, brief_partner, distant, distant_partner)) == []


def test_a_meeting_across_the_dateline_is_found(engine: DuckDBEngine) -> None:
    east = steaming(18, hours=3, speed_kn=0.3, lat=-17.0, lon=179.9995, course_deg=90)
    west = steaming(19, hours=3, speed_kn=0.3, lat=-17.001, lon=179.9995, course_deg=90)
    found = meetings(engine, positions(east, west))
    assert [(row["mmsi_a"], row["mmsi_b"]) for row in found] == [(18, 19)]


def visits(engine: DuckDBEngine, table: pa.Table) -> list[dict[str, Any]]:
    engine.register_table("positions", table)
    engine.create_view("reports", reports_sql())
    ports = port_cells(np.array([35.0]), np.array([140.0]), np.array(["TESTPORT"]), 4.0)
    engine.register_table("port_cells", ports)
    return engine.query(port_visit_sql(RULES)).to_pylist()


def radial(mmsi: int, distances_km: list[float], speeds_kn: list[float]) -> list[dict[str, object]]:
    """Reports every 15 minutes at the given distances north of the test port."""
    return [
        report(mmsi, T0 + timedelta(minutes=15 * i), 35.0 + km / 111.2, 140.0, speed)
        for i, (km, speed) in enumerate(zip(distances_km, speeds_kn, strict=True))
    ]


def test_entering_stopping_and_leaving_is_one_port_visit(engine: DuckDBEngine) -> None:
    track = radial(20, [8, 5, 2.5, 1, 1, 1, 3.5, 2.5, 3.5, 6], [10, 8, 3, 0, 0, 0.1, 4, 3, 4, 9])
    found = visits(engine, positions(track))
    assert [(row["mmsi"], row["port"], row["reports"]) for row in found] == [(20, "TESTPORT", 7)]


def test_passing_a_port_without_stopping_is_no_visit(engine: DuckDBEngine) -> None:
    track = radial(21, [8, 5, 2.9, 2.9, 5, 8], [10, 8, 6, 6, 8, 10])
    assert visits(engine, positions(track)) == []


def test_a_visit_needs_an_entry_within_3_km(engine: DuckDBEngine) -> None:
    track = radial(22, [8, 5, 3.5, 3.5, 3.5, 8], [10, 8, 0, 0, 0, 10])
    assert visits(engine, positions(track)) == []
