"""AIS decoding: Accord's vectorised decoder against pyais on the same >= 1 M NMEA sentences.

The input is the real AMSA feed sample (``amsa_nmea_sample.txt.gz``: 44,687 lines, of which
34,013 AIS sentences, the rest GPS, alarms and proprietary sentences) repeated until it
holds ``--sentences`` AIS sentences. Two streams are timed, each by both decoders:

- *fast types*: the file without the AIS messages of types Accord hands to pyais (6, 7, 8,
  10, 17, 22, 23, 25, 26, ...: 0.6 % of this feed), so that both decoders do the same work
  per message;
- *as recorded*: the whole file, where Accord itself calls pyais for those 0.6 %.

pyais runs its fastest documented way of decoding a stream of lines: ``IterMessages``
(which also assembles multi-part messages) and ``.decode()`` per message, without
``.asdict()``, given the list of lines its API takes (the split is not timed). Accord's
figure is ``decode_nmea`` end to end, from the file's bytes in memory (the form ingest gives
it: it finds the line ends itself) to the Arrow tables (checksums checked, receive times
read; positions and statics built from the fields they use, and every field of types 4, 11,
20 and 21 into their report tables). Ours is the median of ``--repeat`` runs after one
warm-up run; pyais runs once (it takes seconds and varies little). Messages/s counts
decoded messages.

    python benchmarks/ais_decode.py [--sentences 1000000] [--repeat 5] [--pyais-sample N]
"""

from __future__ import annotations

import argparse
import gzip
import statistics
import time
from collections.abc import Sequence
from pathlib import Path

from pyais.exceptions import AISBaseException
from pyais.stream import IterMessages

from accord.desks.maritime.ais import FAST_TYPES, decode_nmea

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "maritime"
SAMPLE = DATA / "amsa_nmea_sample.txt.gz"


def ais_type(payload: bytes) -> int:
    """The message type: the 6-bit value of the payload's first character."""
    value = payload[0] - 48
    return value - 8 if value > 40 else value


def fast_types_only(lines: Sequence[bytes]) -> list[bytes]:
    """The lines without the sentences of AIS messages of a type Accord hands to pyais."""
    kept: list[bytes] = []
    keep_group: dict[tuple[bytes, bytes, bytes], bool] = {}
    for line in lines:
        fields = line.split(b",")
        if not (line.startswith(b"!") and fields[0][3:] in (b"VDM", b"VDO") and len(fields) > 6):
            kept.append(line)
            continue
        group = (fields[0], fields[3], fields[4])  # talker and type, sequence id, channel
        if fields[2] == b"1":
            keep_group[group] = not fields[5] or ais_type(fields[5]) in FAST_TYPES
        if keep_group.get(group, True):
            kept.append(line)
    return kept


def repeated(lines: list[bytes], sentences: int) -> list[bytes]:
    """``lines`` repeated until they hold at least ``sentences`` AIS sentences."""
    per_copy = sum(1 for line in lines if line.startswith(b"!") and line[3:6] in (b"VDM", b"VDO"))
    return lines * -(-sentences // per_copy)


def ours(lines: list[bytes], repeat: int) -> tuple[float, int]:
    """(messages/s, messages) of ``decode_nmea`` on the lines' bytes: median of ``repeat``
    runs after a warm-up."""
    content = b"\n".join(lines) + b"\n"
    decode_nmea(content)
    rates, decoded = [], 0
    for _ in range(repeat):
        started = time.perf_counter()
        batch = decode_nmea(content, source="amsa")
        elapsed = time.perf_counter() - started
        decoded = batch.counts["decoded_fast"] + batch.counts["decoded_pyais"]
        rates.append(decoded / elapsed)
    return statistics.median(rates), decoded


def pyais_rate(lines: list[bytes]) -> tuple[float, int]:
    """(messages/s, messages) of pyais: ``IterMessages`` and ``.decode()``, one run."""
    decoded = 0
    started = time.perf_counter()
    for message in IterMessages(lines):
        try:
            message.decode()
        except AISBaseException:
            continue
        decoded += 1
    return decoded / (time.perf_counter() - started), decoded


def compare(label: str, lines: list[bytes], repeat: int, pyais_sample: int | None) -> None:
    sentences = sum(1 for line in lines if line.startswith(b"!") and line[3:6] in (b"VDM", b"VDO"))
    print(f"\n{label}: {len(lines):,} lines, {sentences:,} AIS sentences")
    rate, decoded = ours(lines, repeat)
    print(f"  accord decode_nmea: {rate:12,.0f} messages/s  ({decoded:,} messages)")
    sample = lines if pyais_sample is None else lines[:pyais_sample]
    reference, count = pyais_rate(sample)
    where = "" if pyais_sample is None else f", timed on the first {len(sample):,} lines only"
    print(f"  pyais decode:       {reference:12,.0f} messages/s  ({count:,} messages{where})")
    print(f"  ratio:              {rate / reference:12.1f}x pyais")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sentences", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--pyais-sample", type=int, default=None, help="lines pyais decodes")
    args = parser.parse_args()

    lines = gzip.decompress(SAMPLE.read_bytes()).splitlines()
    print(f"{SAMPLE.name}; accord: median of {args.repeat} runs; pyais: one run")
    compare(
        "fast types (same work per message)",
        repeated(fast_types_only(lines), args.sentences),
        args.repeat,
        args.pyais_sample,
    )
    framed = decode_nmea(lines).counts
    share = framed["decoded_pyais"] / framed["messages"]
    compare(
        f"as recorded (accord hands {share:.1%} of the messages to pyais)",
        repeated(lines, args.sentences),
        args.repeat,
        args.pyais_sample,
    )


if __name__ == "__main__":
    main()
