"""AIS payload decoding (ITU-R M.1371-5), vectorised, with pyais as reference and fallback.

Message types 1, 2, 3, 5, 18, 19, 24 and 27 are decoded here, per layout over all its
messages at once: the 6-bit armoured characters become packed bits, and every field is one
unaligned big-endian 64-bit load, a shift and a mask. Every other type goes through pyais.

:func:`decode_nmea` returns the maritime desk's tables (``schema.POSITIONS``,
``schema.STATICS``); :func:`fast_fields` gives, per message decoded here, its fields named
and valued as ``pyais.decode(...).asdict()`` does, so that tests hold the two equal.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyais
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray
from pyais.exceptions import AISBaseException

from accord.desks.maritime import schema
from accord.desks.maritime.nmea import Framing, Messages, Reject, RejectedLine, frame_nmea
from accord.desks.maritime.receive_time import NO_TIME

I64 = NDArray[np.int64]
U8 = NDArray[np.uint8]
Mask = NDArray[np.bool_]

FAST_TYPES = frozenset({1, 2, 3, 5, 18, 19, 24, 27})


@dataclass(frozen=True)
class Layout:
    """The bit fields of one message layout, named as pyais (after gpsd's AIVDM guide).

    ``needed_bits``: a shorter payload lacks a field the desk's tables use and is rejected.
    """

    name: str
    types: tuple[int, ...]
    fields: tuple[tuple[str, int, int, str], ...]  # name, offset, width, kind
    needed_bits: int

    @property
    def moves(self) -> bool:
        """Whether the layout gives positions."""
        return self.name in {"class_a", "class_b", "class_b_ext", "long_range"}

    @property
    def static(self) -> bool:
        """Whether the layout gives static data."""
        return self.name in {"voyage_static", "class_b_ext", "static_a", "static_b", "static_b_aux"}

    @property
    def bits(self) -> int:
        return self.fields[-1][1] + self.fields[-1][2]

    def at(self, name: str) -> tuple[int, int]:
        """Offset and width of field ``name``."""
        for field, offset, width, _ in self.fields:
            if field == name:
                return offset, width
        raise KeyError(name)


def _layout(name: str, types: tuple[int, ...], needed: str, spec: str) -> Layout:
    """A layout from ``name:width:kind`` fields in transmission order (ITU-R M.1371-5,
    Annex 8, section 3); ``needed`` is the last field the desk's tables use."""
    fields, offset = [], 0
    for item in spec.split():
        field, width, kind = item.split(":")
        fields.append((field, offset, int(width), kind))
        offset += int(width)
    end = next(o + w for f, o, w, _ in fields if f == needed)
    return Layout(name, types, tuple(fields), end)


# Kinds: u unsigned, b bool, t 6-bit text, x spare, deg 1/10000 min, deg600 1/10 min,
# tenth 0.1 units, float unsigned as float, turn rate of turn, ship/epfd enumerations.
_HEAD = "msg_type:6:u repeat:2:u mmsi:30:u"
_CLASS_B = f"""{_HEAD} reserved_1:8:u speed:10:tenth accuracy:1:b lon:28:deg lat:27:deg
    course:12:tenth heading:9:u second:6:u"""
_DIMENSIONS = "to_bow:9:u to_stern:9:u to_port:6:u to_starboard:6:u"
_PART_B = f"{_HEAD} partno:2:u ship_type:8:u vendorid:18:t model:4:u serial:20:u callsign:42:t"
LAYOUTS = {
    layout.name: layout
    for layout in (
        _layout(
            "class_a",
            (1, 2, 3),
            "heading",
            f"""{_HEAD} status:4:u turn:8:turn
            speed:10:tenth accuracy:1:b lon:28:deg lat:27:deg course:12:tenth heading:9:u
            second:6:u maneuver:2:u spare_1:3:x raim:1:b radio:19:u""",
        ),
        _layout(
            "voyage_static",
            (5,),
            "destination",
            f"""{_HEAD} ais_version:2:u imo:30:u
            callsign:42:t shipname:120:t ship_type:8:ship {_DIMENSIONS} epfd:4:epfd
            month:4:u day:5:u hour:5:u minute:6:u draught:8:tenth destination:120:t dte:1:b
            spare_1:1:x""",
        ),
        _layout(
            "class_b",
            (18,),
            "heading",
            f"""{_CLASS_B} reserved_2:2:u cs:1:b display:1:b
            dsc:1:b band:1:b msg22:1:b assigned:1:b raim:1:b radio:20:u""",
        ),
        _layout(
            "class_b_ext",
            (19,),
            "to_starboard",
            f"""{_CLASS_B} reserved_2:4:u
            shipname:120:t ship_type:8:ship {_DIMENSIONS} epfd:4:epfd raim:1:b dte:1:b
            assigned:1:b spare_1:4:x""",
        ),
        _layout("static_a", (24,), "shipname", f"{_HEAD} partno:2:u shipname:120:t spare_1:8:x"),
        _layout("static_b", (24,), "to_starboard", f"{_PART_B} {_DIMENSIONS} spare_1:6:x"),
        # Part B of an auxiliary craft (MMSI 98MIDxxxx) names its mother ship instead.
        _layout(
            "static_b_aux",
            (24,),
            "mothership_mmsi",
            f"""{_PART_B} mothership_mmsi:30:u
            spare_1:6:x""",
        ),
        _layout(
            "long_range",
            (27,),
            "course",
            f"""{_HEAD} accuracy:1:b raim:1:b status:4:u
            lon:18:deg600 lat:17:deg600 speed:6:float course:9:float gnss:1:b spare_1:1:x""",
        ),
    )
}


@dataclass
class DecodedBatch:
    """What one NMEA file (or batch of lines) decoded to.

    ``positions`` leaves out reports with no receive time (``counts["untimed"]``) and those
    whose latitude or longitude is "not available" or out of range
    (``counts["no_position"]``). ``others`` holds, per message of a type not decoded here,
    its first line and pyais's ``asdict()``.
    """

    positions: pa.Table
    statics: pa.Table
    others: list[tuple[int, dict[str, Any]]]
    rejects: list[Reject]
    counts: dict[str, int]
    messages_by_type: dict[int, int]


def decode_nmea(lines: Sequence[bytes], *, source: str = "", strict: bool = False) -> DecodedBatch:
    """Decode raw NMEA lines into positions and static data.

    Lenient by default: lines that do not decode are in ``rejects`` with their 1-based
    number and reason. With ``strict=True`` the first of them raises :class:`RejectedLine`.
    """
    reading = _Reading.of(frame_nmea(lines))
    if strict and (rejects := reading.rejects()):
        raise RejectedLine(rejects[0], source)
    others = _fallback(reading)
    rejects = reading.rejects()
    if strict and rejects:
        raise RejectedLine(rejects[0], source)
    positions, untimed, no_position = _positions(reading, source)
    statics = _statics(reading, source)
    by_type = np.bincount(reading.msg_type[reading.msg_type >= 0], minlength=64)
    counts = reading.framing.counts | {
        "messages": int(by_type.sum()),
        "decoded_fast": sum(len(group.rows) for group in reading.groups),
        "decoded_pyais": len(others),
        "rejected": len(rejects),
        "untimed": untimed,
        "no_position": no_position,
        "positions": positions.num_rows,
        "statics": statics.num_rows,
    }
    types = {t: int(c) for t, c in enumerate(by_type.tolist()) if c}
    return DecodedBatch(positions, statics, others, rejects, counts, types)


def fast_fields(lines: Sequence[bytes]) -> Iterator[tuple[tuple[int, ...], dict[str, Any]]]:
    """For every message decoded here (not by pyais), in line order: the 1-based lines of
    its sentences, and its fields named and valued as ``pyais.decode(...).asdict()`` does
    (enumerations as their integer values)."""
    reading = _Reading.of(frame_nmea(lines))
    found: list[tuple[int, tuple[int, ...], dict[str, Any]]] = []
    for group in reading.groups:
        for row, values in zip(group.rows.tolist(), group.pyais_values(), strict=True):
            lines_of = reading.framing.messages.lines_of(row)
            found.append((lines_of[0], lines_of, values))
    found.sort(key=lambda item: item[0])
    for _, lines_of, values in found:
        yield lines_of, values


class _Bits:
    """The payload bits of a set of messages, packed 8 to a byte, one row per message,
    with 8 spare bytes per row so that every field is one 64-bit load."""

    def __init__(self, packed: U8, nbits: I64) -> None:
        self.packed = np.ascontiguousarray(packed)
        self.nbits = nbits

    @classmethod
    def read(cls, m: Messages, rows: I64, bits: int) -> tuple[_Bits, Mask]:
        """The first ``bits`` bits of messages ``rows``, and which rows have a character
        outside the 6-bit armour (ITU-R M.1371-5, Table 47 of Annex 8, as IEC 61162-1)."""
        chars = -(-bits // 6)
        width = 4 * -(-(chars + 12) // 4)
        length = m.payload_len[rows]
        windows = np.lib.stride_tricks.sliding_window_view(m.buffer, chars)
        values = np.zeros((len(rows), width), dtype=np.uint8)
        values[:, :chars] = _ARMOUR[windows[m.payload_start[rows]]]
        if len(rows) and length.min() < chars:
            values[np.arange(width) >= length[:, None]] = 0
        invalid = np.zeros(len(rows), dtype=np.bool_)
        if values.max(initial=0) == 255:
            invalid = (values == 255).any(axis=1)
        for k in np.flatnonzero(length > chars).tolist():  # rare: longer than the layout
            start = int(m.payload_start[rows[k]])
            invalid[k] |= bool((_ARMOUR[m.buffer[start : start + int(length[k])]] == 255).any())
        v = values.reshape(len(rows), width // 4, 4)
        packed = np.empty((len(rows), v.shape[1], 3), dtype=np.uint8)
        packed[:, :, 0] = (v[:, :, 0] << 2) | (v[:, :, 1] >> 4)
        packed[:, :, 1] = ((v[:, :, 1] & 15) << 4) | (v[:, :, 2] >> 2)
        packed[:, :, 2] = ((v[:, :, 2] & 3) << 6) | v[:, :, 3]
        nbits = 6 * length - m.fill[rows]
        return cls(packed.reshape(len(rows), 3 * width // 4), nbits), invalid

    def take(self, rows: I64) -> _Bits:
        return _Bits(self.packed[rows], self.nbits[rows])

    def unsigned(self, offset: int, width: int) -> I64:
        """The unsigned field at ``offset`` (``width`` <= 57 bits), read whole."""
        n, stride = self.packed.shape
        if n == 0:
            return np.zeros(0, dtype=np.int64)
        word = np.ndarray((n,), dtype=">u8", buffer=self.packed, offset=offset // 8,
                          strides=(stride,))  # fmt: skip
        shift = 64 - offset % 8 - width
        return ((word >> np.uint64(shift)) & np.uint64((1 << width) - 1)).astype(np.int64)

    def signed(self, offset: int, width: int) -> I64:
        """The two's-complement field at ``offset``, read whole."""
        value = self.unsigned(offset, width)
        return value - ((value >> (width - 1)) << width)

    def partial(self, offset: int, width: int, signed: bool) -> tuple[I64, Mask]:
        """The field as pyais reads it from a payload that may end inside it: the bits
        there are, sign-extended at their own width; absent if it starts past the end."""
        available = np.clip(self.nbits - offset, 0, width)
        value = self.unsigned(offset, width) >> (width - available)
        if signed:
            top = np.where(available > 0, 1 << np.maximum(available - 1, 0), 0)
            value = np.where(value & top, value - 2 * top, value)
        return value, available > 0

    def text(self, offset: int, width: int) -> pa.Array:
        """6-bit text, trailing '@' then surrounding blanks stripped, as pyais does."""
        codes = np.stack([self.partial(o, 6, False)[0] for o in range(offset, offset + width, 6)])
        ascii_ = np.where(codes < 32, codes + 64, codes).astype(np.uint8).T.copy()
        n, size = ascii_.shape
        offsets = np.arange(n + 1, dtype=np.int64) * size
        raw = pa.Array.from_buffers(
            pa.large_string(), n, [None, pa.py_buffer(offsets), pa.py_buffer(ascii_)]
        )
        return pc.utf8_trim_whitespace(pc.utf8_rtrim(raw, characters="@"))


@dataclass
class _Group:
    """The messages of one layout: indices into ``Messages`` and their bits."""

    layout: Layout
    rows: I64
    bits: _Bits
    msg_type: I64

    def raw(self, name: str) -> I64:
        offset, width = self.layout.at(name)
        kind = next(k for f, _, _, k in self.layout.fields if f == name)
        signed = kind in {"deg", "deg600", "turn"}
        return self.bits.signed(offset, width) if signed else self.bits.unsigned(offset, width)

    def position_columns(self, reading: _Reading) -> dict[str, NDArray[Any]]:
        """Columns of ``schema.POSITIONS`` (plus line and null masks), all rows."""
        long_range = self.layout.name == "long_range"
        scale = 600 if long_range else 600_000
        lat, lon = _degrees(self.raw("lat"), scale), _degrees(self.raw("lon"), scale)
        # "Not available": lat 91, lon 181 (dropped as out of range); speed 1023 (63 for
        # type 27), course 3600 (511), heading 511 (ITU-R M.1371-5 Tables 45, 48, 50).
        speed, course = self.raw("speed"), self.raw("course")
        sog = speed if long_range else speed / 10
        cog = course if long_range else course / 10
        n = len(self.rows)
        heading = np.full(n, 511) if long_range else self.raw("heading")
        has_status = self.layout.name in {"class_a", "long_range"}
        status = self.raw("status") if has_status else np.zeros(n, dtype=np.int64)
        return {
            "line": reading.framing.messages.line[self.rows],
            "mmsi": self.raw("mmsi"),
            "ts": reading.framing.messages.ts_us[self.rows],
            "lat": lat,
            "lon": lon,
            "sog_kn": sog,
            "sog_kn_null": speed == (63 if long_range else 1023),
            "cog_deg": cog,
            "cog_deg_null": cog >= 360,
            "heading_deg": heading,
            "heading_deg_null": heading >= 360,
            "nav_status": status,
            "nav_status_null": np.full(n, not has_status),
            "msg_type": self.msg_type,
        }

    def static_table(self, reading: _Reading) -> pa.Table:
        """Columns of ``schema.STATICS`` but ``source``, plus ``line``; 0 (and "") is "not
        available" in every field used (ITU-R M.1371-5, Tables 48 and 52)."""
        n, names = len(self.rows), {f for f, _, _, _ in self.layout.fields}
        ts = reading.framing.messages.ts_us[self.rows]

        def field(name: str, kind: pa.DataType, scale: float = 1) -> pa.Array:
            if name not in names:
                return pa.nulls(n, kind)
            value = self.raw(name)
            return pa.array(value / scale if scale != 1 else value, kind, mask=value == 0)

        def summed(a: str, b: str) -> pa.Array:
            if a not in names:
                return pa.nulls(n, pa.float32())
            value = self.raw(a) + self.raw(b)
            return pa.array(value, pa.float32(), mask=value == 0)

        def text(name: str) -> pa.Array:
            if name not in names:
                return pa.nulls(n, pa.string())
            value = self.bits.text(*self.layout.at(name)).cast(pa.string())
            return pc.if_else(pc.equal(value, ""), None, value)

        ts_type = schema.STATICS.field("ts").type
        return pa.table(
            {
                "line": pa.array(reading.framing.messages.line[self.rows]),
                "mmsi": pa.array(self.raw("mmsi"), pa.int64()),
                "ts": pa.array(ts, pa.int64(), mask=ts == NO_TIME).cast(ts_type),
                "imo": field("imo", pa.int64()),
                "callsign": text("callsign"),
                "name": text("shipname"),
                "ship_type": field("ship_type", pa.int16()),
                "length_m": summed("to_bow", "to_stern"),
                "width_m": summed("to_port", "to_starboard"),
                "draught_m": field("draught", pa.float32(), scale=10),
                "destination": text("destination"),
                "msg_type": pa.array(self.msg_type, pa.int8()),
            }
        )

    def pyais_values(self) -> list[dict[str, Any]]:
        """Every non-spare field per message, as pyais's ``asdict()`` values it."""
        columns: dict[str, list[Any]] = {}
        for name, offset, width, kind in self.layout.fields:
            if kind == "x":
                continue
            if kind == "t":
                text = self.bits.text(offset, width).to_pylist()
                present = self.bits.nbits > offset
                columns[name] = [t if p else None for t, p in zip(text, present, strict=True)]
                continue
            value, present = self.bits.partial(offset, width, kind in {"deg", "deg600", "turn"})
            converted = _PYAIS_VALUE[kind](value).tolist()
            columns[name] = [v if p else None for v, p in zip(converted, present, strict=True)]
        names = list(columns)
        return [dict(zip(names, row, strict=True)) for row in zip(*columns.values(), strict=True)]


@dataclass
class _Reading:
    """Framed messages split into layouts, with the payload-level rejects."""

    framing: Framing
    msg_type: I64  # per message; -1 for an empty payload
    groups: list[_Group]
    failed: list[tuple[int, str]]  # message index, reason

    @classmethod
    def of(cls, framing: Framing) -> _Reading:
        m = framing.messages
        first = m.buffer[m.payload_start].astype(np.int64)
        msg_type = np.where(m.payload_len > 0, _ARMOUR[first].astype(np.int64), -1)
        reading = cls(framing, msg_type, [], [])
        reading.reject(np.flatnonzero(m.payload_len == 0), "empty payload")
        reading.reject(np.flatnonzero(msg_type == 255), "invalid character in payload")
        for name in ("class_a", "voyage_static", "class_b", "class_b_ext", "long_range"):
            layout = LAYOUTS[name]
            chosen = np.zeros(len(msg_type), dtype=np.bool_)
            for kind in layout.types:
                chosen |= msg_type == kind
            reading.add(layout, np.flatnonzero(chosen))
        reading.add_static_reports(np.flatnonzero(msg_type == 24))
        return reading

    def add(self, layout: Layout, rows: I64, bits: _Bits | None = None) -> None:
        """Read ``rows`` as ``layout``; reject those with bad characters or too few bits."""
        if len(rows) == 0:
            return
        invalid = np.zeros(len(rows), dtype=np.bool_)
        if bits is None:
            bits, invalid = _Bits.read(self.framing.messages, rows, layout.bits)
        self.reject(rows[invalid], "invalid character in payload")
        short = ~invalid & (bits.nbits < layout.needed_bits)
        needed = layout.needed_bits
        for row, nbits in zip(rows[short].tolist(), bits.nbits[short].tolist(), strict=True):
            reason = f"type {self.msg_type[row]} payload too short: {nbits} of {needed} bits"
            self.failed.append((row, reason))
        keep = np.flatnonzero(~invalid & ~short)
        if len(keep):
            kept = bits if len(keep) == len(rows) else bits.take(keep)
            self.groups.append(_Group(layout, rows[keep], kept, self.msg_type[rows[keep]]))

    def add_static_reports(self, rows: I64) -> None:
        """Type 24: part A (0) or B (1); part B of an auxiliary craft (MMSI 98MIDxxxx,
        ITU-R M.585) names its mother ship instead of its dimensions."""
        bits, invalid = _Bits.read(self.framing.messages, rows, LAYOUTS["static_a"].bits)
        self.reject(rows[invalid], "invalid character in payload")
        part, mmsi = bits.unsigned(38, 2), bits.unsigned(8, 30)
        auxiliary = (mmsi >= 980_000_000) & (mmsi <= 989_999_999)
        for name, chosen in (
            ("static_a", part == 0),
            ("static_b", (part == 1) & ~auxiliary),
            ("static_b_aux", (part == 1) & auxiliary),
        ):
            keep = np.flatnonzero(chosen & ~invalid)
            self.add(LAYOUTS[name], rows[keep], bits.take(keep))
        undefined = ~invalid & (part > 1)
        for row, number in zip(rows[undefined].tolist(), part[undefined].tolist(), strict=True):
            self.failed.append((row, f"type 24 part number {number} is not defined"))

    def reject(self, rows: I64, reason: str) -> None:
        self.failed.extend((row, reason) for row in rows.tolist())

    def rejects(self) -> list[Reject]:
        """Framing rejects and payload rejects together, in line order."""
        m, text = self.framing.messages, self.framing.text
        found = list(self.framing.rejects)
        for row, reason in self.failed:
            line = int(m.line[row])
            found.append(Reject(line, reason, text.line_text(line - 1)))
        return sorted(found, key=lambda r: r.line)


def _fallback(reading: _Reading) -> list[tuple[int, dict[str, Any]]]:
    """pyais's decode of every message of a type not decoded here; a message pyais cannot
    decode becomes a reject."""
    m = reading.framing.messages
    rows = np.flatnonzero((reading.msg_type >= 0) & (reading.msg_type < 64))
    rows = rows[~np.isin(reading.msg_type[rows], sorted(FAST_TYPES))]
    decoded: list[tuple[int, dict[str, Any]]] = []
    for row in rows.tolist():
        start, length = int(m.payload_start[row]), int(m.payload_len[row])
        payload = m.buffer[start : start + length].tobytes().decode("ascii")
        # One sentence carries the whole (assembled) payload; pyais checks no checksum here.
        sentence = f"!AIVDM,1,1,,A,{payload},{int(m.fill[row])}*00"
        try:
            decoded.append((int(m.line[row]), pyais.decode(sentence).asdict()))
        except AISBaseException as error:
            kind = int(reading.msg_type[row])
            reading.failed.append((row, f"pyais cannot decode type {kind}: {type(error).__name__}"))
    return decoded


def _positions(reading: _Reading, source: str) -> tuple[pa.Table, int, int]:
    """Position reports as a ``schema.POSITIONS`` table in line order, and how many were
    left out for want of a receive time, or of a position."""
    parts = [g.position_columns(reading) for g in reading.groups if g.layout.moves]
    if not parts:
        return schema.POSITIONS.empty_table(), 0, 0
    cols = {name: np.concatenate([p[name] for p in parts]) for name in parts[0]}
    timed = cols["ts"] != NO_TIME
    placed = (np.abs(cols["lat"]) <= 90) & (np.abs(cols["lon"]) <= 180)
    keep = np.flatnonzero(timed & placed)
    keep = keep[np.argsort(cols["line"][keep], kind="stable")]
    arrays = []
    for f in schema.POSITIONS:
        if f.name == "source":
            arrays.append(pa.repeat(pa.scalar(source, pa.string()), len(keep)))
        elif f.name == "ts":
            arrays.append(pa.array(cols["ts"][keep]).cast(f.type))
        else:
            null = cols.get(f.name + "_null")
            mask = None if null is None else null[keep]
            arrays.append(pa.array(cols[f.name][keep], f.type, mask=mask, from_pandas=False))
    table = pa.Table.from_arrays(arrays, schema=schema.POSITIONS)
    return table, int((~timed).sum()), int((timed & ~placed).sum())


def _statics(reading: _Reading, source: str) -> pa.Table:
    """Static and voyage data (types 5, 19, 24) as a ``schema.STATICS`` table, line order."""
    tables = [g.static_table(reading) for g in reading.groups if g.layout.static]
    tables = [t for t in tables if t.num_rows]
    if not tables:
        return schema.STATICS.empty_table()
    table = pa.concat_tables(tables).sort_by("line").drop_columns(["line"])
    table = table.append_column("source", pa.repeat(pa.scalar(source, pa.string()), len(table)))
    return table.select(schema.STATICS.names).cast(schema.STATICS)


def _degrees(raw: I64, units_per_degree: int) -> NDArray[np.float64]:
    """Degrees rounded to 1e-6 exactly as pyais does, in integers: round(raw * 1e6 / u)."""
    factor = 6_000_000 // units_per_degree
    return ((factor * raw + 3) // 6) / 1e6


def _turn(raw: I64) -> NDArray[np.float64]:
    """Rate of turn in degrees per minute from ROT_AIS = 4.733 sqrt(ROT) (ITU-R M.1371-5,
    Table 45); 127, -127 and -128 (no information) are kept as pyais keeps them."""
    value = raw.astype(np.float64)
    rate = np.copysign(np.round((value / 4.733) ** 2), value)
    rate = np.where(np.abs(raw) >= 127, value, rate)
    return np.where(raw == 0, 0.0, rate)


def _enumeration(defined: Sequence[int], reserved: dict[range, int]) -> I64:
    """A lookup from raw value to pyais's enumeration value: defined values are themselves,
    reserved ranges map to their stand-in, the rest to 0."""
    table = np.zeros(256, dtype=np.int64)
    for span, stand_in in reserved.items():
        table[list(span)] = stand_in
    table[list(defined)] = list(defined)
    return table


_SHIP_TYPE = _enumeration(
    [0, *range(20, 26), 29, *range(30, 38), *range(40, 46), 49, *range(50, 57), 58, 59,
     *range(60, 66), 69, *range(70, 76), 79, *range(80, 86), 89, *range(90, 96), 99],
    {range(26, 29): 25, range(46, 49): 45, range(57, 58): 56, range(66, 69): 65,
     range(76, 79): 75, range(86, 89): 85, range(96, 99): 95},
)  # fmt: skip
_EPFD = _enumeration([*range(0, 9), 15], {})
_PYAIS_VALUE: dict[str, Any] = {
    "u": lambda v: v,
    "b": lambda v: v.astype(np.bool_),
    "tenth": lambda v: v / 10.0,
    "float": lambda v: v.astype(np.float64),
    "deg": lambda v: _degrees(v, 600_000),
    "deg600": lambda v: _degrees(v, 600),
    "turn": _turn,
    "ship": lambda v: _SHIP_TYPE[v],
    "epfd": lambda v: _EPFD[v],
}
# 6-bit armour: '0'..'W' are 0..39, '`'..'w' are 40..63; anything else is invalid (255).
_ARMOUR = np.full(256, 255, dtype=np.uint8)
_ARMOUR[48:88] = np.arange(0, 40)
_ARMOUR[96:120] = np.arange(40, 64)
