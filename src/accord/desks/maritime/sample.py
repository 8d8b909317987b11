"""The maritime part of ``accord demo``: one real day of AIS (NOAA MarineCadastre,
2022-01-03, the first 99,999 rows; public domain) through ingest, detection and
publishing, with Natural Earth and Global Fishing Watch reference data.

The files are not shipped with Accord. They are looked for in ``ACCORD_DEMO_MARITIME_DIR``,
else in ``../shared/data/maritime`` from the working directory (where a checkout of the
project keeps its test data).
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from accord.core.markings import Tlp
from accord.core.node import Node
from accord.desks.maritime.dataset import AisArchive
from accord.desks.maritime.detect import Window, detect
from accord.desks.maritime.engines import DuckDBEngine
from accord.desks.maritime.findings import publish_events
from accord.desks.maritime.ingest import ingest_file
from accord.desks.maritime.outputs import event_records, save_events
from accord.desks.maritime.reference import ReferenceFiles, load_reference
from accord.desks.maritime.rules import DetectorRules

SAMPLE_AIS = "noaa_marinecadastre_2022-01-03_sample.csv.gz"
_REFERENCE = {
    "coastline_file": "ne_10m_coastline.geojson.gz",
    "land_file": "ne_50m_land.geojson",
    "ports_file": "gfw_WPI_ports.csv",
    "anchorages_file": "gfw_anchorage_overrides.csv.gz",
}
DEMO_RELEASE = ("maritime-indo-pacific",)


@dataclass(frozen=True)
class SampleRun:
    """What the demo's maritime part did."""

    positions: int
    events: Counter[str]
    published: int


def sample_dir() -> Path | None:
    """Where the sample files are, if anywhere."""
    configured = os.environ.get("ACCORD_DEMO_MARITIME_DIR")
    candidates = (
        [Path(configured)] if configured else [Path.cwd() / ".." / "shared" / "data" / "maritime"]
    )
    for candidate in candidates:
        if (candidate / SAMPLE_AIS).is_file() and all(
            (candidate / name).is_file() for name in _REFERENCE.values()
        ):
            return candidate.resolve()
    return None


def run_sample(node: Node, samples: Path) -> SampleRun:
    """Ingest the sample day, detect, and publish the events as TLP:AMBER findings of the
    home partner released to the Indo-Pacific maritime group."""
    archive = AisArchive(node.settings.data_dir / "maritime")
    report = ingest_file(archive, samples / SAMPLE_AIS)
    files = ReferenceFiles(**{key: samples / name for key, name in _REFERENCE.items()})
    reference = load_reference(files, archive.root / "cache")
    with DuckDBEngine() as engine:
        events = detect(
            engine,
            archive.positions_glob,
            DetectorRules(),
            reference,
            Window(),
            statics=archive.statics_glob,
        )
    save_events(archive, events)
    records = event_records(events)
    published = publish_events(
        node, records, archive, actor="accord demo", tlp=Tlp.AMBER, release=DEMO_RELEASE
    )
    return SampleRun(report.positions_added, Counter(events["type"].to_pylist()), published.stored)
