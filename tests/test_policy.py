"""Releasability: the rule table, and the store applying it on every read path."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accord.core.markings import Tlp
from accord.core.node import Node
from accord.core.policy import Reader, may_pass_on, may_read
from accord.core.queries import ObjectQuery
from accord.core.stix import refs

PARTNERS = ("EU", "JP", "KR", "NO", "MD")
# Groups of the default partnership used below.
GROUPS = {
    "sdp-jp": {"EU", "JP"},
    "sdp-kr": {"EU", "KR"},
    "maritime-indo-pacific": {"EU", "JP", "KR"},
}


def reader(code: str) -> Reader:
    return Reader(code, frozenset(g for g, members in GROUPS.items() if code in members))


@pytest.mark.parametrize(
    ("tlp", "release", "partner", "expected"),
    [
        (Tlp.CLEAR, set(), "JP", True),
        (Tlp.CLEAR, set(), "MD", True),
        (Tlp.GREEN, {"JP"}, "JP", True),
        (Tlp.GREEN, {"JP"}, "KR", False),
        (Tlp.AMBER, {"sdp-kr"}, "KR", True),
        (Tlp.AMBER, {"sdp-kr"}, "JP", False),
        (Tlp.AMBER_STRICT, {"maritime-indo-pacific"}, "KR", True),
        (Tlp.AMBER_STRICT, {"maritime-indo-pacific"}, "NO", False),
        (Tlp.RED, {"JP", "KR"}, "JP", False),
        (None, {"JP"}, "JP", True),
        (None, set(), "JP", False),
        (Tlp.AMBER, set(), "JP", False),
        (Tlp.RED, set(), "EU", True),
    ],
)
def test_rule_table(tlp: Tlp | None, release: set[str], partner: str, expected: bool) -> None:
    assert may_read(reader(partner), "EU", tlp, release) is expected


def test_owner_always_reads_its_own_objects() -> None:
    for tlp in [None, *Tlp]:
        assert may_read(reader("MD"), "MD", tlp, set())


def test_red_never_leaves_the_node_even_from_its_owner() -> None:
    assert not may_pass_on("EU", "EU", Tlp.RED, reader("EU"), {"EU"})


def test_amber_strict_is_passed_on_by_its_owner_only() -> None:
    assert may_pass_on("EU", "EU", Tlp.AMBER_STRICT, reader("JP"), {"JP", "KR"})
    assert not may_pass_on("JP", "EU", Tlp.AMBER_STRICT, reader("KR"), {"JP", "KR"})


def test_amber_is_passed_on_only_to_partners_on_its_release_list() -> None:
    assert may_pass_on("JP", "EU", Tlp.AMBER, reader("KR"), {"JP", "KR"})
    assert not may_pass_on("JP", "EU", Tlp.AMBER, reader("NO"), {"JP", "KR"})


# -- the store against the rule table ---------------------------------------------------------


@dataclass
class Spec:
    """A generated object: who owns it, its markings, and what it references."""

    kind: str  # "campaign" | "identity" | "relationship" | "report"
    owner: str
    tlp: Tlp | None
    release: frozenset[str]
    targets: list[int] = field(default_factory=list)  # indexes of earlier objects or -1
    creator: int | None = None  # index of an earlier identity (optional ref)


def specs() -> st.SearchStrategy[list[Spec]]:
    grantees = st.frozensets(st.sampled_from([*PARTNERS, *GROUPS]), max_size=3)
    base = st.builds(
        Spec,
        kind=st.sampled_from(["campaign", "identity", "relationship", "report"]),
        owner=st.sampled_from(PARTNERS),
        tlp=st.sampled_from([None, *Tlp]),
        release=grantees,
        targets=st.lists(st.integers(-1, 10), min_size=1, max_size=3),
        creator=st.none() | st.integers(0, 10),
    )
    return st.lists(base, min_size=1, max_size=8)


def build(specs_: list[Spec]) -> list[dict[str, Any]]:
    """STIX objects for the specs; references point at earlier objects only (or nowhere)."""
    objects: list[dict[str, Any]] = []
    for index, spec in enumerate(specs_):
        kind = spec.kind if index or spec.kind in ("campaign", "identity") else "campaign"
        obj: dict[str, Any] = {
            "type": kind,
            "spec_version": "2.1",
            "id": f"{kind}--{uuid.uuid4()}",
            "created": "2026-01-01T00:00:00.000Z",
            "modified": "2026-01-01T00:00:00.000Z",
        }
        # STIX forbids relationships between relationships; reports may hold anything.
        earlier = [o["id"] for o in objects if kind == "report" or o["type"] != "relationship"]
        targets = [
            earlier[t] if 0 <= t < len(earlier) else f"campaign--{uuid.uuid4()}"
            for t in spec.targets
        ]
        if kind == "campaign":
            obj["name"] = f"c{index}"
        elif kind == "identity":
            obj.update(name=f"i{index}", identity_class="organization")
        elif kind == "relationship":
            obj.update(
                relationship_type="related-to", source_ref=targets[0], target_ref=targets[-1]
            )
        else:
            obj.update(name=f"r{index}", published="2026-01-01T00:00:00Z", object_refs=targets)
        creators = [o["id"] for o in objects if o["type"] == "identity"]
        if spec.creator is not None and creators:
            obj["created_by_ref"] = creators[spec.creator % len(creators)]
        spec.kind = kind
        objects.append(obj)
    return objects


def expected_readable(rd: Reader, specs_: list[Spec], objects: list[dict[str, Any]]) -> set[str]:
    """Ids the reader may read by the rule table alone."""
    return {
        obj["id"]
        for spec, obj in zip(specs_, objects, strict=True)
        if may_read(rd, spec.owner, spec.tlp, spec.release)
    }


def expected_visible(rd: Reader, specs_: list[Spec], objects: list[dict[str, Any]]) -> set[str]:
    """The rule table plus required references, computed without the database."""
    readable = expected_readable(rd, specs_, objects)
    shown = set()
    for spec, obj in zip(specs_, objects, strict=True):
        required = refs.required_refs(obj)
        every = [t for t, mode in required if mode == "all"]
        some = [t for t, mode in required if mode == "any"]
        targets_ok = all(t in readable for t in every) and (
            not some or any(t in readable for t in some)
        )
        if spec.owner == rd.partner or (obj["id"] in readable and targets_ok):
            shown.add(obj["id"])
    return shown


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(generated=specs())
def test_reader_sees_an_object_iff_the_rule_table_says_so(
    node: Node, generated: list[Spec]
) -> None:
    objects = build(generated)
    for spec, obj in zip(generated, objects, strict=True):
        node.import_objects(
            [obj],
            owner=spec.owner,
            actor="test",
            tlp=spec.tlp,
            release=sorted(spec.release) or None,
        )
    ids = tuple(obj["id"] for obj in objects)
    for partner in PARTNERS:
        rd = node.reader(partner)
        expected = expected_visible(rd, generated, objects)
        seen = node.store.objects(rd, ObjectQuery(ids=ids))
        assert {o.stix_id for o in seen} == expected
        assert node.store.count(rd, ObjectQuery(ids=ids)) == len(expected)
        readable = expected_readable(rd, generated, objects)
        for item in seen:
            if item.owner == partner:
                continue
            referenced = {ref for _, ref in refs.references(item.body)}
            assert referenced <= readable, (
                f"{partner} sees references to objects it may not read in {item.stix_id}"
            )
        # What the node (home partner EU) may send this partner off the node.
        spec_of = {obj["id"]: spec for spec, obj in zip(generated, objects, strict=True)}
        exported = {
            o.stix_id for o in node.store.iter_objects(rd, ObjectQuery(ids=ids), holder="EU")
        }
        assert exported == {
            stix_id
            for stix_id in expected
            if may_pass_on(
                "EU", spec_of[stix_id].owner, spec_of[stix_id].tlp, rd, spec_of[stix_id].release
            )
        }
