"""Receive times around an NMEA sentence: tag block ``c:``, a prefix, a USCG-style suffix.

All times are microseconds since the unix epoch, UTC; ``NO_TIME`` where a line has none.
Tag blocks (one per line in satellite and national feeds) are parsed with numpy; prefixes
and suffixes, rarer, with Polars regular expressions over just the lines that have them.
"""

from __future__ import annotations

import numpy as np
import polars as pl
import pyarrow as pa
from numpy.typing import NDArray

I64 = NDArray[np.int64]
U8 = NDArray[np.uint8]
Mask = NDArray[np.bool_]

NO_TIME = np.iinfo(np.int64).min

_BACKSLASH = ord("\\")
# Unix seconds have 10 digits from 2001 to 2286; 13 digits are milliseconds.
_MILLISECOND_DIGITS = 12

_EPOCH = r"(?P<sec>\d{10})(?:\.(?P<frac>\d{1,6})\d*)?|(?P<ms>\d{13})"
_ISO = (
    r"(?P<y>\d{4})-(?P<mo>\d{2})-(?P<d>\d{2})[T ](?P<h>\d{2}):(?P<mi>\d{2}):(?P<s>\d{2})"
    r"(?:[.,](?P<isofrac>\d{1,6})\d*)?"
    r"(?:Z|\s?UTC|(?P<sign>[+-])(?P<oh>\d{2}):?(?P<om>\d{2}))?"
)
_PREFIX = rf"^\s*(?:{_EPOCH}|{_ISO})[\s,;]*$"
# USCG N-AIS appends ``,<station>,<unix seconds>[,...]``; the first bare 10-digit field is
# the receive time (libais, ais/uscg.py).
_SUFFIX = r",(?P<sec>\d{10})(?:\.(?P<frac>\d{1,6})\d*)?(?:,|$)"


def receive_times(
    buf: U8, starts: I64, ends: I64, bang: I64, end: I64, ok: Mask
) -> tuple[I64, dict[str, Mask]]:
    """Per sentence still ``ok`` (from ``bang`` to before ``end`` in a line from ``starts``
    to ``ends``), its receive time: tag block, else prefix, else suffix. Also, per reason,
    which sentences had text around them that could not be read."""
    ts = np.full(len(starts), NO_TIME, dtype=np.int64)
    tag_start, tag_end = _tag_blocks(buf, starts, bang, ok)
    unclosed = (tag_end >= 0) & (tag_start < 0)
    unread = {"unterminated tag block": unclosed}
    ok = ok & ~unclosed
    if (tag_start >= 0).any():
        ts = tag_times(buf, tag_start, tag_end)
    prefix_end = np.where(tag_start >= 0, tag_start, np.where(tag_end >= 0, starts, bang))
    with_prefix = np.flatnonzero(ok & (prefix_end > starts))
    if len(with_prefix):
        parsed, understood = prefix_times(buf, starts[with_prefix], prefix_end[with_prefix])
        ts[with_prefix] = np.where(ts[with_prefix] == NO_TIME, parsed, ts[with_prefix])
        unrecognised = np.zeros(len(starts), dtype=np.bool_)
        unrecognised[with_prefix[~understood]] = True
        unread["unrecognised text before the sentence"] = unrecognised
        ok &= ~unrecognised
    with_suffix = np.flatnonzero(ok & (end < ends) & (ts == NO_TIME))
    if len(with_suffix):
        ts[with_suffix] = suffix_times(buf, end[with_suffix], ends[with_suffix])
    return ts, unread


def _tag_blocks(buf: U8, starts: I64, bang: I64, ok: Mask) -> tuple[I64, I64]:
    """Per sentence still ``ok``, the positions of the backslashes opening and closing the
    tag block before it: -1, -1 without one; -1, end if it is not opened in its line."""
    has_head = ok & (bang > starts)
    tag_end = np.where(has_head & (buf[np.maximum(bang - 1, 0)] == _BACKSLASH), bang - 1, -1)
    tagged = np.flatnonzero(tag_end >= 0)
    tag_start = np.full(len(starts), -1, dtype=np.int64)
    if len(tagged):
        backslashes = np.flatnonzero(buf == _BACKSLASH)
        k = np.searchsorted(backslashes, tag_end[tagged]) - 1
        opening = np.where(k >= 0, backslashes[np.maximum(k, 0)], -1)
        tag_start[tagged] = np.where(opening >= starts[tagged], opening, -1)
    return tag_start, tag_end


def tag_times(buf: U8, tag_start: I64, tag_end: I64) -> I64:
    """Per row, the ``c:`` time of the tag block between the backslashes at ``tag_start``
    and ``tag_end`` (-1 for rows without one)."""
    times = np.full(len(tag_start), NO_TIME, dtype=np.int64)
    tagged = np.flatnonzero(tag_start >= 0)
    if len(tagged) == 0:
        return times
    lo, hi = tag_start[tagged].min(), tag_end[tagged].max()
    window = buf[lo:hi]
    at = np.flatnonzero((window[1:-1] == ord("c")) & (window[2:] == ord(":"))) + 1 + lo
    at = at[(buf[at - 1] == ord(",")) | (buf[at - 1] == ord("\\"))]
    k = np.searchsorted(tag_start[tagged], at) - 1
    inside = (k >= 0) & (at < tag_end[tagged][np.maximum(k, 0)])
    at, rows = at[inside], tagged[k[inside]]
    value, digits = _leading_number(buf, at + 2, 14)
    closed = np.isin(
        buf[np.minimum(at + 2 + digits, len(buf) - 1)], np.frombuffer(b",*\\", np.uint8)
    )
    good = (digits > 0) & closed
    micros = np.where(digits > _MILLISECOND_DIGITS, value * 1_000, value * 1_000_000)
    times[rows[good]] = micros[good]
    return times


def prefix_times(buf: U8, starts: I64, ends: I64) -> tuple[I64, NDArray[np.bool_]]:
    """The time written before each sentence (``starts``..``ends``), and whether that text
    was a time at all."""
    frame = pl.DataFrame({"text": _strings(buf, starts, ends)})
    parts = frame.select(pl.col("text").str.extract_groups(_PREFIX)).unnest("text")
    epoch = _seconds_and_fraction(parts, "sec", "frac")
    milli = parts["ms"].cast(pl.Int64) * 1_000
    iso = _iso_micros(parts)
    micros = pl.select(pl.coalesce(epoch, milli, iso)).to_series()
    understood = micros.is_not_null().to_numpy()
    return micros.fill_null(NO_TIME).to_numpy().astype(np.int64), understood


def suffix_times(buf: U8, starts: I64, ends: I64) -> I64:
    """The USCG-style receive time in the text after each sentence, or ``NO_TIME``."""
    frame = pl.DataFrame({"text": _strings(buf, starts, ends)})
    parts = frame.select(pl.col("text").str.extract_groups(_SUFFIX)).unnest("text")
    micros = _seconds_and_fraction(parts, "sec", "frac")
    return micros.fill_null(NO_TIME).to_numpy().astype(np.int64)


def _strings(buf: U8, starts: I64, ends: I64) -> pa.Array:
    """The texts ``buf[starts[i]:ends[i]]`` (ASCII) as an Arrow string array."""
    lengths = ends - starts
    offsets = np.zeros(len(starts) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    index = np.repeat(starts - offsets[:-1], lengths) + np.arange(offsets[-1])
    data = np.ascontiguousarray(buf[index])
    return pa.Array.from_buffers(
        pa.large_string(), len(starts), [None, pa.py_buffer(offsets), pa.py_buffer(data)]
    )


def _seconds_and_fraction(parts: pl.DataFrame, seconds: str, fraction: str) -> pl.Series:
    micros = parts[fraction].str.pad_end(6, "0").cast(pl.Int64).fill_null(0)
    return parts[seconds].cast(pl.Int64) * 1_000_000 + micros


def _iso_micros(parts: pl.DataFrame) -> pl.Series:
    """ISO 8601 date-times as microseconds since the epoch; a stated offset is undone."""
    number = {name: parts[name].cast(pl.Int32) for name in ("y", "mo", "d", "h", "mi", "s")}
    frac = parts["isofrac"].str.pad_end(6, "0").cast(pl.Int32).fill_null(0)
    valid = (
        number["mo"].is_between(1, 12)
        & number["d"].is_between(1, 31)
        & (number["h"] < 24)
        & (number["mi"] < 60)
        & (number["s"] < 61)
    ).fill_null(False)
    frame = pl.DataFrame(number).with_columns(frac=frac, valid=valid)
    stamp = pl.datetime(
        pl.col("y"),
        pl.col("mo"),
        pl.col("d"),
        pl.col("h"),
        pl.col("mi"),
        pl.col("s"),
        pl.col("frac"),
        time_unit="us",
    )
    micros = frame.select(pl.when(pl.col("valid")).then(stamp).dt.epoch("us")).to_series()
    offset = (parts["oh"].cast(pl.Int64) * 60 + parts["om"].cast(pl.Int64)) * 60_000_000
    signed = pl.select(
        pl.when(parts["sign"] == "-").then(-offset).otherwise(offset).fill_null(0)
    ).to_series()
    return micros - signed


def _leading_number(buf: U8, at: I64, width: int) -> tuple[I64, I64]:
    """The decimal number starting at each position (up to ``width`` digits) and how many
    digits it has."""
    index = np.minimum(at[:, None] + np.arange(width), len(buf) - 1)
    digits = buf[index].astype(np.int64) - ord("0")
    is_digit = (digits >= 0) & (digits <= 9)
    count = np.where(is_digit.all(axis=1), width, np.argmin(is_digit, axis=1))
    keep = np.arange(width) < count[:, None]
    power = np.where(keep, 10 ** np.maximum(count[:, None] - 1 - np.arange(width), 0), 0)
    return (np.where(keep, digits, 0) * power).sum(axis=1), count
