"""Debunked disinformation cases (the EUvsDisinfo database's export: date, id, title,
countries, keywords, languages, outlets; lists joined with "+"), which narratives link to
by their English titles.

The cases are the node's own reference copy (``<data_dir>/fimi/cases.parquet``), merged
by case id: loading a newer export adds its new cases and keeps the rest.
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import polars as pl

from accord.core.errors import InvalidInput

CASE_COLUMNS = ("date", "id", "title", "countries", "keywords", "languages", "outlets")
_LISTS = ("countries", "keywords", "languages", "outlets")


@dataclass(frozen=True)
class Case:
    """One debunked claim."""

    case_id: str  # the case's address on euvsdisinfo.eu
    published: date
    title: str
    keywords: tuple[str, ...]


def is_case_file(path: Path) -> bool:
    """Whether a file is a case export (a CSV whose header has the export's columns)."""
    if not path.name.lower().endswith((".csv", ".csv.gz")):
        return False
    try:
        columns = pl.read_csv(path, n_rows=0, infer_schema=False).columns
    except (OSError, pl.exceptions.PolarsError):
        return False  # read_posts reports what is wrong with it
    return {"id", "title", "keywords", "outlets"} <= set(columns)


def read_cases(path: Path) -> pl.DataFrame:
    """The cases of an export; a missing column or an unreadable date names the line."""
    try:
        frame = pl.read_csv(path, infer_schema=False)
    except (OSError, pl.exceptions.PolarsError) as exc:
        raise InvalidInput(f"{path}: cannot read it: {exc}") from exc
    missing = [c for c in CASE_COLUMNS if c not in frame.columns]
    if missing:
        raise InvalidInput(f"{path}: no column {', '.join(missing)} (a case export has them)")
    parsed = frame.with_columns(pl.col("date").str.to_date("%Y-%m-%d", strict=False))
    bad = parsed.with_row_index("line").filter(
        pl.col("date").is_null() | pl.col("id").is_null() | pl.col("title").is_null()
    )
    if bad.height:
        line = int(bad["line"][0]) + 2  # the header is line 1
        raise InvalidInput(f"{path}:{line}: date, id and title are needed (date as YYYY-MM-DD)")
    return parsed.with_columns(
        pl.col(c).fill_null("").str.split("+").list.eval(pl.element().filter(pl.element() != ""))
        for c in _LISTS
    ).select(CASE_COLUMNS)


def store_cases(folder: Path, cases: pl.DataFrame) -> tuple[int, int]:
    """Merge cases into the node's copy; (added, already there)."""
    target = folder / "cases.parquet"
    known = pl.read_parquet(target) if target.exists() else cases.clear()
    merged = pl.concat([known, cases]).unique("id", keep="first", maintain_order=True)
    folder.mkdir(parents=True, exist_ok=True)
    partial = folder / f".{uuid.uuid4().hex}.partial"
    merged.write_parquet(partial)
    os.replace(partial, target)
    added = merged.height - known.height
    return added, cases.height - added


def stored_cases(folder: Path) -> list[Case]:
    """The node's cases (none before the first load)."""
    target = folder / "cases.parquet"
    if not target.exists():
        return []
    return [
        Case(row["id"], row["date"], row["title"], tuple(row["keywords"]))
        for row in pl.read_parquet(target).iter_rows(named=True)
    ]
