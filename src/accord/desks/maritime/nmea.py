"""NMEA 0183 framing of AIS sentences: lines, receive times, checksums, multi-part assembly.

Every line goes into one byte buffer and every check is a numpy operation over all lines at
once; only multi-part assembly loops in Python, over the multi-part sentences alone (a few
per cent of a feed).

A line is ``[prefix][\\tag block\\]!ccVDM,total,part,seq,channel,payload,fill*hh[,suffix]``
(IEC 61162-1 sentence, IEC 61162-450 / NMEA 4.10 tag block). Any two-character talker is
accepted, the non-standard ``=I`` of some receivers included. The receive time comes from
the tag block's ``c:`` (unix seconds, or milliseconds when it has 13 digits), else from the
prefix (unix seconds, or an ISO 8601 date-time, followed by a space or a comma), else from a
USCG-style suffix (``,<station>,<unix seconds>``). The tag block's own checksum is not
checked: real feeds write a placeholder (``*00`` in the AMSA sample) and the sentence's
checksum already protects what is decoded.

Lines that are blank, comments (``#``) or other NMEA sentences (``$GPRMC``, ``!AIPWR``) are
skipped and counted. Anything else that does not frame (bad checksum, malformed field,
broken multi-part message, unreadable prefix) is a :class:`Reject` with its 1-based line.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from accord.core.errors import InvalidInput
from accord.desks.maritime.receive_time import NO_TIME, receive_times

I64 = NDArray[np.int64]
U8 = NDArray[np.uint8]

BANG, DOLLAR, HASH, COMMA, STAR = (ord(c) for c in "!$#,*")


@dataclass(frozen=True)
class Reject:
    """A line that could not be decoded: its 1-based number, why, and its text."""

    line: int
    reason: str
    text: str


class RejectedLine(InvalidInput):
    """Raised in strict mode on the first line that cannot be decoded."""

    def __init__(self, reject: Reject, source: str = ""):
        self.reject = reject
        where = f"{source}: " if source else ""
        super().__init__(f"{where}line {reject.line}: {reject.reason}: {reject.text!r}")


@dataclass
class Messages:
    """Framed AIS messages, one entry per message (multi-part ones assembled).

    ``payload_start``/``payload_len`` index ``buffer`` (6-bit armoured characters);
    ``ts_us`` is the receive time in microseconds since the epoch, or ``NO_TIME``.
    """

    buffer: U8
    line: I64
    payload_start: I64
    payload_len: I64
    fill: I64
    ts_us: I64
    part_lines: dict[int, tuple[int, ...]] = field(default_factory=dict)

    def lines_of(self, index: int) -> tuple[int, ...]:
        """The 1-based line numbers of every sentence of message ``index``."""
        return self.part_lines.get(index, (int(self.line[index]),))


@dataclass
class Framing:
    """What framing made of the input: messages, rejects and counts."""

    messages: Messages
    rejects: list[Reject]
    counts: dict[str, int]
    text: LineBuffer


def frame_nmea(lines: Sequence[bytes] | bytes) -> Framing:
    """Frame raw NMEA lines (a sequence of lines, or a whole file's bytes) into AIS
    messages; reject, with a reason, what does not frame."""
    text = LineBuffer.of_bytes(lines) if isinstance(lines, bytes) else LineBuffer.join(lines)
    log: list[tuple[I64, str]] = []
    bang, counts = _classify(text, log)
    rows = np.flatnonzero(bang >= 0)
    sentences = _frame_sentences(text, rows, bang[rows], log)
    messages = _assemble(text, sentences, log)
    counts["ais_sentences"] = len(sentences.line)
    rejects = text.rejects(log)
    return Framing(messages, rejects, counts, text)


@dataclass
class LineBuffer:
    """Every line in one byte buffer (zero-padded at the end, so that windows read past the
    last line safely); ``ends`` exclude trailing whitespace."""

    buffer: U8
    starts: I64
    ends: I64

    @classmethod
    def join(cls, lines: Sequence[bytes]) -> LineBuffer:
        """Join lines (with or without their line ends) into one buffer."""
        lengths = np.fromiter(map(len, lines), dtype=np.int64, count=len(lines))
        joined = b"\n".join(lines) + b"\n" + bytes(_PAD)
        buffer = np.frombuffer(joined, dtype=np.uint8)
        starts = np.zeros(len(lines), dtype=np.int64)
        np.cumsum(lengths[:-1] + 1, out=starts[1:])
        return cls._stripped(buffer, starts, starts + lengths)

    @classmethod
    def of_bytes(cls, content: bytes) -> LineBuffer:
        """A whole file's bytes as lines (split at LF; a last line without one counts),
        without copying it line by line."""
        ended = content if not content or content.endswith(b"\n") else content + b"\n"
        buffer = np.frombuffer(ended + bytes(_PAD), dtype=np.uint8)
        ends = np.flatnonzero(buffer[: len(ended)] == ord("\n")).astype(np.int64)
        starts = np.concatenate((np.zeros(1, dtype=np.int64), ends[:-1] + 1))[: len(ends)]
        return cls._stripped(buffer, starts, ends)

    @classmethod
    def _stripped(cls, buffer: U8, starts: I64, ends: I64) -> LineBuffer:
        # CR LF endings, trailing blanks: a few passes strip any mix of them.
        for _ in range(8):
            white = (ends > starts) & (buffer[np.maximum(ends - 1, 0)] <= ord(" "))
            if not white.any():
                break
            ends = ends - white
        return cls(buffer, starts, ends)

    def window(self, at: I64, width: int) -> U8:
        """``width`` (<= 8) bytes from each position; negative positions read the start."""
        # One unaligned 64-bit load per row is several times faster than a byte gather.
        words = np.ndarray((len(self.buffer) - 8,), dtype="<u8", buffer=self.buffer, strides=(1,))[
            np.clip(at, 0, len(self.buffer) - 9)
        ]
        return words.view(np.uint8).reshape(len(at), 8)[:, :width]

    def find(self, char: int, rows: I64, after: I64) -> I64:
        """Per row, the position of the first ``char`` at or after ``after`` and before the
        row's end; -1 where there is none."""
        buf, ends = self.buffer, self.ends[rows]
        found = np.where((buf[after] == char) & (after < ends), after, -1)
        todo = np.flatnonzero(found < 0)
        if len(todo) == 0:
            return found
        lo, hi = int(after[todo].min()), int(ends.max())
        positions = np.flatnonzero(buf[lo:hi] == char) + lo
        if len(positions):
            k = np.searchsorted(positions, after[todo])
            hit = positions[np.minimum(k, len(positions) - 1)]
            found[todo] = np.where((k < len(positions)) & (hit < ends[todo]), hit, -1)
        return found

    def line_text(self, row: int) -> str:
        """The text of 0-based line ``row``, non-ASCII bytes replaced."""
        raw = self.buffer[self.starts[row] : self.ends[row]].tobytes()
        return raw.decode("ascii", errors="replace")

    def rejects(self, log: list[tuple[I64, str]]) -> list[Reject]:
        """The logged (rows, reason) pairs as rejects in line order, first reason per line."""
        seen: dict[int, str] = {}
        for rows, reason in log:
            for row in rows.tolist():
                seen.setdefault(row, reason)
        return [Reject(row + 1, seen[row], self.line_text(row)) for row in sorted(seen)]


def _classify(text: LineBuffer, log: list[tuple[I64, str]]) -> tuple[I64, dict[str, int]]:
    """Per line, the position of its AIS sentence's ``!`` (-1 for lines that are skipped or
    rejected here), and the counts of skipped lines."""
    buf, starts, ends = text.buffer, text.starts, text.ends
    blank = ends <= starts
    first = buf[starts]
    comment = ~blank & (first == HASH)
    open_ = ~blank & ~comment
    if buf.max(initial=0) >= 128:
        nonascii = _non_ascii(text) & open_
        log.append((np.flatnonzero(nonascii), "non-ASCII byte in line"))
        open_ &= ~nonascii
    bang = np.where(open_ & (first == BANG), starts, -1)
    other = open_ & (first == DOLLAR)
    garbage = np.zeros(len(starts), dtype=np.bool_)
    rest = np.flatnonzero(open_ & (first != BANG) & (first != DOLLAR))
    if len(rest):
        in_rest = text.find(BANG, rest, starts[rest])
        dollar = text.find(DOLLAR, rest, starts[rest])
        dollar_first = (dollar >= 0) & ((in_rest < 0) | (dollar < in_rest))
        other[rest] = dollar_first
        garbage[rest] = (in_rest < 0) & ~dollar_first
        bang[rest] = np.where(dollar_first, -1, in_rest)
    log.append((np.flatnonzero(garbage), "no NMEA sentence in line"))
    candidate = np.flatnonzero(bang >= 0)
    address = text.window(bang[candidate], 7)
    well_formed = np.all(_ADDRESS_CHAR[address[:, 1:6]], axis=1) & (address[:, 6] == COMMA)
    log.append((candidate[~well_formed], "malformed sentence address"))
    is_ais = (address[:, 3] == ord("V")) & (address[:, 4] == ord("D"))
    is_ais &= np.isin(address[:, 5], _VDM_VDO)
    ais = np.full(len(starts), -1, dtype=np.int64)
    ais[candidate[well_formed & is_ais]] = bang[candidate[well_formed & is_ais]]
    counts = {
        "lines": len(starts),
        "blank": int(blank.sum()),
        "comments": int(comment.sum()),
        "other_sentences": int(other.sum() + (well_formed & ~is_ais).sum()),
    }
    return ais, counts


def _non_ascii(text: LineBuffer) -> NDArray[np.bool_]:
    """Per line, whether it has a byte outside ASCII."""
    at = np.flatnonzero(text.buffer >= 128)
    row = np.searchsorted(text.starts, at, side="right") - 1
    found = np.zeros(len(text.starts), dtype=np.bool_)
    found[row[at < text.ends[row]]] = True
    return found


@dataclass
class _Sentences:
    """Framed AIS sentences, in line order."""

    line: I64  # 0-based row
    total: I64
    part: I64
    key: I64  # talker, type, sequence id, channel and total packed: which parts belong together
    payload_start: I64
    payload_len: I64
    fill: I64
    ts_us: I64


def _frame_sentences(
    text: LineBuffer, rows: I64, bang: I64, log: list[tuple[I64, str]]
) -> _Sentences:
    """Check and split the sentences starting at ``bang`` of lines ``rows``."""
    buf = text.buffer
    head = text.window(bang + 7, 8)  # total , part , [seq ,] [channel ,]
    ok = _is_digit(head[:, 0]) & (head[:, 1] == COMMA) & _is_digit(head[:, 2])
    ok &= head[:, 3] == COMMA
    ok = _reject(log, rows, ok, ok, "malformed fragment count or number")
    seq_empty = head[:, 4] == COMMA
    seq_one = _is_digit(head[:, 4]) & (head[:, 5] == COMMA)
    ok = _reject(log, rows, ok, seq_empty | seq_one, "malformed sequence id")
    channel_at = bang + np.where(seq_empty, 12, 13)
    chan = text.window(channel_at, 2)
    chan_empty = chan[:, 0] == COMMA
    ok = _reject(log, rows, ok, chan_empty | (chan[:, 1] == COMMA), "malformed channel")
    payload_start = channel_at + np.where(chan_empty, 1, 2)
    star, tail, ok = _checksum_field(text, rows, payload_start, ok, log)
    ok = _checksums(buf, rows, bang, star, tail, ok, log)
    total, part = head[:, 0].astype(np.int64) - 48, head[:, 2].astype(np.int64) - 48
    fill = tail[:, 1].astype(np.int64) - 48
    ok = _reject(log, rows, ok, (total >= 1) & (part >= 1) & (part <= total), "bad fragment")
    ok = _reject(log, rows, ok, fill <= 5, "fill bits above 5")
    ts_us, unread = receive_times(buf, text.starts[rows], text.ends[rows], bang, star + 3, ok)
    for reason, failed in unread.items():
        ok = _reject(log, rows, ok, ~failed, reason)
    keep = np.flatnonzero(ok)
    seq = np.where(seq_empty, 10, head[:, 4].astype(np.int64) - 48)
    talker = text.window(bang + 1, 5).astype(np.int64) @ (256 ** np.arange(5, dtype=np.int64))
    key = ((talker * 11 + seq) * 256 + np.where(chan_empty, 0, chan[:, 0])) * 10 + total
    return _Sentences(
        line=rows[keep],
        total=total[keep],
        part=part[keep],
        key=key[keep],
        payload_start=payload_start[keep],
        payload_len=(star - 2 - payload_start)[keep],
        fill=fill[keep],
        ts_us=ts_us[keep],
    )


def _checksum_field(
    text: LineBuffer,
    rows: I64,
    payload_start: I64,
    ok: NDArray[np.bool_],
    log: list[tuple[I64, str]],
) -> tuple[I64, U8, NDArray[np.bool_]]:
    """The position of each sentence's ``*`` and the bytes ``,fill*hh[,]`` around it."""
    # Usually the line ends with the checksum; search only where it does not.
    ends = text.ends[rows]
    star = np.where(text.buffer[ends - 3] == STAR, ends - 3, -1)
    todo = np.flatnonzero(star < 0)
    star[todo] = text.find(STAR, rows[todo], payload_start[todo])
    tail = text.window(star - 2, 6)
    framed = (star >= 0) & (star - 2 >= payload_start) & (tail[:, 0] == COMMA)
    framed &= _is_digit(tail[:, 1]) & _is_hex(tail[:, 3]) & _is_hex(tail[:, 4])
    framed &= (star + 3 == ends) | (tail[:, 5] == COMMA)
    ok = _reject(log, rows, ok, framed, "malformed payload, fill bits or checksum field")
    return star, tail, ok


def _checksums(
    buf: U8,
    rows: I64,
    bang: I64,
    star: I64,
    tail: U8,
    ok: NDArray[np.bool_],
    log: list[tuple[I64, str]],
) -> NDArray[np.bool_]:
    """Compare each sentence's XOR checksum (the bytes between ``!`` and ``*``) with its
    ``*hh`` field."""
    good = np.flatnonzero(ok)
    bounds = np.empty(2 * len(good), dtype=np.int64)
    bounds[0::2], bounds[1::2] = bang[good] + 1, star[good]
    computed = np.zeros(len(rows), dtype=np.int64)
    if len(good):
        computed[good] = np.bitwise_xor.reduceat(buf, bounds)[0::2]
    stated = _HEX_VALUE[tail[:, 3]].astype(np.int64) * 16 + _HEX_VALUE[tail[:, 4]]
    return _reject(log, rows, ok, computed == stated, "bad checksum")


def _assemble(text: LineBuffer, s: _Sentences, log: list[tuple[I64, str]]) -> Messages:
    """Single-sentence messages as they are; multi-part ones joined, part after part.

    Parts belong together when talker, sentence type, sequence id, channel and fragment
    count agree (IEC 61162-1); other sentences may come between them. A part 1 while the
    same group is still open, a part out of order, or a group never completed is a reject.
    """
    multi = np.flatnonzero(s.total > 1)
    single = np.flatnonzero(s.total == 1)
    groups, broken = _group_parts(s.key[multi].tolist(), s.part[multi].tolist(), s.total[multi])
    for indices, reason in broken:
        log.append((s.line[multi[np.asarray(indices, dtype=np.int64)]], reason))
    buffer, starts, lengths, fills, times, first = _join_parts(text.buffer, s, multi, groups)
    order_line = np.concatenate([s.line[single], first])
    order = np.argsort(order_line, kind="stable")
    part_lines = {}
    offset = len(single)
    for number, members in enumerate(groups):
        part_lines[offset + number] = tuple(int(s.line[multi[m]]) + 1 for m in members)
    position = np.empty(len(order), dtype=np.int64)
    position[order] = np.arange(len(order))
    return Messages(
        buffer=buffer,
        line=order_line[order] + 1,
        payload_start=np.concatenate([s.payload_start[single], starts])[order],
        payload_len=np.concatenate([s.payload_len[single], lengths])[order],
        fill=np.concatenate([s.fill[single], fills])[order],
        ts_us=np.concatenate([s.ts_us[single], times])[order],
        part_lines={int(position[k]): v for k, v in part_lines.items()},
    )


def _group_parts(
    keys: list[int], parts: list[int], totals: I64
) -> tuple[list[list[int]], list[tuple[list[int], str]]]:
    """Complete groups (indices into the multi-part sentences, in part order) and broken
    ones with the reason."""
    groups: list[list[int]] = []
    broken: list[tuple[list[int], str]] = []
    open_: dict[int, list[int]] = {}
    total_of = totals.tolist()
    for index, (key, part) in enumerate(zip(keys, parts, strict=True)):
        pending = open_.get(key)
        if part == 1:
            if pending is not None:
                broken.append((pending, "multi-part message interrupted by a new part 1"))
            open_[key] = [index]
        elif pending is None or len(pending) != part - 1:
            broken.append(([index], f"part {part} of a multi-part message without part {part - 1}"))
            continue
        else:
            pending.append(index)
        if len(open_[key]) == total_of[index]:
            groups.append(open_.pop(key))
    for pending in open_.values():
        count = len(pending)
        broken.append(
            (pending, f"incomplete multi-part message: {count} of {total_of[pending[0]]}")
        )
    return groups, broken


def _join_parts(
    buf: U8, s: _Sentences, multi: I64, groups: list[list[int]]
) -> tuple[U8, I64, I64, I64, I64, I64]:
    """The buffer with assembled payloads appended, and per group its payload start,
    length, fill bits (of the last part), receive time (of the first timed part) and first
    line."""
    n = len(groups)
    if n == 0:
        empty = np.zeros(0, dtype=np.int64)
        return buf, empty, empty, empty, empty, empty
    flat = multi[np.asarray([m for g in groups for m in g], dtype=np.int64)]
    size = np.asarray([len(g) for g in groups], dtype=np.int64)
    group_of = np.repeat(np.arange(n), size)
    starts_src, lengths_src = s.payload_start[flat], s.payload_len[flat]
    lengths = np.bincount(group_of, weights=lengths_src, minlength=n).astype(np.int64)
    index = np.repeat(starts_src - np.cumsum(lengths_src) + lengths_src, lengths_src)
    index += np.arange(len(index))
    first_member = np.cumsum(size) - size
    last_member = first_member + size - 1
    times = s.ts_us[flat]
    timed = np.where(times != NO_TIME, np.arange(len(flat)), len(flat))
    first_timed = np.minimum.reduceat(timed, first_member)
    ts = np.where(first_timed < len(flat), times[np.minimum(first_timed, len(flat) - 1)], NO_TIME)
    starts = len(buf) + np.cumsum(lengths) - lengths
    joined = np.concatenate([buf, buf[index], np.zeros(_PAD, dtype=np.uint8)])
    return joined, starts, lengths, s.fill[flat[last_member]], ts, s.line[flat[first_member]]


def _reject(
    log: list[tuple[I64, str]],
    rows: I64,
    ok: NDArray[np.bool_],
    passes: NDArray[np.bool_],
    reason: str,
) -> NDArray[np.bool_]:
    """Log the rows still ok that fail a check; return what is still ok."""
    failed = ok & ~passes
    if failed.any():
        log.append((rows[np.flatnonzero(failed)], reason))
    return ok & passes


def _is_digit(chars: U8) -> NDArray[np.bool_]:
    return (chars >= ord("0")) & (chars <= ord("9"))


def _is_hex(chars: U8) -> NDArray[np.bool_]:
    return _HEX_VALUE[chars] < 16


# Longer than any layout's characters (type 5: 71), so windows never leave the buffer.
_PAD = 128
_VDM_VDO = np.frombuffer(b"MO", dtype=np.uint8)
_HEX_VALUE = np.full(256, 255, dtype=np.uint8)
for _i, _c in enumerate(b"0123456789ABCDEF"):
    _HEX_VALUE[_c] = _i
    _HEX_VALUE[bytes([_c]).lower()[0]] = _i
_ADDRESS_CHAR = np.zeros(256, dtype=np.bool_)
for _c in b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789=":
    _ADDRESS_CHAR[_c] = True
