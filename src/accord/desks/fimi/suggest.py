"""DISARM techniques an analyst may tag a coordinated cluster with, best first.

Two things speak for a technique. What the cluster *did*: its co-activity signals are
behaviour DISARM names (a repost ring is automated forwarding and reposting, T0049.003;
copy-pasta is T0084.001; a link ring amplifies sites, T0049.007), and co-acts seconds apart
are scripts rather than people. And what it *said*: the cosine between its evidence posts
and the technique's "name: description", in the multilingual embedding space. Behaviour
weighs more because it is observed; the words break ties and surface techniques no signal
covers. These are suggestions: the analyst accepts some with ``accord fimi incident
create``.

Techniques are the DISARM attack-patterns this node stores (``accord fimi disarm``), read
through the store like any finding.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from accord.core.errors import InvalidInput
from accord.core.node import Node
from accord.core.queries import ObjectQuery
from accord.desks.fimi.coordination import Cluster
from accord.desks.fimi.disarm import Technique
from accord.desks.fimi.embeddings import centred, embed
from accord.desks.fimi.posts import desk_folder, stored_posts

# Texts in, L2-normalised vectors out (one row a text): `embeddings.embed` or a stand-in.
Embedder = Callable[[Sequence[str]], np.ndarray]

DEFAULT_TOP = 5
# Evidence posts embedded per cluster: enough for a stable mean at ~30 ms a text.
EVIDENCE_SAMPLE = 50
# How much a fully matching behaviour prior adds to a similarity in [-1, 1]: enough that
# observed behaviour leads unless the words disagree strongly.
PRIOR_WEIGHT = 0.5
# Co-acts a median of this many seconds apart, again and again, are scheduled, not typed.
AUTOMATED_GAP_S = 10.0

# Behaviour -> DISARM techniques it is evidence of, with how directly (1 = it is that).
# Ids and names as in the DISARM Foundation's STIX bundle (DISARMframeworks, 2024-11).
SIGNAL_PRIORS: Mapping[str, Mapping[str, float]] = {
    # Bots Amplify via Automated Forwarding and Reposting; Flood Information Space;
    # Amplify Existing Narrative.
    "repost": {"T0049.003": 1.0, "T0049": 0.6, "T0118": 0.4},
    # Use Copypasta; Cross-Posting (the same message from many accounts); Flood
    # Information Space; Reuse Existing Content.
    "text": {"T0084.001": 1.0, "T0119": 0.7, "T0049": 0.5, "T0084": 0.4},
    # Inauthentic Sites Amplify News and Narratives; Cross-Posting; Leverage Existing
    # Inauthentic News Sites.
    "url": {"T0049.007": 1.0, "T0119": 0.5, "T0098.002": 0.4},
    # Automated Account Asset; Bots Amplify via Automated Forwarding and Reposting.
    "automated": {"T0146.007": 0.8, "T0049.003": 0.3},
}
_SIGNAL_WORDS = {
    "repost": "co-reposts",
    "text": "copy-pasted texts",
    "url": "shared links",
}
_DISARM_ID = re.compile(r"^T\d{4}(\.\d{3})?$")
_MARKUP = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class Suggestion:
    """A DISARM technique suggested for a cluster, and why."""

    stix_id: str
    disarm_id: str
    name: str
    tactics: tuple[str, ...]
    score: float  # similarity + PRIOR_WEIGHT x prior
    similarity: float  # cosine, evidence posts vs the technique's text (centred)
    prior: float  # 0..1, from the cluster's behaviour
    why: str

    def record(self) -> dict[str, Any]:
        """The suggestion as ``suggest --format json`` prints it."""
        return {
            "stix_id": self.stix_id,
            "disarm_id": self.disarm_id,
            "name": self.name,
            "tactics": list(self.tactics),
            "score": self.score,
            "similarity": self.similarity,
            "prior": self.prior,
            "why": self.why,
        }


def suggest(
    node: Node, cluster: Cluster, *, top: int = DEFAULT_TOP, embedder: Embedder | None = None
) -> list[Suggestion]:
    """The `top` DISARM techniques for `cluster`, best first. `embedder` defaults to the
    multilingual model, vectors cached in ``<data_dir>/fimi/embeddings.parquet``."""
    if top < 1:
        raise InvalidInput(f"--top {top}: at least 1")
    folder = desk_folder(node)
    techniques = stored_techniques(node)
    embedder = embedder or partial(embed, cache=folder / "embeddings.parquet")
    texts = evidence_texts(folder, cluster)
    similarities = _similarities(embedder, texts, techniques)
    strengths = behaviour(cluster)
    tactic_names = stored_tactics(node)
    found = []
    for technique, similarity in zip(techniques, similarities, strict=True):
        prior, reasons = _prior(technique.disarm_id, strengths, cluster)
        reasons.append(f"evidence similarity {similarity:.2f} to its description")
        found.append(
            Suggestion(
                stix_id=technique.stix_id,
                disarm_id=technique.disarm_id,
                name=technique.name,
                tactics=tuple(tactic_names.get(p, p) for p in technique.phases),
                score=round(float(similarity) + PRIOR_WEIGHT * prior, 3),
                similarity=round(float(similarity), 3),
                prior=round(prior, 3),
                why="; ".join(reasons),
            )
        )
    found.sort(key=lambda s: (-s.score, s.disarm_id))
    return found[:top]


def stored_techniques(node: Node) -> list[Technique]:
    """The DISARM techniques stored on the node, by DISARM id; InvalidInput if there are
    none (the framework was never imported)."""
    query = ObjectQuery(types=("attack-pattern",))
    found: dict[str, Technique] = {}
    for stored in node.store.iter_objects(node.reader(), query):
        technique = _stored_technique(stored.body)
        if technique is not None and not stored.revoked:
            found[technique.disarm_id] = technique
    if not found:
        raise InvalidInput(
            "no DISARM techniques on this node: run `accord fimi disarm FILE` first "
            "(FILE: the DISARM framework's STIX bundle)"
        )
    return [found[key] for key in sorted(found)]


def stored_tactics(node: Node) -> dict[str, str]:
    """Tactic names by kill-chain phase (DISARM's ``x-mitre-tactic`` objects)."""
    query = ObjectQuery(types=("x-mitre-tactic",))
    return {
        str(stored.body.get("x_mitre_shortname")): str(stored.body.get("name"))
        for stored in node.store.iter_objects(node.reader(), query)
    }


def disarm_id_of(body: Mapping[str, Any]) -> str | None:
    """The DISARM id (``T0049.003``) of an attack-pattern, None if it is not DISARM's.
    The Foundation's bundle names the source "mitre-attack" with a DISARMframeworks URL;
    ATT&CK's own techniques (also "T" ids) point at attack.mitre.org and are no match."""
    for ref in body.get("external_references") or ():
        if not isinstance(ref, dict) or not _DISARM_ID.match(str(ref.get("external_id", ""))):
            continue
        source, url = str(ref.get("source_name", "")), str(ref.get("url", ""))
        if source.lower() == "disarm" or "disarm" in url.lower():
            return str(ref["external_id"])
    return None


def evidence_texts(folder: Path, cluster: Cluster) -> list[str]:
    """The distinct texts of the cluster's evidence posts, at most ``EVIDENCE_SAMPLE``
    (spread evenly over the evidence); InvalidInput if none is among the stored posts."""
    posts = stored_posts(folder)
    wanted = pa.array(list(cluster.evidence), type=pa.string())
    picked = posts.filter(pc.is_in(posts["post_id"], value_set=wanted))
    texts = list(dict.fromkeys(t for t in picked["text"].to_pylist() if t))
    if not texts:
        raise InvalidInput(
            f"cluster {cluster.cluster}: none of its {len(cluster.evidence)} evidence posts "
            f"is among the stored posts ({folder / 'posts.parquet'}); ingest them again"
        )
    step = -(-len(texts) // EVIDENCE_SAMPLE)
    return texts[::step]


def behaviour(cluster: Cluster) -> dict[str, float]:
    """How strongly (0..1) the cluster shows each behaviour of ``SIGNAL_PRIORS``: each
    signal's share of its co-acts, and 1 for ``automated`` if co-acts were seconds apart."""
    total = sum(cluster.signals.values())
    strengths = {s: n / total for s, n in cluster.signals.items() if total and n}
    if total and cluster.median_gap_s <= AUTOMATED_GAP_S:
        strengths["automated"] = 1.0
    return strengths


def _stored_technique(body: Mapping[str, Any]) -> Technique | None:
    disarm_id = disarm_id_of(body)
    if disarm_id is None:
        return None
    return Technique(
        stix_id=str(body["id"]),
        disarm_id=disarm_id,
        name=str(body.get("name", "")),
        description=str(body.get("description", "")),
        phases=tuple(
            str(phase.get("phase_name"))
            for phase in body.get("kill_chain_phases") or ()
            if isinstance(phase, dict)
        ),
        subtechnique=bool(body.get("x_mitre_is_subtechnique", False)),
    )


def _similarities(
    embedder: Embedder, texts: Sequence[str], techniques: Sequence[Technique]
) -> np.ndarray:
    # Techniques centred on their mean: raw e5 cosines crowd near 0.8, so what counts is
    # what sets a technique apart from the others. The cluster's mean vector stays as it
    # is (centring it on the descriptions' mean would mostly measure posts vs prose).
    described = [_MARKUP.sub(" ", f"{t.name}: {t.description}") for t in techniques]
    technique_vectors = embedder(described)
    evidence = embedder(texts).mean(axis=0)
    evidence /= max(float(np.linalg.norm(evidence)), 1e-9)
    return np.asarray(centred(technique_vectors) @ evidence, dtype=float)


def _prior(
    disarm_id: str, strengths: Mapping[str, float], cluster: Cluster
) -> tuple[float, list[str]]:
    prior, reasons = 0.0, []
    total = sum(cluster.signals.values())
    for signal, strength in strengths.items():
        weight = SIGNAL_PRIORS.get(signal, {}).get(disarm_id, 0.0)
        if not weight:
            continue
        prior += weight * strength
        if signal == "automated":
            reasons.append(f"co-acts a median {cluster.median_gap_s:.0f} s apart (automation)")
        else:
            words = _SIGNAL_WORDS[signal]
            reasons.append(f"{cluster.signals[signal]} of {total} co-acts are {words}")
    return min(prior, 1.0), reasons
