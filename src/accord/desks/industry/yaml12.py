"""YAML as people write country codes in it: only ``true`` and ``false`` are booleans.

PyYAML follows YAML 1.1, which reads ``NO``, ``no``, ``yes``, ``on`` and ``off`` as
booleans, so Norway (``NO``) became ``false``. YAML 1.2 dropped those forms; this loader
keeps YAML 1.2's booleans and is otherwise PyYAML's safe loader.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from accord.core.errors import InvalidInput


class _Yaml12Loader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2 booleans."""


_Yaml12Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Yaml12Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def read_text(path: Path) -> str:
    """A file's text (UTF-8, a byte-order mark allowed); InvalidInput naming the file if it
    cannot be read or is not UTF-8."""
    try:
        return path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise InvalidInput(f"{path}: cannot read: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise InvalidInput(f"{path}: not UTF-8 text (byte {exc.start})") from exc


def load(text: str, name: str) -> Any:
    """The YAML (or JSON) document in `text`; InvalidInput naming `name` and the line."""
    try:
        return yaml.load(text, Loader=_Yaml12Loader)  # a SafeLoader: no arbitrary objects
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{name}, line {mark.line + 1}" if mark is not None else name
        raise InvalidInput(f"{where}: not YAML or JSON: {getattr(exc, 'problem', exc)}") from exc
