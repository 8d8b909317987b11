"""Screening a file of names: ``id,name`` (and optional ``type,country,dob``) in, one row
per query and hit out (``id,name,score,source,source_id,matched_name,explanation``), and a
row with empty hit columns for a query nothing matched."""

from __future__ import annotations

import csv
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from accord.core.errors import InvalidInput
from accord.desks.sanctions.index import NameIndex
from accord.desks.sanctions.scoring import Query, screen_many

OUTPUT_COLUMNS = ("id", "name", "score", "source", "source_id", "matched_name", "explanation")
_CHUNK = 1000  # queries screened at once (one blocking product each)


@dataclass(frozen=True)
class QueryRow:
    """A row of the input file."""

    id: str
    query: Query


def read_queries(path: Path) -> list[QueryRow]:
    """The queries of a CSV; errors name the line and the field."""
    try:
        handle = path.open(newline="", encoding="utf-8-sig")
    except OSError as exc:
        raise InvalidInput(f"{path}: cannot read it: {exc}") from exc
    rows = []
    with handle:
        reader = csv.DictReader(handle)
        header = reader.fieldnames or []
        missing = [column for column in ("id", "name") if column not in header]
        if missing:
            raise InvalidInput(
                f"{path}:1: no column {', '.join(missing)} (header: {', '.join(header)})"
            )
        for line, row in enumerate(reader, start=2):
            name = (row.get("name") or "").strip()
            if not name:
                raise InvalidInput(f"{path}:{line}: name is empty")
            country = (row.get("country") or "").strip().lower() or None
            if country is not None and len(country) != 2:
                raise InvalidInput(f"{path}:{line}: country {country!r} is no ISO alpha-2 code")
            query = Query(
                name=name,
                schema=(row.get("type") or "").strip() or None,
                country=country,
                dob=(row.get("dob") or "").strip() or None,
            )
            rows.append(QueryRow((row.get("id") or "").strip(), query))
    return rows


def write_results(
    rows: Sequence[QueryRow],
    index: NameIndex,
    out: Path,
    *,
    threshold: float,
    limit: int,
    advance: Callable[[int], None] | None = None,
) -> int:
    """Screen the rows in batches and write the results; how many rows were written."""
    written = 0
    with out.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(OUTPUT_COLUMNS)
        for start in range(0, len(rows), _CHUNK):
            chunk = rows[start : start + _CHUNK]
            results = screen_many([row.query for row in chunk], index, threshold, limit)
            for row, hits in zip(chunk, results, strict=True):
                if not hits:
                    writer.writerow([row.id, row.query.name, "", "", "", "", ""])
                    written += 1
                for hit in hits:
                    writer.writerow(
                        [
                            row.id,
                            row.query.name,
                            f"{hit.score:.3f}",
                            hit.entity.source,
                            hit.entity.source_id,
                            hit.matched_name or "",
                            hit.explanation,
                        ]
                    )
                    written += 1
            if advance is not None:
                advance(len(chunk))
    return written
