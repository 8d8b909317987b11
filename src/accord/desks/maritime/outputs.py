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


def track(archive: AisArchive, mmsi: int) -> pa.Table:
    """A vessel's positions in time order; NotFound if the archive has none."""
    query = (
        "SELECT * EXCLUDE (day) FROM read_parquet(?, hive_partitioning = true) "
        "WHERE mmsi = ? ORDER BY ts, lat, lon"
    )
    with duckdb.connect() as db:
        found: pa.Table = db.sql(query, params=[archive.positions_glob, mmsi]).to_arrow_table()
    if found.num_rows == 0:
        raise NotFound(f"no positions of MMSI {mmsi} in {archive.root}")
    return found


def track_geojson(positions: pa.Table) -> dict[str, Any]:
    """A track as a GeoJSON Feature: a MultiLineString cut where it crosses the
    antimeridian (RFC 7946 §3.1.9), with its times as a property."""
    lines: list[list[list[float]]] = [[]]
    previous: float | None = None
    for lon, lat in zip(positions["lon"].to_pylist(), positions["lat"].to_pylist(), strict=True):
        if previous is not None and abs(lon - previous) > 180:
            lines.append([])
        lines[-1].append([lon, lat])
        previous = lon
    return {
        "type": "Feature",
        "geometry": {"type": "MultiLineString", "coordinates": lines},
        "properties": {
            "mmsi": positions["mmsi"][0].as_py(),
            "times": [_iso(ts) for ts in positions["ts"].to_pylist()],
        },
    }


def _iso(value: Any) -> str:
    return str(value.isoformat().replace("+00:00", "Z"))
