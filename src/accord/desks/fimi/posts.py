"""Posts in: CSV, JSON lines or Parquet with a column mapping, normalised for matching.

Each post keeps its text as published and gains ``text_norm``: Unicode NFKC, case folded,
URLs and emojis out, whitespace collapsed. URLs come from a URL column and from the text,
normalised (scheme and host lower case, tracking parameters and fragments dropped), empty
ones dropped (an empty URL is no shared link); where the file carries short and expanded
forms side by side, every short link is replaced by its expansion. Boilerplate that
says nothing of the content goes too: a leading "RT @name:" and a closing "read more" or
"subscribe" call. A post without a language gets the one py3langid detects. A row
without id, account, text or a readable time is left out and reported with its line and
field.
"""

from __future__ import annotations

import functools
import os
import re
import sys
import unicodedata
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import duckdb
import polars as pl
import py3langid
import pyarrow as pa
import pyarrow.parquet as pq

from accord.core.columns import column_mapping
from accord.core.errors import InvalidInput
from accord.core.node import Node

POSTS = pa.schema(
    [
        pa.field("post_id", pa.string(), nullable=False),
        pa.field("platform", pa.string()),
        pa.field("account", pa.string(), nullable=False),
        pa.field("text", pa.string(), nullable=False),
        pa.field("text_norm", pa.string(), nullable=False),
        pa.field("urls", pa.list_(pa.string()), nullable=False),
        pa.field("ts", pa.timestamp("us", tz="UTC"), nullable=False),
        pa.field("language", pa.string()),
        pa.field("reply_to", pa.string()),
        pa.field("repost_of", pa.string()),
        pa.field("source", pa.string()),
    ]
)
FIELDS = (
    "id",
    "platform",
    "account",
    "text",
    "url",
    "expanded_url",
    "timestamp",
    "language",
    "reply_to",
    "repost_of",
)
REQUIRED = ("id", "account", "text", "timestamp")
_URL = re.compile(r"https?://[^\s<>\"'）)]+", re.IGNORECASE)
_BOILERPLATE = re.compile(
    r"^\s*rt\s+@\w+:?|(?:read more|subscribe|follow us)(?: (?:here|now|at))?\W*$",
    re.IGNORECASE,
)
_DROPPED_CATEGORIES = frozenset({"So", "Sk", "Cs", "Co", "Mn"})
_TRACKING = re.compile(r"^(utm_|fbclid$|gclid$|igshid$|si$|s$|ref$)")


@dataclass(frozen=True)
class Reject:
    """A row left out, and why."""

    line: int
    reason: str


@dataclass
class PostFile:
    """What one file holds."""

    posts: pa.Table
    rows: int
    rejects: list[Reject] = field(default_factory=list)


def parse_mapping(text: str) -> dict[str, str]:
    """``text=body,account=user`` (ours=theirs); errors name the bad part."""
    return column_mapping(text, FIELDS)


def read_posts(
    path: Path, mapping: Mapping[str, str] | None = None, *, strict: bool = False
) -> PostFile:
    """The posts of a file; columns named as ours unless `mapping` says otherwise."""
    frame = _read(path)
    mapping = {name: (mapping or {}).get(name, name) for name in FIELDS}
    missing = [mapping[name] for name in REQUIRED if mapping[name] not in frame.columns]
    if missing:
        raise InvalidInput(
            f"{path}: no column {', '.join(missing)} "
            f"(the file has {', '.join(frame.columns)}); give a mapping"
        )
    column = {name: mapping[name] for name in FIELDS if mapping[name] in frame.columns}
    first_line = 2 if path.suffix.lower() in (".csv", ".gz") else 1
    expansions = _expansions(frame, column)
    rows, rejects = [], []
    for number, row in enumerate(frame.iter_rows(named=True)):
        post = _post(row, column, expansions, str(path))
        if isinstance(post, str):
            rejects.append(Reject(number + first_line, post))
            if strict:
                raise InvalidInput(f"{path}:{number + first_line}: {post}")
            continue
        rows.append(post)
    return PostFile(pa.Table.from_pylist(rows, schema=POSTS), frame.height, rejects)


def normalise_text(text: str) -> str:
    """Text as matched: NFKC, case folded, URLs, emojis and boilerplate out, whitespace
    collapsed."""
    text = _URL.sub(" ", unicodedata.normalize("NFKC", text))
    text = _BOILERPLATE.sub(" ", text)
    return " ".join(_symbols().sub("", text).casefold().split())


def _dropped(ch: str) -> bool:
    """Emojis and other symbols, modifier and combining marks, private and lone surrogate
    code points: what a text says does not hang on them (letters among them stay)."""
    return unicodedata.category(ch) in _DROPPED_CATEGORIES and not ch.isalnum()


@functools.cache
def _symbols() -> re.Pattern[str]:
    """One character class of every code point `_dropped` drops: a single regex pass per
    text instead of a Python test per character (built once, in about half a second)."""
    ranges, start, previous = [], None, -2
    for point in range(sys.maxunicode + 1):
        if _dropped(chr(point)):
            if point != previous + 1:
                if start is not None:
                    ranges.append((start, previous))
                start = point
            previous = point
    if start is not None:
        ranges.append((start, previous))
    parts = (re.escape(chr(a)) + (f"-{re.escape(chr(b))}" if b > a else "") for a, b in ranges)
    return re.compile(f"[{''.join(parts)}]")


def detected_language(text_norm: str) -> str | None:
    """The ISO 639-1 code of a normalised text's language (py3langid's model, shipped in
    its wheel), or None for a text with no letters to judge by."""
    if not any(ch.isalpha() for ch in text_norm):
        return None
    code: str = py3langid.classify(text_norm)[0]
    return code


def normalise_url(url: str) -> str | None:
    """A URL as compared: scheme and host lower case, no tracking parameters, no fragment;
    None if it is empty or no http(s) URL."""
    url = url.strip().rstrip(".,;:!?")
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query) if not _TRACKING.match(k.lower())])
    path = parts.path.rstrip("/") or ""
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path, query, ""))


def _read(path: Path) -> pl.DataFrame:
    name = path.name.lower()
    try:
        if name.endswith(".parquet"):
            return pl.read_parquet(path).with_columns(pl.all().cast(pl.String))
        if name.endswith((".jsonl", ".ndjson", ".json")):
            return pl.read_ndjson(path, infer_schema_length=None).with_columns(
                pl.all().cast(pl.String)
            )
        return pl.read_csv(path, infer_schema=False)
    except (OSError, pl.exceptions.PolarsError) as exc:
        raise InvalidInput(f"{path}: cannot read it: {exc}") from exc


def _expansions(frame: pl.DataFrame, column: Mapping[str, str]) -> dict[str, str]:
    if "url" not in column or "expanded_url" not in column:
        return {}
    found = {}
    for short, long in frame.select(column["url"], column["expanded_url"]).iter_rows():
        short_url, long_url = normalise_url(short or ""), normalise_url(long or "")
        if short_url and long_url and short_url != long_url:
            found[short_url] = long_url
    return found


def _post(
    row: Mapping[str, str | None],
    column: Mapping[str, str],
    expansions: Mapping[str, str],
    source: str,
) -> dict[str, object] | str:
    def value(name: str) -> str:
        return (row.get(column[name]) or "").strip() if name in column else ""

    for name in REQUIRED:
        if not value(name):
            return f"{column[name]}: missing"
    try:
        ts = _timestamp(value("timestamp"))
    except ValueError:
        return f"{column['timestamp']}: cannot read {value('timestamp')!r} as a time"
    text = value("text")
    text_norm = normalise_text(text)
    urls = [normalise_url(u) for u in [*re.split(r"[\s|]+", value("url")), *_URL.findall(text)]]
    return {
        "post_id": value("id"),
        "platform": value("platform") or None,
        "account": value("account"),
        "text": text,
        "text_norm": text_norm,
        "urls": list(dict.fromkeys(expansions.get(u, u) for u in urls if u)),
        "ts": ts,
        "language": value("language") or detected_language(text_norm),
        "reply_to": value("reply_to") or None,
        "repost_of": value("repost_of") or None,
        "source": source,
    }


def _timestamp(text: str) -> datetime:
    if text.isdigit():
        seconds = int(text) / (1000 if len(text) >= 13 else 1)
        return datetime.fromtimestamp(seconds, UTC)
    parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def store_posts(folder: Path, posts: pa.Table) -> tuple[int, int]:
    """Merge posts into ``folder/posts.parquet`` (a post is the same post when platform and
    id agree; the stored copy wins), written atomically; (added, already there)."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "posts.parquet"
    partial = folder / f".{uuid.uuid4().hex}.partial"
    with quiet_duckdb() as db:
        db.register("incoming", posts.cast(POSTS))
        sources = ["SELECT *, 1 AS _new FROM incoming"]
        before = 0
        if target.exists():
            sources.insert(0, f"SELECT *, 0 AS _new FROM read_parquet('{_sql_path(target)}')")
            before = int(
                db.execute(f"SELECT count(*) FROM read_parquet('{_sql_path(target)}')").fetchall()[
                    0
                ][0]
            )
        union = " UNION ALL BY NAME ".join(sources)
        db.execute(
            f"COPY (SELECT * EXCLUDE (_new) FROM ({union}) QUALIFY row_number() OVER "
            f"(PARTITION BY platform, post_id ORDER BY _new) = 1 ORDER BY ts) "
            f"TO '{_sql_path(partial)}' (FORMAT parquet, COMPRESSION zstd)"
        )
        after = int(
            db.execute(f"SELECT count(*) FROM read_parquet('{_sql_path(partial)}')").fetchall()[0][
                0
            ]
        )
    os.replace(partial, target)
    return after - before, posts.num_rows - (after - before)


def quiet_duckdb() -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB without its progress bar, which would write to standard output
    (where the commands print their JSON)."""
    db = duckdb.connect()
    db.execute("SET enable_progress_bar = false")
    return db


def desk_folder(node: Node) -> Path:
    """Where the desk keeps its files on a node: posts, cases, clusters, embeddings,
    incident drafts."""
    return node.settings.data_dir / "fimi"


def stored_posts(folder: Path) -> pa.Table:
    """The posts stored in `folder` (empty before the first ingest)."""
    target = folder / "posts.parquet"
    return pq.read_table(target).cast(POSTS) if target.exists() else POSTS.empty_table()


def _sql_path(path: Path) -> str:
    return str(path).replace("'", "''")
