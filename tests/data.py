"""Where the shared test data lives: ../shared/data beside the checkout (also in CI)."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def stix_example_files() -> list[Path]:
    """The OASIS STIX 2.1 example bundles of the shared data."""
    return sorted((SHARED_DATA / "cyber" / "stix_examples").glob("*.json"))


def indicator(number: int = 0, **extra: Any) -> dict[str, Any]:
    """A valid STIX 2.1 indicator with a fresh id; `extra` sets or overrides properties."""
    stamp = "2026-03-01T10:00:00.000Z"
    return {
        "type": "indicator",
        "spec_version": "2.1",
        "id": f"indicator--{uuid.uuid4()}",
        "created": stamp,
        "modified": stamp,
        "name": f"C2 {number}",
        "pattern": f"[ipv4-addr:value = '198.51.100.{number % 250}']",
        "pattern_type": "stix",
        "valid_from": stamp,
        **extra,
    }
