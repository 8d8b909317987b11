"""The detectors' parameters, each with the rule it comes from. Set any of them with an
``ACCORD_MARITIME_<NAME>`` environment variable.
"""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class DetectorRules(BaseSettings):
    """Thresholds of the maritime detectors."""

    model_config = SettingsConfigDict(env_prefix="ACCORD_MARITIME_", extra="ignore")

    # Global Fishing Watch, "AIS disabling events": a gap of 12 h or more that starts at
    # least 50 nm from shore.
    gap_hours: float = Field(default=12.0, gt=0)
    gap_shore_nm: float = Field(default=50.0, ge=0)
    # Global Fishing Watch, encounters: < 500 m apart for > 2 h at a median speed < 2 kn,
    # > 10 km from any port or anchorage, on positions interpolated to 10 minutes.
    encounter_distance_m: float = Field(default=500.0, gt=0)
    encounter_hours: float = Field(default=2.0, gt=0)
    encounter_speed_kn: float = Field(default=2.0, gt=0)
    encounter_port_km: float = Field(default=10.0, ge=0)
    interpolation_minutes: int = Field(default=10, ge=1, le=60)
    # Accord's loitering rule (see the README's rules table for the sources it departs
    # from): < 2 kn for > 4 h, at least 20 nm from shore, with no partner vessel.
    loiter_speed_kn: float = Field(default=2.0, gt=0)
    loiter_hours: float = Field(default=4.0, gt=0)
    loiter_shore_nm: float = Field(default=20.0, ge=0)
    # A report implying more than this from both neighbours, then reverted, is a spoofed
    # jump; no merchant vessel sustains 50 kn.
    spoof_speed_kn: float = Field(default=50.0, gt=0)
    # One MMSI seen in two places this far apart within `clash_window_minutes`, at least
    # `clash_min_jumps` times: two transmitters share the identity.
    clash_distance_nm: float = Field(default=10.0, gt=0)
    clash_window_minutes: float = Field(default=10.0, gt=0)
    clash_min_jumps: int = Field(default=3, ge=2)
    # Global Fishing Watch port visits: enter within 3 km, exit beyond 4 km, with a stop
    # (< 0.2 kn) between.
    port_entry_km: float = Field(default=3.0, gt=0)
    port_exit_km: float = Field(default=4.0, gt=0)
    port_stop_kn: float = Field(default=0.2, gt=0)
    port_min_hours: float = Field(default=0.0, ge=0)
    # A track is split where consecutive reports imply more than this.
    segment_speed_kn: float = Field(default=50.0, gt=0)
