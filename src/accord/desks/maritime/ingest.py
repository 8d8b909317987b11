"""Ingest: AIS files of any supported kind into the desk's archive, without duplicates.

A file is read by its kind: Parquet (``.parquet``) and CSV (``.csv``, ``.csv.gz``) by
column (MarineCadastre or a mapping), anything else as NMEA 0183 lines (gzipped if it
ends in ``.gz``). An NMEA file is decoded whole in memory: a few hundred MB per file.
"""

from __future__ import annotations

import gzip
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from accord.core.errors import InvalidInput
from accord.desks.maritime.ais import decode_nmea
from accord.desks.maritime.columns import FileRows, read_columns
from accord.desks.maritime.dataset import AisArchive
from accord.desks.maritime.nmea import Reject

Progress = Callable[[int], None]


@dataclass
class FileReport:
    """What one file gave."""

    path: Path
    rows: int = 0  # lines of an NMEA file, rows of a table
    positions_added: int = 0
    positions_duplicate: int = 0
    statics_added: int = 0
    seconds: float = 0.0
    rejects: list[Reject] = field(default_factory=list)
    skipped: int = 0  # lines that are no AIS (other NMEA sentences, comments, blanks)
    untimed: int = 0  # position reports without a receive time, left out


def ingest_file(
    archive: AisArchive,
    path: Path,
    *,
    mapping: Mapping[str, str] | None = None,
    strict: bool = False,
) -> FileReport:
    """Read one file and merge what it holds into the archive."""
    started = time.perf_counter()
    found = read_file(path, mapping=mapping, strict=strict)
    positions = archive.add_positions(found.positions)
    statics = archive.add_statics(found.statics)
    return FileReport(
        path=path,
        rows=found.rows,
        positions_added=positions.added,
        positions_duplicate=positions.duplicates,
        statics_added=statics.added,
        seconds=time.perf_counter() - started,
        rejects=found.rejects,
        skipped=found.skipped,
        untimed=found.untimed,
    )


@dataclass
class _Found(FileRows):
    skipped: int = 0
    untimed: int = 0


def read_file(path: Path, *, mapping: Mapping[str, str] | None, strict: bool) -> _Found:
    """The rows of a file of any supported kind."""
    name = path.name.lower()
    if name.endswith((".parquet", ".csv", ".csv.gz")):
        rows = read_columns(path, mapping, strict=strict)
        return _Found(rows.positions, rows.statics, rows.rows, rows.rejects)
    return _read_nmea(path, strict=strict)


def _read_nmea(path: Path, *, strict: bool) -> _Found:
    try:
        raw = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        raise InvalidInput(f"{path}: cannot read it: {exc}") from exc
    batch = decode_nmea(raw, source=str(path), strict=strict)
    counts = batch.counts
    return _Found(
        positions=batch.positions,
        statics=batch.statics,
        rows=counts["lines"],
        rejects=batch.rejects,
        skipped=counts["blank"] + counts["comments"] + counts["other_sentences"],
        untimed=counts["untimed"],
    )
