"""DISARM technique suggestions for a coordinated cluster: ranked, explained, and only from
the techniques the node stores."""

from __future__ import annotations

from functools import partial
from pathlib import Path

import pytest

from accord.core.errors import InvalidInput
from accord.core.node import Node
from accord.desks.fimi.coordination import Cluster
from accord.desks.fimi.embeddings import embed
from accord.desks.fimi.suggest import behaviour, disarm_id_of, suggest
from tests.fimi_ring import RING, import_disarm, store_ring, word_vectors


def test_a_repost_ring_gets_automated_reposting_first_and_why(node: Node) -> None:
    import_disarm(node)
    ring = store_ring(node)
    found = suggest(node, ring, embedder=word_vectors)
    assert len(found) == 5
    best = found[0]
    assert (best.disarm_id, best.name) == (
        "T0049.003",
        "Bots Amplify via Automated Forwarding and Reposting",
    )
    assert best.tactics == ("Maximise Exposure",)
    assert best.stix_id == "attack-pattern--e6ab2793-a059-4354-bb60-045afb019833"
    assert "30 of 30 co-acts are co-reposts" in best.why
    assert "3 s apart (automation)" in best.why
    assert "evidence similarity" in best.why
    assert [s.score for s in found] == sorted((s.score for s in found), reverse=True)
    assert {"T0049", "T0146.007"} <= {s.disarm_id for s in found}
    assert len(suggest(node, ring, top=2, embedder=word_vectors)) == 2


def test_without_the_disarm_framework_suggest_says_to_import_it(node: Node) -> None:
    ring = store_ring(node)
    with pytest.raises(InvalidInput, match=r"run `accord fimi disarm FILE` first"):
        suggest(node, ring, embedder=word_vectors)


def test_a_cluster_whose_posts_are_gone_is_a_clear_error(node: Node) -> None:
    import_disarm(node, phases=("maximise-exposure",))
    ghost = Cluster(7, RING, 1.0, {"text": 0, "url": 0, "repost": 4}, 2.0, ("gone-1", "gone-2"))
    with pytest.raises(InvalidInput, match="cluster 7: none of its 2 evidence posts"):
        suggest(node, ghost, embedder=word_vectors)


def test_behaviour_is_each_signals_share_and_automation_when_seconds_apart() -> None:
    slow = Cluster(1, RING, 1.0, {"text": 3, "url": 1, "repost": 0}, 45.0, ())
    assert behaviour(slow) == {"text": 0.75, "url": 0.25}
    fast = Cluster(1, RING, 1.0, {"text": 0, "url": 0, "repost": 8}, 4.0, ())
    assert behaviour(fast) == {"repost": 1.0, "automated": 1.0}


def test_attack_techniques_are_not_taken_for_disarm_ones() -> None:
    disarm = {
        "external_references": [
            {
                "source_name": "mitre-attack",
                "external_id": "T0049.003",
                "url": "https://github.com/DISARMFoundation/DISARMframeworks/blob/main/x.md",
            }
        ]
    }
    attack = {
        "external_references": [
            {
                "source_name": "mitre-attack",
                "external_id": "T1059",
                "url": "https://attack.mitre.org/techniques/T1059",
            }
        ]
    }
    named = {"external_references": [{"source_name": "DISARM", "external_id": "T0002"}]}
    assert disarm_id_of(disarm) == "T0049.003"
    assert disarm_id_of(attack) is None
    assert disarm_id_of(named) == "T0002"


@pytest.mark.slow
def test_with_the_real_model_a_repost_ring_still_gets_automated_reposting_first(
    node: Node, tmp_path_factory: pytest.TempPathFactory
) -> None:
    # The one test of the real model. The techniques of two tactics (54 of 391) keep it to
    # seconds; the vectors are cached for the session, so the second database is quick.
    import_disarm(node, phases=("maximise-exposure", "develop-content"))
    ring = store_ring(node)
    cache = _session_cache(tmp_path_factory)
    found = suggest(node, ring, embedder=partial(embed, cache=cache))
    assert found[0].disarm_id == "T0049.003"
    assert all(-1.0 <= s.similarity <= 1.0 for s in found)
    assert cache.exists()


def _session_cache(factory: pytest.TempPathFactory) -> Path:
    return factory.getbasetemp() / "fimi-embeddings.parquet"
