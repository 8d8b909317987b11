"""STIX bundles as files: reading them with clear errors, writing exports."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import orjson

from accord.core.errors import InvalidInput


def read_bundle(path: Path) -> list[dict[str, Any]]:
    """The objects of a STIX bundle file (a lone object or a list of objects also works).

    Errors name the file, and the line and column of broken JSON, or the position of an
    entry that is no object.
    """
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InvalidInput(f"{path}: cannot read: {exc.strerror or exc}") from exc
    try:
        document = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        line, column = _line_and_column(raw, exc.pos)
        raise InvalidInput(f"{path}:{line}:{column}: not valid JSON: {exc.msg}") from exc
    return bundle_objects(document, source=str(path))


def bundle_objects(document: Any, *, source: str) -> list[dict[str, Any]]:
    """The objects of a parsed bundle (or of a lone object or a list of objects)."""
    if isinstance(document, Mapping) and document.get("type") == "bundle":
        objects = document.get("objects", [])
        if not isinstance(objects, list):
            raise InvalidInput(f"{source}: the bundle's 'objects' is not a list")
    elif isinstance(document, Mapping):
        objects = [document]
    elif isinstance(document, list):
        objects = document
    else:
        raise InvalidInput(f"{source}: expected a STIX bundle, object or list of objects")
    for index, obj in enumerate(objects):
        if not isinstance(obj, dict):
            raise InvalidInput(f"{source}: objects[{index}] is not a JSON object")
    return objects


def write_bundle(objects: Iterable[Mapping[str, Any]], path: Path) -> int:
    """Write objects as one STIX 2.1 bundle, streaming; returns how many were written.

    Written to a temporary file first and renamed, so a failed export leaves no half file.
    """
    partial = path.with_name(path.name + ".partial")
    count = 0
    with partial.open("wb") as out:
        out.write(b'{"type":"bundle","id":"bundle--' + str(uuid.uuid4()).encode() + b'",')
        out.write(b'"objects":[')
        for obj in objects:
            if count:
                out.write(b",\n")
            out.write(orjson.dumps(obj, option=orjson.OPT_SORT_KEYS))
            count += 1
        out.write(b"]}\n")
    partial.replace(path)
    return count


def _line_and_column(raw: bytes, position: int) -> tuple[int, int]:
    before = raw[:position]
    line = before.count(b"\n") + 1
    column = position - (before.rfind(b"\n") + 1) + 1
    return line, column
