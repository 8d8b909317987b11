"""AIS message layouts (ITU-R M.1371-5, Annex 8) and their fields read from payload bits,
vectorised over every message of a layout at once.

The 6-bit armoured characters become packed bits, one row per message, and every field is
one unaligned big-endian 64-bit load, a shift and a mask. Fields are named and valued as
pyais's ``asdict()`` gives them (pyais names them after gpsd's AIVDM guide), so that tests
hold the two equal.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray

from accord.desks.maritime.nmea import Messages

I64 = NDArray[np.int64]
U8 = NDArray[np.uint8]
Mask = NDArray[np.bool_]

FAST_TYPES = frozenset({1, 2, 3, 4, 5, 9, 11, 18, 19, 20, 21, 24, 27})


@dataclass(frozen=True)
class Layout:
    """The bit fields of one message layout, in transmission order.

    ``needed_bits``: a shorter payload lacks a field the desk uses and is rejected.
    """

    name: str
    types: tuple[int, ...]
    fields: tuple[tuple[str, int, int, str], ...]  # name, offset, width, kind
    needed_bits: int

    @property
    def bits(self) -> int:
        """The bits to read: up to the end of the last field, or of the last 6-bit
        character of a text field whose width is not a multiple of 6 (pyais reads it)."""
        return max(o + (-(-w // 6) * 6 if k == "t" else w) for _, o, w, k in self.fields)

    def at(self, name: str) -> tuple[int, int]:
        """Offset and width of field ``name``."""
        for field, offset, width, _ in self.fields:
            if field == name:
                return offset, width
        raise KeyError(name)

    def kind(self, name: str) -> str:
        """The kind of field ``name`` (see ``_PYAIS_VALUE``)."""
        return next(k for f, _, _, k in self.fields if f == name)


def _layout(name: str, types: tuple[int, ...], needed: str, spec: str) -> Layout:
    """A layout from ``name:width:kind`` fields in transmission order (ITU-R M.1371-5,
    Annex 8, section 3); ``needed`` is the last field the desk uses."""
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
_PLACE = "accuracy:1:b lon:28:deg lat:27:deg"
_CLASS_B = f"{_HEAD} reserved_1:8:u speed:10:tenth {_PLACE} course:12:tenth heading:9:u second:6:u"
_DIMENSIONS = "to_bow:9:u to_stern:9:u to_port:6:u to_starboard:6:u"
_PART_B = f"{_HEAD} partno:2:u ship_type:8:u vendorid:18:t model:4:u serial:20:u callsign:42:t"
_SLOTS = "offset{n}:12:u number{n}:4:u timeout{n}:3:u increment{n}:11:u"
# Types 4, 11, 20 and 21 feed no table of the desk: any payload with a type is decoded.
LAYOUTS = {
    layout.name: layout
    for layout in (
        _layout(
            "class_a",
            (1, 2, 3),
            "heading",
            f"""{_HEAD} status:4:u turn:8:turn speed:10:tenth {_PLACE} course:12:tenth
            heading:9:u second:6:u maneuver:2:u spare_1:3:x raim:1:b radio:19:u""",
        ),
        _layout(
            "base_station",
            (4, 11),
            "msg_type",
            f"""{_HEAD} year:14:u month:4:u day:5:u hour:5:u minute:6:u second:6:u {_PLACE}
            epfd:4:epfd spare_1:10:x raim:1:b radio:19:u""",
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
        # Speed in whole knots (Table 48 of Annex 8), altitude in metres.
        _layout(
            "sar_aircraft",
            (9,),
            "course",
            f"""{_HEAD} alt:12:u speed:10:float {_PLACE} course:12:tenth second:6:u
            reserved_1:8:u dte:1:b spare_1:3:x assigned:1:b raim:1:b radio:20:u""",
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
        # One to four reservation blocks: pyais reads all four, absent ones as None.
        _layout(
            "data_link_management",
            (20,),
            "msg_type",
            f"{_HEAD} spare_1:2:x " + " ".join(_SLOTS.format(n=n) for n in range(1, 5)),
        ),
        # A full 20-character name continues in name_ext (up to 14 characters, 88 bits).
        _layout(
            "aid_to_navigation",
            (21,),
            "msg_type",
            f"""{_HEAD} aid_type:5:u name:120:t {_PLACE} {_DIMENSIONS} epfd:4:epfd
            second:6:u off_position:1:b reserved_1:8:u raim:1:b virtual_aid:1:b assigned:1:b
            spare_1:1:x name_ext:88:t""",
        ),
        _layout("static_a", (24,), "shipname", f"{_HEAD} partno:2:u shipname:120:t spare_1:8:x"),
        _layout("static_b", (24,), "to_starboard", f"{_PART_B} {_DIMENSIONS} spare_1:6:x"),
        # Part B of an auxiliary craft (MMSI 98MIDxxxx) names its mother ship instead.
        _layout(
            "static_b_aux",
            (24,),
            "mothership_mmsi",
            f"{_PART_B} mothership_mmsi:30:u spare_1:6:x",
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


class PayloadBits:
    """The payload bits of a set of messages, packed 8 to a byte, one row per message,
    with 8 spare bytes per row so that every field is one 64-bit load."""

    def __init__(self, packed: U8, nbits: I64) -> None:
        self.packed = np.ascontiguousarray(packed)
        self.nbits = nbits

    @classmethod
    def read(cls, m: Messages, rows: I64, bits: int) -> tuple[PayloadBits, Mask]:
        """The first ``bits`` bits of messages ``rows``, and which rows have a character
        outside the 6-bit armour (ITU-R M.1371-5, Table 47 of Annex 8, as IEC 61162-1)."""
        chars = -(-bits // 6)
        width = 4 * -(-(chars + 12) // 4)
        length = m.payload_len[rows]
        windows = np.lib.stride_tricks.sliding_window_view(m.buffer, chars)
        values = np.zeros((len(rows), width), dtype=np.uint8)
        values[:, :chars] = ARMOUR[windows[m.payload_start[rows]]]
        if len(rows) and length.min() < chars:
            values[np.arange(width) >= length[:, None]] = 0
        invalid = np.zeros(len(rows), dtype=np.bool_)
        if values.max(initial=0) == 255:
            invalid = (values == 255).any(axis=1)
        for k in np.flatnonzero(length > chars).tolist():  # rare: longer than the layout
            start = int(m.payload_start[rows[k]])
            invalid[k] |= bool((ARMOUR[m.buffer[start : start + int(length[k])]] == 255).any())
        v = values.reshape(len(rows), width // 4, 4)
        packed = np.empty((len(rows), v.shape[1], 3), dtype=np.uint8)
        packed[:, :, 0] = (v[:, :, 0] << 2) | (v[:, :, 1] >> 4)
        packed[:, :, 1] = ((v[:, :, 1] & 15) << 4) | (v[:, :, 2] >> 2)
        packed[:, :, 2] = ((v[:, :, 2] & 3) << 6) | v[:, :, 3]
        nbits = 6 * length - m.fill[rows]
        return cls(packed.reshape(len(rows), 3 * width // 4), nbits), invalid

    def take(self, rows: I64) -> PayloadBits:
        return PayloadBits(self.packed[rows], self.nbits[rows])

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

    def text(self, offset: int, width: int, present: Mask | None = None) -> pa.Array:
        """6-bit text, trailing '@' then surrounding blanks stripped, as pyais does; null
        where ``present`` is false. Like pyais, the last character of a field whose width
        is not a multiple of 6 is read whole, past the field's end."""
        codes = np.stack([self.partial(o, 6, False)[0] for o in range(offset, offset + width, 6)])
        ascii_ = np.where(codes < 32, codes + 64, codes).astype(np.uint8).T.copy()
        n, size = ascii_.shape
        offsets = np.arange(n + 1, dtype=np.int64) * size
        valid = None if present is None else pa.py_buffer(np.packbits(present, bitorder="little"))
        raw = pa.Array.from_buffers(
            pa.large_string(), n, [valid, pa.py_buffer(offsets), pa.py_buffer(ascii_)]
        )
        return pc.utf8_trim_whitespace(pc.utf8_rtrim(raw, characters="@")).cast(pa.string())


@dataclass
class Group:
    """The messages of one layout: indices into ``Messages``, their types and bits."""

    layout: Layout
    rows: I64
    bits: PayloadBits
    msg_type: I64

    def raw(self, name: str) -> I64:
        """Field ``name`` as an integer, read whole (for payloads long enough)."""
        offset, width = self.layout.at(name)
        if self.layout.kind(name) in _SIGNED:
            return self.bits.signed(offset, width)
        return self.bits.unsigned(offset, width)

    def pyais_columns(self) -> dict[str, pa.Array]:
        """Every non-spare field, named and valued as pyais's ``asdict()`` gives it
        (enumerations as their integer values); null where the payload ends before it."""
        columns: dict[str, pa.Array] = {}
        for name, offset, width, kind in self.layout.fields:
            if kind == "t":
                columns[name] = self.bits.text(offset, width, self.bits.nbits > offset)
            elif kind != "x":
                value, present = self.bits.partial(offset, width, kind in _SIGNED)
                converted, arrow_type = _PYAIS_VALUE[kind]
                columns[name] = pa.array(converted(value), arrow_type, mask=~present)
        if self.layout.name == "aid_to_navigation":
            columns["full_name"] = _full_name(columns["name"], columns["name_ext"])
        return columns


def _full_name(name: pa.Array, extension: pa.Array) -> pa.Array:
    """Type 21's name and its extension, as pyais's ``full_name``: "" without a name."""
    joined = pc.binary_join_element_wise(name, pc.fill_null(extension, ""), "")
    named = pc.fill_null(pc.not_equal(name, ""), False)
    return pc.if_else(named, joined, pa.scalar("", pa.string()))


def degrees(raw: I64, units_per_degree: int) -> NDArray[np.float64]:
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


_SIGNED = frozenset({"deg", "deg600", "turn"})
_SHIP_TYPE = _enumeration(
    [0, *range(20, 26), 29, *range(30, 38), *range(40, 46), 49, *range(50, 57), 58, 59,
     *range(60, 66), 69, *range(70, 76), 79, *range(80, 86), 89, *range(90, 96), 99],
    {range(26, 29): 25, range(46, 49): 45, range(57, 58): 56, range(66, 69): 65,
     range(76, 79): 75, range(86, 89): 85, range(96, 99): 95},
)  # fmt: skip
_EPFD = _enumeration([*range(0, 9), 15], {})
_PYAIS_VALUE: dict[str, tuple[Callable[[I64], NDArray[Any]], pa.DataType]] = {
    "u": (lambda v: v, pa.int64()),
    "b": (lambda v: v.astype(np.bool_), pa.bool_()),
    "tenth": (lambda v: v / 10.0, pa.float64()),
    "float": (lambda v: v.astype(np.float64), pa.float64()),
    "deg": (lambda v: degrees(v, 600_000), pa.float64()),
    "deg600": (lambda v: degrees(v, 600), pa.float64()),
    "turn": (_turn, pa.float64()),
    "ship": (lambda v: _SHIP_TYPE[v], pa.int64()),
    "epfd": (lambda v: _EPFD[v], pa.int64()),
}
# 6-bit armour: '0'..'W' are 0..39, '`'..'w' are 40..63; anything else is invalid (255).
ARMOUR = np.full(256, 255, dtype=np.uint8)
ARMOUR[48:88] = np.arange(0, 40)
ARMOUR[96:120] = np.arange(40, 64)
