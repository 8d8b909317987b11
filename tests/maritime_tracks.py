"""Hand-built tracks for the maritime detector tests: a vessel's reports as positions."""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

import pyarrow as pa

from accord.desks.maritime.schema import POSITIONS

T0 = datetime(2026, 3, 1, tzinfo=UTC)
NM_PER_DEGREE_LAT = 60.0


def steaming(
    mmsi: int,
    *,
    start: datetime = T0,
    lat: float = 35.0,
    lon: float = 140.0,
    hours: float = 6.0,
    every_minutes: float = 10.0,
    speed_kn: float = 10.0,
    course_deg: float = 90.0,
) -> list[dict[str, object]]:
    """Reports of a vessel going straight at constant speed (flat-earth steps, fine at
    these distances)."""
    rows = []
    steps = int(hours * 60 / every_minutes) + 1
    for step in range(steps):
        elapsed_h = step * every_minutes / 60
        travelled_nm = speed_kn * elapsed_h
        d_lat = travelled_nm * math.cos(math.radians(course_deg)) / NM_PER_DEGREE_LAT
        d_lon = (
            travelled_nm
            * math.sin(math.radians(course_deg))
            / (NM_PER_DEGREE_LAT * math.cos(math.radians(lat)))
        )
        rows.append(
            report(mmsi, start + timedelta(hours=elapsed_h), lat + d_lat, lon + d_lon, speed_kn)
        )
    return rows


def report(mmsi: int, ts: datetime, lat: float, lon: float, sog_kn: float) -> dict[str, object]:
    """One position report."""
    wrapped = (lon + 180) % 360 - 180
    return {
        "mmsi": mmsi,
        "ts": ts,
        "lat": lat,
        "lon": wrapped,
        "sog_kn": sog_kn,
        "cog_deg": None,
        "heading_deg": None,
        "nav_status": None,
        "msg_type": 1,
        "source": "test",
    }


def positions(*tracks: Iterable[dict[str, object]]) -> pa.Table:
    """The tracks as one positions table."""
    return pa.Table.from_pylist([row for track in tracks for row in track], schema=POSITIONS)
