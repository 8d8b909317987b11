"""The maritime desk's reference data: flags from MMSIs, distance from shore, nearest port.

The real files are read from ../shared/data/maritime (see its SOURCES.md); the indexes are
built once per session into a temporary cache directory.
"""

from __future__ import annotations

import gzip
import json
import math
from pathlib import Path

import numpy as np
import polars as pl
import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

from accord.core.errors import ConfigurationError, InvalidInput
from accord.desks.maritime.flags import (
    MID_COUNTRIES,
    MmsiKind,
    flag_iso2_column,
    mid_table,
    mmsi_identity,
    mmsi_identity_table,
)
from accord.desks.maritime.ports import PortIndex, load_port_index
from accord.desks.maritime.shore import (
    EARTH_RADIUS_KM,
    KM_PER_NM,
    SPACING_KM,
    ShoreIndex,
    load_shore_index,
)
from tests.data import SHARED_DATA

MARITIME = SHARED_DATA / "maritime"
COASTLINE = MARITIME / "ne_10m_coastline.geojson.gz"
LAND = MARITIME / "ne_50m_land.geojson"
WPI = MARITIME / "gfw_WPI_ports.csv"
ANCHORAGES = MARITIME / "gfw_anchorage_overrides.csv.gz"

# Densified vertices overestimate the distance to the coastline by at most half the spacing.
DENSIFY_KM = SPACING_KM / 2


@pytest.fixture(scope="session")
def shore(tmp_path_factory: pytest.TempPathFactory) -> ShoreIndex:
    cache = tmp_path_factory.mktemp("shore-cache")
    return load_shore_index(cache, coastline_path=COASTLINE, land_path=LAND)


@pytest.fixture(scope="session")
def ports(tmp_path_factory: pytest.TempPathFactory) -> PortIndex:
    cache = tmp_path_factory.mktemp("port-cache")
    return load_port_index(cache, wpi_path=WPI, anchorages_path=ANCHORAGES)


def destination(lat: float, lon: float, bearing_deg: float, km: float) -> tuple[float, float]:
    """The point km along a great circle from (lat, lon) on the index's sphere."""
    d, bearing = km / EARTH_RADIUS_KM, math.radians(bearing_deg)
    phi, lam = math.radians(lat), math.radians(lon)
    phi2 = math.asin(math.sin(phi) * math.cos(d) + math.cos(phi) * math.sin(d) * math.cos(bearing))
    lam2 = lam + math.atan2(
        math.sin(bearing) * math.sin(d) * math.cos(phi),
        math.cos(d) - math.sin(phi) * math.sin(phi2),
    )
    return math.degrees(phi2), (math.degrees(lam2) + 540.0) % 360.0 - 180.0


# ---------------------------------------------------------------------------------------
# Flags


@pytest.mark.parametrize(
    ("mmsi", "kind", "mid", "flag"),
    [
        (244123456, MmsiKind.SHIP, 244, "NL"),
        (538007123, MmsiKind.SHIP, 538, "MH"),
        (2442000, MmsiKind.COAST_STATION, 244, "NL"),  # 002442000
        (24412345, MmsiKind.GROUP, 244, "NL"),  # 024412345
        (111232123, MmsiKind.SAR_AIRCRAFT, 232, "GB"),
        (824412345, MmsiKind.HANDHELD_VHF, 244, "NL"),
        (982440001, MmsiKind.CRAFT_OF_PARENT_SHIP, 244, "NL"),
        (992351000, MmsiKind.AID_TO_NAVIGATION, 235, "GB"),
        (970123456, MmsiKind.AIS_SART, None, None),
        (972123456, MmsiKind.MAN_OVERBOARD, None, None),
        (974123456, MmsiKind.EPIRB_AIS, None, None),
    ],
)
def test_each_mmsi_form_gives_its_kind_and_flag(
    mmsi: int, kind: MmsiKind, mid: int | None, flag: str | None
) -> None:
    identity = mmsi_identity(mmsi)
    assert (identity.kind, identity.mid, identity.flag_iso2) == (kind, mid, flag)


@pytest.mark.parametrize(
    "mmsi",
    [0, 1234, 123456789, 976123456, 1_000_000_000, -244123456, 1_073_741_823, 11234567, 812312345],
)
def test_numbers_of_no_itu_form_are_invalid(mmsi: int) -> None:
    identity = mmsi_identity(mmsi)
    assert identity.kind is MmsiKind.INVALID
    assert (identity.mid, identity.flag_iso2, identity.country) == (None, None, None)


def test_a_well_formed_mmsi_with_an_unallocated_mid_keeps_its_kind_but_has_no_flag() -> None:
    identity = mmsi_identity(217000001)  # MID 217 is not allocated
    assert (identity.kind, identity.mid, identity.flag_iso2) == (MmsiKind.SHIP, 217, None)


def test_territories_have_their_own_flag_or_their_states() -> None:
    assert mmsi_identity(236000001).flag_iso2 == "GI"  # Gibraltar
    assert mmsi_identity(204000001).flag_iso2 == "PT"  # Azores
    assert mmsi_identity(303000001).flag_iso2 == "US"  # Alaska
    assert mmsi_identity(445000001).country == "Korea (Democratic People's Republic of)"


def test_mid_table_covers_every_allocation_with_iso_codes() -> None:
    table = mid_table()
    assert table.num_rows == len(MID_COUNTRIES) > 280
    assert all(200 <= mid <= 799 for mid in table["mid"].to_pylist())
    codes = table["flag_iso2"].to_pylist()
    assert all(len(code) == 2 and code.isalpha() and code.isupper() for code in codes)


def test_flag_column_takes_numpy_arrow_and_polars_with_nulls() -> None:
    expected = ["NL", None, "CN", None]
    assert flag_iso2_column(np.array([244123456, 0, 412000000, 970000001])).to_pylist() == [
        "NL",
        None,
        "CN",
        None,
    ]
    with_null = [244123456, None, 412000000, 970000001]
    assert flag_iso2_column(pa.array(with_null, pa.int64())).to_pylist() == expected
    assert flag_iso2_column(pa.chunked_array([[244123456, None], [412000000, 970000001]]))
    assert flag_iso2_column(pl.Series(with_null, dtype=pl.Int64)).to_pylist() == expected
    kinds = mmsi_identity_table(pl.Series(with_null, dtype=pl.Int64))["kind"].to_pylist()
    assert kinds == ["ship", "invalid", "ship", "ais_sart"]


def test_a_column_of_text_is_refused_with_a_clear_message() -> None:
    with pytest.raises(InvalidInput, match="MMSI column: expected integers"):
        flag_iso2_column(np.array(["244123456"]))


def reference_identity(mmsi: int) -> tuple[str, int | None]:
    """ITU-R M.585-9 read straight off the digits, as text: the test's independent oracle."""
    if not 0 <= mmsi <= 999_999_999:
        return "invalid", None
    digits = f"{mmsi:09d}"
    devices = {"970": "ais_sart", "972": "man_overboard", "974": "epirb_ais"}
    if digits[:3] in devices:
        return devices[digits[:3]], None
    if digits[0] in "234567":
        kind, mid = "ship", digits[:3]
    elif digits.startswith("00"):
        kind, mid = "coast_station", digits[2:5]
    elif digits.startswith("0"):
        kind, mid = "group", digits[1:4]
    elif digits.startswith("111"):
        kind, mid = "sar_aircraft", digits[3:6]
    elif digits.startswith("8"):
        kind, mid = "handheld_vhf", digits[1:4]
    elif digits.startswith("98"):
        kind, mid = "craft_of_parent_ship", digits[2:5]
    elif digits.startswith("99"):
        kind, mid = "aid_to_navigation", digits[2:5]
    else:
        return "invalid", None
    return (kind, int(mid)) if mid[0] in "234567" else ("invalid", None)


FORMS = st.sampled_from([0, 100_000_000, 111_000_000, 800_000_000, 970_000_000, 980_000_000])


@given(
    st.lists(
        st.one_of(
            st.integers(-10, 1_100_000_000),
            st.builds(lambda base, rest: base + rest, FORMS, st.integers(0, 9_999_999)),
            st.integers(0, 9_999_999),
        ),
        min_size=1,
        max_size=50,
    )
)
def test_column_decoding_agrees_with_the_digits_read_as_text(mmsis: list[int]) -> None:
    table = mmsi_identity_table(np.array(mmsis, dtype=np.int64))
    decoded = list(zip(table["kind"].to_pylist(), table["mid"].to_pylist(), strict=True))
    assert decoded == [reference_identity(mmsi) for mmsi in mmsis]
    flags = table["flag_iso2"].to_pylist()
    for (_, mid), flag in zip(decoded, flags, strict=True):
        assert flag == (MID_COUNTRIES[mid][0] if mid in MID_COUNTRIES else None)


# ---------------------------------------------------------------------------------------
# Distance from shore


def test_points_on_the_coast_are_about_zero(shore: ShoreIndex) -> None:
    # Cabo da Roca, the Cape of Good Hope, Land's End. The 1:10 million coastline puts a
    # headland within a kilometre or so of where the map says; 1.5 km allows for that.
    lat = [38.7804, -34.3568, 50.0661]
    lon = [-9.5007, 18.4740, -5.7147]
    assert np.all(shore.distance_km(lat, lon) < 1.5)


@pytest.mark.parametrize(
    ("bearing_deg", "offset_nm"),
    [(270, 100), (270, 40), (180, 60), (0, 25)],
)
def test_distance_off_an_isolated_island_is_the_offset_less_its_radius(
    shore: ShoreIndex, bearing_deg: float, offset_nm: float
) -> None:
    # St Helena: the nearest other land is over 1,000 km away, and every point of its coast
    # lies within 10 km of this central point. So a point offset_nm from the centre is
    # between offset - 10 km and offset + the densification bound from shore.
    lat, lon = destination(-15.965, -5.7089, bearing_deg, offset_nm * KM_PER_NM)
    distance_km = shore.distance_km([lat], [lon])[0]
    assert offset_nm * KM_PER_NM - 10.0 <= distance_km <= offset_nm * KM_PER_NM + DENSIFY_KM


def test_the_gap_and_loitering_thresholds_are_decided_by_distance_in_nm(
    shore: ShoreIndex,
) -> None:
    # 100 nm and 60 nm off St Helena are >= 50 nm from shore (the GFW gap rule); 40 nm off
    # is not, but is >= 20 nm (loitering); 10 nm off is neither.
    points = [destination(-15.965, -5.7089, 270, nm * KM_PER_NM) for nm in (100, 60, 40, 10)]
    distance_nm = shore.distance_nm([p[0] for p in points], [p[1] for p in points])
    assert list(distance_nm >= 50) == [True, True, False, False]
    assert list(distance_nm >= 20) == [True, True, True, False]


def test_far_from_any_coast_is_far(shore: ShoreIndex) -> None:
    # Point Nemo is 2,688 km from the nearest land (Lukatela, on the ellipsoid); the North
    # Pole about 705 km (northern Greenland at 83.66 N). Beyond 200 km the coarse vertex
    # set may overestimate by 5.5 km and the sphere differs from the ellipsoid by up to
    # 0.5 % (13 km at Point Nemo): 20 km covers both.
    distance_km = shore.distance_km([-48.8767, 90.0], [-123.3933, 0.0])
    assert abs(distance_km[0] - 2688.0) < 20.0
    assert abs(distance_km[1] - 705.0) < 20.0


def test_inland_is_on_shore_and_the_caspian_is_sea(shore: ShoreIndex) -> None:
    # Madrid is 300 km from the coast but on land: distance 0, never "far from shore".
    # The Great Lakes are land in Natural Earth's 1:50 m polygons (documented); the
    # Caspian is a hole in them and its middle is over 100 km from its shores.
    distance_km = shore.distance_km([40.4168, 47.7, 42.0], [-3.7038, -87.5, 50.5])
    assert distance_km[0] == 0.0
    assert distance_km[1] == 0.0
    assert 100.0 < distance_km[2] < 200.0
    assert list(shore.on_land([40.4168, 42.0], [-3.7038, 50.5])) == [True, False]


@pytest.mark.parametrize("lat", [-16.8, -17.0, 51.5, 65.0])
def test_the_antimeridian_is_an_ordinary_place(shore: ShoreIndex, lat: float) -> None:
    # Fiji (Taveuni straddles 180), the Aleutians, Chukotka. Points 0.0002 degrees apart
    # across the line (under 25 m) are at the same distance, within the densification bound.
    east, west = shore.distance_km([lat, lat], [179.9999, -179.9999])
    assert abs(east - west) <= DENSIFY_KM
    at_180 = shore.distance_km([lat, lat], [180.0, -180.0])
    assert at_180[0] == pytest.approx(at_180[1], abs=1e-9)  # the same point


def test_invalid_positions_give_nan_and_mismatched_columns_are_refused(
    shore: ShoreIndex,
) -> None:
    distance_km = shore.distance_km(
        pa.array([91.0, None, 10.0, float("nan")]), pl.Series([0.0, 0.0, 181.0, 0.0])
    )
    assert np.isnan(distance_km).all()
    with pytest.raises(InvalidInput, match="lat has 2 values but lon has 1"):
        shore.distance_km([0.0, 1.0], [0.0])


def write_geojson(path: Path, geometries: list[dict[str, object]]) -> Path:
    features = [{"type": "Feature", "properties": {}, "geometry": g} for g in geometries]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return path


def test_a_coastline_across_the_antimeridian_is_measured_the_short_way(tmp_path: Path) -> None:
    # One line along lon 179.95 and one that crosses the antimeridian at lat 10: a position
    # at -179.95 is 0.1 degree of longitude (11.12 km at the equator) from the first, to
    # within the densification bound, and one at (10, 180) is on the second.
    coast = write_geojson(
        tmp_path / "coast.geojson",
        [
            {"type": "LineString", "coordinates": [[179.95, -1.0], [179.95, 1.0]]},
            {"type": "LineString", "coordinates": [[179.9, 10.0], [-179.9, 10.0]]},
        ],
    )
    index = load_shore_index(tmp_path / "cache", coastline_path=coast)
    near_line, on_crossing = index.distance_km([0.0, 10.0], [-179.95, 180.0])
    expected_km = math.radians(0.1) * EARTH_RADIUS_KM
    assert expected_km <= near_line <= expected_km + DENSIFY_KM
    assert on_crossing <= DENSIFY_KM


def test_the_built_index_is_cached_and_rebuilt_when_the_file_changes(tmp_path: Path) -> None:
    line = {"type": "LineString", "coordinates": [[0.0, 0.0], [1.0, 0.0]]}
    coast = write_geojson(tmp_path / "coast.geojson", [line])
    cache = tmp_path / "cache"
    load_shore_index(cache, coastline_path=coast)
    (first,) = cache.glob("shore-*.npz")
    stamp = first.stat().st_mtime_ns
    load_shore_index(cache, coastline_path=coast)
    assert [p.stat().st_mtime_ns for p in cache.glob("shore-*.npz")] == [stamp]
    write_geojson(coast, [line, {"type": "LineString", "coordinates": [[5, 5], [6, 5]]}])
    assert len(list(cache.glob("shore-*.npz"))) == 1
    load_shore_index(cache, coastline_path=coast)
    assert len(list(cache.glob("shore-*.npz"))) == 2


def test_a_missing_coastline_file_is_named(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.geojson.gz"
    with pytest.raises(ConfigurationError, match=r"nowhere\.geojson\.gz: data file not found"):
        load_shore_index(tmp_path, coastline_path=missing)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"not json", "not GeoJSON"),
        # mtime=0: the gzip header holds no time, so every xdist worker collects the same id.
        (gzip.compress(b'{"type": "Feature"}', mtime=0), "field 'features': missing"),
        (
            json.dumps(
                {"features": [{"geometry": {"type": "Point", "coordinates": [0, 0]}}]}
            ).encode(),
            "feature 0: field 'geometry': expected one of",
        ),
        (
            json.dumps(
                {"features": [{"geometry": {"type": "LineString", "coordinates": [[0, 0]]}}]}
            ).encode(),
            "feature 0: field 'coordinates': expected a list of at least two",
        ),
        (
            json.dumps(
                {
                    "features": [
                        {"geometry": {"type": "LineString", "coordinates": [[0, 0], [200, 0]]}}
                    ]
                }
            ).encode(),
            "feature 0: field 'coordinates': a point is outside",
        ),
    ],
)
def test_a_malformed_coastline_file_is_refused_naming_file_and_field(
    tmp_path: Path, content: bytes, message: str
) -> None:
    bad = tmp_path / "bad.geojson"
    bad.write_bytes(content)
    with pytest.raises(InvalidInput, match=r"bad\.geojson: .*" + message):
        load_shore_index(tmp_path / "cache", coastline_path=bad)


# ---------------------------------------------------------------------------------------
# Ports and anchorages


def test_known_ports_are_matched(ports: PortIndex) -> None:
    # Positions in the harbours of Rotterdam (Maasvlakte), Busan and Yokohama: each is within
    # a few hundred metres of one of GFW's named anchorages there.
    found = ports.nearest_table([51.95, 35.08, 35.45], [4.05, 129.03, 139.65]).to_pylist()
    assert [(row["port_name"], row["port_country_iso3"]) for row in found] == [
        ("ROTTERDAM", "NLD"),
        ("BUSAN", "KOR"),
        ("YOKOHAMA", "JPN"),
    ]
    assert all(row["distance_km"] < 3.0 for row in found)  # inside the port-visit radius


def test_the_gfw_pipeline_own_nearest_port_cases_hold_for_the_wpi_list(
    tmp_path: Path,
) -> None:
    # The cases of GFW's test/test_nearest_port.py, against WPI_ports.csv alone.
    wpi = load_port_index(tmp_path, wpi_path=WPI)
    found = wpi.nearest_table([37.8, 1.3521, -90.0], [-122.4, 103.8198, 0.0])
    assert found["port_name"].to_pylist() == [
        "SAN FRANCISCO",
        "KEPPEL - (EAST SINGAPORE)",
        "MCMURDO STATION",
    ]
    # San Francisco's listed position (37.816667, -122.416667) is 2.36 km away on the
    # sphere; the ellipsoid would differ by under 0.5 %.
    assert found["distance_km"][0].as_py() == pytest.approx(2.36, abs=0.02)


def test_nearest_port_across_the_antimeridian(ports: PortIndex) -> None:
    # East of 180 in the Aleutians the nearest port is Constantine Harbor, Amchitka, at
    # 179.3 E: 0.9 degree of longitude at 51.4 N, 62.5 km, where a flat lon/lat search would
    # have found Adak (176.65 W, over 200 km). The same in the Bering Sea for Beringovsky.
    found = ports.nearest_table([51.4, 63.05], [-179.8, -179.9]).to_pylist()
    assert found[0]["port_name"] == "CONSTANTINE HARBOR"
    assert found[0]["distance_km"] == pytest.approx(
        math.radians(0.9) * math.cos(math.radians(51.4)) * EARTH_RADIUS_KM, rel=0.01
    )
    assert found[1]["port_name"] == "BERINGOVSKY"


def test_max_km_leaves_far_positions_without_a_port(ports: PortIndex) -> None:
    # The encounter rule only asks whether a port lies within 10 km.
    found = ports.nearest([35.08, 0.0, 95.0], [129.03, -150.0, 0.0], max_km=10.0)
    assert found.distance_km[0] < 10.0 and found.port[0] >= 0
    assert found.distance_km[1] == np.inf and found.port[1] == -1
    assert np.isnan(found.distance_km[2]) and found.port[2] == -1  # latitude 95: invalid


def test_the_real_lists_load_with_their_known_oddities_reported(ports: PortIndex) -> None:
    # SOURCES.md: POINTE NOIRE has longitude 1001; REMOVE sits at (0, 0) and is skipped;
    # OU at latitude 89.999999 is a valid place; " USA " is stripped.
    assert len(ports.issues) == 1
    assert (
        "gfw_anchorage_overrides.csv.gz: line 11462: field 'longitude' is outside"
        in (ports.issues[0])
    )
    names = ports.table["name"].to_pylist()
    assert "REMOVE" not in names and "POINTE NOIRE" in names and "OU" in names
    assert " USA " not in ports.table["country_iso3"].to_pylist()
    assert set(ports.table["kind"].to_pylist()) == {"port", "anchorage"}


def test_strict_loading_fails_on_the_first_bad_row(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match=r"line 11462: field 'longitude' is outside"):
        load_port_index(tmp_path, anchorages_path=ANCHORAGES, strict=True)


def test_bad_rows_are_reported_with_their_line_and_field(tmp_path: Path) -> None:
    source = tmp_path / "ports.csv"
    source.write_text(
        "iso3,label,sublabel,latitude,longitude\n"
        "NLD,ROTTERDAM,,51.9,4.483333\n"
        "XX,NOWHERE,,north,4.0\n"
        ",,,10.0,10.0\n"
        "NA,SOMEWHERE,,12.0,13.0\n"
    )
    index = load_port_index(tmp_path / "cache", wpi_path=source)
    assert index.issues == (
        f"{source}: line 3: field 'latitude' is not a number ('north', '4.0')",
        f"{source}: line 4: field 'label' is empty: a place needs a name ('10.0', '10.0')",
        f"{source}: line 5: field 'iso3' 'NA' is no ISO 3166-1 alpha-3 code; left empty",
    )
    assert index.table["name"].to_pylist() == ["ROTTERDAM", "SOMEWHERE"]
    assert index.table["country_iso3"].to_pylist() == ["NLD", None]


def test_a_port_file_without_a_column_or_missing_is_named(tmp_path: Path) -> None:
    source = tmp_path / "ports.csv"
    source.write_text("iso3,label,latitude\nNLD,ROTTERDAM,51.9\n")
    with pytest.raises(InvalidInput, match=r"ports\.csv: missing column\(s\) sublabel, longitude"):
        load_port_index(tmp_path, wpi_path=source)
    with pytest.raises(ConfigurationError, match=r"absent\.csv: data file not found"):
        load_port_index(tmp_path, anchorages_path=tmp_path / "absent.csv")
    with pytest.raises(ConfigurationError, match="give a WPI ports file"):
        load_port_index(tmp_path)
