"""Encounters (ship-to-ship) and port visits: the detectors that relate a vessel to other
vessels or to places. SQL in DuckDB's dialect over ``reports`` (``tracks.reports_sql``), a
``ticks`` relation of interpolation instants and a ``port_cells`` relation (see
:func:`port_cells`), so it runs on DuckDB and on Spark alike.
"""

from __future__ import annotations

import math

import numpy as np
import pyarrow as pa

from accord.desks.maritime.rules import DetectorRules
from accord.desks.maritime.sphere import EARTH_RADIUS_KM
from accord.desks.maritime.tracks import distance_nm, mean_lon

# Grid cells for the spatial joins: 0.01 degree (1.1 km of latitude) for vessels, which
# holds a 500 m encounter within a cell and its neighbours; 0.05 degree for ports.
VESSEL_CELL_DEG = 0.01
PORT_CELL_DEG = 0.05
_KM_PER_DEG_LAT = math.pi * EARTH_RADIUS_KM / 180


def ticks(start_s: int, end_s: int, every_minutes: int) -> pa.Table:
    """The interpolation instants (epoch seconds) covering [start_s, end_s]."""
    step = every_minutes * 60
    first = start_s - start_s % step
    return pa.table({"tick": np.arange(first, end_s + step, step, dtype=np.int64)})


def interpolated_sql(rules: DetectorRules) -> str:
    """Each slow vessel's position at every tick between two of its reports (linear,
    across the dateline the short way), with the speed of the report before; only
    stretches where both reports are slow enough to take part in an encounter, and no
    longer than the encounter duration itself (a longer silence is a gap)."""
    slow = rules.encounter_speed_kn * 2
    longest_s = rules.encounter_hours * 3600
    return f"""
        WITH legs AS (
            SELECT mmsi, t, epoch(next_ts) AS next_t, lat, lon, next_lat, next_lon, sog_kn,
                ((next_lon - lon + 540) % 360) - 180 AS d_lon
            FROM reports
            WHERE next_ts IS NOT NULL AND next_s <= {longest_s}
                AND COALESCE(sog_kn, 0) <= {slow}
        )
        SELECT l.mmsi, k.tick, l.sog_kn,
            l.lat + (l.next_lat - l.lat) * (k.tick - l.t) / GREATEST(l.next_t - l.t, 1) AS lat,
            ((l.lon + l.d_lon * (k.tick - l.t) / GREATEST(l.next_t - l.t, 1) + 540) % 360)
                - 180 AS lon
        FROM legs AS l
        JOIN ticks AS k ON k.tick >= l.t AND k.tick < l.next_t
    """


def encounter_sql(rules: DetectorRules) -> str:
    """Pairs of vessels within ``encounter_distance_m`` at consecutive ticks for at least
    ``encounter_hours``, at a median speed under ``encounter_speed_kn`` (the port
    condition follows in Python). Reads the ``interpolated`` relation."""
    cell = VESSEL_CELL_DEG
    cells_around = round(360 / cell)
    step = rules.interpolation_minutes * 60
    apart = distance_nm("a.lat", "a.lon", "b.lat", "b.lon")
    limit_nm = rules.encounter_distance_m / 1852
    return f"""
        WITH placed AS (
            SELECT *, CAST(FLOOR(lat / {cell}) AS BIGINT) AS cy,
                CAST(FLOOR(lon / {cell}) AS BIGINT) AS cx
            FROM interpolated
        ), partners AS (
            -- Cells at the antimeridian neighbour the cells at the other end of the grid:
            -- the vessels there are also looked for one grid width further on.
            SELECT * FROM placed
            UNION ALL
            SELECT mmsi, tick, sog_kn, lat, lon, cy, cx + {cells_around} AS cx FROM placed
            WHERE cx = {-cells_around // 2}
            UNION ALL
            SELECT mmsi, tick, sog_kn, lat, lon, cy, cx - {cells_around} AS cx FROM placed
            WHERE cx = {cells_around // 2 - 1}
        ), near AS (
            SELECT a.mmsi AS mmsi_a, b.mmsi AS mmsi_b, a.tick, a.lat, a.lon,
                b.lat AS lat_b, b.lon AS lon_b, a.sog_kn AS sog_a, b.sog_kn AS sog_b,
                {apart} AS apart_nm
            FROM placed AS a
            JOIN partners AS b
                ON a.tick = b.tick AND a.mmsi < b.mmsi
                AND b.cy BETWEEN a.cy - 1 AND a.cy + 1
                AND b.cx BETWEEN a.cx - 1 AND a.cx + 1
            WHERE {apart} < {limit_nm}
        ), runs AS (
            SELECT *, tick - {step} * ROW_NUMBER() OVER (
                PARTITION BY mmsi_a, mmsi_b ORDER BY tick) AS run
            FROM near
        )
        SELECT mmsi_a, mmsi_b, to_timestamp(MIN(tick)) AS start,
            to_timestamp(MAX(tick)) AS "end", AVG(lat) AS lat, {mean_lon("lon")} AS lon,
            MEDIAN((COALESCE(sog_a, 0) + COALESCE(sog_b, 0)) / 2) AS median_kn,
            MEDIAN(apart_nm) * 1852 AS median_apart_m, COUNT(*) AS ticks
        FROM runs
        GROUP BY mmsi_a, mmsi_b, run
        HAVING MAX(tick) - MIN(tick) >= {rules.encounter_hours * 3600}
            AND MEDIAN((COALESCE(sog_a, 0) + COALESCE(sog_b, 0)) / 2)
                < {rules.encounter_speed_kn}
    """


def port_cells(
    lat_deg: np.ndarray, lon_deg: np.ndarray, names: np.ndarray, reach_km: float
) -> pa.Table:
    """Ports copied into every 0.05-degree cell within `reach_km` of them, so that a
    position finds the ports near it by an equality join on its own cell."""
    cells_x = round(360 / PORT_CELL_DEG)
    reach_lat = math.ceil(reach_km / (_KM_PER_DEG_LAT * PORT_CELL_DEG)) + 1
    # A degree of longitude shrinks with latitude: reach more cells east and west.
    shrink = np.maximum(np.cos(np.radians(np.minimum(np.abs(lat_deg) + 1, 89.9))), 1e-3)
    reach_lon = np.ceil(reach_km / (_KM_PER_DEG_LAT * shrink * PORT_CELL_DEG)).astype(np.int64) + 1
    widest = int(reach_lon.max(initial=0))
    grid_y, grid_x = np.meshgrid(
        np.arange(-reach_lat, reach_lat + 1), np.arange(-widest, widest + 1), indexing="ij"
    )
    dy, dx = grid_y.ravel(), grid_x.ravel()
    port, offset = np.nonzero(np.abs(dx)[None, :] <= reach_lon[:, None])
    cy = np.floor(lat_deg / PORT_CELL_DEG).astype(np.int64)[port] + dy[offset]
    cx = np.floor(lon_deg / PORT_CELL_DEG).astype(np.int64)[port] + dx[offset]
    return pa.table(
        {
            "port": pa.array(names[port]),
            "port_lat": lat_deg[port],
            "port_lon": lon_deg[port],
            "cy": cy,
            # Cells wrap at the antimeridian.
            "cx": (cx + cells_x // 2) % cells_x - cells_x // 2,
        }
    )


def port_visit_sql(rules: DetectorRules) -> str:
    """Port visits with hysteresis (Global Fishing Watch): a visit starts at the first
    report within ``port_entry_km`` of a port and ends at the first report beyond
    ``port_exit_km``; it counts if the vessel stopped (< ``port_stop_kn``) in between
    and stayed at least ``port_min_hours``.

    Only the reports within ``port_exit_km`` of a place take part (a few percent of all):
    a stay is a run of them consecutive in the vessel's sequence (``n``), and the visit in
    it begins at its first report within ``port_entry_km``.
    """
    cell = PORT_CELL_DEG
    near = distance_nm("r.lat", "r.lon", "p.port_lat", "p.port_lon")
    return f"""
        WITH nearest AS (
            SELECT r.mmsi, r.n, r.ts, r.lat, r.lon, r.sog_kn,
                MIN_BY(p.port, {near}) AS port, MIN({near}) * 1.852 AS port_km
            FROM reports AS r
            JOIN port_cells AS p
                ON p.cy = CAST(FLOOR(r.lat / {cell}) AS BIGINT)
                AND p.cx = CAST(FLOOR(r.lon / {cell}) AS BIGINT)
            GROUP BY r.mmsi, r.n, r.ts, r.lat, r.lon, r.sog_kn
            HAVING MIN({near}) * 1.852 <= {rules.port_exit_km}
        ), stays AS (
            SELECT *, n - ROW_NUMBER() OVER (PARTITION BY mmsi ORDER BY n) AS stay
            FROM nearest
        ), entered AS (
            SELECT *, MIN(CASE WHEN port_km <= {rules.port_entry_km} THEN n END)
                OVER (PARTITION BY mmsi, stay) AS entry_n
            FROM stays
        )
        SELECT mmsi, MIN_BY(port, n) AS port, MIN(ts) AS start, MAX(ts) AS "end",
            AVG(lat) AS lat, {mean_lon("lon")} AS lon, MIN(sog_kn) AS slowest_kn,
            COUNT(*) AS reports
        FROM entered
        WHERE n >= entry_n
        GROUP BY mmsi, stay
        HAVING MIN(sog_kn) < {rules.port_stop_kn}
            AND epoch(MAX(ts)) - epoch(MIN(ts)) >= {rules.port_min_hours * 3600}
    """
