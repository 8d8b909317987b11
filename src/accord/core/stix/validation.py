"""Fast validation of STIX 2.1 objects, agreeing with stix2-validator's default mode.

``stix2validator.validate_instance`` (the OASIS reference) takes about 4 ms an object and
``stix2.parse`` about 0.6 ms (``benchmarks/validate_objects.py``); bulk ingest needs far
less. This module gives the reference's accept/reject verdict in its default, non-strict
mode (where the SHOULD rules only warn): the OASIS JSON schemas, compiled (:mod:`.schemas`),
then the MUST rules the reference checks in code (:mod:`.musts`), on the object and on the
STIX objects it nests. Like the reference, it picks the schema by type; a type without one
(a custom object such as ``x-mitre-tactic``) gets the generic ``core`` schema, or
``cyber-observable-core`` when it has neither ``created`` nor ``modified`` (a custom
observable). Custom properties need only a valid name and a value that is not null or [].

Known differences, all outside what real feeds carry: the reference also rejects objects on
which its SHOULD code crashes (for instance a STIX object nested in a custom list property
whose vocabulary property is not a string), and validates a bundle member that has
``created`` but no ``spec_version`` as STIX 2.0.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import cache, lru_cache
from typing import Any

from accord.core.errors import InvalidStixObject
from accord.core.stix.musts import Problem, must_problem, observables_problem
from accord.core.stix.schemas import (
    DOMAIN_OBJECT_CORE,
    OBSERVABLE_CORE,
    SchemaCheck,
    SchemaError,
    compile_schema,
    extends_a_core,
    load_schema,
    reference_tables,
    schema_check,
)

__all__ = ["StixProblem", "object_problem", "validate_object"]

# Per observable type, its reference properties and the types they may point at.
_OBSERVABLE_REFERENCES: dict[str, dict[str, Any]] = reference_tables().OBSERVABLE_PROP_REFS


@dataclass(frozen=True)
class StixProblem:
    """Why a STIX object is invalid: its id, the field at fault and a readable reason.

    ``field`` is a property name or a dotted path such as
    ``external_references[0].source_name``.
    """

    object_id: str | None
    field: str
    reason: str


def object_problem(obj: Mapping[str, Any]) -> StixProblem | None:
    """Return the first problem that makes ``obj`` an invalid STIX 2.1 object, or None.

    Where stix2-validator (default options, STIX 2.1) accepts the object this returns
    None, and where it rejects it (or fails on it) this returns a problem. A bundle is
    checked with each of its objects.
    """
    if not isinstance(obj, Mapping):
        return StixProblem(None, "(object)", "a STIX object must be a JSON object")
    object_id = obj.get("id")
    problem = _problem(obj)
    if problem is None:
        return None
    return StixProblem(object_id if isinstance(object_id, str) else None, *problem)


def validate_object(obj: Mapping[str, Any], *, index: int | None = None) -> None:
    """Raise :class:`InvalidStixObject` if ``obj`` is no valid STIX 2.1 object.

    ``index`` is the object's position in its bundle, reported in the error.
    """
    problem = object_problem(obj)
    if problem is not None:
        raise InvalidStixObject(problem.object_id, problem.field, problem.reason, index=index)


def _problem(obj: Mapping[str, Any]) -> Problem | None:
    for required in ("type", "id"):
        if required not in obj:
            return required, "a STIX object needs an id and a type"
    # Nested objects first: their own schemas name the field at fault more precisely.
    if obj["type"] == "observed-data" and "objects" in obj:
        problem = _observables_schema_problem(obj["objects"])
    elif obj["type"] == "bundle":
        problem = _bundled_objects_problem(obj.get("objects"))
    else:
        problem = None
    if problem is not None:
        return problem
    try:
        _schema_for(obj)(obj)
    except SchemaError as error:
        return _described(error)
    return None if obj["type"] == "bundle" else _rules_problem(obj)


def _rules_problem(obj: Mapping[str, Any]) -> Problem | None:
    """The MUST rules on ``obj`` and, as the reference runs them, on what it nests."""
    problem = must_problem(obj)
    if problem is None and obj.get("type") == "observed-data":
        problem = _observables_rules_problem(obj.get("objects"))
    if problem is not None:
        return problem
    # Every STIX object (a dict with an id and a type) in a list property, at any depth.
    for name, value in obj.items():
        if type(value) is not list:
            continue
        for position, item in enumerate(value):
            if isinstance(item, dict) and "id" in item and "type" in item:
                problem = _rules_problem(item)
                if problem is not None:
                    return f"{name}[{position}].{problem[0]}", problem[1]
    return None


def _schema_for(obj: Mapping[str, Any], default: str | None = None) -> SchemaCheck:
    """The schema of the object's type, else a generic one, chosen as the reference does."""
    stix_type = obj.get("type")
    check = _checker(stix_type) if isinstance(stix_type, str) else None
    if check is not None:
        return check
    if default is None:
        # Custom types: an object with neither `created` nor `modified` is an observable.
        observable = "created" not in obj and "modified" not in obj
        default = OBSERVABLE_CORE if observable and stix_type != "marking-definition" else ""
    check = _checker(default or DOMAIN_OBJECT_CORE)
    assert check is not None, "the generic schemas ship with every schema version"
    return check


@lru_cache(maxsize=256)
def _checker(schema_name: str) -> SchemaCheck | None:
    """The compiled schema, followed by ``properties.json`` where it applies."""
    check = schema_check(schema_name)
    if check is None or not extends_a_core(schema_name):
        return check
    property_rules = _property_rules()

    def check_with_property_rules(obj: Any) -> None:
        check(obj)
        property_rules(obj)

    return check_with_property_rules


class _PropertyRules:
    """``properties.json`` (the name and value rules for every property of an object).

    Compiled, it runs three regular expressions per property of every object, about half
    the cost of a whole check; the sub-schemas that apply depend on the name alone, so
    they are looked up once per distinct name here. The compiled ``core`` and
    ``cyber-observable-core`` leave it out (see :func:`.schemas.extends_a_core`).
    """

    _MAX_NAMES = 65_536  # bounds the memory that objects with random names can take

    def __init__(self, schema: dict[str, Any]) -> None:
        base = {"$id": schema["$id"], "$schema": schema["$schema"]}
        # The sub-schema of every plain custom property (any value but null and []) is
        # checked inline below; the others (`_bin`, `_hex` names) are compiled.
        self._rules: list[tuple[re.Pattern[str], SchemaCheck | None]] = []
        self._min_items = 0
        for name_pattern, subschema in schema["patternProperties"].items():
            min_items = _non_null_min_items(subschema)
            check = None if min_items is not None else compile_schema({**base, **subschema})
            self._min_items = max(self._min_items, min_items or 0)
            self._rules.append((re.compile(name_pattern), check))
        # Per name: whether the plain rule applies, and the compiled checks.
        self._rules_by_name: dict[str, tuple[bool, tuple[SchemaCheck, ...]]] = {}

    def __call__(self, obj: Any) -> None:
        for name, value in obj.items():
            plain, checks = self._rules_by_name.get(name) or self._rules_for(name)
            if plain and (
                value is None
                or not isinstance(value, _JSON_VALUES)
                or (isinstance(value, (list, tuple)) and len(value) < self._min_items)
            ):
                reason = f"data.{name} must be a value that is not null or an empty list"
                raise SchemaError(reason, value, f"data.{name}", None, "type")
            if not plain and not checks:
                reason = f"data.{name} is not an allowed property name"
                raise SchemaError(reason, value, f"data.{name}", None, "additionalProperties")
            for check in checks:
                try:
                    check(value)
                except SchemaError as error:
                    raise _nested_error(error, name) from None

    def _rules_for(self, name: Any) -> tuple[bool, tuple[SchemaCheck, ...]]:
        matching = [check for pattern, check in self._rules if _searches(pattern, name)]
        rules = (None in matching, tuple(check for check in matching if check is not None))
        if len(self._rules_by_name) < self._MAX_NAMES:
            self._rules_by_name[name] = rules
        return rules


def _searches(pattern: re.Pattern[str], name: Any) -> bool:
    return isinstance(name, str) and pattern.search(name) is not None


# What {type: [every JSON type but null]} accepts, as fastjsonschema types values.
_JSON_TYPES = {"array", "string", "integer", "boolean", "number", "object"}
_JSON_VALUES = (list, tuple, str, int, float, Decimal, dict)  # bool is an int


def _non_null_min_items(subschema: dict[str, Any]) -> int | None:
    """``n`` for ``{type: [every type but null], minItems: n}``, else None."""
    if set(subschema) - {"type", "minItems"} or set(subschema.get("type", ())) != _JSON_TYPES:
        return None
    return int(subschema.get("minItems", 0))


@cache
def _property_rules() -> _PropertyRules:
    return _PropertyRules(load_schema("properties"))


def _nested_error(error: SchemaError, name: str) -> SchemaError:
    """Re-root an error raised on the value of property ``name`` at that property."""
    path = f"data.{name}" + (error.name or "data").removeprefix("data")
    message = error.message.replace("data", path, 1)
    return SchemaError(message, error.value, path, error.definition, error.rule)


def _observables_schema_problem(objects: Any) -> Problem | None:
    """Each observable of the deprecated ``objects`` dictionary has the schema of its type."""
    if not isinstance(objects, dict):
        return "objects", "must be a dictionary of cyber observable objects"
    for key, member in objects.items():
        if not isinstance(member, dict) or "type" not in member:
            return f"objects.{key}", "an observable object must have a 'type'"
        try:
            _schema_for(member, default=OBSERVABLE_CORE)(member)
        except SchemaError as error:
            field, reason = _described(error)
            return f"objects.{key}.{field}".rstrip("."), reason
    return None


def _observables_rules_problem(objects: Any) -> Problem | None:
    """The observable rules on each member of ``objects``; references are its keys."""
    if type(objects) is not dict:
        return None
    problem = observables_problem(objects)
    if problem is not None:
        return problem
    for key, member in objects.items():
        problem = _member_references_problem(objects, member)
        if problem is not None:
            return f"objects.{key}.{problem[0]}", problem[1]
    return None


def _member_references_problem(objects: dict[str, Any], member: dict[str, Any]) -> Problem | None:
    stix_type = member.get("type")
    rules = _OBSERVABLE_REFERENCES.get(stix_type, {}) if isinstance(stix_type, str) else {}
    for name, allowed in rules.items():
        if name not in member:
            continue
        if isinstance(allowed, list):
            found = [(name, member[name], allowed)]
        else:  # references inside an extension, or in each part of a multipart body
            found = [
                (f"{name}.{embedded}", refs, types)
                for embedded, inner in allowed.items()
                for refs, types in _embedded_refs(member[name], embedded, inner)
            ]
        for field, refs, types in found:
            reason = _refs_problem(objects, refs, types)
            if reason is not None:
                return field, reason
    return None


def _embedded_refs(value: Any, embedded: str, inner: Any) -> list[tuple[Any, Any]]:
    """(references, allowed types) in an extension (a dict) or in each MIME part (a list)."""
    if isinstance(value, dict) and isinstance(value.get(embedded), dict):
        holder = value[embedded]
        return [(holder[name], inner[name]) for name in holder if name in inner]
    if isinstance(value, list):
        return [
            (item[embedded], inner) for item in value if isinstance(item, dict) and embedded in item
        ]
    return []


def _refs_problem(objects: dict[str, Any], refs: Any, allowed: list[str]) -> str | None:
    for ref in refs if isinstance(refs, list) else [refs]:
        if not isinstance(ref, str) or ref not in objects:
            return f"cannot resolve the reference {ref!r} in 'objects'"
        target = objects[ref]
        if isinstance(target, dict) and "type" in target and target["type"] not in allowed:
            return f"{ref!r} must refer to an object of type {' or '.join(allowed)}"
    return None


def _bundled_objects_problem(objects: Any) -> Problem | None:
    for position, member in enumerate(objects if isinstance(objects, list) else ()):
        problem = _problem(member) if isinstance(member, Mapping) else ("", "not an object")
        if problem is not None:
            return f"objects[{position}].{problem[0]}".rstrip("."), problem[1]
    return None


_UNEXPECTED_NAMES = re.compile(r"must not contain \{'([^']*)'")


def _described(error: SchemaError) -> tuple[str, str]:
    """The field and reason of a schema error (fastjsonschema names paths ``data.x[0].y``)."""
    name = error.name or "data"
    field = name.removeprefix("data").removeprefix(".")
    reason = error.message.removeprefix(name).strip()
    if field:
        return field, reason
    # An error on the whole object: name the property when the rule allows it.
    if error.rule == "required" and isinstance(error.value, Mapping):
        required = error.rule_definition or []
        missing = [name for name in required if name not in error.value]
        return (missing[0] if missing else "(object)"), reason
    unexpected = _UNEXPECTED_NAMES.search(error.message)
    if unexpected is not None:
        return unexpected.group(1), reason
    return "(object)", reason
