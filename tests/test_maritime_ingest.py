"""Maritime ingest of position files in columns: MarineCadastre CSV/Parquet, mappings, bad
rows, and the archive's day partitions without duplicates."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from accord.core.errors import InvalidInput
from accord.desks.maritime.columns import parse_mapping, read_columns
from accord.desks.maritime.dataset import AisArchive
from accord.desks.maritime.ingest import ingest_file
from tests.data import SHARED_DATA

NOAA_CSV = SHARED_DATA / "maritime" / "noaa_marinecadastre_2022-01-03_sample.csv.gz"
NOAA_PARQUET = SHARED_DATA / "maritime" / "noaa_marinecadastre_2022-01-03_sample.parquet"
HEADER = "MMSI,BaseDateTime,LAT,LON,SOG,COG,Heading,VesselName,IMO,CallSign,VesselType\n"


def write_csv(path: Path, *rows: str, header: str = HEADER) -> Path:
    path.write_text(header + "".join(f"{row}\n" for row in rows))
    return path


def count(archive: AisArchive, where: str = "true") -> int:
    query = f"SELECT count(*) FROM read_parquet('{archive.positions_glob}') WHERE {where}"
    with duckdb.connect() as db:
        return int(db.execute(query).fetchall()[0][0])


def test_marinecadastre_day_is_ingested_once_whatever_its_format(tmp_path: Path) -> None:
    archive = AisArchive(tmp_path / "maritime")
    first = ingest_file(archive, NOAA_CSV)
    # SOURCES.md: 99,999 rows; three repeat a report (same vessel, time and position).
    assert (first.rows, first.positions_added, first.positions_duplicate) == (99_999, 99_996, 3)
    assert first.statics_added > 10_000 and first.rejects == []
    again = ingest_file(archive, NOAA_PARQUET)
    assert (again.positions_added, again.positions_duplicate) == (0, 99_999)
    assert count(archive) == 99_996
    assert archive.days()[0].isoformat() == "2022-01-03"


def test_not_available_values_become_nulls(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "p.csv", "244123456,2026-03-01T10:00:00,52.1,4.2,102.3,360.0,511,,,,"
    )
    rows = read_columns(path).positions.to_pylist()[0]
    assert (rows["sog_kn"], rows["cog_deg"], rows["heading_deg"]) == (None, None, None)


def test_bad_rows_are_reported_by_line_and_field_and_the_rest_kept(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "p.csv",
        "244123456,2026-03-01T10:00:00,52.1,4.2,10,90,90,SEA BREEZE,IMO9074729,PCAB,70",
        "244123456,yesterday,52.1,4.2,10,90,90,,,,",
        "244123456,2026-03-01T10:01:00,91.0,4.2,10,90,90,,,,",
        ",2026-03-01T10:02:00,52.1,4.2,10,90,90,,,,",
    )
    found = read_columns(path)
    assert found.positions.num_rows == 1
    assert [(r.line, r.reason.split(":")[0]) for r in found.rejects] == [
        (3, "BaseDateTime"),
        (4, "LAT"),
        (5, "MMSI"),
    ]
    assert "cannot read 'yesterday'" in found.rejects[0].reason
    static = found.statics.to_pylist()[0]
    assert (static["imo"], static["name"], static["ship_type"]) == (9074729, "SEA BREEZE", 70)
    with pytest.raises(InvalidInput, match=r"p\.csv:3: BaseDateTime"):
        read_columns(path, strict=True)


def test_any_csv_is_read_with_a_column_mapping(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "other.csv",
        "2026-03-01T10:00:00Z;440123000;35.1;129.0",
        header="time;ship;y;x\n",
    )
    with pytest.raises(InvalidInput, match="give a column mapping"):
        read_columns(path)
    mapping = parse_mapping("ts=time, mmsi=ship, lat=y, lon=x")
    # A semicolon file is no CSV to the reader: the error names the missing column.
    with pytest.raises(InvalidInput, match="no column"):
        read_columns(path, mapping)
    path.write_text("time,ship,y,x\n2026-03-01T10:00:00Z,440123000,35.1,129.0\n")
    assert read_columns(path, mapping).positions.to_pylist()[0]["mmsi"] == 440123000


def test_mapping_names_an_unknown_column(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="'speed' is none of"):
        parse_mapping("speed=SOG")


def test_positions_land_in_the_partition_of_their_day(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "p.csv",
        "244123456,2026-03-01T23:59:59,52.1,4.2,10,90,90,,,,",
        "244123456,2026-03-02T00:00:01,52.2,4.3,10,90,90,,,,",
    )
    archive = AisArchive(tmp_path / "maritime")
    report = ingest_file(archive, path)
    assert report.positions_added == 2
    assert [day.isoformat() for day in archive.days()] == ["2026-03-01", "2026-03-02"]
    # A file left half-written by a crash (".partial") is never read.
    (tmp_path / "maritime" / "positions" / "day=2026-03-01" / ".x.partial").write_text("junk")
    assert count(archive) == 2


def test_nmea_with_tag_block_times_is_ingested_once(tmp_path: Path) -> None:
    archive = AisArchive(tmp_path / "maritime")
    source = SHARED_DATA / "maritime" / "amsa_exact-earth-with-tag-block.txt"
    first = ingest_file(archive, source)
    assert first.positions_added > 100 and first.rejects == []
    again = ingest_file(archive, source)
    assert (again.positions_added, again.positions_duplicate) == (0, first.positions_added)


def test_bad_nmea_lines_are_counted_with_their_line_or_stop_a_strict_ingest(
    tmp_path: Path,
) -> None:
    good = b"\\c:1334337317*58\\!AIVDM,1,1,,B,19NWuLhuRb5QHfCpPcwj`26B0<02,0*5F"
    bad_checksum = good[:-2] + b"00"
    path = tmp_path / "feed.nmea"
    path.write_bytes(b"\n".join([good, b"garbage", bad_checksum, b"$GPGGA,not,ais*00"]) + b"\n")
    archive = AisArchive(tmp_path / "maritime")
    report = ingest_file(archive, path)
    assert report.positions_added == 1 and report.skipped == 1
    assert [(reject.line, reject.reason) for reject in report.rejects][1] == (3, "bad checksum")
    assert report.rejects[0].line == 2
    with pytest.raises(InvalidInput, match="line 2"):
        ingest_file(AisArchive(tmp_path / "strict"), path, strict=True)
