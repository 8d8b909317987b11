"""AIS payload decoding (ITU-R M.1371-5), vectorised, with pyais as reference and fallback.

Message types 1-5, 9, 11, 18-21, 24 and 27 (``FAST_TYPES``, 99.4 % of the AMSA feed) are
decoded here, per layout over all its messages at once (``ais_fields``); every other type
goes through pyais.

:func:`decode_nmea` returns the maritime desk's tables (``ais_tables``); :func:`fast_fields`
gives, per message decoded here, its fields named and valued as ``pyais.decode(...).asdict()``
does, so that tests hold the two equal.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
from pyais.bit_vector import bit_vector
from pyais.exceptions import AISBaseException
from pyais.messages import MSG_CLASS

from accord.desks.maritime import ais_tables
from accord.desks.maritime.ais_fields import (
    ARMOUR,
    FAST_TYPES,
    I64,
    LAYOUTS,
    Group,
    Layout,
    PayloadBits,
)
from accord.desks.maritime.nmea import Framing, Reject, RejectedLine, frame_nmea

__all__ = ["FAST_TYPES", "LAYOUTS", "DecodedBatch", "Layout", "decode_nmea", "fast_fields"]


@dataclass
class DecodedBatch:
    """What one NMEA file (or batch of lines) decoded to.

    ``positions`` (types 1-3, 9, 18, 19, 27) leaves out reports with no receive time
    (``counts["untimed"]``) and those whose latitude or longitude is "not available" or out
    of range (``counts["no_position"]``). ``reports`` has one table per layout that gives
    neither positions nor static data: ``base_station`` (types 4 and 11),
    ``data_link_management`` (20), ``aid_to_navigation`` (21). ``others`` holds, per
    message of a type not decoded here, its first line and pyais's ``asdict()``.
    """

    positions: pa.Table
    statics: pa.Table
    reports: dict[str, pa.Table]
    others: list[tuple[int, dict[str, Any]]]
    rejects: list[Reject]
    counts: dict[str, int]
    messages_by_type: dict[int, int]


def decode_nmea(
    lines: Sequence[bytes] | bytes, *, source: str = "", strict: bool = False
) -> DecodedBatch:
    """Decode raw NMEA lines (or a whole file's bytes, which saves splitting them) into
    positions, static data and reports.

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
    m = reading.framing.messages
    positions, untimed, no_position = ais_tables.positions(reading.groups, m, source)
    statics = ais_tables.statics(reading.groups, m, source)
    reports = ais_tables.reports(reading.groups, m)
    by_type = np.bincount(reading.msg_type[reading.msg_type >= 0], minlength=64)
    counts = (
        reading.framing.counts
        | {
            "messages": int(by_type.sum()),
            "decoded_fast": sum(len(group.rows) for group in reading.groups),
            "decoded_pyais": len(others),
            "rejected": len(rejects),
            "untimed": untimed,
            "no_position": no_position,
            "positions": positions.num_rows,
            "statics": statics.num_rows,
        }
        | {name: table.num_rows for name, table in reports.items()}
    )
    types = {t: int(c) for t, c in enumerate(by_type.tolist()) if c}
    return DecodedBatch(positions, statics, reports, others, rejects, counts, types)


def fast_fields(lines: Sequence[bytes]) -> Iterator[tuple[tuple[int, ...], dict[str, Any]]]:
    """For every message decoded here (not by pyais), in line order: the 1-based lines of
    its sentences, and its fields named and valued as ``pyais.decode(...).asdict()`` does
    (enumerations as their integer values)."""
    reading = _Reading.of(frame_nmea(lines))
    m = reading.framing.messages
    found: list[tuple[int, tuple[int, ...], dict[str, Any]]] = []
    for group in reading.groups:
        values = pa.table(group.pyais_columns()).to_pylist()
        for row, fields in zip(group.rows.tolist(), values, strict=True):
            lines_of = m.lines_of(row)
            found.append((lines_of[0], lines_of, fields))
    found.sort(key=lambda item: item[0])
    for _, lines_of, fields in found:
        yield lines_of, fields


@dataclass
class _Reading:
    """Framed messages split into layouts, with the payload-level rejects."""

    framing: Framing
    msg_type: I64  # per message; -1 for an empty payload
    groups: list[Group]
    failed: list[tuple[int, str]]  # message index, reason

    @classmethod
    def of(cls, framing: Framing) -> _Reading:
        m = framing.messages
        first = m.buffer[m.payload_start].astype(np.int64)
        msg_type = np.where(m.payload_len > 0, ARMOUR[first].astype(np.int64), -1)
        reading = cls(framing, msg_type, [], [])
        reading.reject(np.flatnonzero(m.payload_len == 0), "empty payload")
        reading.reject(np.flatnonzero(msg_type == 255), "invalid character in payload")
        for layout in LAYOUTS.values():
            if layout.types != (24,):
                reading.add(layout, np.flatnonzero(np.isin(msg_type, layout.types)))
        reading.add_static_reports(np.flatnonzero(msg_type == 24))
        return reading

    def add(self, layout: Layout, rows: I64, bits: PayloadBits | None = None) -> None:
        """Read ``rows`` as ``layout``; reject those with bad characters or too few bits."""
        if len(rows) == 0:
            return
        invalid = np.zeros(len(rows), dtype=np.bool_)
        if bits is None:
            bits, invalid = PayloadBits.read(self.framing.messages, rows, layout.bits)
        self.reject(rows[invalid], "invalid character in payload")
        short = ~invalid & (bits.nbits < layout.needed_bits)
        needed = layout.needed_bits
        for row, nbits in zip(rows[short].tolist(), bits.nbits[short].tolist(), strict=True):
            reason = f"type {self.msg_type[row]} payload too short: {nbits} of {needed} bits"
            self.failed.append((row, reason))
        keep = np.flatnonzero(~invalid & ~short)
        if len(keep):
            kept = bits if len(keep) == len(rows) else bits.take(keep)
            self.groups.append(Group(layout, rows[keep], kept, self.msg_type[rows[keep]]))

    def add_static_reports(self, rows: I64) -> None:
        """Type 24: part A (0) or B (1); part B of an auxiliary craft (MMSI 98MIDxxxx,
        ITU-R M.585) names its mother ship instead of its dimensions."""
        bits, invalid = PayloadBits.read(self.framing.messages, rows, LAYOUTS["static_a"].bits)
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
    for row, kind in zip(rows.tolist(), reading.msg_type[rows].tolist(), strict=True):
        message_class = MSG_CLASS.get(kind)
        if message_class is None:
            reading.failed.append((row, f"pyais cannot decode type {kind}: no such type"))
            continue
        start, length = int(m.payload_start[row]), int(m.payload_len[row])
        # As pyais's NMEAMessage.decode() does, from the assembled payload and fill bits.
        bits = bit_vector(m.buffer[start : start + length].tobytes(), int(m.fill[row]))
        try:
            decoded.append((int(m.line[row]), message_class.from_vector(bits).asdict()))
        except AISBaseException as error:
            reading.failed.append((row, f"pyais cannot decode type {kind}: {type(error).__name__}"))
    return decoded
