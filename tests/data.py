"""Where the shared test data lives: ../shared/data beside the checkout (also in CI)."""

from __future__ import annotations

from pathlib import Path

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def stix_example_files() -> list[Path]:
    """The OASIS STIX 2.1 example bundles of the shared data."""
    return sorted((SHARED_DATA / "cyber" / "stix_examples").glob("*.json"))
