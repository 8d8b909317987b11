"""Synthetic voyages for the scenario generator (``scenario``): legs of constant course and
speed on either side of a pivot point, the positions they pass at any times, where to put
them at sea, and the background traffic of vessels steaming through real shipping areas.

Everything is numpy over whole arrays: a voyage's reports, or every background vessel's,
are computed at once on the sphere (great-circle destination from a leg's anchor point).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from accord.core.errors import InvalidInput
from accord.desks.maritime.reference import Reference
from accord.desks.maritime.sphere import EARTH_RADIUS_KM, KM_PER_NM, FloatArray

NM_PER_RADIAN = EARTH_RADIUS_KM / KM_PER_NM
CHECK_SPACING_NM = 5.0  # a path is checked at sea at most this far apart
SEA_MARGIN_NM = 2.5  # ... and each check point at least this far from the coastline
# Busy seas and ocean lanes (west, south, east, north); east < west crosses the antimeridian.
SHIPPING_AREAS = (
    (-4.0, 51.0, 9.0, 60.0),  # North Sea
    (-10.0, 47.0, 2.0, 51.5),  # English Channel and Celtic Sea
    (-12.0, 36.0, -1.0, 47.0),  # Bay of Biscay, off Iberia
    (-5.0, 35.0, 16.0, 44.0),  # western Mediterranean
    (16.0, 31.0, 36.0, 38.0),  # eastern Mediterranean
    (32.0, 12.0, 44.0, 28.0),  # Red Sea
    (44.0, 5.0, 75.0, 25.0),  # Gulf of Aden, Arabian Sea
    (48.0, 24.0, 57.0, 30.0),  # Persian Gulf
    (78.0, 5.0, 95.0, 22.0),  # Bay of Bengal
    (95.0, 0.0, 105.0, 8.0),  # Strait of Malacca
    (105.0, 3.0, 121.0, 23.0),  # South China Sea
    (119.0, 24.0, 130.0, 40.0),  # East China Sea, Yellow Sea
    (128.0, 34.0, 141.0, 45.0),  # Sea of Japan
    (130.0, 28.0, 150.0, 40.0),  # off Japan's Pacific coast
    (170.0, 35.0, -170.0, 50.0),  # North Pacific, across the antimeridian
    (-150.0, 30.0, -120.0, 48.0),  # eastern North Pacific
    (-81.0, 25.0, -65.0, 42.0),  # US East Coast
    (-97.0, 19.0, -81.0, 30.0),  # Gulf of Mexico
    (-85.0, 10.0, -60.0, 20.0),  # Caribbean
    (-60.0, 38.0, -12.0, 50.0),  # North Atlantic lane
    (-50.0, -35.0, -30.0, -5.0),  # off Brazil
    (10.0, -40.0, 40.0, -25.0),  # Cape of Good Hope
    (150.0, -40.0, 160.0, -20.0),  # Tasman Sea, off eastern Australia
    (28.0, 41.0, 41.0, 46.5),  # Black Sea
    (10.0, 54.0, 30.0, 65.0),  # Baltic
)

IntArray = NDArray[np.int64]


@dataclass(frozen=True)
class Leg:
    """A stretch of constant course and speed: course is the voyage's course turned by
    ``turn_deg``; reports every ``interval_s`` (none if ``silent``, the vessel keeps going)."""

    hours: float
    speed_kn: float
    turn_deg: float = 0.0
    interval_s: float = 10.0
    silent: bool = False
    nav_status: int = 0  # ITU-R M.1371: 0 under way, 1 at anchor, 5 moored


@dataclass(frozen=True)
class Voyage:
    """Legs sailed before reaching the pivot point (oldest first) and after leaving it."""

    before: tuple[Leg, ...] = ()
    after: tuple[Leg, ...] = ()

    @property
    def legs(self) -> tuple[Leg, ...]:
        """Every leg, oldest first."""
        return self.before + self.after

    @property
    def bounds_h(self) -> FloatArray:
        """Leg boundaries in hours from the pivot time (the first is negative)."""
        hours = np.array([leg.hours for leg in self.legs], dtype=np.float64)
        bounds: FloatArray = np.concatenate([[0.0], np.cumsum(hours)])
        return bounds - float(hours[: len(self.before)].sum())


@dataclass
class Reports:
    """Position reports as columns; ``t_s`` is seconds from the scenario's start."""

    mmsi: IntArray = field(default_factory=lambda: np.empty(0, np.int64))
    t_s: FloatArray = field(default_factory=lambda: np.empty(0))
    lat: FloatArray = field(default_factory=lambda: np.empty(0))
    lon: FloatArray = field(default_factory=lambda: np.empty(0))
    sog_kn: FloatArray = field(default_factory=lambda: np.empty(0))
    cog_deg: FloatArray = field(default_factory=lambda: np.empty(0))
    nav_status: IntArray = field(default_factory=lambda: np.empty(0, np.int64))
    msg_type: IntArray = field(default_factory=lambda: np.empty(0, np.int64))

    @staticmethod
    def concat(parts: list[Reports]) -> Reports:
        """All the parts' reports, in order."""
        names = Reports.__dataclass_fields__
        return Reports(**{n: np.concatenate([getattr(p, n) for p in parts]) for n in names})


def destination(
    lat_deg: FloatArray, lon_deg: FloatArray, bearing_deg: FloatArray, distance_nm: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Where a great circle leaving (lat, lon) on `bearing_deg` is after `distance_nm`
    (arrays broadcast); longitudes wrapped to -180..180."""
    lat1, lon1 = np.radians(lat_deg), np.radians(lon_deg)
    bearing, angle = np.radians(bearing_deg), np.asarray(distance_nm) / NM_PER_RADIAN
    sin_lat2 = np.sin(lat1) * np.cos(angle) + np.cos(lat1) * np.sin(angle) * np.cos(bearing)
    lat2 = np.arcsin(np.clip(sin_lat2, -1.0, 1.0))
    lon2 = lon1 + np.arctan2(
        np.sin(bearing) * np.sin(angle) * np.cos(lat1), np.cos(angle) - np.sin(lat1) * sin_lat2
    )
    lon2_deg: FloatArray = (np.degrees(lon2) + 540.0) % 360.0 - 180.0
    return np.degrees(lat2), lon2_deg


def positions(
    voyage: Voyage, lat: FloatArray, lon: FloatArray, course: FloatArray, tau_h: FloatArray
) -> tuple[FloatArray, FloatArray, IntArray]:
    """Positions (K, C) of K placements (pivot lat, lon and course, shape (K,)) of a voyage
    at C times in hours from the pivot time, and the leg of each time."""
    legs, bounds, first_after = voyage.legs, voyage.bounds_h, len(voyage.before)
    anchors: dict[int, tuple[FloatArray, FloatArray]] = {}
    point = (lat, lon)
    for i in range(first_after, len(legs)):  # after: anchored at their start
        anchors[i] = point
        leg = legs[i]
        point = destination(
            *point, course + leg.turn_deg, np.full_like(lat, leg.speed_kn * leg.hours)
        )
    point = (lat, lon)
    for i in range(first_after - 1, -1, -1):  # before: anchored at their end
        anchors[i] = point
        leg = legs[i]
        back = course + legs[i].turn_deg + 180.0
        point = destination(*point, back, np.full_like(lat, leg.speed_kn * leg.hours))
    leg_of = np.clip(np.searchsorted(bounds, tau_h, side="right") - 1, 0, len(legs) - 1)
    out_lat = np.empty((len(lat), len(tau_h)))
    out_lon = np.empty_like(out_lat)
    for i, leg in enumerate(legs):
        cols = np.flatnonzero(leg_of == i)
        if cols.size == 0:
            continue
        anchor_h = bounds[i] if i >= first_after else bounds[i + 1]
        turn = leg.turn_deg + (0.0 if i >= first_after else 180.0)
        a_lat, a_lon = anchors[i]
        out_lat[:, cols], out_lon[:, cols] = destination(
            a_lat[:, None],
            a_lon[:, None],
            (course + turn)[:, None],
            (leg.speed_kn * np.abs(tau_h[cols] - anchor_h))[None, :],
        )
    return out_lat, out_lon, leg_of


def report_times_h(voyage: Voyage, rng: np.random.Generator) -> tuple[FloatArray, IntArray]:
    """When the voyage reports (hours from the pivot, increasing) and on which leg: every
    ``interval_s`` of each reporting leg, each report up to 40 % of an interval late."""
    bounds, times, legs_of = voyage.bounds_h, [], []
    for i, leg in enumerate(voyage.legs):
        if leg.silent:
            continue
        count = max(int(leg.hours * 3600 // leg.interval_s), 1)
        late = rng.uniform(0.0, 0.4, count)
        times.append(bounds[i] + (np.arange(count) + late) * leg.interval_s / 3600)
        legs_of.append(np.full(count, i))
    return np.concatenate(times), np.concatenate(legs_of).astype(np.int64)


def checkpoints_h(voyage: Voyage) -> FloatArray:
    """Times (hours from the pivot) at most CHECK_SPACING_NM of sailing apart on every
    reporting leg, ends included: where a path is checked to be at sea."""
    bounds, times = voyage.bounds_h, []
    for i, leg in enumerate(voyage.legs):
        if not leg.silent:
            steps = max(int(np.ceil(leg.speed_kn * leg.hours / CHECK_SPACING_NM)), 1)
            times.append(np.linspace(bounds[i], bounds[i + 1], steps + 1))
    return np.concatenate(times)


def at_sea(reference: Reference, lat: FloatArray, lon: FloatArray) -> NDArray[np.bool_]:
    """Whether each position is SEA_MARGIN_NM or more from the coastline and not on land."""
    flat_lat, flat_lon = lat.ravel(), lon.ravel()
    shore = reference.shore.distance_nm(flat_lat, flat_lon)
    sea = (shore >= SEA_MARGIN_NM) & ~reference.shore.on_land(flat_lat, flat_lon)
    return sea.reshape(lat.shape)


def shipping_points(
    rng: np.random.Generator,
    count: int,
    areas: tuple[tuple[float, float, float, float], ...] = SHIPPING_AREAS,
) -> tuple[FloatArray, FloatArray]:
    """Points drawn uniformly (by area) from boxes (west, south, east, north); may be on
    land."""
    boxes = np.array(areas)
    west, south, east, north = boxes.T
    width = (east - west) % 360.0
    area = width * (np.sin(np.radians(north)) - np.sin(np.radians(south)))
    box = rng.choice(len(boxes), size=count, p=area / area.sum())
    sin_lat = rng.uniform(np.sin(np.radians(south[box])), np.sin(np.radians(north[box])))
    lon = (west[box] + rng.uniform(0.0, 1.0, count) * width[box] + 180.0) % 360.0 - 180.0
    return np.degrees(np.arcsin(sin_lat)), lon


def background(
    rng: np.random.Generator,
    reference: Reference,
    mmsi: IntArray,
    hours: float,
    interval_s: tuple[float, float],
) -> Reports:
    """Vessels steaming straight at 8-22 kn for the whole scenario through the shipping
    areas, kept at sea; each reports at its own interval (log-uniform in `interval_s`, the
    class A rates of 2-10 s thinned by reception, class B's 30 s, satellite minutes)."""
    count = len(mmsi)
    lat, lon, course, speed = (np.empty(0) for _ in range(4))
    grid_h = np.linspace(0.0, hours, int(np.ceil(22.0 * hours / CHECK_SPACING_NM)) + 1)
    while len(lat) < count:  # rejection sampling, a few thousand candidates at a time
        tries = max(2 * (count - len(lat)), 256)
        c_lat, c_lon = shipping_points(rng, tries)
        c_course, c_speed = rng.uniform(0.0, 360.0, tries), rng.uniform(8.0, 22.0, tries)
        p_lat, p_lon = destination(
            c_lat[:, None], c_lon[:, None], c_course[:, None], c_speed[:, None] * grid_h[None, :]
        )
        ok = at_sea(reference, p_lat, p_lon).all(axis=1)
        lat, lon = np.concatenate([lat, c_lat[ok]]), np.concatenate([lon, c_lon[ok]])
        course, speed = np.concatenate([course, c_course[ok]]), np.concatenate([speed, c_speed[ok]])
    lat, lon, course, speed = lat[:count], lon[:count], course[:count], speed[:count]
    low, high = np.log(interval_s[0]), np.log(interval_s[1])
    every_s = np.exp(rng.uniform(low, high, count))
    per_vessel = (hours * 3600 // every_s).astype(np.int64)
    vessel = np.repeat(np.arange(count), per_vessel)
    step = np.arange(len(vessel)) - np.repeat(np.cumsum(per_vessel) - per_vessel, per_vessel)
    t_s = (step + rng.uniform(0.0, 0.4, len(vessel))) * every_s[vessel]
    r_lat, r_lon = destination(lat[vessel], lon[vessel], course[vessel], speed[vessel] * t_s / 3600)
    return Reports(
        mmsi=mmsi[vessel],
        t_s=t_s,
        lat=r_lat,
        lon=r_lon,
        sog_kn=speed[vessel] + rng.normal(0.0, 0.1, len(vessel)),
        cog_deg=course[vessel],  # the initial course: a great circle turns a little
        nav_status=np.zeros(len(vessel), np.int64),
        msg_type=np.where(every_s[vessel] >= 30.0, 18, 1).astype(np.int64),
    )


@dataclass(frozen=True)
class Placement:
    """Where a voyage's pivot is and the course it is built on."""

    lat: float
    lon: float
    course: float


@dataclass(frozen=True)
class Companion:
    """A second voyage placed with the first: its pivot `offset_m` from the first's, on the
    bearing `bearing_deg` relative to the course (e.g. abeam at 90)."""

    voyage: Voyage
    offset_m: float = 0.0
    bearing_deg: float = 90.0


def companion_pivot(place: Placement, companion: Companion) -> Placement:
    """The pivot of a companion voyage."""
    lat, lon = destination(
        np.array(place.lat),
        np.array(place.lon),
        np.array(place.course + companion.bearing_deg),
        np.array(companion.offset_m / 1852.0),
    )
    return Placement(float(lat), float(lon), place.course)


class Sites:
    """The places already given to voyages, so that no two scripted events meet by chance."""

    def __init__(self, reference: Reference, rng: np.random.Generator, apart_km: float = 50.0):
        self.reference, self.rng, self.apart_km = reference, rng, apart_km
        self._lat: list[float] = []
        self._lon: list[float] = []

    def free(self, lat: FloatArray, lon: FloatArray) -> NDArray[np.bool_]:
        """Whether each point is `apart_km` from every site taken."""
        if not self._lat:
            return np.ones(lat.shape, dtype=np.bool_)
        d_lat = np.radians(lat[:, None] - np.array(self._lat)[None, :])
        d_lon = np.radians(lon[:, None] - np.array(self._lon)[None, :])
        mid = np.cos(np.radians(lat))[:, None]
        d_lon = (d_lon + np.pi) % (2 * np.pi) - np.pi
        km = np.hypot(d_lat, d_lon * mid) * EARTH_RADIUS_KM  # equirectangular, ample here
        free: NDArray[np.bool_] = (km >= self.apart_km).all(axis=1)
        return free

    def take(self, lat: float, lon: float) -> None:
        """Mark a site as used."""
        self._lat.append(lat)
        self._lon.append(lon)

    def at_sea(
        self,
        voyages: tuple[Companion, ...],
        shore_nm: tuple[float, float],
        port_km: float = 25.0,
        *,
        areas: tuple[tuple[float, float, float, float], ...] = SHIPPING_AREAS,
        course_deg: float | None = None,
        batch: int = 64,
    ) -> Placement:
        """A pivot in `areas` (by default the shipping areas) `shore_nm` (min, max) from
        shore, `port_km` from any port or anchorage, on `course_deg` (random if None), whose
        voyages' reporting legs all stay at sea."""
        for _ in range(200):
            lat, lon = shipping_points(self.rng, batch, areas)
            course = self.rng.uniform(0.0, 360.0, batch)
            if course_deg is not None:
                course[:] = course_deg
            shore = self.reference.shore.distance_nm(lat, lon)
            ok = (shore >= shore_nm[0]) & (shore <= shore_nm[1]) & self.free(lat, lon)
            ok &= ~self.reference.shore.on_land(lat, lon)
            ok &= ~np.isfinite(self.reference.ports.nearest(lat, lon, max_km=port_km).distance_km)
            for companion in voyages:
                keep = np.flatnonzero(ok)
                places = [Placement(lat[i], lon[i], course[i]) for i in keep]
                pivots = [companion_pivot(place, companion) for place in places]
                p_lat, p_lon = (np.array([getattr(p, k) for p in pivots]) for k in ("lat", "lon"))
                times = checkpoints_h(companion.voyage)
                c_lat, c_lon, _ = positions(companion.voyage, p_lat, p_lon, course[keep], times)
                ok[keep] = at_sea(self.reference, c_lat, c_lon).all(axis=1)
            if ok.any():
                i = int(np.flatnonzero(ok)[0])
                self.take(lat[i], lon[i])
                return Placement(float(lat[i]), float(lon[i]), float(course[i]))
        raise InvalidInput(f"scenario: found no place at sea {shore_nm} nm from shore")

    def in_port(
        self, kind: str, shore_max_nm: float, along_nm: tuple[float, ...]
    ) -> tuple[Placement, int]:
        """A port or anchorage (its row of the port table) of `kind` within `shore_max_nm`
        of the coastline, and a course on which most of the points `along_nm` ahead of it
        (negative: astern) are at sea: the way in from the sea."""
        table = self.reference.ports.table
        rows = np.flatnonzero(np.asarray(table["kind"].to_pylist()) == kind)
        all_lat, all_lon = table["lat"].to_numpy(), table["lon"].to_numpy()
        courses = np.arange(0.0, 360.0, 15.0)
        along = np.array(along_nm)
        for _ in range(400):
            row = int(self.rng.choice(rows))
            lat, lon = all_lat[row : row + 1], all_lon[row : row + 1]
            if not self.free(lat, lon)[0]:
                continue
            if not self.reference.shore.distance_nm(lat, lon)[0] <= shore_max_nm:
                continue
            c_lat, c_lon = destination(
                lat[0], lon[0], courses[:, None] + np.where(along < 0, 180.0, 0.0), np.abs(along)
            )
            sea = at_sea(self.reference, c_lat, c_lon).mean(axis=1)
            best = int(np.argmax(sea))
            if sea[best] >= 0.6:
                self.take(float(lat[0]), float(lon[0]))
                return Placement(float(lat[0]), float(lon[0]), float(courses[best])), row
        raise InvalidInput(f"scenario: found no {kind} with a way in from the sea")
