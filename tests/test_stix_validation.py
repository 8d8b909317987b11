"""The fast STIX validator gives the verdict of stix2-validator in its default mode.

The reference is ``stix2validator.validate_instance`` with default (non-strict) options for
STIX 2.1; where it raises on an object instead of answering, it does not accept it.
"""

from __future__ import annotations

import copy
import gzip
import json
from collections.abc import Callable, Iterator
from functools import cache
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from stix2patterns.exceptions import ParseException
from stix2validator import ValidationError, ValidationOptions, validate_instance

from accord.core.errors import InvalidStixObject
from accord.core.stix.validation import object_problem, validate_object
from tests.data import SHARED_DATA, indicator, stix_example_files

StixObject = dict[str, Any]

# stix2-validator itself catches a jsonschema class that is deprecated.
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:stix2validator")

# How the reference fails on malformed input instead of answering.
REFERENCE_FAILURES = (
    ValidationError,
    ParseException,
    KeyError,
    TypeError,
    AttributeError,
    ValueError,
    IndexError,
)

TLP_RED = "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed"
IDENTITY = "identity--b38dfe21-7477-40d1-aa90-5c8671ce51ca"


def reference_accepts(obj: Any) -> bool:
    """stix2-validator's verdict, memoised on the object's JSON."""
    return _reference_verdict(json.dumps(obj, sort_keys=True))


@cache
def _reference_verdict(obj_json: str) -> bool:
    try:
        result = validate_instance(json.loads(obj_json), ValidationOptions(version="2.1"))
    except REFERENCE_FAILURES:
        return False
    return bool(result.is_valid)


def accepts(obj: Any) -> bool:
    return object_problem(obj) is None


@cache
def valid_objects() -> tuple[StixObject, ...]:
    """Every object of the OASIS examples and of the MITRE ATT&CK for ICS bundle."""
    objects: list[StixObject] = []
    for path in stix_example_files():
        objects += json.loads(path.read_text(encoding="utf-8"))["objects"]
    with gzip.open(SHARED_DATA / "cyber" / "mitre_ics_attack_18.1.json.gz") as handle:
        objects += json.load(handle)["objects"]
    return tuple(objects)


def crafted_objects() -> list[StixObject]:
    """Valid objects of kinds the shared data lacks: observables, language content, ..."""
    base = {"spec_version": "2.1", "created": "2020-01-01T00:00:00.000Z"}
    sdo = {**base, "modified": "2020-01-01T00:00:00.000Z"}
    return [
        {"type": "process", "id": "process--f52a906a-0dfc-40bd-92f1-e7778ead38a9", "pid": 1},
        {"type": "artifact", "id": "artifact--6f437177-6e48-5cf8-9d9e-872a2bddd641",
         "mime_type": "application/zip", "url": "https://example.com/a.zip",
         "hashes": {"SHA-256": "a" * 64}},
        {"type": "file", "id": "file--e277603e-1060-5ad4-9937-c26c97f1ca68", "name": "a.exe",
         "name_enc": "UTF-8", "ctime": "2020-02-29T10:00:00Z"},
        {"type": "software", "id": "software--a1827f6d-ca53-5605-9e93-4316cd22a00a",
         "name": "Word", "cpe": "cpe:2.3:a:microsoft:word:2000:*:*:*:*:*:*:*",
         "languages": ["en", "fr"]},
        {"type": "network-traffic", "id": "network-traffic--2568d22a-8998-58eb-99ec-3c8ca74f527d",
         "protocols": ["tcp"], "dst_ref": "ipv4-addr--4d22aae0-2bf9-5427-8819-e4f6abf20a53",
         "start": "2020-01-01T00:00:00Z", "end": "2020-01-01T00:01:00Z"},
        {"type": "email-addr", "id": "email-addr--2d77a846-6264-5d51-b586-e43822ea1ea3",
         "value": "john@example.com"},
        {"type": "x-acme-gadget", "id": "x-acme-gadget--0c7b5b88-8ff7-4a4d-aa9d-feb398cd0061",
         "serial": "A-1"},
        {**sdo, "type": "language-content",
         "id": "language-content--b86bd89f-98bb-4fa9-8cb2-9ad421da981d",
         "object_ref": "campaign--12a111f0-b824-4baf-a224-83b80237a094",
         "object_modified": "2017-02-08T21:31:22.007Z",
         "contents": {"de": {"name": "Bank Angriff", "description": "Weitere Informationen"}}},
        {**sdo, "type": "observed-data",
         "id": "observed-data--b67d30ff-02ac-498a-92f9-32f845f448cf",
         "first_observed": "2020-01-01T00:00:00Z", "last_observed": "2020-01-01T00:00:00Z",
         "number_observed": 1,
         "objects": {"0": {"type": "ipv4-addr", "value": "198.51.100.3",
                           "id": "ipv4-addr--4d22aae0-2bf9-5427-8819-e4f6abf20a53"},
                     "1": {"type": "domain-name", "value": "example.com", "resolves_to_refs": ["0"],
                           "id": "domain-name--dd686e37-6889-53bd-8ae1-b1a503452613"}}},
        {**sdo, "type": "x-acme-finding",
         "id": "x-acme-finding--4ee6f4e1-0b6b-4a3c-9d4e-5d0f3e6b4c11", "x_acme_score": 7,
         "x_acme_payload_bin": "aGVsbG8=", "x_acme_hex": "0aff",
         "lang": "en", "labels": ["a"]},
    ]  # fmt: skip


@cache
def seeds() -> tuple[StixObject, ...]:
    """Objects to mutate: one of each kind in the shared data, and the crafted ones."""
    wanted: dict[str, Callable[[StixObject], bool]] = {
        "indicator": lambda o: o["type"] == "indicator",
        "relationship": lambda o: o["type"] == "relationship",
        "attack pattern": lambda o: "kill_chain_phases" in o,
        "malware": lambda o: o["type"] == "malware",
        "identity": lambda o: o["type"] == "identity",
        "campaign": lambda o: o["type"] == "campaign" and "first_seen" in o,
        "custom object": lambda o: o["type"] == "x-mitre-tactic",
        "granular markings": lambda o: "granular_markings" in o,
        "TLP marking": lambda o: o.get("definition_type") == "tlp",
        "statement marking": lambda o: o.get("definition_type") == "statement",
        "observed data": lambda o: o["type"] == "observed-data",
        "sighting": lambda o: o["type"] == "sighting",
        "IPv4 address": lambda o: o["type"] == "ipv4-addr",
    }
    found = [next(o for o in valid_objects() if matches(o)) for matches in wanted.values()]
    return (*found, *crafted_objects())


def test_the_shared_data_and_the_crafted_objects_are_valid_for_both() -> None:
    objects = [*valid_objects(), *crafted_objects()]
    rejected_by_reference = [obj["id"] for obj in objects if not reference_accepts(obj)]
    problems = [problem for obj in objects if (problem := object_problem(obj)) is not None]
    assert rejected_by_reference == []
    assert problems == []


# --- systematic mutations ---------------------------------------------------------------

Mutation = Callable[[StixObject], StixObject | None]


def _set(name: str, value: Any, *, only: str | None = None) -> Mutation:
    def mutate(obj: StixObject) -> StixObject | None:
        if only is not None and obj["type"] != only:
            return None
        return {**copy.deepcopy(obj), name: value}

    return mutate


def _when(name: str, change: Callable[[StixObject], None]) -> Mutation:
    def mutate(obj: StixObject) -> StixObject | None:
        if name not in obj:
            return None
        mutated = copy.deepcopy(obj)
        change(mutated)
        return mutated

    return mutate


def _id_with(prefix: str | None = None, version: str | None = None) -> Mutation:
    def change(obj: StixObject) -> None:
        stix_type, uuid = obj["id"].split("--")
        if version is not None:
            uuid = uuid[:14] + version + uuid[15:]
        obj["id"] = f"{prefix or stix_type}--{uuid}"

    return _when("id", change)


def _granular(selectors: list[str], marking_ref: str = TLP_RED) -> Mutation:
    return _set("granular_markings", [{"selectors": selectors, "marking_ref": marking_ref}])


def _first(name: str, key: str, value: Any) -> Mutation:
    def change(obj: StixObject) -> None:
        obj[name][0][key] = value

    return _when(name, change)


MUTATIONS: dict[str, Mutation] = {
    "id of another type": _id_with(prefix="malware"),
    "id prefix in capitals": _id_with(prefix="Indicator"),
    "id with UUID version 1": _id_with(version="1"),
    "id with UUID version 5": _id_with(version="5"),
    "id with UUID version 7": _id_with(version="7"),
    "id without UUID": _set("id", "indicator--"),
    "modified before created": _when(
        "created", lambda o: o.update(modified="2000-01-01T00:00:00.000Z")
    ),
    "created on 30 February": _when(
        "created", lambda o: o.update(created="2016-02-30T00:00:00.000Z")
    ),
    "created in a leap second": _when(
        "created", lambda o: o.update(created="2016-12-31T23:59:60.000Z")
    ),
    "created without milliseconds": _when(
        "created", lambda o: o.update(created="2016-01-01T00:00:00Z")
    ),
    "created without Z": _when("created", lambda o: o.update(created="2016-01-01T00:00:00.000")),
    "modified a number": _when("modified", lambda o: o.update(modified=20200101)),
    "spec_version 2.2": _set("spec_version", "2.2"),
    "type in capitals": _when("type", lambda o: o.update(type=o["type"].upper())),
    "labels empty": _set("labels", []),
    "labels a string": _set("labels", "malicious"),
    "confidence 101": _set("confidence", 101),
    "confidence a word": _set("confidence", "high"),
    "confidence 50": _set("confidence", 50),
    "revoked a string": _set("revoked", "yes"),
    "lang unknown": _set("lang", "xx-YY"),
    "lang English": _set("lang", "en"),
    "external_references empty": _set("external_references", []),
    "external reference empty": _set("external_references", [{}]),
    "CVE reference with a bad id": _set(
        "external_references", [{"source_name": "cve", "external_id": "CVE-20-1"}]
    ),
    "CAPEC reference": _set(
        "external_references", [{"source_name": "capec", "external_id": "CAPEC-163"}]
    ),
    "reference with a source only": _set("external_references", [{"source_name": "acme"}]),
    "reference with a bad URL": _set(
        "external_references", [{"source_name": "acme", "url": "http://exa mple.com/"}]
    ),
    "reference source_name a number": _first("external_references", "source_name", 7),
    "object_marking_refs empty": _set("object_marking_refs", []),
    "object_marking_refs not an id": _set("object_marking_refs", ["tlp-red"]),
    "object_marking_refs an identity": _set("object_marking_refs", [IDENTITY]),
    "created_by_ref not an id": _set("created_by_ref", "Gotham National Bank"),
    "selector of a missing property": _granular(["no_such_property"]),
    "selector past the end of a list": _granular(["labels.[3]"]),
    "selector of the id": _granular(["id"]),
    "selector in capitals": _granular(["ID"]),
    "selectors empty": _granular([]),
    "granular marking_ref an identity": _granular(["id"], IDENTITY),
    "custom property": _set("x_acme_score", 5),
    "custom property in capitals": _set("X_ACME_SCORE", 5),
    "custom property of two letters": _set("xa", 5),
    "custom property with hyphens": _set("x-acme-score", 5),
    "custom property null": _set("x_acme_score", None),
    "custom property empty list": _set("x_acme_tags", []),
    "custom binary not base64": _set("x_acme_bin", "not base64!"),
    "custom hex not hex": _set("x_acme_hex", "xyz"),
    "reserved property severity": _set("severity", "high"),
    "extensions empty": _set("extensions", {}),
    "extension with a short property": _set("extensions", {"x-acme-ext": {"ab": 1}}),
    "kill chain phase without phase": _first("kill_chain_phases", "phase_name", None),
    "kill_chain_phases empty": _when("kill_chain_phases", lambda o: o.update(kill_chain_phases=[])),
    "pattern unbalanced": _set("pattern", "[file:name = 'x'", only="indicator"),
    "pattern with a bad custom property": _set("pattern", "[x-acme:Name = 'a']", only="indicator"),
    "pattern with a bad type name": _set("pattern", "[x_acme:name = 'a']", only="indicator"),
    "pattern with a custom type": _set("pattern", "[x-acme-thing:name = 'a']", only="indicator"),
    "pattern a number": _set("pattern", 5, only="indicator"),
    "sigma pattern not checked": _when(
        "pattern", lambda o: o.update(pattern="anything", pattern_type="sigma")
    ),
    "valid_until before valid_from": _set("valid_until", "2000-01-01T00:00:00Z", only="indicator"),
    "indicator_types empty": _set("indicator_types", [], only="indicator"),
    "relationship_type in capitals": _set("relationship_type", "Uses", only="relationship"),
    "relationship from a bundle": _set(
        "source_ref", "bundle--5d0092c5-5f74-4287-9642-33f4c354e56d", only="relationship"
    ),
    "stop_time before start_time": _when(
        "relationship_type",
        lambda o: o.update(start_time="2020-01-02T00:00:00Z", stop_time="2020-01-01T00:00:00Z"),
    ),
    "last_seen before first_seen": _when(
        "first_seen", lambda o: o.update(last_seen="1999-01-01T00:00:00.000Z")
    ),
    "is_family a string": _set("is_family", "yes", only="malware"),
    "TLP renamed": _set("name", "TLP:PURPLE", only="marking-definition"),
    "marking that marks itself": _when(
        "definition_type", lambda o: o.update(object_marking_refs=[o["id"]])
    ),
    "statement marking without statement": _set(
        "definition", {"tlp": "red"}, only="marking-definition"
    ),
    "number_observed 0": _set("number_observed", 0, only="observed-data"),
    "last_observed before first_observed": _set(
        "last_observed", "1999-01-01T00:00:00Z", only="observed-data"
    ),
    "observable without id": _when("objects", lambda o: o["objects"]["0"].pop("id")),
    "observable reference unresolved": _when(
        "objects", lambda o: o["objects"]["1"].update(resolves_to_refs=["9"])
    ),
    "observable reference to a wrong type": _when(
        "objects", lambda o: o["objects"]["0"].update(resolves_to_refs=["1"])
    ),
    "process id UUIDv5": _id_with(version="5"),
    "file name_enc unknown": _set("name_enc", "no-such-charset", only="file"),
    "IPv4 address out of range": _set("value", "999.0.0.1", only="ipv4-addr"),
    "email address without domain": _set("value", "john@", only="email-addr"),
    "artifact media type unknown": _set("mime_type", "application/x-acme", only="artifact"),
    "software CPE malformed": _set("cpe", "cpe:/bad", only="software"),
    "software language unknown": _set("languages", ["xx"], only="software"),
    "traffic ends before it starts": _set("end", "2019-01-01T00:00:00Z", only="network-traffic"),
    "contents in an unknown language": _set(
        "contents", {"xx-XX": {"name": "n"}}, only="language-content"
    ),
    "contents as plain text": _set("contents", {"de": "Text"}, only="language-content"),
    "custom type with underscore": _when("type", lambda o: o.update(type="x_acme_thing")),
    "pattern declared STIX 2.0": _set("pattern_version", "2.0", only="indicator"),
    "observable with an objects list": _set("objects", ["a"], only="file"),
    "observable with objects of bad type": _set(
        "objects",
        {
            "0": {
                "type": "file",
                "id": "file--e277603e-1060-5ad4-9937-c26c97f1ca68",
                "name_enc": "no-such-charset",
            }
        },
        only="file",
    ),
}


@cache
def mutated_variants() -> tuple[tuple[str, str, StixObject], ...]:
    """(mutation, seed id, variant) for each mutation that applies to each seed."""
    return tuple(
        (name, seed["id"], variant)
        for name, mutate in MUTATIONS.items()
        for seed in seeds()
        if (variant := mutate(seed)) is not None
    )


@pytest.mark.parametrize("mutation", sorted(MUTATIONS))
def test_each_mutation_gets_the_reference_verdict(mutation: str) -> None:
    variants = [(seed, v) for name, seed, v in mutated_variants() if name == mutation]
    disagreements = [
        (seed, object_problem(variant))
        for seed, variant in variants
        if accepts(variant) != reference_accepts(variant)
    ]
    assert variants
    assert disagreements == []


def test_dropping_any_property_gets_the_reference_verdict() -> None:
    disagreements = []
    for seed in seeds():
        for name in seed:
            variant = {key: value for key, value in seed.items() if key != name}
            if accepts(variant) != reference_accepts(variant):
                disagreements.append((seed["id"], name, object_problem(variant)))
    assert disagreements == []


def test_at_least_80_mutated_variants_are_broken_and_rejected_by_both() -> None:
    broken = [variant for _, _, variant in mutated_variants() if not reference_accepts(variant)]
    assert len(broken) >= 80
    assert [variant.get("id") for variant in broken if accepts(variant)] == []


# --- random mutations --------------------------------------------------------------------

JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-3, 200)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=10),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=5,
)
EDIT_CHARACTERS = st.sampled_from(list("0123456789abcxyzABCXYZ-_:.'[] \nT\\"))


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every key and list index below ``node``, as paths from the top."""
    if isinstance(node, dict):
        items: Iterator[tuple[Any, Any]] = iter(node.items())
    else:
        items = enumerate(node) if isinstance(node, list) else iter(())
    for key, child in items:
        yield (*prefix, key)
        yield from _paths(child, (*prefix, key))


def _get(parent: Any, key: Any) -> Any:
    return parent.get(key) if isinstance(parent, dict) else parent[key]


@st.composite
def mutated_objects(draw: st.DrawFn) -> StixObject:
    obj = copy.deepcopy(draw(st.sampled_from(seeds())))
    path = draw(st.sampled_from([*_paths(obj), ("x_acme_added",), ("lang",)]))
    parent: Any = obj
    for step in path[:-1]:
        parent = parent[step]
    last = path[-1]
    action = draw(st.sampled_from(["delete", "replace", "edit"]))
    if action == "delete" and isinstance(parent, dict):
        parent.pop(last, None)
    elif action == "edit" and isinstance(text := _get(parent, last), str):
        at = draw(st.integers(0, len(text)))
        cut = draw(st.integers(0, 1))
        parent[last] = text[:at] + draw(EDIT_CHARACTERS) + text[at + cut :]
    else:
        parent[last] = draw(JSON_VALUES)
    return obj


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_objects())
def test_random_mutations_get_the_reference_verdict(obj: StixObject) -> None:
    assert accepts(obj) == reference_accepts(obj), object_problem(obj)


@settings(max_examples=300, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(["type", "id", "created", "x_acme", "objects", "lang"]),
        JSON_VALUES,
        max_size=5,
    )
)
def test_any_json_object_gets_a_verdict_without_raising(obj: StixObject) -> None:
    object_problem(obj)


# --- what the errors say -----------------------------------------------------------------


def _indicator() -> StixObject:
    return copy.deepcopy(next(o for o in valid_objects() if o["type"] == "indicator"))


def test_modified_before_created_names_the_object_and_modified() -> None:
    obj = {**_indicator(), "modified": "2000-01-01T00:00:00.000Z"}
    problem = object_problem(obj)
    assert problem is not None
    assert (problem.object_id, problem.field) == (obj["id"], "modified")
    assert "created" in problem.reason


def test_missing_pattern_names_the_pattern() -> None:
    obj = _indicator()
    del obj["pattern"]
    problem = object_problem(obj)
    assert problem is not None
    assert (problem.object_id, problem.field) == (obj["id"], "pattern")


def test_bad_reference_source_names_its_path() -> None:
    obj = {**_indicator(), "external_references": [{"source_name": 7, "url": "https://a.b/"}]}
    problem = object_problem(obj)
    assert problem is not None
    assert problem.field.startswith("external_references[0]")


def test_bad_selector_names_the_granular_marking() -> None:
    obj = {**_indicator(), "granular_markings": [{"selectors": ["nope"], "marking_ref": TLP_RED}]}
    problem = object_problem(obj)
    assert problem is not None
    assert problem.field == "granular_markings[0].selectors"
    assert "nope" in problem.reason


def test_invalid_custom_property_names_the_property() -> None:
    problem = object_problem({**_indicator(), "X_Custom": 1})
    assert problem is not None
    assert problem.field == "X_Custom"


def test_validate_object_raises_with_id_field_and_position() -> None:
    obj = {**_indicator(), "pattern": "[file:name = 'x'"}
    with pytest.raises(InvalidStixObject) as raised:
        validate_object(obj, index=3)
    error = raised.value
    assert (error.object_id, error.field, error.index) == (obj["id"], "pattern", 3)
    assert obj["id"] in str(error) and "position 3" in str(error)


def test_validate_object_accepts_a_valid_object() -> None:
    validate_object(_indicator())


@pytest.mark.parametrize("length", [30, 60])
def test_near_miss_types_and_extension_names_are_refused_without_backtracking(
    length: int,
) -> None:
    # The OASIS patterns as published take time doubling with each letter on these (about
    # a minute at 30 letters, for ever at 60): anyone who may post could stall the node.
    obj = {**indicator(1), "type": "a" * length + "!"}
    assert object_problem(obj) is not None
    extended = {**indicator(1), "extensions": {"a" * length + "-ex": {"x": 1}}}
    problem = object_problem(extended)
    assert problem is not None and "extensions" in str(problem)
