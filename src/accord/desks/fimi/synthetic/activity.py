"""What ``generate`` returns, posts and their ground truth, and ``write``, which saves the
posts as the ingest reads them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl
import pyarrow as pa

from accord.core.errors import InvalidInput


@dataclass(frozen=True)
class PlantedGroup:
    """A planted coordinated group: its members and the posts they made as the group."""

    name: str
    kind: str
    accounts: tuple[str, ...]
    post_ids: tuple[str, ...]


@dataclass(frozen=True)
class Synthetic:
    """Generated posts (``posts.POSTS``, sorted by time) and their ground truth."""

    posts: pa.Table
    groups: tuple[PlantedGroup, ...]
    copies: dict[str, str]  # post id -> template or claim/language it copies (same language)
    claims: dict[str, str]  # post id -> claim it states (any language)


def write(synthetic: Synthetic, path: Path) -> None:
    """Save the posts as the ingest reads them: CSV, or Parquet when `path` ends so; columns
    id, platform, account, text, url (space separated), timestamp (ISO 8601, Z), language,
    reply_to, repost_of."""
    frame = pl.DataFrame(synthetic.posts).select(
        pl.col("post_id").alias("id"),
        "platform",
        "account",
        "text",
        pl.col("urls").list.join(" ").alias("url"),
        pl.col("ts").dt.strftime("%Y-%m-%dT%H:%M:%S%.6fZ").alias("timestamp"),
        "language",
        "reply_to",
        "repost_of",
    )
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        frame.write_parquet(path)
    elif suffix == ".csv":
        frame.write_csv(path)
    else:
        raise InvalidInput(f"{path}: write to a .csv or a .parquet file")
