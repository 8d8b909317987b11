"""A seeded, labelled AIS scenario for testing and benchmarking the detectors.

Background traffic (vessels steaming through real shipping areas, kept at sea with the
coastline index) plus scripted vessels: events of every type the detectors look for, each
labelled (``Scenario.labels``), and hard negatives that look like them but break a rule
(``Scenario.negatives``: the event type that must not be found there). The same seed gives
the same scenario. :func:`score` matches detected events to the labels.

Every scripted event sits at its own site, 50 km or more from any other, so that scripted
vessels never meet by chance; background vessels steam at 8 kn or more, so they take part
in no encounter, loitering or port visit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
import pyarrow as pa

from accord.core.errors import InvalidInput
from accord.desks.maritime.detect import EVENT_TYPES
from accord.desks.maritime.reference import Reference
from accord.desks.maritime.scenario_scripts import PROBE_SCRIPTS, SCRIPTS, Row, Script
from accord.desks.maritime.schema import POSITIONS
from accord.desks.maritime.sphere import FloatArray
from accord.desks.maritime.voyages import (
    Reports,
    Sites,
    background,
)

START = datetime(2026, 3, 1, tzinfo=UTC)
LABELS = pa.schema(
    [
        pa.field("type", pa.string(), nullable=False),
        pa.field("variant", pa.string(), nullable=False),  # which script made it
        pa.field("mmsi", pa.list_(pa.int64()), nullable=False),
        pa.field("start", pa.timestamp("us", tz="UTC"), nullable=False),
        pa.field("end", pa.timestamp("us", tz="UTC"), nullable=False),
        pa.field("lat", pa.float64(), nullable=False),
        pa.field("lon", pa.float64(), nullable=False),
    ]
)
# A hard negative: `type` is the event type that must NOT be found there, `variant` why not.
NEGATIVES = LABELS


@dataclass(frozen=True)
class Scenario:
    """Positions (``schema.POSITIONS``, sorted by mmsi and time), the injected events and
    the hard negatives; `vessels` counts MMSIs."""

    positions: pa.Table
    labels: pa.Table
    negatives: pa.Table
    start: datetime
    hours: float
    vessels: int


def generate(
    vessels: int,
    hours: float,
    seed: int,
    reference: Reference,
    *,
    events_per_type: int = 10,
    probes: int = 0,
    interval_s: tuple[float, float] = (6.0, 120.0),
    start: datetime = START,
) -> Scenario:
    """A scenario of `vessels` MMSIs over `hours` (24 or more): `events_per_type` of each
    scripted event and hard negative, `probes` of each probe (labelled events of
    hard kinds, see ``scenario_scripts.PROBES``), the rest background reporting every
    `interval_s` (log-uniform range, seconds). Raises InvalidInput if the scripts leave
    no room."""
    if hours < 24:
        raise InvalidInput(f"scenario: hours is {hours}; the scripts need 24 or more")
    rng = np.random.default_rng(seed)
    script = Script(rng, reference, hours, Sites(reference, rng))
    for make, count in [
        *((m, events_per_type) for m in SCRIPTS),
        *((m, probes) for m in PROBE_SCRIPTS),
    ]:
        for _ in range(count):
            make(script)
    scripted = len(script.mmsi_used)
    if vessels < scripted:
        raise InvalidInput(
            f"scenario: vessels is {vessels}; the scripted events alone take {scripted}"
        )
    fleet = background(rng, reference, script.new_mmsi(vessels - scripted), hours, interval_s)
    reports = Reports.concat([fleet, *script.reports])
    return Scenario(
        positions=_positions_table(reports, rng, start, seed),
        labels=_rows_table(script.labels, start),
        negatives=_rows_table(script.negatives, start),
        start=start,
        hours=hours,
        vessels=vessels,
    )


@dataclass(frozen=True)
class TypeScore:
    """How the detections of one event type match the labels."""

    type: str
    labels: int
    detected: int
    matched: int
    missed: list[Row]  # labels no detection matched
    false: list[Row]  # detections that match no label
    negatives_hit: list[Row]  # hard negatives a detection fell on

    @property
    def recall(self) -> float:
        """Share of the labels found (1 if there are none)."""
        return self.matched / self.labels if self.labels else 1.0

    @property
    def precision(self) -> float:
        """Share of the detections that are labelled events (1 if there are none)."""
        return self.matched / self.detected if self.detected else 1.0


def score(events: pa.Table, scenario: Scenario) -> dict[str, TypeScore]:
    """Per event type: a detection matches a label of the same type with the same set of
    vessels whose time span overlaps its own (ends included); each label and each
    detection is used once, a label taking the detection that overlaps it longest."""
    found, labels = events.to_pylist(), scenario.labels.to_pylist()
    negatives = scenario.negatives.to_pylist()
    kinds = sorted({*EVENT_TYPES, *(row["type"] for row in labels + found)})
    return {kind: _score_type(kind, found, labels, negatives) for kind in kinds}


def _score_type(kind: str, found: list[Row], labels: list[Row], negatives: list[Row]) -> TypeScore:
    mine = [d for d in found if d["type"] == kind]
    used: set[int] = set()
    missed = []
    for label in (row for row in labels if row["type"] == kind):
        best = max(
            (i for i, d in enumerate(mine) if i not in used and _same_event(d, label)),
            key=lambda i: _overlap_s(mine[i], label),
            default=None,
        )
        if best is None:
            missed.append(label)
        else:
            used.add(best)
    false = [d for i, d in enumerate(mine) if i not in used]
    hit = [n for n in negatives if n["type"] == kind and any(_same_event(d, n) for d in false)]
    count = sum(1 for row in labels if row["type"] == kind)
    return TypeScore(kind, count, len(mine), len(used), missed, false, hit)


def _same_event(event: Row, label: Row) -> bool:
    return sorted(event["mmsi"]) == sorted(label["mmsi"]) and _overlap_s(event, label) >= 0


def _overlap_s(a: Row, b: Row) -> float:
    start, end = max(a["start"], b["start"]), min(a["end"], b["end"])
    return float((end - start).total_seconds())


# ---------------------------------------------------------------------------------------
# Tables


def _timestamps_us(t_s: FloatArray, start: datetime) -> np.ndarray:
    """Seconds from `start` as epoch microseconds, to the millisecond."""
    return int(start.timestamp()) * 1_000_000 + np.round(t_s * 1000).astype(np.int64) * 1000


def _positions_table(
    reports: Reports, rng: np.random.Generator, start: datetime, seed: int
) -> pa.Table:
    ts = _timestamps_us(reports.t_s, start)
    order = np.lexsort((ts, reports.mmsi))
    cog = reports.cog_deg[order] % 360
    heading = np.round(cog + rng.normal(0.0, 2.0, len(cog))).astype(np.int16) % 360
    columns = {
        "mmsi": reports.mmsi[order],
        "ts": pa.array(ts[order], pa.timestamp("us", tz="UTC")),
        "lat": reports.lat[order],
        "lon": reports.lon[order],
        "sog_kn": np.round(reports.sog_kn[order], 1).astype(np.float32),
        "cog_deg": np.round(cog, 1).astype(np.float32),
        "heading_deg": heading,
        "nav_status": reports.nav_status[order].astype(np.int8),
        "msg_type": reports.msg_type[order].astype(np.int8),
        "source": pa.repeat(pa.scalar(f"scenario-{seed}"), len(order)),
    }
    return pa.table(columns, schema=POSITIONS)


def _rows_table(rows: list[Row], start: datetime) -> pa.Table:
    columns = {
        name: [row[name] for row in rows] for name in ("type", "variant", "mmsi", "lat", "lon")
    }
    for name in ("start", "end"):
        t_s = np.array([row[f"{name}_s"] for row in rows], dtype=np.float64)
        columns[name] = pa.array(_timestamps_us(t_s, start), pa.timestamp("us", tz="UTC"))
    return pa.table(columns, schema=LABELS).sort_by([("start", "ascending"), ("type", "ascending")])
