"""The labelled scenario generator, and the detectors on it: every injected event found,
no hard negative, on the real coastline and ports (DuckDB)."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from accord.desks.maritime.detect import EVENT_TYPES, detect
from accord.desks.maritime.engines import DuckDBEngine
from accord.desks.maritime.reference import Reference
from accord.desks.maritime.rules import DetectorRules
from accord.desks.maritime.scenario import Scenario, TypeScore, generate, score
from accord.desks.maritime.schema import POSITIONS
from tests.data import SHARED_DATA

MARITIME = SHARED_DATA / "maritime"
VESSELS, HOURS, SEED = 70, 24.0, 11
SCRIPTED_TYPES = {t for t in EVENT_TYPES if t != "watchlist_hit"}  # that one needs the store
HARD_NEGATIVES = {
    ("encounter", "moored side by side in port"),
    ("encounter", "passing at speed"),
    ("encounter", "in company at speed"),
    ("encounter", "under 2 h"),
    ("gap", "shorter than 12 h"),
    ("gap", "starts under 50 nm from shore"),
    ("gap", "starts in port"),
    ("loitering", "under 20 nm from shore"),
    ("loitering", "has a partner"),
    ("port_visit", "passes an anchorage slowly"),
}


@pytest.fixture(scope="module")
def reference(maritime_reference: Reference) -> Reference:
    return maritime_reference


@pytest.fixture(scope="module")
def scenario(reference: Reference) -> Scenario:
    return generate(VESSELS, HOURS, SEED, reference, events_per_type=2)


@pytest.fixture(scope="module")
def scores(scenario: Scenario, reference: Reference) -> dict[str, TypeScore]:
    return scored(scenario, reference)


def scored(scenario: Scenario, reference: Reference) -> dict[str, TypeScore]:
    with DuckDBEngine(memory_limit="1GB") as engine:
        events = detect(engine, scenario.positions, DetectorRules(), reference)
    return score(events, scenario)


def test_the_same_seed_gives_the_same_scenario(scenario: Scenario, reference: Reference) -> None:
    again = generate(VESSELS, HOURS, SEED, reference, events_per_type=2)
    assert again.positions.equals(scenario.positions)
    assert again.labels.equals(scenario.labels)
    assert again.negatives.equals(scenario.negatives)
    other = generate(VESSELS, HOURS, SEED + 1, reference, events_per_type=2)
    assert not other.positions.equals(scenario.positions)


def test_the_scenario_has_every_event_type_and_every_hard_negative(scenario: Scenario) -> None:
    assert set(scenario.labels["type"].to_pylist()) == SCRIPTED_TYPES
    negatives = scenario.negatives.select(["type", "variant"]).to_pylist()
    assert {(row["type"], row["variant"]) for row in negatives} == HARD_NEGATIVES


def test_positions_are_sorted_tracks_of_the_vessels_asked_for(scenario: Scenario) -> None:
    table = scenario.positions
    assert table.schema == POSITIONS
    assert pc.count_distinct(table["mmsi"]).as_py() == VESSELS
    key = pa.table({"mmsi": table["mmsi"], "ts": table["ts"]})
    assert key.sort_by([("mmsi", "ascending"), ("ts", "ascending")]).equals(key)
    first, last = pc.min_max(table["ts"]).values()
    assert (last.as_py() - first.as_py()).total_seconds() > (HOURS - 0.5) * 3600


def test_background_traffic_stays_at_sea(scenario: Scenario, reference: Reference) -> None:
    labelled = {m for row in scenario.labels["mmsi"].to_pylist() for m in row}
    labelled |= {m for row in scenario.negatives["mmsi"].to_pylist() for m in row}
    moving = scenario.positions.filter(
        pc.invert(pc.is_in(scenario.positions["mmsi"], pa.array(sorted(labelled))))
    )
    assert moving.num_rows > 100_000
    assert not reference.shore.on_land(moving["lat"], moving["lon"]).any()
    assert reference.shore.distance_nm(moving["lat"], moving["lon"]).min() > 2.0


def test_every_injected_event_is_detected(scores: dict[str, TypeScore]) -> None:
    missed = {kind: [row["variant"] for row in s.missed] for kind, s in scores.items()}
    assert {kind: missed[kind] for kind in SCRIPTED_TYPES} == {kind: [] for kind in SCRIPTED_TYPES}


def test_nothing_else_is_detected_and_no_hard_negative(scores: dict[str, TypeScore]) -> None:
    assert {kind: len(s.false) for kind, s in scores.items()} == dict.fromkeys(scores, 0)
    assert [n for s in scores.values() for n in s.negatives_hit] == []


@pytest.fixture(scope="module")
def probed(reference: Reference) -> tuple[Scenario, dict[str, TypeScore]]:
    scenario = generate(40, HOURS, SEED, reference, events_per_type=0, probes=1)
    return scenario, scored(scenario, reference)


def test_a_clone_reporting_less_often_is_an_identity_clash_not_spoofing(
    probed: tuple[Scenario, dict[str, TypeScore]],
) -> None:
    _, scores = probed
    assert [row["variant"] for row in scores["identity_clash"].missed] == []
    assert scores["spoof_jump"].false == []


def test_an_encounter_across_the_antimeridian_is_detected(
    probed: tuple[Scenario, dict[str, TypeScore]],
) -> None:
    _, scores = probed
    assert [row["variant"] for row in scores["encounter"].missed] == []
