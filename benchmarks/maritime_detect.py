"""Maritime detection: precision and recall on a labelled scenario, and throughput.

One seeded scenario (``accord.desks.maritime.scenario.generate``: background traffic in
real shipping areas plus scripted events of every type and hard negatives) is written to
an archive in the desk's Parquet layout (``positions/day=YYYY-MM-DD/data.parquet``, sorted
by mmsi and time, through ``AisArchive.add_positions``: the ingest, not timed). A fresh
Python process then runs every detector on the DuckDB engine, from those Parquet files
(``--source parquet``, the default) or from an Arrow table read beforehand (``--source
arrow``), to the events table: that is the time measured, and positions/s is positions /
that time. The reference indexes (coastline, land, ports, anchorages) are loaded from
their cache before the clock starts, and timed on their own. Peak memory is the detecting
process's peak resident set size (``resource.getrusage(RUSAGE_SELF).ru_maxrss``), which
includes Python, the reference indexes and DuckDB (its memory limit: ``--memory-limit``).

Matching (``scenario.score``): a detection matches a label of the same type, with the same
set of MMSIs, whose time span overlaps its own (ends included); one to one, a label taking
the detection that overlaps it longest. Recall = matched labels / labels; precision =
matched detections / detections. Detections that match no label are listed, with the hard
negative they fell on if any.

    python benchmarks/maritime_detect.py [--vessels 1400] [--hours 24] [--events-per-type 20]
        [--probes 0] [--seed 7] [--source parquet|arrow] [--memory-limit 3GB] [--threads N]

A quick run: ``--vessels 200 --events-per-type 4``. ``--probes N`` adds N of each probe
(labelled events of hard kinds: a slower clone transmitter, an encounter astride the
antimeridian; see ``scenario_scripts.PROBES``).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import replace
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from accord.desks.maritime.dataset import AisArchive
from accord.desks.maritime.detect import detect
from accord.desks.maritime.engines import DuckDBEngine
from accord.desks.maritime.reference import Reference, ReferenceFiles, load_reference
from accord.desks.maritime.rules import DetectorRules
from accord.desks.maritime.scenario import Scenario, generate, score

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "maritime"
FILES = ReferenceFiles(
    coastline_file=DATA / "ne_10m_coastline.geojson.gz",
    land_file=DATA / "ne_50m_land.geojson",
    ports_file=DATA / "gfw_WPI_ports.csv",
    anchorages_file=DATA / "gfw_anchorage_overrides.csv.gz",
)
TARGET_RECALL, TARGET_PRECISION = 0.95, 0.90
TARGET_RATE, TARGET_MEMORY_GB = 1_000_000, 4.0
# Which step of `detect` a statement is, by a phrase of its SQL.
STEPS = (
    ("MIN(epoch(ts)) AS first", "time span (ticks)"),
    ("cell_hours", "gap reception"),
    ("FROM gaps", "gap candidates"),
    ("FROM interpolated", "encounter pairs"),
    ("marked AS", "loitering runs"),
    ("kept AS", "identity clashes"),
    ("prev_nm AS jump_nm", "spoof jumps"),
    ("port_cells AS p", "port visits"),
)


class TimedEngine:
    """The DuckDB engine, timing every statement `detect` runs (the profile)."""

    name = "duckdb"

    def __init__(self, engine: DuckDBEngine):
        self.engine = engine
        self.seconds: dict[str, float] = defaultdict(float)

    def register_parquet(self, name: str, glob: str) -> None:
        self._timed(f"register {name}", self.engine.register_parquet, name, glob)

    def register_table(self, name: str, table: pa.Table) -> None:
        self._timed(f"register {name}", self.engine.register_table, name, table)

    def query(self, sql: str) -> pa.Table:
        step = next((label for phrase, label in STEPS if phrase in sql), "other query")
        result: pa.Table = self._timed(f"query: {step}", self.engine.query, sql)
        return result

    def create_view(self, name: str, sql: str) -> None:
        self._timed(f"materialise {name}", self.engine.create_view, name, sql)

    def _timed(self, step: str, call: Any, *args: Any) -> Any:
        started = time.perf_counter()
        try:
            return call(*args)
        finally:
            self.seconds[step] += time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--vessels", type=int, default=1400)
    parser.add_argument("--hours", type=float, default=24.0)
    parser.add_argument("--events-per-type", type=int, default=20)
    parser.add_argument("--probes", type=int, default=0)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--source", choices=("parquet", "arrow"), default="parquet")
    parser.add_argument("--memory-limit", default="3GB")
    parser.add_argument("--threads", type=int, default=0)
    parser.add_argument(
        "--cache-dir", type=Path, default=Path(tempfile.gettempdir()) / "accord-ref"
    )
    parser.add_argument("--detect-only", type=Path, help=argparse.SUPPRESS)  # the child
    args = parser.parse_args()
    if args.detect_only:
        detect_child(args)
        return
    with tempfile.TemporaryDirectory(prefix="accord-bench-") as work:
        run(args, Path(work))


def run(args: argparse.Namespace, work: Path) -> None:
    started = time.perf_counter()
    reference = load_reference(FILES, args.cache_dir)
    print(f"reference: loaded in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    scenario = generate(
        args.vessels,
        args.hours,
        args.seed,
        reference,
        events_per_type=args.events_per_type,
        probes=args.probes,
    )
    positions = scenario.positions.num_rows
    print(
        f"scenario: seed {args.seed}, {scenario.vessels:,} vessels, {scenario.hours:g} h, "
        f"{positions:,} positions, {scenario.labels.num_rows} labelled events, "
        f"{scenario.negatives.num_rows} hard negatives; generated in "
        f"{time.perf_counter() - started:.1f} s"
    )
    started = time.perf_counter()
    archive = AisArchive(work / "archive")
    archive.add_positions(scenario.positions)
    print(f"ingest (not timed below): archive written in {time.perf_counter() - started:.1f} s")
    scenario = replace(scenario, positions=scenario.positions.slice(0, 0))  # free it
    child = [sys.executable, __file__, "--detect-only", str(work), "--source", args.source]
    child += ["--memory-limit", args.memory_limit, "--threads", str(args.threads)]
    child += ["--cache-dir", str(args.cache_dir)]
    subprocess.run(child, check=True)
    figures = json.loads((work / "figures.json").read_text())
    events = pq.read_table(work / "events.parquet")
    report_accuracy(events, scenario)
    report_throughput(figures, positions, args)


def detect_child(args: argparse.Namespace) -> None:
    """In a fresh process: positions on disk to events, timed, with peak memory."""
    work: Path = args.detect_only
    started = time.perf_counter()
    reference: Reference = load_reference(FILES, args.cache_dir)
    reference_s = time.perf_counter() - started
    source: str | pa.Table = AisArchive(work / "archive").positions_glob
    if args.source == "arrow":
        source = pq.read_table(work / "archive" / "positions").drop_columns(["day"])
    with DuckDBEngine(memory_limit=args.memory_limit, threads=args.threads or None) as duck:
        engine = TimedEngine(duck)
        started = time.perf_counter()
        events = detect(engine, source, DetectorRules(), reference)
        detect_s = time.perf_counter() - started
    pq.write_table(events, work / "events.parquet")
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    figures = {
        "detect_s": detect_s,
        "reference_s": reference_s,
        "peak_gb": peak_kb / 1024**2,
        "steps": dict(engine.seconds),
    }
    (work / "figures.json").write_text(json.dumps(figures))


def report_accuracy(events: pa.Table, scenario: Scenario) -> None:
    scores = score(events, scenario)
    print("\naccuracy (same type, same vessels, overlapping time; one to one)")
    print(f"{'type':16} {'labels':>6} {'found':>6} {'matched':>7} {'recall':>7} {'precision':>9}")
    for kind, result in scores.items():
        ok = result.recall >= TARGET_RECALL and result.precision >= TARGET_PRECISION
        print(
            f"{kind:16} {result.labels:6} {result.detected:6} {result.matched:7} "
            f"{result.recall:7.3f} {result.precision:9.3f}  {'ok' if ok else 'BELOW TARGET'}"
        )
    for kind, result in scores.items():
        for label in result.missed:
            print(f"  missed {kind} ({label['variant']}): {_brief(label)}")
        if result.false:
            hit = {n["variant"] for n in result.negatives_hit}
            print(
                f"  {len(result.false)} false {kind}, e.g. {_brief(result.false[0])}; "
                f"hard negatives hit: {sorted(hit) or 'none'}"
            )
    by_negative: dict[str, int] = defaultdict(int)
    for row in scenario.negatives.to_pylist():
        by_negative[f"{row['type']} / {row['variant']}"] += 1
    hits = {f"{n['type']} / {n['variant']}" for s in scores.values() for n in s.negatives_hit}
    print("hard negatives (event type that must not be found / why not): count, hit")
    for name, count in sorted(by_negative.items()):
        print(f"  {name}: {count}, {'HIT' if name in hits else 'none found'}")


def report_throughput(figures: dict[str, Any], positions: int, args: argparse.Namespace) -> None:
    rate = positions / figures["detect_s"]
    print(f"\nthroughput (DuckDB, from {args.source}, every detector, to the events table)")
    print(f"  positions          {positions:,}")
    print(f"  reference load     {figures['reference_s']:.2f} s (cached indexes; not counted)")
    print(f"  detect             {figures['detect_s']:.2f} s")
    print(f"  positions/s        {rate:,.0f}  (target {TARGET_RATE:,})")
    print(f"  peak memory (RSS)  {figures['peak_gb']:.2f} GB  (target < {TARGET_MEMORY_GB} GB)")
    print("  profile (s):")
    for step, seconds in sorted(figures["steps"].items(), key=lambda item: -item[1]):
        print(f"    {seconds:7.2f}  {step}")
    engine_s = sum(figures["steps"].values())
    print(f"    {figures['detect_s'] - engine_s:7.2f}  Python (shore, ports, events)")


def _brief(row: dict[str, Any]) -> str:
    when = f"{row['start']:%H:%M:%S}-{row['end']:%H:%M:%S}"
    return f"mmsi {row['mmsi']} {when} at {row['lat']:.3f}, {row['lon']:.3f}"


if __name__ == "__main__":
    main()
