"""Positions on the unit sphere: arrays of them checked, ordered and turned into 3-D unit
vectors, and chords turned into great-circle distances. Working in 3-D makes the
antimeridian and the poles ordinary places (the shore and port indexes build on it)."""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl
import pyarrow as pa
from numpy.typing import NDArray

from accord.core.errors import InvalidInput

EARTH_RADIUS_KM = 6371.0088  # IUGG mean radius R1 = (2a + b) / 3 of GRS 80 (Moritz, 2000)
KM_PER_NM = 1.852  # the international nautical mile, 1852 m exactly

FloatArray = NDArray[np.float64]


def coordinates(lat: Any, lon: Any) -> tuple[FloatArray, FloatArray]:
    """Latitudes and longitudes as float64 arrays (nulls as NaN), checked to be equal-length."""
    lat_deg, lon_deg = _float_column(lat, "lat"), _float_column(lon, "lon")
    if lat_deg.shape != lon_deg.shape:
        raise InvalidInput(f"positions: lat has {lat_deg.size} values but lon has {lon_deg.size}")
    return lat_deg, lon_deg


def valid_positions(lat_deg: FloatArray, lon_deg: FloatArray) -> NDArray[np.bool_]:
    """Finite positions with |lat| <= 90 and |lon| <= 180."""
    with np.errstate(invalid="ignore"):
        return (np.abs(lat_deg) <= 90.0) & (np.abs(lon_deg) <= 180.0)


def locality_order(lat_deg: FloatArray, lon_deg: FloatArray) -> NDArray[np.intp]:
    """An order that puts nearby positions together (by half-degree cell).

    Tree queries in this order run two to three times faster than in random order, the
    tree's nodes staying in cache from one query to the next (measured on this data).
    """
    cell = np.floor((lat_deg + 90.0) * 2.0) * 1000.0 + np.floor((lon_deg + 180.0) * 2.0)
    return np.argsort(cell, kind="stable")


def unit_vectors(lat_deg: FloatArray, lon_deg: FloatArray) -> FloatArray:
    """Earth-centred unit vectors (n, 3) of positions in degrees."""
    lat, lon = np.radians(lat_deg), np.radians(lon_deg)
    cos_lat = np.cos(lat)
    return np.column_stack((cos_lat * np.cos(lon), cos_lat * np.sin(lon), np.sin(lat)))


def chord_to_km(chord: FloatArray) -> FloatArray:
    """Great-circle distance in km of a chord of the unit sphere."""
    return 2.0 * EARTH_RADIUS_KM * np.arcsin(np.minimum(chord, 2.0) / 2.0)


def km_to_chord(km: float) -> float:
    """The unit-sphere chord of a great-circle distance in km."""
    return float(2.0 * np.sin(km / (2.0 * EARTH_RADIUS_KM)))


def _float_column(values: Any, name: str) -> FloatArray:
    # Arrow and polars nulls become NaN, which the callers treat as an invalid position.
    if isinstance(values, pa.Array | pa.ChunkedArray):
        values = values.to_numpy(zero_copy_only=False)
    elif isinstance(values, pl.Series):
        values = values.to_numpy()
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InvalidInput(f"positions: {name} is not numeric: {exc}") from exc
    return array.reshape(-1)
