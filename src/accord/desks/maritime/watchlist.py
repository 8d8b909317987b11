"""Watch-list hits: AIS from a vessel of interest.

A vessel of interest is a ``vessel`` object in the store (``accord.core.stix.vessel``)
labelled ``watchlist`` (the sanctions desk writes them; any partner may). A vessel in the
AIS matches one by MMSI, by IMO number, or by name (upper case, spaces collapsed) in its
static reports. The hits are SQL over ``positions_in``, ``statics`` and ``watchlist``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

import pyarrow as pa

from accord.core.stix.vessel import WATCHLIST_LABEL

WATCHLIST = pa.schema(
    [
        pa.field("vessel_id", pa.string(), nullable=False),
        pa.field("mmsi", pa.int64()),
        pa.field("imo", pa.int64()),
        pa.field("name_key", pa.string()),
    ]
)


def name_key(name: str | None) -> str | None:
    """A vessel name as matched: upper case, runs of non-alphanumerics as one space."""
    if not name:
        return None
    key = re.sub(r"[^0-9A-Z]+", " ", name.upper()).strip()
    return key or None


def watchlist_table(vessels: Iterable[Mapping[str, Any]]) -> pa.Table:
    """The vessels of interest among STIX ``vessel`` bodies (those labelled ``watchlist``)."""
    rows = [
        {
            "vessel_id": body["id"],
            "mmsi": body.get("mmsi"),
            "imo": body.get("imo"),
            "name_key": name_key(body.get("name")),
        }
        for body in vessels
        if body.get("type") == "vessel" and WATCHLIST_LABEL in (body.get("labels") or ())
    ]
    return pa.Table.from_pylist(rows, schema=WATCHLIST)


def watchlist_hit_sql() -> str:
    """Each AIS vessel that matches a vessel of interest, with how, and when and where it
    was seen in the window (first and last report, last position)."""
    statics_key = "TRIM(REGEXP_REPLACE(UPPER(s.name), '[^0-9A-Z]+', ' ', 'g'))"
    return f"""
        WITH seen AS (
            SELECT mmsi, MIN(ts) AS start, MAX(ts) AS "end", MAX_BY(lat, ts) AS lat,
                MAX_BY(lon, ts) AS lon, COUNT(*) AS reports
            FROM positions_in GROUP BY mmsi
        ), by_mmsi AS (
            SELECT s.mmsi, w.vessel_id, 'mmsi' AS matched_on
            FROM seen AS s JOIN watchlist AS w ON w.mmsi = s.mmsi
        ), by_static AS (
            SELECT DISTINCT s.mmsi, w.vessel_id,
                CASE WHEN s.imo = w.imo THEN 'imo' ELSE 'name' END AS matched_on
            FROM statics AS s JOIN watchlist AS w
                ON s.imo = w.imo OR {statics_key} = w.name_key
        ), matched AS (
            SELECT mmsi, vessel_id, MIN(matched_on) AS matched_on
            FROM (SELECT * FROM by_mmsi UNION ALL SELECT * FROM by_static) AS m
            GROUP BY mmsi, vessel_id
        )
        SELECT m.mmsi, m.vessel_id, m.matched_on, s.start, s."end", s.lat, s.lon, s.reports
        FROM matched AS m JOIN seen AS s ON s.mmsi = m.mmsi
    """
