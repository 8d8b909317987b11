"""Tracks: each vessel's reports in time order, with what its neighbours imply.

SQL in DuckDB's dialect (sqlglot transpiles it for Spark). Reports of one MMSI at the
same instant are ordered by position, so every engine sees the same order.
"""

from __future__ import annotations

from accord.desks.maritime.rules import DetectorRules
from accord.desks.maritime.sphere import EARTH_RADIUS_KM, KM_PER_NM

EARTH_RADIUS_NM = EARTH_RADIUS_KM / KM_PER_NM

_ORDER = "PARTITION BY mmsi ORDER BY ts, lat, lon"


def distance_nm(lat1: str, lon1: str, lat2: str, lon2: str) -> str:
    """SQL for the great-circle (haversine) distance in nm; right across the dateline,
    since the sine of half the longitude difference does not care which way round."""
    return (
        f"(2 * {EARTH_RADIUS_NM} * ASIN(SQRT("
        f"POWER(SIN(RADIANS({lat2} - {lat1}) / 2), 2) + "
        f"COS(RADIANS({lat1})) * COS(RADIANS({lat2})) * "
        f"POWER(SIN(RADIANS({lon2} - {lon1}) / 2), 2))))"
    )


def mean_lon(column: str) -> str:
    """SQL for the mean of longitudes as angles (so 179.9 and -179.9 average to 180)."""
    return f"DEGREES(ATAN2(AVG(SIN(RADIANS({column}))), AVG(COS(RADIANS({column})))))"


def reports_sql(source: str = "positions") -> str:
    """Every report with its neighbours: times (s), distances (nm) and implied speeds (kn)
    to the previous and next report of the same vessel, and across both."""
    neighbours = f"""
        SELECT *,
            epoch(ts) AS t,
            LAG(ts) OVER ({_ORDER}) AS prev_ts,
            LEAD(ts) OVER ({_ORDER}) AS next_ts,
            LAG(lat) OVER ({_ORDER}) AS prev_lat,
            LAG(lon) OVER ({_ORDER}) AS prev_lon,
            LEAD(lat) OVER ({_ORDER}) AS next_lat,
            LEAD(lon) OVER ({_ORDER}) AS next_lon
        FROM {source}
    """
    prev = distance_nm("prev_lat", "prev_lon", "lat", "lon")
    following = distance_nm("lat", "lon", "next_lat", "next_lon")
    across = distance_nm("prev_lat", "prev_lon", "next_lat", "next_lon")
    measured = f"""
        SELECT *,
            {prev} AS prev_nm,
            {following} AS next_nm,
            t - epoch(prev_ts) AS prev_s,
            epoch(next_ts) - t AS next_s,
            {prev} * 3600 / GREATEST(t - epoch(prev_ts), 1) AS prev_kn,
            {following} * 3600 / GREATEST(epoch(next_ts) - t, 1) AS next_kn,
            {across} * 3600 / GREATEST(epoch(next_ts) - epoch(prev_ts), 1) AS across_kn
        FROM ({neighbours}) AS n
    """
    # What the neighbours imply of their own neighbours: a lone outlier sits between
    # reports that agree with theirs; interleaved tracks have no such neighbours.
    return f"""
        SELECT *,
            LAG(prev_kn) OVER ({_ORDER}) AS prev_prev_kn,
            LEAD(next_kn) OVER ({_ORDER}) AS next_next_kn
        FROM ({measured}) AS m
    """


def spoofed(rules: DetectorRules) -> str:
    """SQL condition on a report: it implies more than ``spoof_speed_kn`` from both
    neighbours, the neighbours agree with each other, and each agrees with its other
    neighbour; the vessel never went there."""
    limit = rules.spoof_speed_kn
    return (
        f"(prev_kn > {limit} AND next_kn > {limit} AND across_kn <= {limit} "
        f"AND COALESCE(prev_prev_kn, 0) <= {limit} AND COALESCE(next_next_kn, 0) <= {limit})"
    )


def segments_sql(rules: DetectorRules, source: str = "reports") -> str:
    """Reports with a segment number: a new segment starts where the previous report
    implies an impossible speed (a different transmitter, or a bad fix)."""
    return f"""
        SELECT *,
            SUM(CASE WHEN prev_kn > {rules.segment_speed_kn} THEN 1 ELSE 0 END)
                OVER ({_ORDER} ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS segment
        FROM {source}
    """
