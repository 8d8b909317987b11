"""The industry desk's capability vocabulary: its phrases found in text (whole words, the
longest first, plurals), the thresholds for an EDF project, and the TF-IDF keywords."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from accord.core.errors import InvalidInput
from accord.desks.industry.capabilities import (
    capabilities_in,
    distinctive_keywords,
    plain_text,
    project_capabilities,
    read_vocabulary,
    vocabulary,
)

DOCS = Path(__file__).resolve().parents[1] / "docs" / "industry.md"


def test_the_vocabulary_has_25_to_40_terms_each_with_a_label_and_phrases() -> None:
    terms = vocabulary().capabilities
    assert 25 <= len(terms) <= 40
    assert {"air_and_missile_defence", "cyber", "space", "underwater", "ai_autonomy"} <= set(terms)
    for term, capability in terms.items():
        assert capability.term == term and capability.label and capability.phrases
    assert "the" in vocabulary().stop_words and "radar" not in vocabulary().stop_words


def test_every_term_is_documented() -> None:
    documented = DOCS.read_text(encoding="utf-8")
    assert [t for t in vocabulary().capabilities if f"`{t}`" not in documented] == []


def test_phrases_match_whole_words_in_any_case_with_punctuation_as_space() -> None:
    assert capabilities_in("A Counter-UAS system") == {"counter_uas"}  # not uas_drones too
    assert capabilities_in("cybernetics and spaceship design") == frozenset()
    assert capabilities_in("Protection against cyber-attacks") == {"cyber"}
    assert capabilities_in("Missile defence") == {"air_and_missile_defence"}  # longest wins
    assert capabilities_in("missiles and radars") == {"ammunition_missiles", "radar"}
    # A short last word takes no plural: AIS is ship tracking, not AI.
    assert capabilities_in("AIS data for maritime domain awareness") == {"naval_surface"}
    assert capabilities_in("AI for targeting") == {"ai_autonomy"}


def test_html_is_stripped_and_min_hits_counts_occurrences() -> None:
    text = plain_text("<p>Radar <b>and</b> sonar; a second radar &amp; a third radar.</p>")
    assert " ".join(text.split()) == "Radar and sonar; a second radar & a third radar."
    assert capabilities_in(text, min_hits=3) == {"radar"}
    assert capabilities_in(text) == {"radar", "underwater"}


def test_a_project_takes_title_terms_and_the_prominent_ones_of_its_texts() -> None:
    description = (
        "radar " * 20  # the call's main subject
        + "cyber " * 4  # 4 times, and more than a tenth as often as radar
        + "satellite " * 2  # in passing
        + "simulation " * 5
    )
    found = project_capabilities(
        "Sensor grid", "An autonomous swarm; an autonomous network; one laser weapon.", description
    )
    assert found == {"sensor_networks", "ai_autonomy", "radar", "cyber", "simulation_training"}
    assert "directed_energy" not in found  # named once in the objective
    assert "space" not in found  # twice in the description
    crowded = "radar " * 60 + "cyber " * 5
    assert project_capabilities("", "", crowded) == {"radar"}  # 5 < 60 / 10


def test_the_keywords_of_a_group_are_its_distinctive_terms() -> None:
    documents = {
        "p1": "Lasers for directed energy. The laser source and beam combining for defence.",
        "p2": "Underwater drones for mine hunting; underwater acoustic modems for defence.",
        "p3": "A cyber range for defence training with cyber exercises.",
    }
    found = distinctive_keywords(documents, {"a": ["p1"], "b": ["p2", "p3"], "c": ["p9"]}, top=4)
    assert found["a"][0] == "laser"  # "lasers" counts as "laser"; stop words never count
    assert "defence" not in {k for keywords in found.values() for k in keywords}
    assert {"underwater", "cyber"} <= set(found["b"])  # each twice in one document
    # Phrases count; of "beam" and "beam combining", equally frequent, the phrase stays.
    assert {"beam combining", "directed energy"} <= set(found["a"])
    assert "beam" not in found["a"] and "laser source" not in found["a"]  # overlaps "laser"
    assert found["c"] == ()


def test_a_term_may_be_written_as_its_label_or_with_hyphens() -> None:
    terms = vocabulary()
    assert terms.term("Air and missile defence", "x") == "air_and_missile_defence"
    assert terms.term("counter-uas", "x") == "counter_uas"
    with pytest.raises(InvalidInput, match=r"^x: 'drones' is no capability term; nearest: "):
        terms.term("drones", "x")


@pytest.mark.parametrize(
    ("yaml", "message"),
    [
        ("capabilities: {Cyber: {label: C, phrases: [cyber]}}", "capabilities.Cyber: a term is"),
        ("capabilities: {cyber: {label: C}}", "capabilities.cyber: needs a label and a list"),
        (
            "capabilities: {cyber: {label: C, phrases: [Cyber-Attack]}}",
            "capabilities.cyber.phrases: 'Cyber-Attack': write",
        ),
        (
            "capabilities: {a: {label: A, phrases: [x]}, b: {label: B, phrases: [x]}}",
            "capabilities.b.phrases: 'x' is also a phrase of a",
        ),
        ("stop_words: [a]", "capabilities: expected a mapping of terms"),
    ],
)
def test_a_malformed_vocabulary_names_the_term_and_field(yaml: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=re.escape(f"voc.yaml: {message}")):
        read_vocabulary(yaml, "voc.yaml")
