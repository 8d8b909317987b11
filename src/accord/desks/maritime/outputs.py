"""What the desk hands to analysts: stored events, event records, a vessel's track as
GeoJSON. Read and written beside the archive."""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import Any

import duckdb
import orjson
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from accord.core.errors import NotFound
from accord.desks.maritime.dataset import AisArchive
from accord.desks.maritime.detect import EVENTS
from accord.desks.maritime.engines import DuckDBEngine
from accord.desks.maritime.rules import DetectorRules
from accord.desks.maritime.tracks import reports_sql, segments_sql


def save_events(archive: AisArchive, events: pa.Table) -> Path:
    """Store a detection run's events in place of the previous run's (atomically)."""
    target = archive.root / "events.parquet"
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{uuid.uuid4().hex}.partial")
    pq.write_table(events.cast(EVENTS), partial, compression="zstd")
    os.replace(partial, target)
    return target


def load_events(archive: AisArchive, kind: str | None = None) -> pa.Table:
    """The stored events (of one type), oldest first; empty before the first run."""
    target = archive.root / "events.parquet"
    if not target.exists():
        return EVENTS.empty_table()
    events = pq.read_table(target).cast(EVENTS)
    return events.filter(pc.equal(events["type"], kind)) if kind else events


def event_records(events: pa.Table) -> list[dict[str, Any]]:
    """Events as plain records: ``{"type", "mmsi": [..], "start", "end", "lat", "lon",
    "score", "evidence"}`` with ISO 8601 UTC times and the evidence as an object."""
    return [
        {
            **row,
            "start": _iso(row["start"]),
            "end": _iso(row["end"]),
            "evidence": orjson.loads(row["evidence"]),
        }
        for row in events.to_pylist()
    ]


def track(archive: AisArchive, mmsi: int, rules: DetectorRules | None = None) -> pa.Table:
    """A vessel's positions in time order with its segment number (a new segment where
    consecutive reports imply an impossible speed); NotFound if the archive has none."""
    rules = rules or DetectorRules()
    with DuckDBEngine(memory_limit="1GB") as engine:
        engine.register_parquet("all_positions", archive.positions_glob)
        engine.create_view("one_vessel", f"SELECT * FROM all_positions WHERE mmsi = {int(mmsi)}")
        engine.create_view("reports", reports_sql("one_vessel"))
        found = engine.query(
            f"SELECT mmsi, ts, lat, lon, sog_kn, prev_kn, segment FROM ({segments_sql(rules)}) "
            "ORDER BY ts, lat, lon"
        )
    if found.num_rows == 0:
        raise NotFound(f"no positions of MMSI {mmsi} in {archive.root}")
    return found


def vessel_details(archive: AisArchive, mmsi: int) -> dict[str, Any]:
    """The vessel's latest static data (name, IMO, call sign, type, size), if reported."""
    if not archive.has_statics():
        return {}
    query = (
        "SELECT name, imo, callsign, ship_type, length_m, width_m, destination "
        "FROM read_parquet(?, hive_partitioning = true) WHERE mmsi = ? "
        "ORDER BY ts DESC NULLS LAST LIMIT 1"
    )
    with duckdb.connect() as db:
        rows = db.sql(query, params=[archive.statics_glob, mmsi]).fetchall()
    if not rows:
        return {}
    names = ("name", "imo", "callsign", "ship_type", "length_m", "width_m", "destination")
    return {key: value for key, value in zip(names, rows[0], strict=True) if value is not None}


def track_geojson(positions: pa.Table) -> dict[str, Any]:
    """A track as a GeoJSON Feature: a MultiLineString with a line per segment, cut also
    where it crosses the antimeridian (RFC 7946 §3.1.9), with its times as a property."""
    lines: list[list[list[float]]] = [[]]
    previous: tuple[float, int] | None = None
    for lon, lat, segment in zip(
        positions["lon"].to_pylist(),
        positions["lat"].to_pylist(),
        positions["segment"].to_pylist(),
        strict=True,
    ):
        if previous is not None and (abs(lon - previous[0]) > 180 or segment != previous[1]):
            lines.append([])
        lines[-1].append([lon, lat])
        previous = (lon, segment)
    return {
        "type": "Feature",
        "geometry": {"type": "MultiLineString", "coordinates": lines},
        "properties": {
            "mmsi": positions["mmsi"][0].as_py(),
            "times": [_iso(ts) for ts in positions["ts"].to_pylist()],
            "segments": len(set(positions["segment"].to_pylist())),
        },
    }


def _iso(value: Any) -> str:
    return str(value.isoformat().replace("+00:00", "Z"))
