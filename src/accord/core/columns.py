"""Column mappings for tabular input: which of a file's columns holds each of ours."""

from __future__ import annotations

from collections.abc import Iterable

from accord.core.errors import InvalidInput


def column_mapping(text: str, known: Iterable[str]) -> dict[str, str]:
    """``ours=theirs,...`` (as ``--map`` takes it) as a mapping; an error names the bad part
    and the column names that are ours."""
    ours_all = sorted(set(known))
    mapping = {}
    for part in (item.strip() for item in text.split(",") if item.strip()):
        ours, sep, theirs = (side.strip() for side in part.partition("="))
        if not sep or not ours or not theirs:
            raise InvalidInput(
                f"column mapping {part!r}: write ours=theirs, ours one of {', '.join(ours_all)}"
            )
        if ours not in ours_all:
            raise InvalidInput(
                f"column mapping {part!r}: {ours!r} is none of {', '.join(ours_all)}; "
                "write ours=theirs"
            )
        mapping[ours] = theirs
    return mapping
