"""Position files in columns: MarineCadastre CSV, and any CSV or Parquet file with a
column mapping.

Every value is parsed in bulk (Polars); a row whose MMSI, time or position cannot be read,
or lies outside the globe, is left out and reported with its line (CSV: the file's line,
header included; Parquet: the row number) and the field. With ``strict`` the first such
row is an error instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
import pyarrow as pa

from accord.core.columns import column_mapping
from accord.core.errors import InvalidInput
from accord.desks.maritime.nmea import Reject
from accord.desks.maritime.schema import POSITIONS, STATICS

# Our column -> the file's column, for the MarineCadastre daily files (marinecadastre.gov,
# "AIS Data Dictionary": MMSI, BaseDateTime, LAT, LON, SOG, COG, Heading, VesselName, IMO,
# CallSign, VesselType, Status, Length, Width, Draft, Cargo, TransceiverClass).
MARINECADASTRE: Mapping[str, str] = {
    "mmsi": "MMSI",
    "ts": "BaseDateTime",
    "lat": "LAT",
    "lon": "LON",
    "sog_kn": "SOG",
    "cog_deg": "COG",
    "heading_deg": "Heading",
    "nav_status": "Status",
    "name": "VesselName",
    "imo": "IMO",
    "callsign": "CallSign",
    "ship_type": "VesselType",
    "length_m": "Length",
    "width_m": "Width",
    "draught_m": "Draft",
}
REQUIRED = ("mmsi", "ts", "lat", "lon")
_KNOWN = frozenset(POSITIONS.names) | frozenset(STATICS.names)
# ITU-R M.1371 "not available" values, which become nulls.
_SOG_NOT_AVAILABLE = 102.3
_COG_NOT_AVAILABLE = 360.0
_HEADING_NOT_AVAILABLE = 511
_STATIC_COLUMNS = ("imo", "callsign", "name", "ship_type", "length_m", "width_m", "draught_m")


@dataclass
class FileRows:
    """What one file holds, in the desk's schemas."""

    positions: pa.Table
    statics: pa.Table
    rows: int
    rejects: list[Reject] = field(default_factory=list)


def parse_mapping(text: str) -> dict[str, str]:
    """``mmsi=MMSI,ts=BaseDateTime,...`` as a mapping; errors name the bad part."""
    return column_mapping(text, _KNOWN)


def read_columns(
    path: Path, mapping: Mapping[str, str] | None = None, *, strict: bool = False
) -> FileRows:
    """The positions and vessel data of a CSV (optionally gzipped) or Parquet file.

    Without `mapping`, the MarineCadastre names are used if the file has them, else our
    own column names (``schema.POSITIONS`` and ``schema.STATICS``).
    """
    frame = _read(path)
    mapping = mapping or _guess_mapping(path, frame.columns)
    missing = sorted({mapping[name] for name in REQUIRED if name in mapping} - set(frame.columns))
    unmapped = [name for name in REQUIRED if name not in mapping]
    if missing or unmapped:
        raise InvalidInput(
            f"{path}: no column {', '.join(missing or unmapped)!s} "
            f"(the file has {', '.join(frame.columns)}); give a column mapping"
        )
    parsed = _parse(frame, mapping)
    first_line = 2 if _is_csv(path) else 1
    rejects = _rejects(frame, parsed, mapping, first_line)
    if strict and rejects:
        raise InvalidInput(f"{path}:{rejects[0].line}: {rejects[0].reason}")
    kept = parsed.filter(pl.col("_ok")).drop("_ok")
    source = str(path)
    return FileRows(
        positions=_table(kept.with_columns(pl.lit(source).alias("source")), POSITIONS),
        statics=_table(_statics(kept).with_columns(pl.lit(source).alias("source")), STATICS),
        rows=frame.height,
        rejects=rejects,
    )


def _read(path: Path) -> pl.DataFrame:
    try:
        if path.suffix == ".parquet":
            return pl.read_parquet(path).with_columns(pl.all().cast(pl.String))
        return pl.read_csv(path, infer_schema=False)
    except (OSError, pl.exceptions.PolarsError) as exc:
        raise InvalidInput(
            f"{path}: cannot read it as {'Parquet' if path.suffix == '.parquet' else 'CSV'}: {exc}"
        ) from exc


def _is_csv(path: Path) -> bool:
    return path.suffix != ".parquet"


def _guess_mapping(path: Path, columns: list[str]) -> dict[str, str]:
    if all(MARINECADASTRE[name] in columns for name in REQUIRED):
        return {ours: theirs for ours, theirs in MARINECADASTRE.items() if theirs in columns}
    return {name: name for name in _KNOWN if name in columns}


def _parse(frame: pl.DataFrame, mapping: Mapping[str, str]) -> pl.DataFrame:
    def text(name: str) -> pl.Expr:
        return (
            pl.col(mapping[name]).str.strip_chars() if name in mapping else pl.lit(None, pl.String)
        )

    def number(name: str) -> pl.Expr:
        return text(name).cast(pl.Float64, strict=False)

    sog, cog, heading = number("sog_kn"), number("cog_deg"), number("heading_deg")
    imo = text("imo").str.replace(r"^IMO", "").cast(pl.Int64, strict=False)
    parsed = frame.select(
        text("mmsi").cast(pl.Int64, strict=False).alias("mmsi"),
        text("ts").str.to_datetime(time_zone="UTC", time_unit="us", strict=False).alias("ts"),
        number("lat").alias("lat"),
        number("lon").alias("lon"),
        pl.when(sog == _SOG_NOT_AVAILABLE)
        .then(None)
        .otherwise(sog)
        .cast(pl.Float32)
        .alias("sog_kn"),
        pl.when(cog >= _COG_NOT_AVAILABLE)
        .then(None)
        .otherwise(cog)
        .cast(pl.Float32)
        .alias("cog_deg"),
        pl.when(heading == _HEADING_NOT_AVAILABLE)
        .then(None)
        .otherwise(heading)
        .cast(pl.Int16)
        .alias("heading_deg"),
        number("nav_status").cast(pl.Int8, strict=False).alias("nav_status"),
        pl.lit(None, pl.Int8).alias("msg_type"),
        pl.when(imo > 0).then(imo).otherwise(None).alias("imo"),
        text("callsign").alias("callsign"),
        text("name").alias("name"),
        number("ship_type").cast(pl.Int16, strict=False).alias("ship_type"),
        number("length_m").cast(pl.Float32).alias("length_m"),
        number("width_m").cast(pl.Float32).alias("width_m"),
        number("draught_m").cast(pl.Float32).alias("draught_m"),
        pl.lit(None, pl.String).alias("destination"),
    )
    on_globe = pl.col("lat").is_between(-90, 90) & pl.col("lon").is_between(-180, 180)
    complete = pl.all_horizontal(pl.col(name).is_not_null() for name in REQUIRED)
    return parsed.with_columns((complete & on_globe).fill_null(False).alias("_ok"))


def _rejects(
    frame: pl.DataFrame, parsed: pl.DataFrame, mapping: Mapping[str, str], first_line: int
) -> list[Reject]:
    bad = parsed.with_row_index("_row").filter(~pl.col("_ok"))
    found = []
    for row in bad.iter_rows(named=True):
        original = frame.row(row["_row"], named=True)
        found.append(
            Reject(
                row["_row"] + first_line,
                _reason(row, original, mapping),
                ",".join(str(v) for v in original.values()),
            )
        )
    return found


def _reason(
    row: Mapping[str, object], original: Mapping[str, object], mapping: Mapping[str, str]
) -> str:
    for name in REQUIRED:
        if row[name] is None:
            value = original[mapping[name]]
            return (
                f"{mapping[name]}: {'missing' if value in (None, '') else f'cannot read {value!r}'}"
            )
    if not -90 <= float(row["lat"]) <= 90:  # type: ignore[arg-type]
        return f"{mapping['lat']}: {row['lat']} is no latitude (not available, or off the globe)"
    return f"{mapping['lon']}: {row['lon']} is no longitude (not available, or off the globe)"


def _statics(rows: pl.DataFrame) -> pl.DataFrame:
    has_static = pl.any_horizontal(pl.col(name).is_not_null() for name in _STATIC_COLUMNS)
    # One row per vessel and distinct static data a day: the archive keeps them by day.
    return (
        rows.filter(has_static)
        .sort("ts")
        .unique(subset=["mmsi", *_STATIC_COLUMNS], keep="first", maintain_order=True)
    )


def _table(frame: pl.DataFrame, schema: pa.Schema) -> pa.Table:
    return frame.select(schema.names).to_arrow().cast(schema)
