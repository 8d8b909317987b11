"""The maritime desk's tables built from decoded AIS layouts: positions (``schema.POSITIONS``),
static and voyage data (``schema.STATICS``) and, for the layouts that feed neither, one
report table each with every field as pyais names it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray

from accord.desks.maritime import schema
from accord.desks.maritime.ais_fields import LAYOUTS, Group, PayloadBits, degrees
from accord.desks.maritime.nmea import Messages
from accord.desks.maritime.receive_time import NO_TIME


@dataclass(frozen=True)
class Motion:
    """How a position report carries its motion (ITU-R M.1371-5, Tables 45, 48 and 50 of
    Annex 8): position and speed units, the speed that means "not available", and whether
    it has a heading and a navigational status."""

    units_per_degree: int
    speed_per_knot: int
    speed_missing: int
    course_per_degree: int
    heading: bool
    status: bool


MOTION = {
    "class_a": Motion(600_000, 10, 1023, 10, heading=True, status=True),
    "sar_aircraft": Motion(600_000, 1, 1023, 10, heading=False, status=False),
    "class_b": Motion(600_000, 10, 1023, 10, heading=True, status=False),
    "class_b_ext": Motion(600_000, 10, 1023, 10, heading=True, status=False),
    "long_range": Motion(600, 1, 63, 1, heading=False, status=True),
}
STATIC = ("voyage_static", "class_b_ext", "static_a", "static_b", "static_b_aux")
REPORTS = ("base_station", "data_link_management", "aid_to_navigation")


def positions(groups: Sequence[Group], m: Messages, source: str) -> tuple[pa.Table, int, int]:
    """Position reports as a ``schema.POSITIONS`` table in line order, and how many were
    left out for want of a receive time, or of a position (lat 91, lon 181: not available,
    or out of range)."""
    parts = [
        _motion_columns(g, MOTION[g.layout.name], m) for g in groups if g.layout.name in MOTION
    ]
    if not parts:
        return schema.POSITIONS.empty_table(), 0, 0
    cols = {name: np.concatenate([p[name] for p in parts]) for name in parts[0]}
    timed = cols["ts"] != NO_TIME
    placed = (np.abs(cols["lat"]) <= 90) & (np.abs(cols["lon"]) <= 180)
    keep = np.flatnonzero(timed & placed)
    keep = keep[np.argsort(cols["line"][keep], kind="stable")]
    arrays = []
    for f in schema.POSITIONS:
        if f.name == "source":
            arrays.append(pa.repeat(pa.scalar(source, pa.string()), len(keep)))
        elif f.name == "ts":
            arrays.append(pa.array(cols["ts"][keep]).cast(f.type))
        else:
            null = cols.get(f.name + "_null")
            mask = None if null is None else null[keep]
            arrays.append(pa.array(cols[f.name][keep], f.type, mask=mask, from_pandas=False))
    table = pa.Table.from_arrays(arrays, schema=schema.POSITIONS)
    return table, int((~timed).sum()), int((timed & ~placed).sum())


def statics(groups: Sequence[Group], m: Messages, source: str) -> pa.Table:
    """Static and voyage data (types 5, 19, 24) as a ``schema.STATICS`` table, line order."""
    tables = [_static_table(g, m) for g in groups if g.layout.name in STATIC and len(g.rows)]
    if not tables:
        return schema.STATICS.empty_table()
    table = pa.concat_tables(tables).sort_by("line").drop_columns(["line"])
    table = table.append_column("source", pa.repeat(pa.scalar(source, pa.string()), len(table)))
    return table.select(schema.STATICS.names).cast(schema.STATICS)


def reports(groups: Sequence[Group], m: Messages) -> dict[str, pa.Table]:
    """Per layout of ``REPORTS``, its messages in line order: ``line``, receive time
    ``ts`` (null if none) and every field as pyais's ``asdict()`` names and values it."""
    found = {}
    for name in REPORTS:
        parts = [g for g in groups if g.layout.name == name]
        if not parts:
            layout = LAYOUTS[name]
            empty = PayloadBits(np.zeros((0, 8 + layout.bits // 8), np.uint8), _none())
            parts = [Group(layout, _none(), empty, _none())]
        tables = [pa.table(_timed(g, m) | g.pyais_columns()) for g in parts]
        found[name] = pa.concat_tables(tables).sort_by("line")
    return found


def _motion_columns(g: Group, motion: Motion, m: Messages) -> dict[str, NDArray[Any]]:
    """Columns of ``schema.POSITIONS`` (plus line and null masks) of one group, all rows."""
    speed, course = g.raw("speed"), g.raw("course")
    cog = course / motion.course_per_degree
    n = len(g.rows)
    heading = g.raw("heading") if motion.heading else np.full(n, 511)
    status = g.raw("status") if motion.status else np.zeros(n, dtype=np.int64)
    return {
        "line": m.line[g.rows],
        "mmsi": g.raw("mmsi"),
        "ts": m.ts_us[g.rows],
        "lat": degrees(g.raw("lat"), motion.units_per_degree),
        "lon": degrees(g.raw("lon"), motion.units_per_degree),
        "sog_kn": speed / motion.speed_per_knot,
        "sog_kn_null": speed == motion.speed_missing,
        "cog_deg": cog,
        "cog_deg_null": cog >= 360,
        "heading_deg": heading,
        "heading_deg_null": heading >= 360,
        "nav_status": status,
        "nav_status_null": np.full(n, not motion.status),
        "msg_type": g.msg_type,
    }


def _static_table(g: Group, m: Messages) -> pa.Table:
    """Columns of ``schema.STATICS`` but ``source``, plus ``line``; 0 (and "") is "not
    available" in every field used (ITU-R M.1371-5, Tables 48 and 52 of Annex 8)."""
    n, names = len(g.rows), {f for f, _, _, _ in g.layout.fields}

    def field(name: str, kind: pa.DataType, scale: float = 1) -> pa.Array:
        if name not in names:
            return pa.nulls(n, kind)
        value = g.raw(name)
        return pa.array(value / scale if scale != 1 else value, kind, mask=value == 0)

    def summed(a: str, b: str) -> pa.Array:
        if a not in names:
            return pa.nulls(n, pa.float32())
        value = g.raw(a) + g.raw(b)
        return pa.array(value, pa.float32(), mask=value == 0)

    def text(name: str) -> pa.Array:
        if name not in names:
            return pa.nulls(n, pa.string())
        value = g.bits.text(*g.layout.at(name))
        return pc.if_else(pc.equal(value, ""), None, value)

    return pa.table(
        _timed(g, m)
        | {
            "mmsi": pa.array(g.raw("mmsi"), pa.int64()),
            "imo": field("imo", pa.int64()),
            "callsign": text("callsign"),
            "name": text("shipname"),
            "ship_type": field("ship_type", pa.int16()),
            "length_m": summed("to_bow", "to_stern"),
            "width_m": summed("to_port", "to_starboard"),
            "draught_m": field("draught", pa.float32(), scale=10),
            "destination": text("destination"),
            "msg_type": pa.array(g.msg_type, pa.int8()),
        }
    )


def _timed(g: Group, m: Messages) -> dict[str, pa.Array]:
    """The messages' line and receive time (null if none)."""
    ts = m.ts_us[g.rows]
    ts_type = schema.STATICS.field("ts").type
    return {
        "line": pa.array(m.line[g.rows], pa.int64()),
        "ts": pa.array(ts, pa.int64(), mask=ts == NO_TIME).cast(ts_type),
    }


def _none() -> NDArray[np.int64]:
    return np.zeros(0, dtype=np.int64)
