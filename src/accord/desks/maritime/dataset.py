"""The desk's AIS archive: Parquet files partitioned by UTC day, in the node's data dir.

``positions/day=YYYY-MM-DD/positions.parquet`` and ``statics/day=.../statics.parquet``,
each sorted by (mmsi, ts), so a track is a contiguous run and DuckDB (or Spark) reads a
date range by its partitions. Adding rows merges them into their days without duplicates
(a position is the same report when mmsi, ts, lat and lon agree), so re-ingesting a file
adds nothing. A day is rewritten into a new file that then replaces the old one: a crash
leaves the old day or the new one, never half of either.
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from accord.desks.maritime.schema import POSITION_KEY, POSITIONS, STATICS

_STATIC_KEY = ("mmsi", "ts", "imo", "callsign", "name", "ship_type", "destination")


@dataclass(frozen=True)
class MergeReport:
    """What adding rows changed."""

    added: int
    duplicates: int
    days: tuple[date, ...]


class AisArchive:
    """The positions and static reports the desk has ingested."""

    def __init__(self, root: Path):
        self.root = root

    @property
    def positions_glob(self) -> str:
        """The Parquet files of every position, for ``read_parquet`` (hive partitioned)."""
        return str(self.root / "positions" / "day=*" / "*.parquet")

    @property
    def statics_glob(self) -> str:
        """The Parquet files of every static report."""
        return str(self.root / "statics" / "day=*" / "*.parquet")

    def has_statics(self) -> bool:
        """Whether any static report is stored."""
        return any((self.root / "statics").glob("day=*/*.parquet"))

    def add_positions(self, rows: pa.Table) -> MergeReport:
        """Merge positions (``schema.POSITIONS``) into their days."""
        return self._merge("positions", rows.cast(POSITIONS), POSITION_KEY)

    def add_statics(self, rows: pa.Table) -> MergeReport:
        """Merge static reports (``schema.STATICS``); undated ones go to no day's file
        but to ``day=undated``."""
        return self._merge("statics", rows.cast(STATICS), _STATIC_KEY)

    def days(self) -> list[date]:
        """The days that hold positions, oldest first."""
        folder = self.root / "positions"
        if not folder.exists():
            return []
        return sorted(date.fromisoformat(p.name[4:]) for p in folder.glob("day=*") if p.is_dir())

    def _merge(self, kind: str, rows: pa.Table, key: tuple[str, ...]) -> MergeReport:
        if rows.num_rows == 0:
            return MergeReport(0, 0, ())
        days = pc.strftime(rows["ts"], format="%Y-%m-%d").fill_null("undated")
        added = duplicates = 0
        touched = []
        for day in sorted(set(days.to_pylist())):
            part = rows.filter(pc.equal(days, day))
            before, after = self._merge_day(self.root / kind / f"day={day}", part, key)
            added += after - before
            duplicates += part.num_rows - (after - before)
            if day != "undated":
                touched.append(date.fromisoformat(day))
        return MergeReport(added, duplicates, tuple(touched))

    def _merge_day(self, folder: Path, rows: pa.Table, key: tuple[str, ...]) -> tuple[int, int]:
        """Rows of the day before and after merging `rows` in."""
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / "data.parquet"
        partial = folder / f".{uuid.uuid4().hex}.partial"
        columns = ", ".join(f'"{name}"' for name in key)
        with duckdb.connect() as db:
            db.register("incoming", rows)
            sources = ["SELECT *, 1 AS _new FROM incoming"]
            before = 0
            if target.exists():
                stored = f"read_parquet({_sql_text(target)})"
                sources.insert(0, f"SELECT *, 0 AS _new FROM {stored}")
                before = _count(db, stored)
            # A report stored before wins over a new copy of it, so its source stays the
            # file it first came from.
            query = (
                f"SELECT * EXCLUDE (_new) FROM ({' UNION ALL BY NAME '.join(sources)}) "
                f"QUALIFY row_number() OVER (PARTITION BY {columns} ORDER BY _new) = 1 "
                "ORDER BY mmsi, ts"
            )
            db.execute(f"COPY ({query}) TO {_sql_text(partial)} (FORMAT parquet, COMPRESSION zstd)")
            after = _count(db, f"read_parquet({_sql_text(partial)})")
        os.replace(partial, target)
        return before, after


def _count(db: duckdb.DuckDBPyConnection, relation: str) -> int:
    found = db.execute(f"SELECT count(*) FROM {relation}").fetchone()
    return int(found[0]) if found else 0


def _sql_text(path: Path) -> str:
    """A path as a SQL string literal."""
    return "'" + str(path).replace("'", "''") + "'"
