"""The fast AIS decoder against pyais, the reference, on every NMEA file of the shared data;
and its framing: rejects with line numbers, strict mode, multi-part messages, receive times,
"not available" values."""

from __future__ import annotations

import enum
import gzip
import re
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyais
import pytest
from pyais.stream import IterMessages

from accord.core.errors import InvalidInput
from accord.desks.maritime.ais import FAST_TYPES, decode_nmea, fast_fields
from accord.desks.maritime.nmea import RejectedLine

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "maritime"
NMEA_FILES = [
    "amsa_nmea_sample.txt.gz",
    "amsa_exact-earth-with-tag-block.txt",
    "amsa_nmea-timestamped.txt",
    "gpsd_ais-nmea.log",
    "libais_test.aivdm",
    "libais_typeexamples.nmea",
    "libais_tagblock.nmea",
    "pyais_nmea_data_sample.txt",
]
# The sentence alone, without tag block, prefix or USCG suffix: what pyais is given.
SENTENCE = re.compile(rb"![A-Z0-9=]{2}VD[MO],[^*]*\*[0-9A-Fa-f]{2}")
TYPE_1 = b"!AIVDM,1,1,,B,19NWuLhuRb5QHfCpPcwj`26B0<02,0*5F"


def read_lines(name: str) -> list[bytes]:
    return read_bytes(name).splitlines()


def read_bytes(name: str) -> bytes:
    path = DATA / name
    assert path.exists(), f"{path}: the shared test data is missing"
    return gzip.decompress(path.read_bytes()) if name.endswith(".gz") else path.read_bytes()


def same(expected: Any, actual: Any) -> bool:
    """pyais's value equals ours: ints and strings exactly, floats within 1e-6, enums by
    value."""
    if isinstance(expected, enum.Enum) and not isinstance(expected, float):
        expected = expected.value
    if expected is None or actual is None:
        return expected is actual
    if isinstance(expected, bool):
        return isinstance(actual, bool) and expected == actual
    if isinstance(expected, float):
        return isinstance(actual, float) and abs(expected - actual) <= 1e-6
    return type(expected) is type(actual) and expected == actual


def encoded(**fields: Any) -> list[bytes]:
    """Sentences for one message, encoded by pyais."""
    return [s.encode() for s in pyais.encode_dict(fields, talker_id="AI")]


@pytest.mark.parametrize("name", NMEA_FILES)
def test_fast_path_fields_equal_pyais_for_every_message_it_decodes(name: str) -> None:
    lines = read_lines(name)
    checked = 0
    for numbers, ours in fast_fields(lines):
        sentences = [SENTENCE.search(lines[n - 1]).group() for n in numbers]  # type: ignore[union-attr]
        reference = pyais.decode(*sentences).asdict()
        assert set(ours) == set(reference), (name, numbers)
        wrong = {k: (v, ours[k]) for k, v in reference.items() if not same(v, ours[k])}
        assert not wrong, (name, numbers, wrong)
        checked += 1
    assert checked > 0


@pytest.mark.parametrize("name", NMEA_FILES)
def test_every_message_pyais_decodes_is_decoded_fast_handed_to_pyais_or_rejected(
    name: str,
) -> None:
    lines = read_lines(name)
    sentences = [m.group() for line in lines if (m := SENTENCE.search(line))]
    by_pyais: Counter[bytes] = Counter()
    for message in IterMessages(sentences):
        try:
            message.decode()
        except pyais.exceptions.AISBaseException:
            continue
        by_pyais[message.raw.split(b"\n")[0]] += 1
    batch = decode_nmea(lines)
    fast = [numbers[0] for numbers, _ in fast_fields(lines)]
    accounted = fast + [line for line, _ in batch.others] + [r.line for r in batch.rejects]
    ours = Counter(m.group() for n in accounted if (m := SENTENCE.search(lines[n - 1])))
    assert not by_pyais - ours
    assert batch.counts["decoded_fast"] == len(fast)
    assert all(fields["msg_type"] not in FAST_TYPES for _, fields in batch.others)


def test_rejects_carry_their_line_number_reason_and_text() -> None:
    lines = [TYPE_1, b"garbage here", TYPE_1[:-2] + b"00", b"", b"# a comment", b"$GPZDA,1*00"]
    batch = decode_nmea(lines)
    assert [(r.line, r.reason) for r in batch.rejects] == [
        (2, "no NMEA sentence in line"),
        (3, "bad checksum"),
    ]
    assert batch.rejects[1].text == (TYPE_1[:-2] + b"00").decode()
    assert batch.counts["blank"] == 1 and batch.counts["comments"] == 1
    assert batch.counts["other_sentences"] == 1 and batch.counts["rejected"] == 2


def test_bad_checksum_raises_under_strict_naming_the_line() -> None:
    lines = [TYPE_1, TYPE_1.replace(b"*5F", b"*5E")]
    assert decode_nmea(lines).counts["rejected"] == 1
    with pytest.raises(RejectedLine, match=r"x.nmea: line 2: bad checksum") as raised:
        decode_nmea(lines, source="x.nmea", strict=True)
    assert isinstance(raised.value, InvalidInput)


def test_broken_multi_part_messages_are_rejected_and_complete_ones_assembled() -> None:
    first, second = encoded(msg_type=5, mmsi=244670316, shipname="EVERDINA", imo=0)
    assert first[6:11] == b",2,1,"
    lines = [second, first, TYPE_1, second, first]
    batch = decode_nmea(lines)
    assert [(r.line, r.reason) for r in batch.rejects] == [
        (1, "part 2 of a multi-part message without part 1"),
        (5, "incomplete multi-part message: 1 of 2"),
    ]
    assert batch.statics.column("name").to_pylist() == ["EVERDINA"]
    assert batch.statics.column("imo").to_pylist() == [None]  # IMO 0: not available


def test_tag_block_receive_time_is_the_timestamp() -> None:
    seconds = rb"\s:rEV02,c:1334337317*58" + b"\\" + TYPE_1
    millis = rb"\c:1334337317250*00" + b"\\" + TYPE_1
    ts = decode_nmea([seconds, millis]).positions.column("ts").to_pylist()
    assert ts == [
        datetime(2012, 4, 13, 17, 15, 17, tzinfo=UTC),
        datetime(2012, 4, 13, 17, 15, 17, 250_000, tzinfo=UTC),
    ]


def test_prefix_and_uscg_suffix_receive_times_are_read() -> None:
    lines = [
        b"1334337317.5 " + TYPE_1,
        b"2012-04-13T17:15:17Z," + TYPE_1,
        b"2012-04-13 19:15:17+02:00 " + TYPE_1,
        TYPE_1 + b",b003669794,1334337317",
        b"somewhere " + TYPE_1,
    ]
    batch = decode_nmea(lines)
    stamp = datetime(2012, 4, 13, 17, 15, 17, tzinfo=UTC)
    assert batch.positions.column("ts").to_pylist() == [
        stamp.replace(microsecond=500_000),
        stamp,
        stamp,
        stamp,
    ]
    assert [(r.line, r.reason) for r in batch.rejects] == [
        (5, "unrecognised text before the sentence")
    ]


def test_not_available_values_are_null_and_unplaced_or_untimed_reports_left_out() -> None:
    stamp = rb"\c:1334337317*00" + b"\\"
    blank = encoded(msg_type=1, mmsi=1, speed=102.3, course=360, heading=511, lat=10, lon=20)
    unplaced = encoded(msg_type=1, mmsi=2, lat=91, lon=181)
    class_b = encoded(msg_type=18, mmsi=3, speed=1.5, course=90.5, heading=12, lat=-1, lon=-2)
    lines = [stamp + blank[0], stamp + unplaced[0], stamp + class_b[0], class_b[0]]
    batch = decode_nmea(lines)
    rows = batch.positions.to_pylist()
    assert [r["mmsi"] for r in rows] == [1, 3]
    assert (rows[0]["sog_kn"], rows[0]["cog_deg"], rows[0]["heading_deg"]) == (None, None, None)
    assert (rows[0]["lat"], rows[0]["lon"], rows[0]["nav_status"]) == (10.0, 20.0, 15)
    assert (rows[1]["sog_kn"], rows[1]["cog_deg"], rows[1]["heading_deg"]) == (1.5, 90.5, 12)
    assert rows[1]["nav_status"] is None and rows[1]["msg_type"] == 18
    assert batch.counts["no_position"] == 1 and batch.counts["untimed"] == 1


def test_too_short_payload_is_rejected_and_other_types_go_to_pyais() -> None:
    inquiry = encoded(msg_type=10, mmsi=3669702, dest_mmsi=244670316)
    lines = [sentence(b"19NWuLhuRb5QHfCpPcwj", 0), inquiry[0]]
    batch = decode_nmea(lines)
    assert [(r.line, r.reason) for r in batch.rejects] == [
        (1, "type 1 payload too short: 120 of 137 bits")
    ]
    assert [(line, fields["msg_type"], fields["mmsi"]) for line, fields in batch.others] == [
        (2, 10, 3669702)
    ]


def payload_of(fields: dict[str, Any]) -> bytes:
    """The whole payload of one message encoded by pyais (all its parts)."""
    return b"".join(s.split(b",")[5] for s in encoded(**fields))


# Types 4, 9, 11, 20 and 21 cut at every length pyais may meet: the fields a payload holds
# and, partly, the one it ends in, as pyais reads them.
SYNTHETIC = [
    dict(msg_type=4, mmsi=3669702, year=2012, month=4, day=13, hour=17, minute=15, second=17,
         accuracy=True, lon=-70.9, lat=42.2, epfd=7, raim=True, radio=12345),
    dict(msg_type=11, mmsi=3669702, year=2024, month=12, day=31, lon=179.9, lat=-89.9, epfd=15),
    dict(msg_type=9, mmsi=111232511, alt=303, speed=42, accuracy=True, lon=-6.27, lat=58.14,
         course=154.5, second=15, dte=True, assigned=False, raim=True, radio=33392),
    dict(msg_type=20, mmsi=3669145, offset1=2049, number1=5, timeout1=7, increment1=225,
         offset2=4095, number2=15, timeout2=3, increment2=2047, offset3=1, number3=1),
    dict(msg_type=21, mmsi=993692028, aid_type=31, name="ABCDEFGHIJKLMNOPQRST",
         name_ext="UVWXYZ0123456", lon=-122.3, lat=47.6, to_bow=5, to_stern=5, to_port=3,
         to_starboard=3, epfd=1, second=61, off_position=True, virtual_aid=True),
    dict(msg_type=21, mmsi=993692029, aid_type=1, name="SHORT NAME", lat=-33.8, lon=151.2),
]  # fmt: skip


@pytest.mark.parametrize("fields", SYNTHETIC, ids=lambda f: f"type{f['msg_type']}")
def test_new_fast_types_equal_pyais_at_every_payload_length(fields: dict[str, Any]) -> None:
    payload = payload_of(fields)
    for chars in range(1, len(payload) + 1):
        for fill in (0, 2, 4):
            line = sentence(payload[:chars], fill)
            reference = pyais.decode(line.decode()).asdict()
            found = list(fast_fields([line]))
            if not found:  # no whole type field, or a position report without its course
                assert decode_nmea([line]).counts["rejected"] == 1, (chars, fill)
                assert 6 * chars - fill < (6 if fields["msg_type"] != 9 else 134)
                continue
            [(_, ours)] = found
            assert set(ours) == set(reference), (chars, fill)
            wrong = {k: (v, ours[k]) for k, v in reference.items() if not same(v, ours[k])}
            assert not wrong, (chars, fill, wrong)


def test_aid_to_navigation_full_name_joins_the_name_extension() -> None:
    stamp = rb"\c:1334337317*00" + b"\\"
    lines = [stamp + s for f in SYNTHETIC if f["msg_type"] == 21 for s in encoded(**f)]
    table = decode_nmea(lines).reports["aid_to_navigation"]
    assert table.column("full_name").to_pylist() == [
        "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456",
        "SHORT NAME",
    ]
    assert table.column("name_ext").to_pylist() == ["UVWXYZ0123456", ""]
    assert table.column("ts").to_pylist() == [datetime(2012, 4, 13, 17, 15, 17, tzinfo=UTC)] * 2


def test_sar_aircraft_report_is_a_position_with_its_speed_in_knots() -> None:
    stamp = rb"\c:1334337317*00" + b"\\"
    sar = next(f for f in SYNTHETIC if f["msg_type"] == 9)
    unknown = sar | {"speed": 1023, "course": 360}
    lines = [stamp + encoded(**sar)[0], stamp + encoded(**unknown)[0]]
    rows = decode_nmea(lines).positions.to_pylist()
    assert [(r["mmsi"], r["msg_type"], r["lat"], r["lon"]) for r in rows] == [
        (111232511, 9, 58.14, -6.27)
    ] * 2
    assert (rows[0]["sog_kn"], rows[0]["cog_deg"], rows[0]["heading_deg"]) == (42.0, 154.5, None)
    assert rows[0]["nav_status"] is None
    assert (rows[1]["sog_kn"], rows[1]["cog_deg"]) == (None, None)


def test_reports_hold_base_stations_and_data_link_management_in_line_order() -> None:
    base, _, _, slots, _, _ = (encoded(**f)[0] for f in SYNTHETIC)
    batch = decode_nmea([slots, base, base.replace(b",B,", b",A,", 1)])
    assert batch.counts["decoded_fast"] == 3 and not batch.others and not batch.rejects
    stations = batch.reports["base_station"]
    assert stations.column("line").to_pylist() == [2, 3]
    assert stations.column("year").to_pylist() == [2012, 2012]
    assert stations.column("ts").null_count == 2
    links = batch.reports["data_link_management"].to_pylist()
    assert [(r["offset2"], r["number3"], r["offset4"]) for r in links] == [(4095, 1, 0)]
    assert batch.reports["aid_to_navigation"].num_rows == 0


def sentence(payload: bytes, fill: int) -> bytes:
    """A single-sentence AIVDM with its checksum."""
    body = b"AIVDM,1,1,,A," + payload + b"," + str(fill).encode()
    checksum = 0
    for byte in body:
        checksum ^= byte
    return b"!" + body + b"*%02X" % checksum


@pytest.mark.parametrize("name", NMEA_FILES)
def test_a_whole_files_bytes_decode_as_its_lines_do(name: str) -> None:
    from_lines, from_bytes = decode_nmea(read_lines(name)), decode_nmea(read_bytes(name))
    assert from_bytes.counts == from_lines.counts
    assert from_bytes.positions.equals(from_lines.positions)
    assert from_bytes.statics.equals(from_lines.statics)
    assert from_bytes.rejects == from_lines.rejects
