"""The reference data the detectors need (coastline, land, ports, anchorages), from files
the node's operator names; built indexes are cached in the desk's data directory."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from accord.core.errors import ConfigurationError
from accord.desks.maritime.ports import PortIndex, load_port_index
from accord.desks.maritime.shore import ShoreIndex, load_shore_index


class ReferenceFiles(BaseSettings):
    """Where the reference data is: ``ACCORD_MARITIME_COASTLINE_FILE`` and so on."""

    model_config = SettingsConfigDict(env_prefix="ACCORD_MARITIME_", extra="ignore")

    coastline_file: Path | None = Field(
        default=None,
        description="Coastline GeoJSON (Natural Earth 10 m coastline), may be gzipped.",
    )
    land_file: Path | None = Field(
        default=None,
        description="Land polygons GeoJSON (Natural Earth 50 m land), for inland points.",
    )
    ports_file: Path | None = Field(default=None, description="Ports CSV (GFW's WPI ports).")
    anchorages_file: Path | None = Field(
        default=None, description="Anchorages CSV, may be gzipped (GFW anchorage overrides)."
    )


@dataclass(frozen=True)
class Reference:
    """The indexes the detectors consult."""

    shore: ShoreIndex
    ports: PortIndex


def load_reference(files: ReferenceFiles, cache_dir: Path) -> Reference:
    """Build (or load from `cache_dir`) the shore and port indexes; ConfigurationError
    names the settings missing."""
    missing = [
        f"ACCORD_MARITIME_{name.upper()}"
        for name in ("coastline_file",)
        if getattr(files, name) is None
    ]
    if files.ports_file is None and files.anchorages_file is None:
        missing.append("ACCORD_MARITIME_PORTS_FILE or ACCORD_MARITIME_ANCHORAGES_FILE")
    if missing:
        raise ConfigurationError(
            f"the maritime detectors need reference data: set {' and '.join(missing)}"
        )
    assert files.coastline_file is not None
    shore = load_shore_index(
        cache_dir, coastline_path=files.coastline_file, land_path=files.land_file
    )
    ports = load_port_index(
        cache_dir, wpi_path=files.ports_file, anchorages_path=files.anchorages_file
    )
    return Reference(shore=shore, ports=ports)
