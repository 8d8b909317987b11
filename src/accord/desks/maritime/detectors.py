"""The detectors: each a documented rule (see ``rules.DetectorRules`` for its source),
written once as SQL over the ``reports`` relation (``tracks.reports_sql``), so it runs on
DuckDB and on Spark alike. Conditions on reference data (distance from shore, from ports)
are applied to the few candidates in Python, the same for both engines.

Every detector answers candidate rows with at least: mmsi, start, end, lat, lon.
"""

from __future__ import annotations

from accord.desks.maritime.rules import DetectorRules
from accord.desks.maritime.tracks import distance_nm, lone_outliers_sql, mean_lon


def gap_sql(rules: DetectorRules) -> str:
    """AIS disabling: no report for ``gap_hours`` or more (the shore condition follows)."""
    return f"""
        SELECT mmsi, ts AS start, next_ts AS "end", lat, lon, next_lat, next_lon,
            CAST(next_s AS DOUBLE) / 3600 AS hours, next_nm AS distance_nm
        FROM reports
        WHERE next_s >= {rules.gap_hours * 3600}
    """


def reception_sql(gaps: str = "gaps") -> str:
    """How densely other vessels reported in a gap's 1-degree cell during the gap
    (reports per hour): little traffic there means poor reception, not a vessel gone
    dark (Global Fishing Watch discards such gaps; we keep them and say so)."""
    return f"""
        WITH cell_hours AS (
            SELECT CAST(FLOOR(lat) AS INTEGER) AS cell_lat,
                CAST(FLOOR(lon) AS INTEGER) AS cell_lon,
                CAST(FLOOR(epoch(ts) / 3600) AS BIGINT) AS hour, mmsi
            FROM reports
        )
        SELECT g.mmsi, g.start,
            COUNT(c.hour) / GREATEST(g.hours, 1) AS reception_reports_per_hour
        FROM {gaps} AS g
        LEFT JOIN cell_hours AS c
            ON c.cell_lat = CAST(FLOOR(g.lat) AS INTEGER)
            AND c.cell_lon = CAST(FLOOR(g.lon) AS INTEGER)
            AND c.hour >= CAST(FLOOR(epoch(g.start) / 3600) AS BIGINT)
            AND c.hour < CAST(FLOOR(epoch(g."end") / 3600) AS BIGINT)
            AND c.mmsi <> g.mmsi
        GROUP BY g.mmsi, g.start, g.hours
    """


def loitering_sql(rules: DetectorRules) -> str:
    """Runs of reports below ``loiter_speed_kn`` lasting more than ``loiter_hours``; a
    silence of ``gap_hours`` breaks a run (that is a gap, not loitering). Only the slow
    reports take part: a run is consecutive in the vessel's sequence (``n``)."""
    return f"""
        WITH slow AS (
            SELECT mmsi, n, ts, lat, lon, sog_kn,
                CASE WHEN prev_s >= {rules.gap_hours * 3600} THEN 1 ELSE 0 END AS silence
            FROM reports WHERE sog_kn < {rules.loiter_speed_kn}
        ), runs AS (
            SELECT *, n - ROW_NUMBER() OVER (PARTITION BY mmsi ORDER BY n) AS run,
                SUM(silence) OVER (PARTITION BY mmsi ORDER BY n
                    ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS silences
            FROM slow
        )
        SELECT mmsi, MIN(ts) AS start, MAX(ts) AS "end", AVG(lat) AS lat,
            {mean_lon("lon")} AS lon, MEDIAN(sog_kn) AS median_kn, COUNT(*) AS reports
        FROM runs
        GROUP BY mmsi, run, silences
        HAVING epoch(MAX(ts)) - epoch(MIN(ts)) > {rules.loiter_hours * 3600}
    """


def spoof_jump_sql(rules: DetectorRules) -> str:
    """A lone report far off a consistent track, then reverted (``tracks.spoofed``,
    ``tracks.lone_outliers_sql``)."""
    return f"""
        SELECT mmsi, ts AS start, ts AS "end", lat, lon, prev_lat, prev_lon,
            prev_kn, next_kn, prev_nm AS jump_nm
        FROM ({lone_outliers_sql(rules)}) AS lone
    """


def identity_clash_sql(rules: DetectorRules) -> str:
    """One MMSI in two places ``clash_distance_nm`` apart within
    ``clash_window_minutes``, again and again: two transmitters use the identity.
    Lone spoofed jumps (one report, reverted) are left out first; a clone reporting less
    often than the original is no lone jump, its reports continue one another."""
    jump = distance_nm("prev_lat", "prev_lon", "lat", "lon")
    return f"""
        WITH lone AS ({lone_outliers_sql(rules)}),
        kept AS (
            SELECT r.mmsi, r.ts, r.lat, r.lon FROM reports AS r
            LEFT JOIN lone AS l ON l.mmsi = r.mmsi AND l.n = r.n
            WHERE l.n IS NULL
        ), paired AS (
            SELECT *, LAG(lat) OVER w AS prev_lat, LAG(lon) OVER w AS prev_lon,
                epoch(ts) - epoch(LAG(ts) OVER w) AS prev_s
            FROM kept
            WINDOW w AS (PARTITION BY mmsi ORDER BY ts, lat, lon)
        ), jumps AS (
            SELECT *, {jump} AS jump_nm FROM paired
            WHERE prev_s <= {rules.clash_window_minutes * 60}
                AND {jump} >= {rules.clash_distance_nm}
        )
        SELECT mmsi, MIN(ts) AS start, MAX(ts) AS "end",
            MIN_BY(prev_lat, ts) AS lat, MIN_BY(prev_lon, ts) AS lon,
            MIN_BY(lat, ts) AS other_lat, MIN_BY(lon, ts) AS other_lon,
            COUNT(*) AS jumps, MAX(jump_nm) AS apart_nm
        FROM jumps
        GROUP BY mmsi
        HAVING COUNT(*) >= {rules.clash_min_jumps}
    """
