"""Goods screening: shipments against the Common High Priority List (CHPL) of battlefield
goods, the HS-6 codes the EU, the US, the UK and Japan list as most often found in
Russian weapons (February 2024: 50 codes in tiers 1, 2, 3.A, 3.B, 4.A, 4.B).

A shipment's customs code matches on its first six digits (the HS-6 subheading; national
tariff codes add digits after them). Its description is compared with the list's too, so
that a shipment declared under a harmless code but described as, say, microcontrollers is
flagged for review. A CHPL match means enhanced due diligence, not a ban.

The dual-use list (Annex I of Regulation (EU) 2021/821) is not screened: it is not among
the data this node has, and its codes are not invented here.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from rapidfuzz import fuzz, process

from accord.core.errors import InvalidInput

# A description at least this similar (rapidfuzz token_set_ratio, 0-100) to an entry's
# goods is flagged; below it, shared generic words ("apparatus", "parts") are common.
DESCRIPTION_THRESHOLD = 80.0
_HS6 = re.compile(r"^\d{6}$")
_WORDS_WITHOUT_MEANING = re.compile(
    r"\b(e\.?g\.?|incl\.?|including|other|others|and|or|of|for|the|a|an|parts?|thereof)\b"
)


@dataclass(frozen=True)
class PriorityItem:
    """One CHPL entry."""

    hs6: str
    tier: str
    description: str


@dataclass(frozen=True)
class FlaggedShipment:
    """A shipment that matches a CHPL entry, and how."""

    line: int
    row: dict[str, str]
    item: PriorityItem
    matched_on: str  # "hs_code" or "description"
    score: float  # 100 for a code match; the description similarity otherwise


def load_chpl(path: Path) -> list[PriorityItem]:
    """The CHPL entries of a CSV with ``hs_code,tier,description`` columns; errors name
    the line and field."""
    items = []
    for line, row in _rows(path, required=("hs_code", "tier", "description")):
        code = row["hs_code"].strip()
        if not _HS6.match(code):
            raise InvalidInput(f"{path}:{line}: hs_code {code!r} is no six-digit HS code")
        if not row["tier"].strip():
            raise InvalidInput(f"{path}:{line}: tier is empty")
        items.append(PriorityItem(code, row["tier"].strip(), row["description"].strip()))
    return items


def screen_shipments(
    path: Path,
    items: list[PriorityItem],
    *,
    code_column: str = "hs_code",
    description_column: str = "description",
) -> Iterator[FlaggedShipment]:
    """The flagged rows of a shipments CSV (any columns, among them a customs code and/or
    a goods description), in file order."""
    by_code = {item.hs6: item for item in items}
    texts = [_meaningful(item.description) for item in items]
    rows = _rows(path, required=(), any_of=(code_column, description_column))
    for line, row in rows:
        code = re.sub(r"\D", "", row.get(code_column) or "")
        if len(code) >= 6 and code[:6] in by_code:
            yield FlaggedShipment(line, row, by_code[code[:6]], "hs_code", 100.0)
            continue
        description = _meaningful(row.get(description_column) or "")
        if not description:
            continue
        best = process.extractOne(
            description, texts, scorer=fuzz.token_set_ratio, score_cutoff=DESCRIPTION_THRESHOLD
        )
        if best is not None:
            yield FlaggedShipment(line, row, items[best[2]], "description", round(best[1], 1))


def write_flagged(flagged: Iterable[FlaggedShipment], out: Path, columns: list[str]) -> int:
    """Write flagged rows (their own columns, then the CHPL match) to a CSV; how many."""
    count = 0
    with out.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            [*columns, "line", "chpl_hs6", "chpl_tier", "chpl_description", "matched_on", "score"]
        )
        for hit in flagged:
            writer.writerow(
                [
                    *(hit.row.get(column, "") for column in columns),
                    hit.line,
                    hit.item.hs6,
                    hit.item.tier,
                    hit.item.description,
                    hit.matched_on,
                    hit.score,
                ]
            )
            count += 1
    return count


def shipment_columns(path: Path) -> list[str]:
    """The header of a shipments CSV."""
    with path.open(newline="", encoding="utf-8-sig") as handle:
        return next(csv.reader(handle), [])


def _rows(
    path: Path, *, required: tuple[str, ...], any_of: tuple[str, ...] = ()
) -> Iterator[tuple[int, dict[str, str]]]:
    try:
        handle = path.open(newline="", encoding="utf-8-sig")
    except OSError as exc:
        raise InvalidInput(f"{path}: cannot read it: {exc}") from exc
    with handle:
        reader = csv.DictReader(handle)
        header = reader.fieldnames or []
        missing = [name for name in required if name not in header]
        if missing or (any_of and not set(any_of) & set(header)):
            wanted = ", ".join(missing) or " or ".join(any_of)
            raise InvalidInput(f"{path}:1: no column {wanted} (the header is {', '.join(header)})")
        for line, row in enumerate(reader, start=2):
            yield line, {key: value or "" for key, value in row.items() if key is not None}


def _meaningful(text: str) -> str:
    return " ".join(_WORDS_WITHOUT_MEANING.sub(" ", text.lower().replace(":", " ")).split())
