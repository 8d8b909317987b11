"""Patterns per second: accord's STIX pattern check against the reference, stix2patterns.

Run: ``python benchmarks/pattern_check.py``. Generates 20,000 seeded, varied indicator
patterns (about 2% malformed, as in real feeds), times ``pattern_problem`` over all of them
and ``stix2patterns``' validator over the first 2,000 (it is slow), and checks that the two
agree on those.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import TypeVar

from stix2patterns.validator import run_validator

from accord.core.stix.patterns import pattern_problem

PATTERN_COUNT = 20_000
REFERENCE_COUNT = 2_000
SEED = 20_250_601

Result = TypeVar("Result")


def main() -> None:
    """Generate the patterns, time both checkers, print the figures."""
    rng = random.Random(SEED)
    patterns = [indicator_pattern(rng) for _ in range(PATTERN_COUNT)]
    ours_per_s, verdicts = _rate(pattern_problem, patterns)
    subset = patterns[:REFERENCE_COUNT]
    reference_per_s, reference_errors = _rate(_reference, subset)
    agreeing = sum(
        (verdict is None) == (not errors)
        for verdict, errors in zip(verdicts, reference_errors, strict=False)
    )
    rejected = sum(verdict is not None for verdict in verdicts)
    print(f"patterns: {len(patterns):,} ({rejected:,} rejected)")
    print(f"accord pattern_problem:       {ours_per_s:12,.0f} patterns/s", end="")
    print(f"  ({1e6 / ours_per_s:8.2f} us each)")
    print(f"stix2patterns run_validator:  {reference_per_s:12,.0f} patterns/s", end="")
    print(f"  ({1e6 / reference_per_s:8.2f} us each, first {len(subset):,} patterns)")
    print(f"ratio: {ours_per_s / reference_per_s:,.0f}x")
    print(f"same verdict on the {len(subset):,} checked by both: {agreeing:,}")


def _reference(pattern: str) -> list[str]:
    return list(run_validator(pattern, stix_version="2.1"))


def _rate(check: Callable[[str], Result], patterns: list[str]) -> tuple[float, list[Result]]:
    """Patterns per second of `check` over `patterns` (best of three runs), and its results."""
    results = [check(pattern) for pattern in patterns]  # warm-up, and the verdicts
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        for pattern in patterns:
            check(pattern)
        best = min(best, time.perf_counter() - started)
    return len(patterns) / best, results


def indicator_pattern(rng: random.Random) -> str:
    """One pattern of the kinds seen in threat-intelligence feeds."""
    shape = rng.random()
    if shape < 0.70:
        return f"[{_comparison(rng)}]"
    if shape < 0.80:
        return f"[{_comparison(rng)} {rng.choice(['AND', 'OR'])} {_comparison(rng)}]"
    if shape < 0.90:
        return f"[{_comparison(rng)}] AND [{_comparison(rng)}]"
    if shape < 0.95:
        seconds = rng.choice([60, 300, 3600])
        return f"([{_comparison(rng)}] FOLLOWEDBY [{_comparison(rng)}]) WITHIN {seconds} SECONDS"
    if shape < 0.98:
        day = rng.randint(1, 28)
        window = f"START t'2024-03-{day:02d}T00:00:00Z' STOP t'2024-04-{day:02d}T00:00:00Z'"
        return f"[{_comparison(rng)}] {window}"
    return _malformed(rng)


def _comparison(rng: random.Random) -> str:
    kind = rng.random()
    if kind < 0.35:
        name, digits = rng.choice([("MD5", 32), ("'SHA-1'", 40), ("'SHA-256'", 64)])
        return f"file:hashes.{name} = '{_hex(rng, digits)}'"
    if kind < 0.55:
        address = ".".join(str(rng.randint(1, 254)) for _ in range(4))
        if rng.random() < 0.2:
            return f"ipv4-addr:value ISSUBSET '{address}/{rng.choice([16, 24, 32])}'"
        return f"ipv4-addr:value = '{address}'"
    if kind < 0.70:
        return f"domain-name:value = '{_word(rng)}.{rng.choice(['com', 'net', 'ru', 'info'])}'"
    if kind < 0.80:
        return f"url:value = 'https://{_word(rng)}.example/{_word(rng)}/{_word(rng)}.php?id=7'"
    if kind < 0.85:
        return f"email-message:from_ref.value = '{_word(rng)}@{_word(rng)}.example'"
    if kind < 0.90:
        port = rng.choice([22, 443, 4444, 8080])
        return f"network-traffic:dst_port = {port} AND network-traffic:protocols[*] = 'tcp'"
    if kind < 0.95:
        return f"process:command_line MATCHES '^powershell.+-enc {_word(rng)}'"
    return rf"windows-registry-key:key = 'HKEY_LOCAL_MACHINE\\Software\\{_word(rng)}'"


def _malformed(rng: random.Random) -> str:
    return rng.choice(
        [
            f"[file:hashes.MD5 = '{_hex(rng, 31)}']",
            f"file:name = '{_word(rng)}.exe'",
            f"[domain-name:value = '{_word(rng)}.com'",
            f"[ipv4-addr:value == {_word(rng)}]",
        ]
    )


def _hex(rng: random.Random, digits: int) -> str:
    return "".join(rng.choice("0123456789abcdef") for _ in range(digits))


def _word(rng: random.Random) -> str:
    return "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(3, 10)))


if __name__ == "__main__":
    main()
