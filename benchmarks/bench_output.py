"""What the benchmark scripts share: their aligned table of figures, and a clean exit on
SIGTERM/SIGINT (so that a stopped run still stops the peers it started)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NoReturn


def print_rows(rows: Sequence[tuple[str, ...]]) -> None:
    """Rows as columns: the first left-aligned, the middle ones right-aligned, the last as
    it is (a target or a note)."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        cells = [row[0].ljust(widths[0])]
        cells += [cell.rjust(width) for cell, width in zip(row[1:-1], widths[1:-1], strict=True)]
        print("  ".join([*cells, row[-1]]).rstrip())


def exit_on_signal(signum: int, _: Any) -> NoReturn:
    """A signal handler that exits with the shell's code for the signal."""
    raise SystemExit(128 + signum)
