"""The OASIS STIX 2.1 JSON schemas, compiled once per object type.

The schemas ship inside the installed ``stix2validator`` package (a runtime dependency), so
we read them from there rather than keep a copy that could drift from the reference. They
declare draft 2020-12 but use only draft-07 keywords, so they are compiled with
``fastjsonschema`` as draft-07. Their ``$ref``s name remote ``$id``s under
raw.githubusercontent.com; the ``http``/``https`` handlers below map those to the local
files, so nothing is fetched at run time.

Each schema is rewritten before compiling into an equivalent one that runs faster
(:func:`_rewrite`, :func:`_inline_leaf_refs`), and ``properties.json``, which applies to
every property of every object, is checked by :class:`_PropertyRules` instead. None of this
changes what is accepted; the agreement tests hold it to stix2-validator's verdicts.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable, Iterator
from functools import cache
from importlib.util import find_spec, module_from_spec, spec_from_file_location
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import urljoin

import fastjsonschema
import idna
from rfc3986_validator import validate_rfc3986  # type: ignore[import-untyped]

from accord.core.errors import ConfigurationError

SchemaCheck = Callable[[Any], Any]
"""A compiled schema: returns on success, raises JsonSchemaValueException otherwise."""

SchemaError = fastjsonschema.JsonSchemaValueException

DOMAIN_OBJECT_CORE = "core"
OBSERVABLE_CORE = "cyber-observable-core"

_DRAFT_07 = "http://json-schema.org/draft-07/schema#"
_REMOTE_ROOT = "raw.githubusercontent.com/oasis-open/cti-stix2-json-schemas/stix2.1/schemas/"
_REMOTE_URL = re.compile(r"^https?://" + re.escape(_REMOTE_ROOT) + r"(?P<path>[a-z0-9/_.-]+)$")

# stix2-validator overrides jsonschema's lax `email` format with this stricter pattern.
_EMAIL = re.compile(r"(^[a-zA-Z0-9_.+-]+@[a-zA-Z0-9-]+\.[a-zA-Z0-9-.]+$)")


def schema_check(schema_name: str) -> SchemaCheck | None:
    """Return the compiled check for the schema file ``<schema_name>.json``, or None.

    ``schema_name`` is an object type (``indicator``, ``file``) or one of the generic
    schemas (``core``, ``cyber-observable-core``); like stix2-validator, any file of the
    schema tree may be chosen by name. None means no such schema file exists. The check
    raises :data:`SchemaError` on the first violation. It leaves out ``properties.json``
    where the schema extends a core (see :func:`extends_a_core`).
    """
    if schema_name not in _schema_files():
        return None
    return _compiled(schema_name)


def schema_root() -> Path:
    """The directory of the STIX 2.1 schemas inside the installed stix2validator package."""
    root = reference_package_dir() / "schemas-2.1" / "schemas"
    if not root.is_dir():
        raise ConfigurationError(f"no STIX 2.1 schemas at {root}")
    return root


def reference_package_dir() -> Path:
    """The directory of the installed stix2validator package, found without importing it.

    Importing it runs its ``__init__``, which imports jsonschema and builds URI grammars:
    more than a second, for files we only read.
    """
    spec = find_spec("stix2validator")
    if spec is None or not spec.submodule_search_locations:
        raise ConfigurationError("stix2-validator is not installed; its STIX schemas are needed")
    return Path(next(iter(spec.submodule_search_locations)))


@cache
def reference_tables() -> ModuleType:
    """stix2-validator's vocabularies and property tables (``v21/enums.py``).

    The module is plain data; it is loaded from its file so that the package's __init__
    does not run (see :func:`reference_package_dir`).
    """
    path = reference_package_dir() / "v21" / "enums.py"
    spec = spec_from_file_location("_stix2validator_v21_enums", path)
    if spec is None or spec.loader is None:
        raise ConfigurationError(f"cannot load the stix2-validator tables at {path}")
    module = module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@cache
def _schema_files() -> dict[str, Path]:
    """Every schema file by its name without ``.json``, as stix2-validator finds them."""
    return {path.stem: path for path in sorted(schema_root().glob("*/*.json"))}


@cache
def _compiled(schema_name: str) -> SchemaCheck:
    schema = load_schema(schema_name)
    _open_nested_objects(schema_name, schema)
    return compile_schema(schema)


def compile_schema(schema: dict[str, Any]) -> SchemaCheck:
    """Compile a schema (prepared by :func:`load_schema`, or a part of one with its ``$id``)."""
    check: SchemaCheck = fastjsonschema.compile(
        schema,
        handlers={"http": _resolve_remote, "https": _resolve_remote},
        formats=_FORMATS,
        # The schemas declare no defaults, but never let validation write into the input.
        use_default=False,
    )
    return check


def _open_nested_objects(schema_name: str, schema: dict[str, Any]) -> None:
    """Drop the schema of a bundle's objects: each is validated on its own instead.

    stix2-validator does the same. (It means to do so for ``observed-data.objects`` too,
    but its condition is never true there, so that schema stays and applies as well.)
    """
    if schema_name == "bundle":
        schema["properties"]["objects"] = {}


def extends_a_core(schema_name: str) -> bool:
    """Whether the schema is, or extends at its top level, ``core`` or ``cyber-observable-core``.

    Such objects are also subject to ``properties.json``, which the compiled cores leave out
    (see :func:`_load`): the validator applies it by property name, which is much faster.
    """
    if schema_name in (DOMAIN_OBJECT_CORE, OBSERVABLE_CORE):
        return True
    cores = (f"/{DOMAIN_OBJECT_CORE}.json", f"/{OBSERVABLE_CORE}.json")
    branches = load_schema(schema_name).get("allOf", ())
    return any(str(branch.get("$ref", "")).endswith(cores) for branch in branches)


def load_schema(schema_name: str) -> dict[str, Any]:
    """The schema file ``<schema_name>.json``, prepared for fastjsonschema."""
    return _load(_schema_files()[schema_name])


def _resolve_remote(url: str) -> dict[str, Any]:
    """Serve a remote schema ``$id`` from the local schema tree; never touch the network."""
    return _load(_local_path(url))


def _local_path(url: str) -> Path:
    match = _REMOTE_URL.match(url)
    path = schema_root() / match.group("path") if match else None
    if path is None or not path.is_file():
        raise ConfigurationError(f"STIX schema reference {url!r} is not in the local schemas")
    return path


def _load(path: Path) -> dict[str, Any]:
    """Read a schema file and make it ready for fastjsonschema (see the module docstring)."""
    with path.open(encoding="utf-8") as handle:
        schema: dict[str, Any] = json.load(handle)
    # fastjsonschema picks its code generator from `$schema`; the keywords are draft-07.
    schema["$schema"] = _DRAFT_07
    if path.stem in (DOMAIN_OBJECT_CORE, OBSERVABLE_CORE):
        # The validator applies properties.json to every object that extends these.
        schema["allOf"] = [
            branch
            for branch in schema["allOf"]
            if not str(branch.get("$ref", "")).endswith("/properties.json")
        ]
    _inline_leaf_refs(schema, schema["$id"])
    _rewrite(schema)
    return schema


# Where a schema keyword holds sub-schemas: one, a list of them, or a map of them.
_ONE_SUBSCHEMA = ("items", "additionalProperties", "not", "if", "then", "else", "contains")
_LIST_OF_SUBSCHEMAS = ("allOf", "anyOf", "oneOf")
_MAP_OF_SUBSCHEMAS = ("properties", "patternProperties", "definitions")


def _rewrite(node: Any) -> None:
    """Rewrite a schema, in place, into an equivalent one that fastjsonschema runs fast.

    fastjsonschema checks each ``anyOf`` and ``not`` branch by raising and catching an
    exception; the shapes below sit on every object and every custom property, so they are
    turned into plain keywords. Each rewrite accepts exactly the same values.
    """
    if not isinstance(node, dict):
        return
    for subschema in _subschemas(node):
        _rewrite(subschema)
    if isinstance(node.get("pattern"), str):
        node["pattern"] = _with_python_dollar(_linear(node["pattern"]))
    if isinstance(node.get("patternProperties"), dict):
        node["patternProperties"] = {
            _linear(name): subschema for name, subschema in node["patternProperties"].items()
        }
    _type_union_from_any_of(node)
    _forbidden_properties_from_not(node)
    _lookahead_from_not(node)


# `([a-z][a-z0-9]*)+` matches exactly what `[a-z][a-z0-9]*` matches (a run of the group is
# a letter and then letters and digits), but backtracks exponentially on a near miss: the
# `type` pattern takes seconds on a 24-letter type ending in "!" (doubling with each more
# letter), and the `-ext` extension-name pattern about 0.2 ms on every extension-definition
# key, which every signed object carries.
_NESTED_RUN = "([a-z][a-z0-9]*)+"
_FLAT_RUN = "[a-z][a-z0-9]*"


def _linear(pattern: str) -> str:
    """`pattern` without the OASIS schemas' exponentially backtracking run."""
    return pattern.replace(_NESTED_RUN, _FLAT_RUN)


def _subschemas(node: dict[str, Any]) -> Iterator[Any]:
    for keyword in _ONE_SUBSCHEMA:
        if keyword in node:
            yield node[keyword]
    for keyword in _LIST_OF_SUBSCHEMAS:
        yield from node.get(keyword, ())
    for keyword in _MAP_OF_SUBSCHEMAS:
        yield from node.get(keyword, {}).values()


def _inline_leaf_refs(node: Any, base_url: str) -> None:
    """Replace each ``$ref`` to a schema without references by that schema's content.

    A compiled ``$ref`` is a function call (with its error path built on every call); ids
    and timestamps are referenced several times in every object.
    """
    if not isinstance(node, dict):
        return
    for subschema in _subschemas(node):
        _inline_leaf_refs(subschema, base_url)
    ref = node.get("$ref")
    if not isinstance(ref, str) or ref.startswith("#") or set(node) - {"$ref", "description"}:
        return
    leaf = _leaf_schema(urljoin(base_url, ref))
    if leaf is not None:
        del node["$ref"]
        node.update(copy.deepcopy(leaf))


@cache
def _leaf_schema(url: str) -> dict[str, Any] | None:
    # Only files without references of their own: inlining more makes big compiled
    # functions, whose error paths (built with `locals()`) cost more than the calls.
    path = _local_path(url)
    if "$ref" in path.read_text(encoding="utf-8"):
        return None
    return {key: value for key, value in _load(path).items() if key not in ("$id", "$schema")}


def _with_python_dollar(pattern: str) -> str:
    """Spell ``$`` so that fastjsonschema leaves it meaning what it means to jsonschema.

    fastjsonschema replaces every unescaped ``$`` of a ``pattern`` by ``\\Z`` (so that no
    trailing newline is allowed), even inside a character class, where ``\\Z`` is not valid.
    stix2-validator uses Python's ``$``, which also matches before a final newline: write
    that as ``(?=\\n?\\Z)`` outside classes, and a literal ``$`` inside as ``\\$``.
    """
    out: list[str] = []
    in_class = escaped = False
    for char in pattern:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "[" and not in_class:
            in_class = True
        elif char == "]" and in_class:
            in_class = False
        elif char == "$":
            out.append("\\$" if in_class else r"(?=\n?\Z)")
            continue
        out.append(char)
    return "".join(out)


def _type_union_from_any_of(node: dict[str, Any]) -> None:
    # anyOf [{type: array, minItems: n}, {type: string}, ...] == {type: [...], minItems: n}:
    # minItems constrains arrays only, and only the array branch accepts arrays.
    branches = node.get("anyOf")
    if not isinstance(branches, list) or "type" in node or "minItems" in node:
        return
    for branch in branches:
        if not isinstance(branch, dict) or not isinstance(branch.get("type"), str):
            return
        keywords = set(branch) - {"type"}
        if keywords - {"minItems"} or (keywords and branch["type"] != "array"):
            return
    del node["anyOf"]
    node["type"] = [branch["type"] for branch in branches]
    for branch in branches:
        if "minItems" in branch:
            node["minItems"] = branch["minItems"]


def _forbidden_properties_from_not(node: dict[str, Any]) -> None:
    # On an object, not {anyOf [{required: [a]}, {required: [b]}]} == properties {a: false,
    # b: false}. (A non-object fails the first, so only rewrite where type is object.)
    negated = node.get("not")
    if node.get("type") != "object" or not isinstance(negated, dict) or list(negated) != ["anyOf"]:
        return
    names: list[str] = []
    for branch in negated["anyOf"]:
        required = branch.get("required") if isinstance(branch, dict) else None
        if list(branch) != ["required"] or not isinstance(required, list) or len(required) != 1:
            return
        names.append(required[0])
    del node["not"]
    node.setdefault("allOf", []).append({"properties": dict.fromkeys(names, False)})


def _lookahead_from_not(node: dict[str, Any]) -> None:
    # not {enum: [strings]} and not {pattern: p} become a negative lookahead. `not pattern`
    # rejects non-strings (pattern ignores them, so `not` fails): hence type string there.
    negated = node.get("not")
    if not isinstance(negated, dict):
        return
    keywords = set(negated) - {"title", "description"}
    if keywords == {"enum"} and all(isinstance(value, str) for value in negated["enum"]):
        words = "|".join(re.escape(value) for value in negated["enum"])
        replacement = {"pattern": rf"^(?!(?:{words})\Z)"}
    elif keywords == {"pattern"} and isinstance(negated["pattern"], str):
        # search(p) anywhere in the string == a match of p after some prefix, from the start.
        replacement = {"type": "string", "pattern": rf"^(?![\s\S]*?(?:{negated['pattern']}))"}
    else:
        return
    del node["not"]
    node.setdefault("allOf", []).append(replacement)


# A subset of RFC 3986 URIs (scheme://host[:port][/path][?query][#fragment] with a plain
# host name), as a cheap regular expression: most URLs match it, at a fifth of the cost.
_PATH_CHAR = r"[A-Za-z0-9._~!$&'()*+,;=:@-]|%[0-9A-Fa-f]{2}"
_COMMON_URI = re.compile(
    rf"[A-Za-z][A-Za-z0-9+.-]*://[A-Za-z0-9._~-]*(?::[0-9]*)?(?:/(?:{_PATH_CHAR}|/)*+)?"
    rf"(?:\?(?:{_PATH_CHAR}|[/?])*+)?(?:#(?:{_PATH_CHAR}|[/?])*+)?\Z"
)


def _is_uri(value: str) -> bool:
    # rfc3986-validator is the checker jsonschema (and so stix2-validator) uses when the
    # GPL rfc3987 package is not installed; it decides what the cheap subset does not.
    return _COMMON_URI.match(value) is not None or validate_rfc3986(value, rule="URI") is not None


def _is_idn_hostname(value: str) -> bool:
    # jsonschema's idn-hostname check: whatever the idna codec can encode.
    try:
        idna.encode(value)
    except (idna.IDNAError, UnicodeError):
        return False
    return True


def _is_email(value: str) -> bool:
    return _EMAIL.match(value) is not None


_FORMATS: dict[str, Callable[[str], bool]] = {
    "uri": _is_uri,
    "idn-hostname": _is_idn_hostname,
    "email": _is_email,
}
