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


# The columns of the positions that detectors read (the rest stays out of the sorts).
_USED = "mmsi, ts, lat, lon, sog_kn"


def reports_sql(source: str = "positions") -> str:
    """Every report with its neighbours: times (s), distances (nm) and implied speeds (kn)
    to the previous and next report of the same vessel and across both, what those
    neighbours imply of their own other neighbours, and the report's number ``n`` in its
    vessel's sequence. One window stage (one sort of the positions)."""
    window = f"OVER ({_ORDER})"
    neighbours = f"""
        SELECT {_USED}, epoch(ts) AS t,
            ROW_NUMBER() {window} AS n,
            LAG(ts) {window} AS prev_ts, LAG(lat) {window} AS prev_lat,
            LAG(lon) {window} AS prev_lon,
            LEAD(ts) {window} AS next_ts, LEAD(lat) {window} AS next_lat,
            LEAD(lon) {window} AS next_lon,
            epoch(LAG(ts, 2) {window}) AS t_2, LAG(lat, 2) {window} AS lat_2,
            LAG(lon, 2) {window} AS lon_2,
            epoch(LEAD(ts, 2) {window}) AS t2, LEAD(lat, 2) {window} AS lat2,
            LEAD(lon, 2) {window} AS lon2
        FROM {source}
    """
    prev = distance_nm("prev_lat", "prev_lon", "lat", "lon")
    following = distance_nm("lat", "lon", "next_lat", "next_lon")
    across = distance_nm("prev_lat", "prev_lon", "next_lat", "next_lon")
    before = distance_nm("lat_2", "lon_2", "prev_lat", "prev_lon")
    after = distance_nm("next_lat", "next_lon", "lat2", "lon2")
    # A lone outlier sits between reports that agree with their other neighbours;
    # interleaved tracks have no such neighbours (prev_prev_kn, next_next_kn).
    return f"""
        SELECT mmsi, ts, lat, lon, sog_kn, t, n, prev_ts, prev_lat, prev_lon, next_ts,
            next_lat, next_lon,
            {prev} AS prev_nm,
            {following} AS next_nm,
            t - epoch(prev_ts) AS prev_s,
            epoch(next_ts) - t AS next_s,
            {prev} * 3600 / GREATEST(t - epoch(prev_ts), 1) AS prev_kn,
            {following} * 3600 / GREATEST(epoch(next_ts) - t, 1) AS next_kn,
            {across} * 3600 / GREATEST(epoch(next_ts) - epoch(prev_ts), 1) AS across_kn,
            {before} * 3600 / GREATEST(epoch(prev_ts) - t_2, 1) AS prev_prev_kn,
            {after} * 3600 / GREATEST(t2 - epoch(next_ts), 1) AS next_next_kn
        FROM ({neighbours}) AS w
    """


def spoofed(rules: DetectorRules) -> str:
    """SQL condition on a report: it implies more than ``spoof_speed_kn`` from both
    neighbours, the neighbours agree with each other, and each agrees with its other
    neighbour. Such a report is an outlier: a spoofed jump if it stands alone, a second
    transmitter if other outliers continue it (``lone_outliers_sql``)."""
    limit = rules.spoof_speed_kn
    return (
        f"(prev_kn > {limit} AND next_kn > {limit} AND across_kn <= {limit} "
        f"AND COALESCE(prev_prev_kn, 0) <= {limit} AND COALESCE(next_next_kn, 0) <= {limit})"
    )


def lone_outliers_sql(rules: DetectorRules) -> str:
    """The outliers (:func:`spoofed`) that no other outlier of the same vessel continues
    within ``clash_window_minutes`` at a plausible speed: the vessel never went there.
    Outliers that do continue one another are a clone's track (an identity clash)."""
    limit = rules.spoof_speed_kn
    window = "OVER (PARTITION BY mmsi ORDER BY ts, lat, lon)"
    chain_s = rules.clash_window_minutes * 60 * 3
    link_prev = distance_nm("o_prev_lat", "o_prev_lon", "lat", "lon")
    link_next = distance_nm("lat", "lon", "o_next_lat", "o_next_lon")
    return f"""
        SELECT * FROM (
            SELECT *,
                LAG(ts) {window} AS o_prev_ts, LAG(lat) {window} AS o_prev_lat,
                LAG(lon) {window} AS o_prev_lon, LEAD(ts) {window} AS o_next_ts,
                LEAD(lat) {window} AS o_next_lat, LEAD(lon) {window} AS o_next_lon
            FROM reports WHERE {spoofed(rules)}
        ) AS o
        WHERE NOT COALESCE(
                t - epoch(o_prev_ts) <= {chain_s}
                AND {link_prev} * 3600 / GREATEST(t - epoch(o_prev_ts), 1) <= {limit}, false)
            AND NOT COALESCE(
                epoch(o_next_ts) - t <= {chain_s}
                AND {link_next} * 3600 / GREATEST(epoch(o_next_ts) - t, 1) <= {limit}, false)
    """


def segments_sql(rules: DetectorRules, source: str = "reports") -> str:
    """Reports with a segment number: a new segment starts where the previous report
    implies an impossible speed (a different transmitter, or a bad fix)."""
    return f"""
        SELECT *,
            SUM(CASE WHEN prev_kn > {rules.segment_speed_kn} THEN 1 ELSE 0 END)
                OVER ({_ORDER} ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS segment
        FROM {source}
    """
