"""Distance from shore, in nautical miles, for many positions at once.

Built from a coastline given as a path: the Natural Earth 10 m coastline (1:10 million,
public domain; GeoJSON LineStrings, lon/lat WGS 84), optionally with Natural Earth land
polygons to tell a point inland from one at sea. The Global Fishing Watch gap rule needs
"starts >= 50 nm from shore" and Accord's loitering rule ">= 20 nm from shore".

How: every coastline segment is cut into pieces of at most ``SPACING_KM`` (1 km) on the unit
sphere; the vertices go, as 3-D unit vectors, into a ``scipy.spatial.cKDTree``; a position's
nearest vertex gives the chord, and the chord the great-circle distance. Working in 3-D
makes the antimeridian and the poles ordinary places.

Accuracy, for a position at sea:

- within ``EXACT_WITHIN_KM`` (200 km, 108 nm) of the coastline, the distance to the nearest
  vertex exceeds the distance to the coastline line by at most half the spacing: 0.5 km
  (0.27 nm), and is never less than it (to the 0.4 m of the float32 cache);
- segments are taken as great-circle arcs; Natural Earth draws them straight in lon/lat,
  and over its longest segment (55 km) the two part by under 200 m;
- farther out, where a tree search for the exact vertex is slow, a coarser set of vertices
  (about every ``COARSE_SPACING_KM`` = 10 km of coastline) is searched: the result exceeds the
  distance to the coastline by at most 5.5 km (the coarse vertices are at most 11 km apart
  along the line), under 3 % there;
- the Earth is a sphere of the IUGG mean radius: against the WGS 84 ellipsoid, distances are
  off by up to about 0.5 %;
- the coastline itself is a 1:10 million generalisation: near the shore it, not the method,
  limits the accuracy, most in fjords, skerries and river mouths.

Land: the coastline alone cannot tell a point 300 km inland from one 300 km at sea, and AIS
has inland positions (receivers ashore, GPS faults, spoofing, rivers). Given ``land_path``
(the Natural Earth 1:50 m land polygons), a point inside land by more than
``LAND_MARGIN_KM`` (10 km) of the coastline gets distance 0: it is on shore, never "far from
shore". Within that margin the distance to the coastline is given whether the point is on
land or at sea: the 1:50 m polygons stray from the 1:10 m coastline by up to 7.6 km at
99.9 % of their boundary (measured on these files), and the 0.05 degree raster of them adds
up to 3.9 km. The margin changes nothing for the rules, whose thresholds (20 and 50 nm,
37 and 93 km) are far above it. Natural Earth's land has no lakes cut out but the Caspian
Sea: a vessel on the Great Lakes is "on shore".

The built index is cached as an ``.npz`` file in a directory the caller passes, named by a
hash of the input files' bytes and the build parameters, so a changed file is rebuilt.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import orjson
from numpy.typing import NDArray
from scipy.spatial import cKDTree

from accord.core.errors import ConfigurationError, InvalidInput
from accord.desks.maritime.sphere import (
    EARTH_RADIUS_KM,
    KM_PER_NM,
    FloatArray,
    chord_to_km,
    coordinates,
    km_to_chord,
    locality_order,
    unit_vectors,
    valid_positions,
)

SPACING_KM = 1.0  # densification bound of the fine vertex set
COARSE_SPACING_KM = 10.0  # spacing of the far-field vertex set
EXACT_WITHIN_KM = 200.0  # the fine set answers within this distance of the coastline
LAND_MARGIN_KM = 10.0  # inland beyond this distance from the coastline counts as distance 0
LAND_GRID_DEG = 0.05  # cell size of the rasterised land mask

_CACHE_FORMAT = 1  # bump when the cached arrays change meaning
_QUERY_CHUNK = 2_000_000  # positions per tree query, to bound the memory of one call


@dataclass(frozen=True)
class ShoreIndex:
    """The coastline as a searchable index; build it with :func:`load_shore_index`."""

    fine: Any  # cKDTree over the fine vertices (scipy has no type stubs)
    coarse: Any  # cKDTree over the coarse vertices
    land: LandMask | None
    vertex_count: int

    def distance_km(self, lat: Any, lon: Any) -> FloatArray:
        """Distance from shore in km of each position (degrees); NaN where it is invalid.

        ``lat`` and ``lon`` are equal-length numpy arrays, pyarrow arrays, polars Series or
        sequences; a null, NaN, |lat| > 90 or |lon| > 180 gives NaN. See the module
        docstring for the accuracy.
        """
        lat_deg, lon_deg = coordinates(lat, lon)
        out = np.full(lat_deg.shape, np.nan)
        valid = np.flatnonzero(valid_positions(lat_deg, lon_deg))
        for start in range(0, valid.size, _QUERY_CHUNK):
            rows = valid[start : start + _QUERY_CHUNK]
            out[rows] = self._distance_km(lat_deg[rows], lon_deg[rows])
        return out

    def distance_nm(self, lat: Any, lon: Any) -> FloatArray:
        """Distance from shore in nautical miles; as :meth:`distance_km`."""
        return self.distance_km(lat, lon) / KM_PER_NM

    def on_land(self, lat: Any, lon: Any) -> NDArray[np.bool_]:
        """Whether each position lies in the land mask (all False without one)."""
        lat_deg, lon_deg = coordinates(lat, lon)
        if self.land is None:
            return np.zeros(lat_deg.shape, dtype=np.bool_)
        valid = valid_positions(lat_deg, lon_deg)
        return valid & self.land.contains(
            np.where(valid, lat_deg, 0.0), np.where(valid, lon_deg, 0.0)
        )

    def _distance_km(self, lat_deg: FloatArray, lon_deg: FloatArray) -> FloatArray:
        order = locality_order(lat_deg, lon_deg)
        points = unit_vectors(lat_deg[order], lon_deg[order])
        chord, _ = self.fine.query(
            points, distance_upper_bound=km_to_chord(EXACT_WITHIN_KM), workers=-1
        )
        far = ~np.isfinite(chord)
        if far.any():
            chord[far], _ = self.coarse.query(points[far], workers=-1)
        km: FloatArray = np.empty(len(order))
        km[order] = chord_to_km(chord)
        if self.land is not None:
            inland = (km > LAND_MARGIN_KM) & self.land.contains(lat_deg, lon_deg)
            km[inland] = 0.0
        return km


@dataclass(frozen=True)
class LandMask:
    """Land polygons rasterised on a regular lon/lat grid, one bit a cell (1 = land)."""

    bits: NDArray[np.uint8]  # np.packbits of a (rows, cols) boolean grid, along the columns
    cell_deg: float

    def contains(self, lat_deg: FloatArray, lon_deg: FloatArray) -> NDArray[np.bool_]:
        """Whether the cell of each (valid) position is land."""
        rows = self.bits.shape[0]
        cols = round(360.0 / self.cell_deg)
        row = np.clip(((lat_deg + 90.0) / self.cell_deg).astype(np.int64), 0, rows - 1)
        col = np.clip(((lon_deg + 180.0) / self.cell_deg).astype(np.int64), 0, cols - 1)
        byte = self.bits[row, col >> 3]
        bit: NDArray[np.bool_] = ((byte >> (7 - (col & 7)).astype(np.uint8)) & 1).astype(bool)
        return bit


def load_shore_index(
    cache_dir: Path, *, coastline_path: Path, land_path: Path | None = None
) -> ShoreIndex:
    """The shore index of a coastline GeoJSON (optionally gzipped), built once and cached.

    ``land_path`` (land polygons, GeoJSON) enables the inland test. The cache file goes in
    ``cache_dir`` (created if missing); building takes a few seconds, loading well under one.
    Raises ConfigurationError if a file is missing, InvalidInput if one is malformed.
    """
    sources = [coastline_path] + ([land_path] if land_path is not None else [])
    key = _cache_key(sources)
    cache_file = Path(cache_dir) / f"shore-{key}.npz"
    if not cache_file.exists():
        fine, coarse = _coastline_vertices(coastline_path)
        # float32 keeps a unit vector to 6e-8, 0.4 m on the Earth: ample, and half the size.
        arrays: dict[str, NDArray[Any]] = {
            "fine": fine.astype(np.float32),
            "coarse": coarse.astype(np.float32),
        }
        if land_path is not None:
            arrays["land"] = _rasterised_land(land_path, LAND_GRID_DEG)
        _write_atomically(cache_file, arrays)
    with np.load(cache_file) as cached:
        fine32, coarse32 = cached["fine"], cached["coarse"]
        land = LandMask(cached["land"], LAND_GRID_DEG) if "land" in cached else None
    return ShoreIndex(
        fine=_tree(fine32),
        coarse=_tree(coarse32),
        land=land,
        vertex_count=len(fine32),
    )


def _tree(points: NDArray[np.float32]) -> Any:
    # Leaves of 32 answered about 20 % faster than scipy's default 16 on this data.
    return cKDTree(points.astype(np.float64), leafsize=32)


# ---------------------------------------------------------------------------------------
# Building


def _cache_key(sources: list[Path]) -> str:
    digest = hashlib.sha256(
        f"{_CACHE_FORMAT}:{SPACING_KM}:{COARSE_SPACING_KM}:{LAND_GRID_DEG}".encode()
    )
    for path in sources:
        digest.update(_read_bytes(path))
    return digest.hexdigest()[:16]


def _read_bytes(path: Path) -> bytes:
    try:
        return Path(path).read_bytes()
    except FileNotFoundError as exc:
        raise ConfigurationError(f"{path}: data file not found") from exc


def _geojson_features(path: Path) -> list[dict[str, Any]]:
    raw = _read_bytes(path)
    try:
        if raw[:2] == b"\x1f\x8b":
            raw = gzip.decompress(raw)
        document = orjson.loads(raw)
    except (OSError, EOFError, orjson.JSONDecodeError) as exc:
        raise InvalidInput(f"{path}: not GeoJSON: {exc}") from exc
    features = document.get("features") if isinstance(document, dict) else None
    if not isinstance(features, list):
        raise InvalidInput(f"{path}: field 'features': missing; expected a FeatureCollection")
    return features


def _lines(path: Path, kinds: tuple[str, ...]) -> list[FloatArray]:
    """Every line (LineString, or polygon ring) of the features as an (n, 2) lon/lat array."""
    lines: list[FloatArray] = []
    for number, feature in enumerate(_geojson_features(path)):
        geometry = feature.get("geometry") or {}
        kind, coords = geometry.get("type"), geometry.get("coordinates")
        if kind not in kinds or not isinstance(coords, list):
            raise InvalidInput(
                f"{path}: feature {number}: field 'geometry': expected one of {kinds}, got {kind!r}"
            )
        parts = {"LineString": [coords], "MultiLineString": coords, "Polygon": coords}.get(
            kind, [ring for polygon in coords for ring in polygon]
        )
        for part in parts:
            lines.append(_checked_line(path, number, part))
    return lines


def _checked_line(path: Path, number: int, part: Any) -> FloatArray:
    try:
        line = np.asarray(part, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InvalidInput(f"{path}: feature {number}: field 'coordinates': {exc}") from exc
    if line.ndim != 2 or line.shape[1] < 2 or len(line) < 2:
        raise InvalidInput(
            f"{path}: feature {number}: field 'coordinates': expected a list of at least "
            f"two [lon, lat] points"
        )
    line = line[:, :2]
    if not valid_positions(line[:, 1], line[:, 0]).all():
        raise InvalidInput(
            f"{path}: feature {number}: field 'coordinates': a point is outside "
            f"lon -180..180, lat -90..90"
        )
    return line


def _coastline_vertices(path: Path) -> tuple[FloatArray, FloatArray]:
    """The fine vertex set (spacing <= SPACING_KM) and its coarse subset, as unit vectors."""
    lines = _lines(path, ("LineString", "MultiLineString"))
    if not lines:
        raise InvalidInput(f"{path}: field 'features': no coastline lines")
    fine, line_of = _densify([unit_vectors(ln[:, 1], ln[:, 0]) for ln in lines], SPACING_KM)
    return fine, fine[_coarse_subset(fine, line_of)]


def _densify(lines: list[FloatArray], spacing_km: float) -> tuple[FloatArray, NDArray[np.int64]]:
    """Cut each line's segments into equal pieces of at most spacing_km (chord).

    Returns the points, line by line in order, and the line number of each point.
    """
    starts = np.concatenate([line[:-1] for line in lines])
    ends = np.concatenate([line[1:] for line in lines])
    segment_line = np.repeat(np.arange(len(lines)), [len(line) - 1 for line in lines])
    length_km = np.linalg.norm(ends - starts, axis=1) * EARTH_RADIUS_KM
    pieces = np.maximum(1, np.ceil(length_km / spacing_km)).astype(np.int64)
    segment = np.repeat(np.arange(len(starts)), pieces)
    step = np.arange(pieces.sum()) - np.repeat(np.cumsum(pieces) - pieces, pieces)
    t = (step / pieces[segment])[:, None]
    # Interpolating the chord and normalising puts the points on the great circle between
    # the vertices, whatever side of the antimeridian they are on.
    points = starts[segment] * (1.0 - t) + ends[segment] * t
    points /= np.linalg.norm(points, axis=1)[:, None]
    last = np.stack([line[-1] for line in lines])
    # Each line's own last vertex goes after its segments' points.
    order = np.argsort(
        np.concatenate([segment_line[segment], np.arange(len(lines))]), kind="stable"
    )
    all_points = np.concatenate([points, last])[order]
    all_lines = np.concatenate([segment_line[segment], np.arange(len(lines))])[order]
    return all_points, all_lines


def _coarse_subset(points: FloatArray, line_of: NDArray[np.int64]) -> NDArray[np.bool_]:
    """About one vertex per COARSE_SPACING_KM along each line, and every line's ends.

    Kept vertices are at most COARSE_SPACING_KM + SPACING_KM apart along a line, so any
    point of the line is within half that (5.5 km) of one.
    """
    step_km = np.linalg.norm(np.diff(points, axis=0), axis=1) * EARTH_RADIUS_KM
    new_line = np.concatenate([[True], line_of[1:] != line_of[:-1]])
    step_km = np.concatenate([[0.0], np.where(new_line[1:], 0.0, step_km)])
    along_km = np.cumsum(step_km)
    along_km -= np.maximum.accumulate(np.where(new_line, along_km, 0.0))
    bucket = np.floor(along_km / COARSE_SPACING_KM).astype(np.int64)
    line_end = np.concatenate([new_line[1:], [True]])
    keep: NDArray[np.bool_] = new_line | line_end
    keep[1:] |= bucket[1:] != bucket[:-1]
    return keep


def _rasterised_land(path: Path, cell_deg: float) -> NDArray[np.uint8]:
    """Even-odd scanline fill of every polygon ring at once; packed bits (rows, cols / 8)."""
    rings = _lines(path, ("Polygon", "MultiPolygon"))
    rows, cols = round(180.0 / cell_deg), round(360.0 / cell_deg)
    x0 = np.concatenate([ring[:-1, 0] for ring in rings])
    y0 = np.concatenate([ring[:-1, 1] for ring in rings])
    x1 = np.concatenate([ring[1:, 0] for ring in rings])
    y1 = np.concatenate([ring[1:, 1] for ring in rings])
    # Row r's centre line is at lat -90 + (r + 0.5) * cell; an edge crosses the centre lines
    # in [min(y), max(y)) (half-open, so a vertex shared by two edges is counted once).
    low, high = np.minimum(y0, y1), np.maximum(y0, y1)
    first = np.ceil((low + 90.0) / cell_deg - 0.5).astype(np.int64)
    stop = np.ceil((high + 90.0) / cell_deg - 0.5).astype(np.int64)
    count = np.maximum(stop - first, 0)
    edge = np.repeat(np.arange(len(x0)), count)
    row = (
        np.repeat(first, count)
        + np.arange(count.sum())
        - np.repeat(np.cumsum(count) - count, count)
    )
    y = -90.0 + (row + 0.5) * cell_deg
    x = x0[edge] + (y - y0[edge]) * (x1[edge] - x0[edge]) / (y1[edge] - y0[edge])
    # Each crossing flips inside/outside for every cell whose centre lies east of it.
    col = np.clip(np.ceil((x + 180.0) / cell_deg - 0.5).astype(np.int64), 0, cols)
    flips = np.zeros((rows, cols + 1), dtype=np.uint8)
    np.bitwise_xor.at(flips, (row, col), np.uint8(1))
    inside = np.bitwise_xor.accumulate(flips, axis=1)[:, :cols].astype(np.bool_)
    return np.packbits(inside, axis=1)


def _write_atomically(target: Path, arrays: dict[str, NDArray[Any]]) -> None:
    """Write the .npz beside its final name, then rename: readers never see half a file."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, suffix=".npz.tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            np.savez(stream, allow_pickle=False, **arrays)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
