"""The consortium builder: CP-SAT finds the consortium that is best by construction,
ranks the next ones, keeps EDF Art. 9 and 10(4) (independence, cooperation from
outside, guarantees), beats the greedy baseline where greedy is known to fail, reads
call files with errors naming the field, and runs from the CLI."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from stix2validator import ValidationOptions, validate_instance
from typer.testing import CliRunner

from accord.cli.app import app
from accord.core.errors import InvalidInput, NotFound
from accord.core.markings import Tlp
from accord.core.node import Node
from accord.core.queries import ObjectQuery
from accord.desks.industry.calls import Call, Roles, Weights, parse_call, read_call
from accord.desks.industry.consortium import build_consortia
from accord.desks.industry.consortium_greedy import greedy_consortium
from accord.desks.industry.consortium_pool import candidate_pool, eligibility_problems
from accord.desks.industry.engine import assess
from accord.desks.industry.findings import proposal_findings, publish_findings
from accord.desks.industry.organisations import Network, Organisation, store_network
from accord.desks.industry.questions import Controller, parse_question

FIVE = ("radar", "optronics", "cyber", "space", "communications")


def organisation(
    key: str,
    country: str,
    capabilities: tuple[str, ...] = (),
    projects: tuple[str, ...] = (),
    sme: bool = False,
    chain: tuple[Controller, ...] = (),
    name: str | None = None,
) -> Organisation:
    return Organisation(
        id=key,
        name=name or f"Org {key.upper()}",
        country=country,
        type="PRC",
        sme=sme,
        control_chain=chain,
        capabilities=frozenset(capabilities),
        keywords=frozenset(),
        certifications=(),
        projects=projects,
        topics=(),
        source="edf",
    )


def call(required: tuple[str, ...] = FIVE, **changes: object) -> Call:
    fields: dict[str, object] = {
        "id": "TEST-CALL",
        "title": "test",
        "instrument": "edf",
        "required_capabilities": required,
        "roles": Roles(min_members=3, max_members=3),
    }
    fields.update(changes)
    return Call(**fields)  # type: ignore[arg-type]


def members(proposal_members: object) -> set[str]:
    return {member.id for member in proposal_members}  # type: ignore[attr-defined]


# a, b, c share two projects pairwise and together cover the five capabilities; d
# covers three alone but worked with no one; e covers two but is controlled from the
# US; f is an SME with one capability.
BEST_BY_CONSTRUCTION = Network(
    (
        organisation("a", "FR", ("radar", "optronics"), ("p1", "p2")),
        organisation("b", "DE", ("cyber", "space"), ("p1", "p2")),
        organisation("c", "IT", ("communications",), ("p1", "p2"), sme=True),
        organisation("d", "ES", ("radar", "optronics", "cyber")),
        organisation(
            "e",
            "PL",
            ("space", "communications"),
            chain=(Controller("Lockheed Martin", "US", "company"),),
        ),
        organisation("f", "NL", ("radar",), ("p3",), sme=True),
    )
)


def test_the_consortium_best_by_construction_is_found_and_proved_optimal() -> None:
    [best] = build_consortia(call(), BEST_BY_CONSTRUCTION, top=1)
    assert members(best.members) == {"a", "b", "c"}
    # 5 capabilities x 100 + 3 pairs x 2 projects x 2 + 1 SME x 5 - 3 members x 4
    assert best.objective == 500 + 12 + 5 - 12 == 505
    assert (best.terms.capabilities, best.terms.co_participation, best.terms.smes) == (5, 6, 1)
    assert best.optimal is True and best.gap == 0.0 and best.bound == 505
    assert best.uncovered == ()
    # the coordinator: most shared projects (a tie), then most projects (a tie), then id
    assert [(m.id, m.role) for m in best.members] == [
        ("a", "coordinator"),
        ("b", "participant"),
        ("c", "participant"),
    ]


def test_top_k_gives_k_distinct_consortia_best_first() -> None:
    proposals = build_consortia(call(), BEST_BY_CONSTRUCTION, top=4)
    assert len(proposals) == 4
    sets = [frozenset(members(p.members)) for p in proposals]
    assert len(set(sets)) == 4
    objectives = [p.objective for p in proposals]
    assert objectives == sorted(objectives, reverse=True) and objectives[0] == 505
    assert [p.rank for p in proposals] == [1, 2, 3, 4] and all(p.optimal for p in proposals)
    # the runner-up swaps a (two capabilities, shared projects) for d (three, none)
    assert sets[1] == {"b", "c", "d"} and objectives[1] == 500 + 4 + 5 - 12


def test_three_members_of_one_group_do_not_make_the_minimum_alone() -> None:
    holding = Controller("Group Holding SA", "FR", "company")
    network = Network(
        (
            organisation("g1", "FR", FIVE, ("p1",), chain=(holding,)),
            organisation("g2", "DE", FIVE, ("p1",), chain=(holding,)),
            organisation("g3", "IT", FIVE, ("p1",), chain=(holding,)),
            organisation("x", "ES", ("radar",)),
            organisation("y", "PT", ("radar",)),
        )
    )
    pool = candidate_pool(call(), network)
    group = [pool.index()[key] for key in ("g1", "g2", "g3")]
    assert any("independent" in problem for problem in eligibility_problems(pool, group))
    [best] = build_consortia(call(roles=Roles(min_members=3, max_members=4)), network, top=1)
    chosen = members(best.members)
    # one of the group, x and y: three independent entities in three countries
    assert {"x", "y"} <= chosen and len(chosen & {"g1", "g2", "g3"}) == 1
    greedy = greedy_consortium(call(roles=Roles(min_members=3, max_members=4)), network)
    assert {"x", "y"} <= members(greedy.members)  # greedy repairs the minimum too


def test_a_parent_and_its_subsidiary_are_not_independent() -> None:
    parent = organisation("parent", "FR", FIVE, ("p1",), name="Parent Defence SA")
    subsidiary = organisation(
        "sub", "DE", FIVE, ("p1",), chain=(Controller("PARENT  defence sa", "FR", "company"),)
    )
    network = Network(
        (parent, subsidiary, organisation("x", "ES", ("radar",)), organisation("y", "IT", ()))
    )
    pool = candidate_pool(call(), network, complete=True)
    index = pool.index()
    assert eligibility_problems(pool, [index["parent"], index["sub"], index["x"]])
    assert not eligibility_problems(pool, [index["parent"], index["x"], index["y"]])
    # y covers nothing, so it joins only because no consortium exists without it
    [best] = build_consortia(call(), network, top=1)
    assert members(best.members) in ({"parent", "x", "y"}, {"sub", "x", "y"})


def test_japanese_and_korean_organisations_only_cooperate_and_never_count() -> None:
    inside = (
        organisation("a", "FR", ("radar",), ("p1",)),
        organisation("b", "DE", ("optronics",), ("p1",)),
        organisation("c", "IT", ("cyber",), ("p1",)),
    )
    japan = organisation("jp", "JP", ("space", "communications"), ("p1",))
    korea = organisation("kr", "KR", ("space",))
    network = Network((*inside, japan, korea))
    wide = Roles(min_members=3, max_members=5)
    [best] = build_consortia(call(roles=wide), network, top=1)
    roles = {m.id: m.role for m in best.members}
    assert roles["jp"] == "cooperation" and best.terms.capabilities == 5
    assert "kr" not in roles  # space is covered already; another member only costs
    # two inside entities and two cooperation partners are not an EDF consortium
    with pytest.raises(NotFound, match="EDF-10-4"):
        build_consortia(call(roles=wide), Network((*inside[:2], japan, korea)), top=1)
    [alone] = build_consortia(call(roles=wide, allow_cooperation=False), network, top=1)
    assert members(alone.members) == {"a", "b", "c"}
    assert alone.uncovered == ("space", "communications")


def test_control_from_outside_is_penalised_and_shown() -> None:
    controller = Controller("Hanwha Aerospace", "KR", "company")
    network = Network(
        (
            organisation("a", "FR", ("radar",)),
            organisation("b", "DE", ("optronics",)),
            organisation("free", "IT", ("cyber",)),
            organisation("held", "PL", ("cyber",), chain=(controller,)),
        )
    )
    [best] = build_consortia(call(required=FIVE[:3]), network, top=1)
    assert members(best.members) == {"a", "b", "free"}
    [forced] = build_consortia(call(required=FIVE[:3], require=("held",)), network, top=1)
    held = next(m for m in forced.members if m.id == "held")
    assert held.outside_control and forced.terms.outside_controlled == 1
    assert best.objective - forced.objective == Weights().outside_control


def test_greedy_is_eligible_but_falls_into_the_set_cover_trap() -> None:
    eight = (*FIVE, "navigation_pnt", "energy", "underwater")
    network = Network(
        (
            organisation("a", "FR", FIVE),  # five at once: greedy takes it first
            organisation("b", "DE", ("radar", "optronics", "navigation_pnt")),
            organisation("c", "IT", ("cyber", "space", "energy")),
            organisation("d", "ES", ("communications", "underwater")),
        )
    )
    greedy = greedy_consortium(call(required=eight), network)
    [best] = build_consortia(call(required=eight), network, top=1)
    assert greedy.method == "greedy" and greedy.bound is None and not greedy.optimal
    assert "a" in members(greedy.members) and greedy.terms.capabilities == 7
    assert members(best.members) == {"b", "c", "d"} and best.terms.capabilities == 8
    assert greedy.objective == 700 - 12 < best.objective == 800 - 12


def test_budget_caps_the_funded_members() -> None:
    network = Network(
        (
            organisation("a", "FR", ("radar",)),
            organisation("b", "DE", ("optronics",)),
            organisation("c", "IT", ("cyber",)),
            organisation("d", "ES", ("space",)),
        )
    )
    roomy = Roles(min_members=3, max_members=4)
    capped = call(roles=roomy, budget=9_000_000, member_cost=3_000_000)
    [best] = build_consortia(capped, network, top=1)
    assert best.terms.members == 3 and best.budget_per_funded_member == 3_000_000
    [free] = build_consortia(call(roles=roomy), network, top=1)
    assert free.terms.members == 4


CALL_YAML = """\
id: EDF-2027-DA-TEST
title: Counter-drone sensing
instrument: edf
required_capabilities: [radar, Optronics, counter_uas]
countries: [EU, NO]
budget: 30000000
member_cost: 5000000
roles: {coordinator: 1, min_members: 3, max_members: 6}
allow_cooperation: false
weights: {capability: 50, sme: 8}
exclude: [x1]
"""


def test_a_call_file_is_read_with_norway_and_labels(tmp_path: Path) -> None:
    path = tmp_path / "call.yaml"
    path.write_text(CALL_YAML, encoding="utf-8")
    parsed = read_call(path)
    assert parsed.required_capabilities == ("radar", "optronics", "counter_uas")
    assert parsed.countries is not None and {"NO", "FR", "GR"} <= parsed.countries
    assert parsed.max_funded == 6 and parsed.roles.max_members == 6
    assert parsed.weights == Weights(capability=50, sme=8) and not parsed.allow_cooperation
    as_json = tmp_path / "call.json"
    as_json.write_text(json.dumps({"id": "J", "required_capabilities": ["space"]}))
    assert read_call(as_json).roles == Roles()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"instrument": "safe"}, "instrument"),
        ({"required_capabilities": ["radar", "warp_drive"]}, "required_capabilities[1]"),
        ({"required_capabilities": []}, "required_capabilities"),
        ({"countries": ["FR", "EL"]}, "countries[1]"),
        ({"roles": {"min_members": 5, "max_members": 4}}, "roles.max_members"),
        ({"roles": {"coordinator": 2}}, "roles.coordinator"),
        ({"roles": {"chair": 1}}, "roles.chair"),
        ({"weights": {"charm": 3}}, "weights.charm"),
        ({"weights": {"sme": -1}}, "weights.sme"),
        ({"budget": "lots"}, "budget"),
        ({"member_cost": 5}, "member_cost"),
        ({"allow_cooperation": "yes"}, "allow_cooperation"),
        ({"require": ["a"], "exclude": ["a"]}, "exclude"),
        ({"id": None}, "id"),
    ],
)
def test_call_errors_name_the_file_and_the_field(change: dict[str, object], field: str) -> None:
    document = {"id": "C", "required_capabilities": ["radar"], **change}
    with pytest.raises(InvalidInput, match=rf"^call\.yaml: {re.escape(field)}: "):
        parse_call(document, "call.yaml")


def test_unknown_ids_and_countries_outside_are_named() -> None:
    with pytest.raises(InvalidInput, match=r"require\[0\]: no organisation 'zz'"):
        build_consortia(call(require=("zz",)), BEST_BY_CONSTRUCTION)
    with pytest.raises(InvalidInput, match="countries: US not inside the EDF"):
        build_consortia(call(countries=frozenset({"FR", "US"})), BEST_BY_CONSTRUCTION)
    with pytest.raises(InvalidInput, match=r"roles\.coordinator: 'jp' is not established"):
        network = Network((*BEST_BY_CONSTRUCTION.organisations, organisation("jp", "JP")))
        build_consortia(call(roles=Roles(coordinator="jp")), network)


runner = CliRunner()


def test_the_consortium_command_end_to_end(tmp_path: Path) -> None:
    data_dir = tmp_path / "node"
    assert runner.invoke(app, ["init", "--data-dir", str(data_dir)]).exit_code == 0
    path = tmp_path / "call.yaml"
    path.write_text(
        "id: T\nrequired_capabilities: [radar, optronics, cyber, space, communications]\n"
        "roles: {max_members: 3}\n"
    )
    command = ["industry", "consortium", "--call", str(path), "--data-dir", str(data_dir)]
    empty = runner.invoke(app, command)
    assert empty.exit_code == 1 and "accord industry load" in empty.output
    store_network(data_dir / "industry", BEST_BY_CONSTRUCTION)
    shown = runner.invoke(app, [*command, "--top", "2"])
    assert shown.exit_code == 0, shown.output
    assert "T #1: objective 505 (optimal" in shown.output and "T #2" in shown.output
    assert "greedy baseline: objective" in shown.output
    found = json.loads(runner.invoke(app, [*command, "--top", "1", "--format", "json"]).output)
    [best] = found["proposals"]
    assert best["objective"] == 505 and best["optimal"] is True and best["gap"] == 0.0
    assert {m["id"] for m in best["members"]} == {"a", "b", "c"}
    assert found["greedy"]["objective"] <= 505


def test_the_documented_call_reads(tmp_path: Path) -> None:
    docs = Path(__file__).resolve().parents[1] / "docs" / "industry.md"
    section = docs.read_text(encoding="utf-8").split("## Consortium builder")[1]
    example = re.findall(r"```yaml\n(.*?)```", section, flags=re.S)[0]
    path = tmp_path / "call.yaml"
    path.write_text(example.replace("[...]", "[]"), encoding="utf-8")
    documented = read_call(path)
    assert documented.weights == Weights() and documented.max_funded == 6
    assert documented.required_capabilities[2] == "counter_uas"


def test_proposals_are_valid_stix_released_only_to_the_partners_named(node: Node) -> None:
    proposal = build_consortia(call(), BEST_BY_CONSTRUCTION, top=1)[0]
    objects = proposal_findings(
        proposal, call(), BEST_BY_CONSTRUCTION, author=node.home_identity_id()
    )
    for obj in objects:
        result = validate_instance(obj, ValidationOptions(version="2.1"))
        assert result.is_valid, (obj["id"], [str(e) for e in result.errors])
    record = objects[-1]
    assert record["type"] == "consortium-proposal" and record["optimal"] is True
    assert len(record["member_refs"]) == 3 and record["objective"] == proposal.objective
    publish_findings(node, objects, actor="test", release=["KR"])
    ids = tuple(o["id"] for o in objects if o["type"] != "extension-definition")
    assert node.store.get(node.reader(), record["id"]).tlp is Tlp.AMBER
    assert node.store.count(node.reader("KR"), ObjectQuery(ids=ids)) == len(ids)
    moldova = node.reader("MD")
    assert node.store.count(moldova, ObjectQuery(ids=ids)) == 0
    assert node.store.count(moldova, ObjectQuery(types=("consortium-proposal",))) == 0
    with pytest.raises(NotFound):
        node.store.get(moldova, record["id"])


def test_the_engine_judges_the_builders_consortium_eligible() -> None:
    # The builder and the eligibility engine read the same rules: the proposal, put as an
    # EDF question, passes the engine's minimum consortium and establishment rules.
    proposal = build_consortia(call(), BEST_BY_CONSTRUCTION, top=1)[0]
    known = BEST_BY_CONSTRUCTION.by_id()
    entities = [
        {
            "id": member.id,
            "name": member.name,
            "established_in": member.country,
            "role": member.role,
            "control_chain": [vars(link) for link in known[member.id].control_chain],
        }
        for member in proposal.members
    ]
    question = parse_question(
        {"action": {"type": "research", "activities": ["knowledge"]}, "entities": entities}
    )
    assert assess(question, "edf", on=dt.date(2026, 11, 30)).verdict == "eligible"


def test_a_cooperation_partner_controlled_from_outside_is_not_penalised() -> None:
    japanese = organisation(
        "jp", "JP", ("radar",), chain=(Controller("Tokyo Holdings", "JP", "company"),)
    )
    pool = candidate_pool(call(), Network((*BEST_BY_CONSTRUCTION.organisations, japanese)))
    candidate = next(c for c in pool.candidates if c.organisation.id == "jp")
    assert not candidate.funded and not candidate.outside_control
