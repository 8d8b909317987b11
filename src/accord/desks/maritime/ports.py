"""Ports and anchorages, and the nearest one to many positions at once.

Two public lists, read from paths the caller gives, make one table (``name``, ``sublabel``,
``country_iso3``, ``lat``, ``lon``, ``kind``, ``source``, ``line``):

- the World Port Index as Global Fishing Watch ships it (``WPI_ports.csv``: ``iso3, label,
  sublabel, latitude, longitude``; NGA Pub. 150, public domain), kind ``port``;
- GFW's hand-curated named anchorages (``anchorage_overrides.csv``, optionally gzipped:
  ``s2id, latitude, longitude, label, sublabel, iso3``; Apache-2.0), kind ``anchorage``.

The detectors ask two things of it: Global Fishing Watch's port visit (enter within 3 km of
a port or anchorage, leave beyond 4 km) and its encounter rule (more than 10 km from any).
:meth:`PortIndex.nearest` answers both for millions of positions: positions and ports are
unit vectors in a ``scipy.spatial.cKDTree``, so the antimeridian needs no care, and the
distance is the great circle on a sphere of the IUGG mean radius (within about 0.5 % of the
WGS 84 ellipsoid; exact otherwise, the ports being points).

Reading is lenient by default, like the AIS decoder: a row that cannot be a place (a
coordinate that is not a number or out of range, no name, the null position (0, 0)) is left
out and reported in ``PortIndex.issues`` with its file, line and field; ``strict=True``
raises InvalidInput on the first instead. Errors that look valid cannot be caught here: the
overrides put TAICHUNG CITY at (24.43, 24.43), its latitude copied into its longitude, in
the Libyan desert where no vessel will ever be near it (a latitude equal to the longitude is
no test: Batumi really is at 41.65 N, 41.65 E). A row labelled ``REMOVE`` is skipped
silently: its label says so, and it sits at the null position. An ``s2id`` listed twice
keeps its first row, as GFW's own naming step does (``FindUsedS2ids`` stops at the first
match). A country code that is not three letters becomes null, reported the same way.

The cleaned table is cached as an Arrow IPC file in a directory the caller passes, named by
a hash of the input files' bytes, so a changed file is read again.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.ipc as ipc
from numpy.typing import NDArray
from scipy.spatial import cKDTree

from accord.core.errors import ConfigurationError, InvalidInput
from accord.desks.maritime.sphere import (
    FloatArray,
    chord_to_km,
    coordinates,
    km_to_chord,
    locality_order,
    unit_vectors,
    valid_positions,
)

PORT_COLUMNS = ("iso3", "label", "sublabel", "latitude", "longitude")
ANCHORAGE_COLUMNS = ("s2id", "latitude", "longitude", "label", "sublabel", "iso3")

_CACHE_FORMAT = 1  # bump when the cached table changes meaning
_QUERY_CHUNK = 2_000_000  # positions per tree query, to bound the memory of one call


@dataclass(frozen=True)
class NearestPorts:
    """For each position: the distance in km to the nearest port or anchorage and its row.

    ``port`` indexes :attr:`PortIndex.table`; it is -1 (and the distance inf) where no place
    lies within the ``max_km`` asked for, and -1 with NaN for an invalid position.
    """

    distance_km: FloatArray
    port: NDArray[np.int64]


@dataclass(frozen=True)
class PortIndex:
    """Ports and anchorages in one table, searchable; build it with :func:`load_port_index`."""

    table: pa.Table
    issues: tuple[str, ...]
    tree: Any  # cKDTree over the unit vectors of the table's rows (scipy has no stubs)

    def nearest(self, lat: Any, lon: Any, *, max_km: float | None = None) -> NearestPorts:
        """The nearest port or anchorage to each position (degrees), great-circle km.

        ``lat`` and ``lon`` are equal-length numpy arrays, pyarrow arrays, polars Series or
        sequences. With ``max_km`` (say 10 km for the encounter rule) places farther away
        are not looked for, which is several times faster for positions out at sea.
        """
        lat_deg, lon_deg = coordinates(lat, lon)
        distance_km = np.full(lat_deg.shape, np.nan)
        port = np.full(lat_deg.shape, -1, dtype=np.int64)
        valid = np.flatnonzero(valid_positions(lat_deg, lon_deg))
        bound = np.inf if max_km is None else km_to_chord(max_km)
        for start in range(0, valid.size, _QUERY_CHUNK):
            rows = valid[start : start + _QUERY_CHUNK]
            order = rows[locality_order(lat_deg[rows], lon_deg[rows])]
            chord, found = self.tree.query(
                unit_vectors(lat_deg[order], lon_deg[order]),
                distance_upper_bound=bound,
                workers=-1,
            )
            missing = ~np.isfinite(chord)
            distance_km[order] = np.where(missing, np.inf, chord_to_km(chord))
            port[order] = np.where(missing, -1, found)
        return NearestPorts(distance_km=distance_km, port=port)

    def nearest_table(self, lat: Any, lon: Any, *, max_km: float | None = None) -> pa.Table:
        """:meth:`nearest` as a table: ``distance_km``, ``port_name``, ``port_country_iso3``,
        ``port_kind`` (null where no place was found)."""
        found = self.nearest(lat, lon, max_km=max_km)
        rows = pa.array(found.port, pa.int64(), mask=found.port < 0)
        return pa.table(
            {
                "distance_km": found.distance_km,
                "port_name": pc.take(self.table["name"], rows),
                "port_country_iso3": pc.take(self.table["country_iso3"], rows),
                "port_kind": pc.take(self.table["kind"], rows),
            }
        )


def load_port_index(
    cache_dir: Path,
    *,
    wpi_path: Path | None = None,
    anchorages_path: Path | None = None,
    strict: bool = False,
) -> PortIndex:
    """The ports and anchorages of the given files as one searchable index, cached.

    At least one path is needed. Raises ConfigurationError if a file is missing, and
    InvalidInput if one lacks a column, or (``strict``) on the first bad row.
    """
    sources = [(path, kind) for path, kind in ((wpi_path, "port"), (anchorages_path, "anchorage"))]
    given = [(Path(path), kind) for path, kind in sources if path is not None]
    if not given:
        raise ConfigurationError("port index: give a WPI ports file, an anchorages file or both")
    cache_file = Path(cache_dir) / f"ports-{_cache_key(given)}.arrow"
    if not cache_file.exists():
        parts = [_read_places(path, kind) for path, kind in given]
        table = pa.concat_tables([part for part, _ in parts])
        issues = [issue for _, found in parts for issue in found]
        _write_atomically(cache_file, table, issues)
    table, issues = _read_cache(cache_file)
    if strict and issues:
        raise InvalidInput(issues[0])
    points = unit_vectors(table["lat"].to_numpy(), table["lon"].to_numpy())
    return PortIndex(table=table, issues=tuple(issues), tree=cKDTree(points, leafsize=32))


# ---------------------------------------------------------------------------------------
# Reading the lists


def _read_places(path: Path, kind: str) -> tuple[pa.Table, list[str]]:
    """One file's rows as places, and what was wrong with the rows left out or cleaned."""
    required = PORT_COLUMNS if kind == "port" else ANCHORAGE_COLUMNS
    frame = _read_csv(path)
    missing = [column for column in required if column not in frame.columns]
    if missing:
        raise InvalidInput(f"{path}: missing column(s) {', '.join(missing)}")
    frame = frame.with_row_index("line", offset=2)  # line 1 is the header
    # Surrounding spaces (" USA ") are noise; an empty or quoted-empty field is no value.
    frame = frame.with_columns(
        pl.col(column).str.strip_chars().replace("", None)
        for column in ("label", "sublabel", "iso3")
    ).with_columns(
        pl.col("latitude").str.strip_chars().cast(pl.Float64, strict=False).alias("lat"),
        pl.col("longitude").str.strip_chars().cast(pl.Float64, strict=False).alias("lon"),
    )
    if kind == "anchorage":
        frame = frame.filter(pl.col("label").fill_null("") != "REMOVE")
        frame = frame.unique("s2id", keep="first", maintain_order=True)
    frame, issues = _checked_rows(frame, path)
    places = frame.select(
        pl.col("label").alias("name"),
        "sublabel",
        pl.col("iso3").alias("country_iso3"),
        "lat",
        "lon",
        pl.lit(kind).alias("kind"),
        pl.lit(Path(path).name).alias("source"),
        pl.col("line").cast(pl.Int64),
    )
    return places.to_arrow(), issues


def _read_csv(path: Path) -> pl.DataFrame:
    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError as exc:
        raise ConfigurationError(f"{path}: data file not found") from exc
    try:
        if raw[:2] == b"\x1f\x8b":
            raw = gzip.decompress(raw)
        # Every column as text: "NA" is a value here, not a null (see SOURCES.md).
        return pl.read_csv(io.BytesIO(raw), infer_schema=False, null_values=[])
    except (OSError, EOFError, pl.exceptions.PolarsError) as exc:
        raise InvalidInput(f"{path}: not a readable CSV file: {exc}") from exc


def _checked_rows(frame: pl.DataFrame, path: Path) -> tuple[pl.DataFrame, list[str]]:
    """Leave out rows that cannot be a place; null bad country codes. Issues in file order."""
    lat, lon = pl.col("lat"), pl.col("lon")
    problems = [
        (lat.is_null(), "latitude", "is not a number"),
        (lon.is_null(), "longitude", "is not a number"),
        (lat.abs() > 90, "latitude", "is outside -90..90"),
        (lon.abs() > 180, "longitude", "is outside -180..180"),
        (pl.col("label").is_null(), "label", "is empty: a place needs a name"),
        ((lat.abs() < 1e-3) & (lon.abs() < 1e-3), "latitude", "is the null position (0, 0)"),
    ]
    reason: Any = pl.when(problems[0][0]).then(pl.lit(_what(*problems[0][1:])))
    for condition, field, text in problems[1:]:
        reason = reason.when(condition).then(pl.lit(_what(field, text)))
    bad_country = pl.col("iso3").is_not_null() & ~pl.col("iso3").str.contains(r"^[A-Z]{3}$")
    frame = frame.with_columns(reason.otherwise(None).alias("reason"), bad_country.alias("bad"))
    rejected = frame.filter(pl.col("reason").is_not_null())
    uncoded = frame.filter(pl.col("reason").is_null() & pl.col("bad"))
    numbered = [
        (row["line"], f"{row['reason']} ({row['latitude']!r}, {row['longitude']!r})")
        for row in rejected.iter_rows(named=True)
    ] + [
        (row["line"], f"field 'iso3' {row['iso3']!r} is no ISO 3166-1 alpha-3 code; left empty")
        for row in uncoded.iter_rows(named=True)
    ]
    issues = [f"{path}: line {line}: {text}" for line, text in sorted(numbered)]
    kept = frame.filter(pl.col("reason").is_null()).with_columns(
        pl.when(pl.col("bad")).then(None).otherwise(pl.col("iso3")).alias("iso3")
    )
    return kept, issues


def _what(field: str, text: str) -> str:
    return f"field '{field}' {text}"


# ---------------------------------------------------------------------------------------
# Cache


def _cache_key(given: list[tuple[Path, str]]) -> str:
    digest = hashlib.sha256(f"{_CACHE_FORMAT}".encode())
    for path, kind in given:
        try:
            digest.update(kind.encode() + b"\0" + path.read_bytes())
        except FileNotFoundError as exc:
            raise ConfigurationError(f"{path}: data file not found") from exc
    return digest.hexdigest()[:16]


def _write_atomically(target: Path, table: pa.Table, issues: list[str]) -> None:
    """Write the Arrow file beside its final name, then rename: never half a file."""
    target.parent.mkdir(parents=True, exist_ok=True)
    table = table.replace_schema_metadata({"accord.issues": json.dumps(issues)})
    handle, temporary = tempfile.mkstemp(dir=target.parent, suffix=".arrow.tmp")
    try:
        with os.fdopen(handle, "wb") as stream, ipc.new_file(stream, table.schema) as writer:
            writer.write_table(table)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _read_cache(path: Path) -> tuple[pa.Table, list[str]]:
    with pa.memory_map(str(path)) as source:
        table = ipc.open_file(source).read_all()
    metadata = table.schema.metadata or {}
    issues = json.loads(metadata.get(b"accord.issues", b"[]"))
    return table.replace_schema_metadata(None), [str(issue) for issue in issues]
