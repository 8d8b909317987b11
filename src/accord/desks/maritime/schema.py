"""The maritime desk's tables: what ingest writes and every detector reads.

Units are in the names where they matter. Timestamps are UTC, to the microsecond.
"""

from __future__ import annotations

import pyarrow as pa

# One AIS position report (types 1-3, 18, 19, 27) or a row of a position file.
POSITIONS = pa.schema(
    [
        pa.field("mmsi", pa.int64(), nullable=False),
        pa.field("ts", pa.timestamp("us", tz="UTC"), nullable=False),
        pa.field("lat", pa.float64(), nullable=False),  # degrees, WGS 84
        pa.field("lon", pa.float64(), nullable=False),  # degrees, -180..180
        pa.field("sog_kn", pa.float32()),  # speed over ground; null if not available
        pa.field("cog_deg", pa.float32()),  # course over ground; null if not available
        pa.field("heading_deg", pa.int16()),  # true heading; null if not available (511)
        pa.field("nav_status", pa.int8()),  # ITU-R M.1371 navigational status; null if none
        pa.field("msg_type", pa.int8()),  # AIS message type; null for non-AIS sources
        pa.field("source", pa.string()),  # the file it came from
    ]
)

# Static and voyage data (types 5, 19, 24) or a position file's vessel columns.
STATICS = pa.schema(
    [
        pa.field("mmsi", pa.int64(), nullable=False),
        pa.field("ts", pa.timestamp("us", tz="UTC")),  # when reported, if known
        pa.field("imo", pa.int64()),
        pa.field("callsign", pa.string()),
        pa.field("name", pa.string()),
        pa.field("ship_type", pa.int16()),
        pa.field("length_m", pa.float32()),
        pa.field("width_m", pa.float32()),
        pa.field("draught_m", pa.float32()),
        pa.field("destination", pa.string()),
        pa.field("msg_type", pa.int8()),
        pa.field("source", pa.string()),
    ]
)

# A position is the same report when these agree (re-ingesting a file adds nothing).
POSITION_KEY = ("mmsi", "ts", "lat", "lon")
