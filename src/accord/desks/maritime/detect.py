"""Running every detector over the archive (or any positions) and turning candidates
into events.

An event is one row of :data:`EVENTS`: its type, the vessels (MMSI), when, where, a score
(how far past its rule's threshold it is; 1 is at the threshold) and the evidence (the
measurements behind it, as JSON).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import orjson
import pyarrow as pa

from accord.desks.maritime import detectors, meetings
from accord.desks.maritime.engines import Engine
from accord.desks.maritime.ports import PortIndex
from accord.desks.maritime.reference import Reference
from accord.desks.maritime.rules import DetectorRules
from accord.desks.maritime.schema import STATICS
from accord.desks.maritime.tracks import reports_sql
from accord.desks.maritime.watchlist import WATCHLIST, watchlist_hit_sql

EVENT_TYPES = (
    "gap",
    "encounter",
    "loitering",
    "spoof_jump",
    "identity_clash",
    "port_visit",
    "watchlist_hit",
)
EVENTS = pa.schema(
    [
        pa.field("type", pa.string(), nullable=False),
        pa.field("mmsi", pa.list_(pa.int64()), nullable=False),
        pa.field("start", pa.timestamp("us", tz="UTC"), nullable=False),
        pa.field("end", pa.timestamp("us", tz="UTC"), nullable=False),
        pa.field("lat", pa.float64(), nullable=False),
        pa.field("lon", pa.float64(), nullable=False),
        pa.field("score", pa.float64(), nullable=False),
        pa.field("evidence", pa.string(), nullable=False),
    ]
)


@dataclass(frozen=True)
class Window:
    """Which positions to look at: a time range and a box (west, south, east, north; a
    box with west > east crosses the antimeridian)."""

    since: datetime | None = None
    until: datetime | None = None
    bbox: tuple[float, float, float, float] | None = None


def detect(
    engine: Engine,
    positions: str | pa.Table,
    rules: DetectorRules,
    reference: Reference,
    window: Window = Window(),
    *,
    statics: str | pa.Table | None = None,
    watchlist: pa.Table | None = None,
) -> pa.Table:
    """Every event in the positions (a Parquet glob or a table), oldest first; with a
    `watchlist` (``watchlist.watchlist_table``), also its hits, by MMSI or by the IMO
    numbers and names in `statics` (a glob or a table)."""
    _register(engine, "all_positions", positions)
    _register(engine, "statics", STATICS.empty_table() if statics is None else statics)
    engine.register_table("watchlist", WATCHLIST.empty_table() if watchlist is None else watchlist)
    engine.create_view("positions_in", _windowed(window))
    engine.create_view("reports", reports_sql("positions_in"))
    _register_helpers(engine, rules, reference)
    encounters = list(_encounters(engine, rules, reference))
    events = [
        *_gaps(engine, rules, reference),
        *encounters,
        *_loitering(engine, rules, reference, encounters),
        *_simple(
            engine, "spoof_jump", detectors.spoof_jump_sql(rules), "prev_kn", rules.spoof_speed_kn
        ),
        *_simple(
            engine,
            "identity_clash",
            detectors.identity_clash_sql(rules),
            "jumps",
            rules.clash_min_jumps,
        ),
        *_port_visits(engine, rules),
        *_watchlist_hits(engine),
    ]
    events.sort(key=lambda event: (event["start"], event["type"], event["mmsi"]))
    return pa.Table.from_pylist(events, schema=EVENTS)


def _register(engine: Engine, name: str, source: str | pa.Table) -> None:
    if isinstance(source, str):
        engine.register_parquet(name, source)
    else:
        engine.register_table(name, source)


def _windowed(window: Window) -> str:
    conditions = ["true"]
    if window.since is not None:
        conditions.append(f"ts >= TIMESTAMP '{window.since.isoformat(sep=' ')}'")
    if window.until is not None:
        conditions.append(f"ts < TIMESTAMP '{window.until.isoformat(sep=' ')}'")
    if window.bbox is not None:
        west, south, east, north = window.bbox
        conditions.append(f"lat BETWEEN {south} AND {north}")
        joiner = "AND" if west <= east else "OR"
        conditions.append(f"(lon >= {west} {joiner} lon <= {east})")
    return f"SELECT * FROM all_positions WHERE {' AND '.join(conditions)}"


def _register_helpers(engine: Engine, rules: DetectorRules, reference: Reference) -> None:
    span = engine.query("SELECT MIN(epoch(ts)) AS first, MAX(epoch(ts)) AS last FROM positions_in")
    first, last = span.column("first")[0].as_py(), span.column("last")[0].as_py()
    engine.register_table(
        "ticks", meetings.ticks(int(first or 0), int(last or 0), rules.interpolation_minutes)
    )
    engine.register_table("port_cells", _port_cells(reference.ports, rules.port_exit_km))
    engine.create_view("interpolated", meetings.interpolated_sql(rules))


# Port cells per port index and reach, built once a process (a second or so for GFW's
# anchorages). The index is kept in the value, so its id cannot be reused meanwhile.
_PORT_CELLS: dict[tuple[int, float], tuple[PortIndex, pa.Table]] = {}


def _port_cells(ports: PortIndex, reach_km: float) -> pa.Table:
    key = (id(ports), reach_km)
    if key not in _PORT_CELLS:
        table = ports.table
        cells = meetings.port_cells(
            table["lat"].to_numpy(),
            table["lon"].to_numpy(),
            np.asarray(table["name"].to_pylist(), dtype=object),
            reach_km,
        )
        _PORT_CELLS[key] = (ports, cells)
    return _PORT_CELLS[key][1]


def _gaps(engine: Engine, rules: DetectorRules, reference: Reference) -> Iterable[dict[str, Any]]:
    engine.create_view("gaps", detectors.gap_sql(rules))
    candidates = engine.query("SELECT * FROM gaps")
    if candidates.num_rows == 0:
        return
    shore_nm = reference.shore.distance_nm(candidates["lat"], candidates["lon"])
    reception = {
        (row["mmsi"], row["start"]): row["reception_reports_per_hour"]
        for row in engine.query(detectors.reception_sql()).to_pylist()
    }
    for row, distance in zip(candidates.to_pylist(), shore_nm, strict=True):
        if not distance >= rules.gap_shore_nm:  # NaN (invalid position) fails too
            continue
        evidence = {
            "shore_nm": round(float(distance), 1),
            "hours": round(row["hours"], 2),
            "resumed_at": [row["next_lat"], row["next_lon"]],
            "distance_nm": round(row["distance_nm"], 1),
            "reception_reports_per_hour": round(reception.get((row["mmsi"], row["start"]), 0.0), 1),
        }
        yield _event("gap", [row["mmsi"]], row, row["hours"] / rules.gap_hours, evidence)


def _encounters(
    engine: Engine, rules: DetectorRules, reference: Reference
) -> Iterable[dict[str, Any]]:
    candidates = engine.query(meetings.encounter_sql(rules))
    if candidates.num_rows == 0:
        return
    ports = reference.ports.nearest(
        candidates["lat"], candidates["lon"], max_km=rules.encounter_port_km
    )
    for row, port_km in zip(candidates.to_pylist(), ports.distance_km, strict=True):
        if not port_km > rules.encounter_port_km:  # moored side by side, or at anchor
            continue
        hours = (row["end"] - row["start"]).total_seconds() / 3600
        evidence = {
            "hours": round(hours, 2),
            "median_speed_kn": round(row["median_kn"], 2),
            "median_distance_m": round(row["median_apart_m"]),
            "ticks": row["ticks"],
        }
        yield _event(
            "encounter",
            [row["mmsi_a"], row["mmsi_b"]],
            row,
            hours / rules.encounter_hours,
            evidence,
        )


def _loitering(
    engine: Engine, rules: DetectorRules, reference: Reference, encounters: list[dict[str, Any]]
) -> Iterable[dict[str, Any]]:
    candidates = engine.query(detectors.loitering_sql(rules))
    if candidates.num_rows == 0:
        return
    shore_nm = reference.shore.distance_nm(candidates["lat"], candidates["lon"])
    for row, distance in zip(candidates.to_pylist(), shore_nm, strict=True):
        if not distance >= rules.loiter_shore_nm or _met_someone(row, encounters):
            continue
        hours = (row["end"] - row["start"]).total_seconds() / 3600
        evidence = {
            "hours": round(hours, 2),
            "median_speed_kn": round(row["median_kn"], 2),
            "shore_nm": round(float(distance), 1),
            "reports": row["reports"],
        }
        yield _event("loitering", [row["mmsi"]], row, hours / rules.loiter_hours, evidence)


def _met_someone(row: Mapping[str, Any], encounters: list[dict[str, Any]]) -> bool:
    return any(
        row["mmsi"] in event["mmsi"]
        and event["start"] <= row["end"]
        and row["start"] <= event["end"]
        for event in encounters
    )


def _simple(
    engine: Engine, kind: str, sql: str, measure: str, threshold: float
) -> Iterable[dict[str, Any]]:
    for row in engine.query(sql).to_pylist():
        evidence = {
            key: round(value, 4) if isinstance(value, float) else value
            for key, value in row.items()
            if key not in {"mmsi", "start", "end", "lat", "lon"}
        }
        yield _event(kind, [row["mmsi"]], row, float(row[measure]) / threshold, evidence)


def _port_visits(engine: Engine, rules: DetectorRules) -> Iterable[dict[str, Any]]:
    for row in engine.query(meetings.port_visit_sql(rules)).to_pylist():
        hours = (row["end"] - row["start"]).total_seconds() / 3600
        evidence = {
            "port": row["port"],
            "hours": round(hours, 2),
            "slowest_kn": row["slowest_kn"],
            "reports": row["reports"],
        }
        yield _event("port_visit", [row["mmsi"]], row, 1.0, evidence)


def _watchlist_hits(engine: Engine) -> Iterable[dict[str, Any]]:
    for row in engine.query(watchlist_hit_sql()).to_pylist():
        evidence = {
            "vessel_ref": row["vessel_id"],
            "matched_on": row["matched_on"],
            "reports": row["reports"],
        }
        yield _event("watchlist_hit", [row["mmsi"]], row, 1.0, evidence)


def _event(
    kind: str, mmsi: list[int], row: Mapping[str, Any], score: float, evidence: Mapping[str, Any]
) -> dict[str, Any]:
    return {
        "type": kind,
        "mmsi": mmsi,
        "start": row["start"],
        "end": row["end"],
        "lat": row["lat"],
        "lon": row["lon"],
        "score": round(score, 3) if math.isfinite(score) else 0.0,
        "evidence": orjson.dumps(dict(evidence)).decode(),
    }
