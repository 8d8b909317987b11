"""The scripted vessels of a scenario (``scenario.generate``): events of every type the
detectors look for, labelled, and hard negatives that look like them but break a rule.
Every scripted event sits at its own site, 50 km or more from any other."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from accord.desks.maritime.reference import Reference
from accord.desks.maritime.sphere import FloatArray
from accord.desks.maritime.voyages import (
    Companion,
    Leg,
    Placement,
    Reports,
    Sites,
    Voyage,
    companion_pivot,
    destination,
    positions,
    report_times_h,
)

Row = dict[str, Any]  # a label, a hard negative or a detected event, as a dict
STOPPED = 180.0  # s: class A at anchor or moored reports every 3 minutes (ITU-R M.1371)


class Script:
    """Scripted vessels under construction: their reports, labels and negatives."""

    def __init__(self, rng: np.random.Generator, reference: Reference, hours: float, sites: Sites):
        self.rng, self.reference, self.hours, self.sites = rng, reference, hours, sites
        self.reports: list[Reports] = []
        self.labels: list[Row] = []
        self.negatives: list[Row] = []
        self.mmsi_used: set[int] = set()

    def new_mmsi(self, count: int) -> np.ndarray:
        """Fresh ship-station MMSIs (MID 201-775, ITU-R M.585), none given out before."""
        out: list[int] = []
        while len(out) < count:
            for mmsi in self.rng.integers(201_000_000, 776_000_000, count - len(out)).tolist():
                if mmsi not in self.mmsi_used:
                    self.mmsi_used.add(mmsi)
                    out.append(mmsi)
        return np.array(out, dtype=np.int64)

    def sail(
        self,
        mmsi: int,
        voyage: Voyage,
        place: Placement,
        pivot_h: float,
        *,
        msg_type: int = 1,
        times_h: FloatArray | None = None,
    ) -> tuple[Reports, np.ndarray]:
        """Emit a voyage's reports within the scenario (at its legs' intervals, or at
        `times_h` from the pivot) and answer them with the leg of each."""
        tau_h = report_times_h(voyage, self.rng)[0] if times_h is None else times_h
        tau_h = tau_h[(pivot_h + tau_h >= 0) & (pivot_h + tau_h < self.hours)]
        one = np.array([place.lat]), np.array([place.lon]), np.array([place.course])
        lat, lon, leg_of = positions(voyage, *one, tau_h)
        legs = voyage.legs
        speed = np.array([leg.speed_kn for leg in legs])[leg_of]
        moving_sog = speed + self.rng.normal(0.0, 0.1, len(speed))
        stopped_sog = self.rng.choice([0.0, 0.1], len(speed))
        noise_deg = self.rng.normal(0.0, 3.0 / 111_000, (2, len(speed)))  # GPS, about 3 m
        reports = Reports(
            mmsi=np.full(len(speed), mmsi, dtype=np.int64),
            t_s=(pivot_h + tau_h) * 3600,
            lat=lat[0] + noise_deg[0],
            lon=lon[0] + noise_deg[1],
            sog_kn=np.where(speed > 0, np.abs(moving_sog), stopped_sog),
            cog_deg=(place.course + np.array([leg.turn_deg for leg in legs])[leg_of]) % 360,
            nav_status=np.array([leg.nav_status for leg in legs], dtype=np.int64)[leg_of],
            msg_type=np.full(len(speed), msg_type, dtype=np.int64),
        )
        self.reports.append(reports)
        return reports, leg_of

    def note(
        self,
        rows: list[Row],
        kind: str,
        variant: str,
        mmsi: list[int],
        t_s: tuple[float, float],
        where: tuple[float, float],
    ) -> None:
        """Add a label or a negative (times in seconds from the start)."""
        rows.append(
            {
                "type": kind,
                "variant": variant,
                "mmsi": sorted(mmsi),
                "start_s": t_s[0],
                "end_s": t_s[1],
                "lat": where[0],
                "lon": where[1],
            }
        )

    def uniform(self, low: float, high: float) -> float:
        """One draw."""
        return float(self.rng.uniform(low, high))


def _gap(s: Script) -> None:
    _dark(s, (12.5, 16.0), (65.0, 1e9), "at sea", labelled=True)


def _short_gap(s: Script) -> None:
    _dark(s, (10.0, 11.5), (65.0, 1e9), "shorter than 12 h", labelled=False)


def _coastal_gap(s: Script) -> None:
    _dark(s, (13.0, 16.0), (8.0, 35.0), "starts under 50 nm from shore", labelled=False)


def _dark(
    s: Script,
    dark_h: tuple[float, float],
    shore_nm: tuple[float, float],
    variant: str,
    *,
    labelled: bool,
) -> None:
    """Steaming, then silent (still steaming) for `dark_h`, then reporting again."""
    speed, every_s, before_h, dark = (
        s.uniform(10, 16),
        s.uniform(5, 20),
        s.uniform(2, 4),
        s.uniform(*dark_h),
    )
    pivot_h = s.uniform(before_h, s.hours - dark - 2)
    voyage = Voyage(
        before=(Leg(before_h, speed, 0, every_s),),
        after=(Leg(dark, speed, silent=True), Leg(s.hours - pivot_h - dark, speed, 0, every_s)),
    )
    place = s.sites.at_sea((Companion(voyage),), shore_nm)
    [mmsi] = s.new_mmsi(1).tolist()
    reports, leg_of = s.sail(mmsi, voyage, place, pivot_h)
    last = int(np.flatnonzero(leg_of == 0)[-1])
    where = (float(reports.lat[last]), float(reports.lon[last]))
    times = (float(reports.t_s[last]), float(reports.t_s[last + 1]))
    s.note(s.labels if labelled else s.negatives, "gap", variant, [mmsi], times, where)


def _encounter(s: Script) -> None:
    _meet(s, (2.5, 6.0), "at sea", labelled=True)


def _brief_meeting(s: Script) -> None:
    _meet(s, (1.0, 1.6), "under 2 h", labelled=False)


def _antimeridian_encounter(s: Script) -> None:
    """Probe: an encounter whose vessels lie on either side of the antimeridian."""
    _meet(s, (2.5, 4.0), "probe: across the antimeridian", labelled=True, seam=True)


def _meet(
    s: Script, drift_h: tuple[float, float], variant: str, *, labelled: bool, seam: bool = False
) -> None:
    """Two vessels come from different directions, drift together 100-300 m apart at
    0.3-1.2 kn for `drift_h`, and part. With `seam`, the first drifts north just west of
    the antimeridian and the second abeam to the east of it."""
    drift, speed, turn = s.uniform(*drift_h), s.uniform(0.3, 1.2), s.uniform(0, 360)
    turn = 0.0 if seam else turn
    come_h, leave_h = s.uniform(1.5, 3), s.uniform(1.5, 3)
    pivot_h = s.uniform(come_h, s.hours - drift - leave_h)

    def voyage(come_turn: float) -> Voyage:
        return Voyage(
            before=(Leg(come_h, s.uniform(10, 14), come_turn, 10),),
            after=(Leg(drift, speed, turn, 60), Leg(leave_h, 12, s.uniform(0, 360), 10)),
        )

    first, second = Companion(voyage(0)), Companion(voyage(s.uniform(60, 300)), s.uniform(100, 300))
    if seam:  # 0.0005-0.0015 degrees west of it; the partner is 100-300 m east
        area = ((179.9985, 30.0, 179.9995, 50.0), (179.9985, -40.0, 179.9995, -10.0))
        place = s.sites.at_sea((first, second), (3.0, 1e9), areas=area, course_deg=0.0)
    else:
        place = s.sites.at_sea((first, second), (3.0, 1e9))
    a, b = s.new_mmsi(2).tolist()
    s.sail(a, first.voyage, place, pivot_h)
    s.sail(b, second.voyage, companion_pivot(place, second), pivot_h)
    times, where = (pivot_h * 3600, (pivot_h + drift) * 3600), (place.lat, place.lon)
    s.note(s.labels if labelled else s.negatives, "encounter", variant, [a, b], times, where)
    if labelled and drift > 4:  # slow long enough to loiter, but not alone
        for mmsi in (a, b):
            s.note(s.negatives, "loitering", "has a partner", [mmsi], times, where)


def _passing(s: Script) -> None:
    """Two vessels on opposite courses pass 50-250 m apart at 10-15 kn."""
    hours = s.uniform(1.5, 3)
    pivot_h = s.uniform(hours, s.hours - hours)
    legs = [
        (Leg(hours, speed, turn, 10),)
        for speed, turn in ((s.uniform(10, 15), 0), (s.uniform(10, 15), 180))
    ]
    first = Companion(Voyage(before=legs[0], after=legs[0]))
    second = Companion(Voyage(before=legs[1], after=legs[1]), s.uniform(50, 250))
    _pair_negative(s, first, second, pivot_h, (pivot_h - 0.5, pivot_h + 0.5), "passing at speed")


def _convoy(s: Script) -> None:
    """Two vessels steam side by side 200-400 m apart at 8-10 kn for 3-6 hours."""
    hours, speed = s.uniform(1.5, 3), s.uniform(8, 10)
    pivot_h = s.uniform(hours, s.hours - hours)
    leg = (Leg(hours, speed, 0, 10),)
    first = Companion(Voyage(before=leg, after=leg))
    second = Companion(Voyage(before=leg, after=leg), s.uniform(200, 400))
    window = (pivot_h - hours, pivot_h + hours)
    _pair_negative(s, first, second, pivot_h, window, "in company at speed")


def _pair_negative(
    s: Script,
    first: Companion,
    second: Companion,
    pivot_h: float,
    window_h: tuple[float, float],
    variant: str,
) -> None:
    place = s.sites.at_sea((first, second), (3.0, 1e9), port_km=12.0)
    a, b = s.new_mmsi(2).tolist()
    s.sail(a, first.voyage, place, pivot_h)
    s.sail(b, second.voyage, companion_pivot(place, second), pivot_h)
    times = (window_h[0] * 3600, window_h[1] * 3600)
    s.note(s.negatives, "encounter", variant, [a, b], times, (place.lat, place.lon))


def _loitering(s: Script) -> None:
    _drift(s, (4.5, 9.0), (30.0, 1e9), "alone offshore", labelled=True)


def _coastal_drift(s: Script) -> None:
    _drift(s, (5.0, 8.0), (4.0, 10.0), "under 20 nm from shore", labelled=False)


def _drift(
    s: Script,
    drift_h: tuple[float, float],
    shore_nm: tuple[float, float],
    variant: str,
    *,
    labelled: bool,
) -> None:
    """One vessel slows to 0.3-1.5 kn for `drift_h`, then steams on."""
    drift, come_h, leave_h = s.uniform(*drift_h), s.uniform(1.5, 3), s.uniform(1.5, 3)
    pivot_h = s.uniform(come_h, s.hours - drift - leave_h)
    voyage = Voyage(
        before=(Leg(come_h, s.uniform(10, 14), 0, 10),),
        after=(
            Leg(drift, s.uniform(0.3, 1.5), s.uniform(0, 360), s.uniform(60, 180)),
            Leg(leave_h, 12, s.uniform(0, 360), 10),
        ),
    )
    place = s.sites.at_sea((Companion(voyage),), shore_nm, port_km=25.0 if labelled else 12.0)
    [mmsi] = s.new_mmsi(1).tolist()
    reports, leg_of = s.sail(mmsi, voyage, place, pivot_h)
    slow = np.flatnonzero(leg_of == 1)
    times = (float(reports.t_s[slow[0]]), float(reports.t_s[slow[-1]]))
    rows = s.labels if labelled else s.negatives
    s.note(rows, "loitering", variant, [mmsi], times, (place.lat, place.lon))


def _spoof_jump(s: Script) -> None:
    """A vessel steaming for 8 hours; two of its reports are moved 5-300 nm away."""
    speed, every_s = s.uniform(10, 16), s.uniform(5, 20)
    pivot_h = s.uniform(4, s.hours - 4)
    voyage = Voyage(before=(Leg(4, speed, 0, every_s),), after=(Leg(4, speed, 0, every_s),))
    place = s.sites.at_sea((Companion(voyage),), (3.0, 1e9), port_km=12.0)
    [mmsi] = s.new_mmsi(1).tolist()
    reports, leg_of = s.sail(mmsi, voyage, place, pivot_h)
    for leg in (0, 1):
        on_leg = np.flatnonzero(leg_of == leg)
        i = int(s.rng.choice(on_leg[10:-10]))
        lat, lon = destination(
            reports.lat[i : i + 1],
            reports.lon[i : i + 1],
            s.rng.uniform(0, 360, 1),
            s.rng.uniform(5, 300, 1),
        )
        reports.lat[i], reports.lon[i] = lat[0], lon[0]
        t = float(reports.t_s[i])
        s.note(s.labels, "spoof_jump", "one report moved", [mmsi], (t, t), (lat[0], lon[0]))


def _identity_clash(s: Script) -> None:
    """Two transmitters share an MMSI for 2-6 hours, far apart, reporting alternately."""
    _clash(s, None)


def _clone_clash(s: Script) -> None:
    """Probe: a class B clone (every 30 s) of a class A vessel reporting every 8-12 s:
    each clone report sits alone between two of the original's."""
    _clash(s, 30.0)


def _clash(s: Script, clone_every_s: float | None) -> None:
    fast = clone_every_s is not None
    every_s, speed, hours = (
        s.uniform(8, 12) if fast else s.uniform(10, 30),
        s.uniform(10, 16),
        s.uniform(2, 6),
    )
    start_h = s.uniform(1, s.hours - hours - 1)
    voyage = Voyage(before=(Leg(1, speed, 0, every_s),), after=(Leg(hours + 1, speed, 0, every_s),))
    place = s.sites.at_sea((Companion(voyage),), (3.0, 1e9), port_km=12.0)
    [mmsi] = s.new_mmsi(1).tolist()
    reports, _ = s.sail(mmsi, voyage, place, start_h)
    clash_h = reports.t_s / 3600 - start_h
    clash_h = clash_h[(clash_h >= 0) & (clash_h < hours)] + every_s / 7200
    if clone_every_s is not None:  # its own clock, not interleaved with the original's
        clash_h = clash_h[0] + np.arange(0.0, hours, clone_every_s / 3600)
    other = Voyage(after=(Leg(hours, s.uniform(10, 16), 0, clone_every_s or every_s),))
    for _ in range(50):
        there = s.sites.at_sea((Companion(other),), (3.0, 1e9), port_km=12.0)
        o_lat, o_lon, _ = positions(other, *_arrays(there), clash_h)
        here_lat, here_lon, _ = positions(voyage, *_arrays(place), clash_h)
        if _far_apart_nm(here_lat, here_lon, o_lat, o_lon) >= 20.0:
            break
    clone, _ = s.sail(mmsi, other, there, start_h, msg_type=18, times_h=clash_h)
    times = (float(clone.t_s[0]), float(clone.t_s[-1]))
    variant = "probe: clone every 30 s" if fast else "alternating"
    s.note(s.labels, "identity_clash", variant, [mmsi], times, (place.lat, place.lon))


def _arrays(place: Placement) -> tuple[FloatArray, FloatArray, FloatArray]:
    return np.array([place.lat]), np.array([place.lon]), np.array([place.course])


def _far_apart_nm(lat1: FloatArray, lon1: FloatArray, lat2: FloatArray, lon2: FloatArray) -> float:
    """The least great-circle distance (nm) between paired positions."""
    p1, p2, dl = np.radians(lat1), np.radians(lat2), np.radians(lon2 - lon1)
    cos_angle = np.sin(p1) * np.sin(p2) + np.cos(p1) * np.cos(p2) * np.cos(dl)
    return float(np.min(np.arccos(np.clip(cos_angle, -1, 1)))) * 3440.065


# Port calls: in from the sea (about 11 nm), a stop at the berth, out the way they came.
_WAY_IN_NM = (-11.0, -9.0, -7.0, -5.0, -3.0)


def _port_call(s: Script, stop_h: float, dark_h: float = 0.0) -> Voyage:
    moored = Leg(stop_h, 0.0, 0, STOPPED, nav_status=5)
    dark = (Leg(dark_h, 0.0, silent=True), Leg(1.0, 0.0, 0, STOPPED, nav_status=5))
    return Voyage(
        before=(Leg(1.0, s.uniform(8, 12), 0, 10), Leg(0.4, s.uniform(2, 4), 0, 10)),
        after=(moored, *(dark if dark_h else ()), Leg(0.4, 3, 180, 10), Leg(1.2, 10, 180, 10)),
    )


def _visit(
    s: Script, mmsi: int, voyage: Voyage, berth: Placement, port: Placement, pivot_h: float
) -> None:
    """Sail a port call and label its visit: from the first report within 3 km of the
    port to the last within 4 km (Global Fishing Watch's entry and exit)."""
    reports, _ = s.sail(mmsi, voyage, berth, pivot_h)
    port_lat, port_lon = np.full_like(reports.lat, port.lat), np.full_like(reports.lon, port.lon)
    km = _distances_nm(reports.lat, reports.lon, port_lat, port_lon) * 1.852
    inside = np.flatnonzero(km <= 3.0)
    exit_at = np.flatnonzero(km <= 4.0)[-1]
    times = (float(reports.t_s[inside[0]]), float(reports.t_s[exit_at]))
    s.note(s.labels, "port_visit", "entry, stop, exit", [mmsi], times, (port.lat, port.lon))


def _distances_nm(
    lat1: FloatArray, lon1: FloatArray, lat2: FloatArray, lon2: FloatArray
) -> FloatArray:
    p1, p2, dl = np.radians(lat1), np.radians(lat2), np.radians(lon2 - lon1)
    cos_angle = np.sin(p1) * np.sin(p2) + np.cos(p1) * np.cos(p2) * np.cos(dl)
    distances: FloatArray = np.arccos(np.clip(cos_angle, -1, 1)) * 3440.065
    return distances


def _port_visit(s: Script) -> None:
    stop_h = s.uniform(2, 12)
    voyage = _port_call(s, stop_h)
    port, _ = s.sites.in_port("port", 10.0, _WAY_IN_NM)
    [mmsi] = s.new_mmsi(1).tolist()
    _visit(s, mmsi, voyage, port, port, s.uniform(1.5, s.hours - stop_h - 2))


def _moored_pair(s: Script) -> None:
    """Two vessels call at a port together and lie 40-80 m apart: two visits, no encounter."""
    stop_h, late_h = s.uniform(5, 10), s.uniform(-0.5, 0.5)
    port, _ = s.sites.in_port("port", 10.0, _WAY_IN_NM)
    alongside = companion_pivot(port, Companion(Voyage(), s.uniform(40, 80)))
    pivot_h = s.uniform(2.0, s.hours - stop_h - 2.5)
    a, b = s.new_mmsi(2).tolist()
    _visit(s, a, _port_call(s, stop_h), port, port, pivot_h)
    _visit(s, b, _port_call(s, stop_h), alongside, port, pivot_h + late_h)
    both = (max(pivot_h, pivot_h + late_h) * 3600, (pivot_h + stop_h + min(0, late_h)) * 3600)
    s.note(
        s.negatives, "encounter", "moored side by side in port", [a, b], both, (port.lat, port.lon)
    )


def _dark_in_port(s: Script) -> None:
    """A vessel turns AIS off for 13-15 h at its berth: a visit, not a gap."""
    stop_h, dark_h = s.uniform(1, 2), s.uniform(13, 15)
    voyage = _port_call(s, stop_h, dark_h)
    port, _ = s.sites.in_port("port", 10.0, _WAY_IN_NM)
    [mmsi] = s.new_mmsi(1).tolist()
    pivot_h = s.uniform(1.5, s.hours - stop_h - dark_h - 3)
    _visit(s, mmsi, voyage, port, port, pivot_h)
    dark = ((pivot_h + stop_h) * 3600 - STOPPED, (pivot_h + stop_h + dark_h) * 3600 + STOPPED)
    s.note(s.negatives, "gap", "starts in port", [mmsi], dark, (port.lat, port.lon))


def _anchorage_pass(s: Script) -> None:
    """A vessel passes 0.3-1.5 km from an anchorage at 0.8-3 kn without stopping."""
    speed = s.uniform(0.8, 3.0)
    voyage = Voyage(before=(Leg(3, speed, 0, 10),), after=(Leg(3, speed, 0, 10),))
    anchorage, _ = s.sites.in_port("anchorage", 8.0, (-8.0, -5.0, -3.0, 3.0, 5.0, 8.0))
    abeam = companion_pivot(anchorage, Companion(voyage, s.uniform(300, 1500)))
    [mmsi] = s.new_mmsi(1).tolist()
    pivot_h = s.uniform(3, s.hours - 3)
    s.sail(mmsi, voyage, abeam, pivot_h)
    times = ((pivot_h - 3) * 3600, (pivot_h + 3) * 3600)
    where = (anchorage.lat, anchorage.lon)
    s.note(s.negatives, "port_visit", "passes an anchorage slowly", [mmsi], times, where)


SCRIPTS: tuple[Callable[[Script], None], ...] = (
    _gap,
    _short_gap,
    _coastal_gap,
    _encounter,
    _brief_meeting,
    _passing,
    _convoy,
    _loitering,
    _coastal_drift,
    _spoof_jump,
    _identity_clash,
    _port_visit,
    _moored_pair,
    _dark_in_port,
    _anchorage_pass,
)


# Probes: labelled events of hard kinds (a clone transmitter reporting less often than the
# original, an encounter astride the antimeridian), off by default.
PROBE_SCRIPTS: tuple[Callable[[Script], None], ...] = (_clone_clash, _antimeridian_encounter)
PROBES = tuple(make.__name__.lstrip("_") for make in PROBE_SCRIPTS)
