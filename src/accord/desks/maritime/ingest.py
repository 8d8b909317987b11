"""Ingest: AIS files of any supported kind into the desk's archive, without duplicates.

A file is read by its kind: Parquet (``.parquet``) and CSV (``.csv``, ``.csv.gz``) by
column (MarineCadastre or a mapping), anything else as NMEA 0183 lines.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from accord.core.errors import InvalidInput
from accord.desks.maritime.columns import FileRows, Reject, read_columns
from accord.desks.maritime.dataset import AisArchive

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
    )


@dataclass
class _Found(FileRows):
    skipped: int = 0


def read_file(path: Path, *, mapping: Mapping[str, str] | None, strict: bool) -> _Found:
    """The rows of a file of any supported kind."""
    name = path.name.lower()
    if name.endswith((".parquet", ".csv", ".csv.gz")):
        rows = read_columns(path, mapping, strict=strict)
        return _Found(rows.positions, rows.statics, rows.rows, rows.rejects)
    return _read_nmea(path, strict=strict)


def _read_nmea(path: Path, *, strict: bool) -> _Found:
    # The NMEA decoder is the next part of the desk to land.
    raise InvalidInput(f"{path}: only CSV (.csv, .csv.gz) and Parquet files are read so far")
