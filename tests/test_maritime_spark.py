"""The detectors on Apache Spark (local mode) find what they find on DuckDB."""

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
    reception_sql,
    spoof_jump_sql,
)
from accord.desks.maritime.engines import DuckDBEngine, Engine, SparkEngine
from accord.desks.maritime.meetings import (
    encounter_sql,
    interpolated_sql,
    port_cells,
    port_visit_sql,
    ticks,
)
from accord.desks.maritime.reference import Reference
from accord.desks.maritime.rules import DetectorRules
from accord.desks.maritime.schema import STATICS
from accord.desks.maritime.tracks import reports_sql
from accord.desks.maritime.watchlist import WATCHLIST, watchlist_hit_sql
from tests.maritime_tracks import T0, positions, report, steaming

pytestmark = pytest.mark.spark
RULES = DetectorRules()


@pytest.fixture(scope="module")
def spark() -> Iterator[SparkEngine]:
    with SparkEngine(master="local[1]") as engine:
        yield engine


def sample() -> pa.Table:
    spoofed = steaming(7, hours=3)
    spoofed[5] = report(7, spoofed[5]["ts"], 36.5, 141.5, 10)  # type: ignore[arg-type]
    return positions(
        steaming(1, hours=2),
        steaming(1, start=T0 + timedelta(hours=14), hours=1, lon=140.5),
        steaming(3, hours=4.5, speed_kn=0.5, lat=20.0),
        steaming(6, hours=5, speed_kn=0.5, lon=179.999),
        spoofed,
        steaming(9, hours=2, every_minutes=6, lat=30.0),
        steaming(9, hours=2, every_minutes=6, start=T0 + timedelta(minutes=3), lat=34.0, lon=129.0),
        steaming(11, hours=3, every_minutes=7, speed_kn=0.5, lat=10.0, lon=120.0),
        steaming(12, hours=3, every_minutes=9, speed_kn=0.5, lat=10.002, lon=120.0),
        [
            report(20, T0 + timedelta(minutes=15 * i), 35.0 + km / 111.2, 140.0, speed)
            for i, (km, speed) in enumerate([(8, 10), (2, 3), (1, 0), (1, 0), (6, 9)])
        ],
    )


def rows(engine: Engine, sql: str) -> list[tuple[Any, ...]]:
    found = engine.query(sql).to_pylist()
    return sorted(
        tuple(round(v, 6) if isinstance(v, float) else v for v in row.values()) for row in found
    )


def test_every_detector_finds_the_same_on_spark_as_on_duckdb(spark: SparkEngine) -> None:
    table = sample()
    detectors = [
        gap_sql(RULES),
        loitering_sql(RULES),
        spoof_jump_sql(RULES),
        identity_clash_sql(RULES),
        encounter_sql(RULES),
        port_visit_sql(RULES),
        reception_sql(),
        watchlist_hit_sql(),
    ]
    watchlist = pa.Table.from_pylist(
        [
            {"vessel_id": "vessel--1", "mmsi": 7, "imo": None, "name_key": None},
            {"vessel_id": "vessel--2", "mmsi": None, "imo": 9074729, "name_key": None},
        ],
        schema=WATCHLIST,
    )
    statics = pa.Table.from_pylist(
        [{"mmsi": 11, "ts": T0, "imo": 9074729, "name": "X", "source": "t"}], schema=STATICS
    )
    start = int(T0.timestamp())
    ports = port_cells(np.array([35.0]), np.array([140.0]), np.array(["TESTPORT"]), 4.0)
    with DuckDBEngine(memory_limit="1GB") as duck:
        for engine in (duck, spark):
            engine.register_table("positions", table)
            engine.register_table("ticks", ticks(start, start + 86400, 10))
            engine.register_table("port_cells", ports)
            engine.register_table("watchlist", watchlist)
            engine.register_table("statics", statics)
            engine.create_view("positions_in", "SELECT * FROM positions")
            engine.create_view("reports", reports_sql())
            engine.create_view("gaps", gap_sql(RULES))
            engine.create_view("interpolated", interpolated_sql(RULES))
        for sql in detectors:
            expected = rows(duck, sql)
            assert expected, sql
            assert rows(spark, sql) == expected


def test_detection_end_to_end_gives_the_same_events_on_spark(
    spark: SparkEngine, maritime_reference: Reference
) -> None:
    from accord.desks.maritime.detect import Window, detect

    table = sample()
    with DuckDBEngine(memory_limit="1GB") as duck:
        expected = detect(duck, table, RULES, maritime_reference, Window()).to_pylist()
    found = detect(spark, table, RULES, maritime_reference, Window()).to_pylist()
    assert expected
    assert [(e["type"], e["mmsi"], e["start"]) for e in found] == [
        (e["type"], e["mmsi"], e["start"]) for e in expected
    ]
