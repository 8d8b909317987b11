"""The DISARM framework (DISARM Foundation, CC BY-SA 4.0): the tactics and techniques of
disinformation incident creators, as the STIX 2.1 bundle the Foundation publishes.

Its techniques are ``attack-pattern`` objects, their DISARM ids (``T0002``, sub-techniques
``T0002.001``) in ``external_references``; tactics are ``x-mitre-tactic`` objects, and each
technique names its tactics as kill-chain phases. The bundle is stored as the Foundation
wrote it (attribution and licence marking included), TLP:CLEAR, so every partner can tag
incidents with the same techniques. Only the TLP:CLEAR marking is added to the objects.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from accord.core.errors import InvalidInput
from accord.core.markings import Tlp
from accord.core.node import Node
from accord.core.store import ImportReport


@dataclass(frozen=True)
class Technique:
    """A DISARM technique (or sub-technique)."""

    stix_id: str
    disarm_id: str
    name: str
    description: str
    phases: tuple[str, ...]
    subtechnique: bool


@dataclass(frozen=True)
class Framework:
    """The framework's techniques and tactics, and the bundle's objects."""

    techniques: tuple[Technique, ...]
    tactics: Mapping[str, str]  # phase (shortname) -> tactic name
    objects: tuple[Mapping[str, Any], ...]

    def technique(self, disarm_id: str) -> Technique:
        """A technique by its DISARM id; InvalidInput names an unknown id."""
        for technique in self.techniques:
            if technique.disarm_id == disarm_id:
                return technique
        raise InvalidInput(f"no DISARM technique {disarm_id!r}")


def read_framework(path: Path) -> Framework:
    """The DISARM bundle at `path`; errors name the file and the object."""
    try:
        bundle = orjson.loads(path.read_bytes())
    except (OSError, orjson.JSONDecodeError) as exc:
        raise InvalidInput(f"{path}: not a readable JSON bundle: {exc}") from exc
    objects = bundle.get("objects") if isinstance(bundle, dict) else None
    if not isinstance(objects, list):
        raise InvalidInput(f"{path}: no 'objects' list (is it a STIX bundle?)")
    techniques = tuple(
        _technique(path, index, obj)
        for index, obj in enumerate(objects)
        if isinstance(obj, dict) and obj.get("type") == "attack-pattern"
    )
    if not techniques:
        raise InvalidInput(f"{path}: no attack-pattern objects: not the DISARM framework")
    tactics = {
        str(obj.get("x_mitre_shortname")): str(obj.get("name"))
        for obj in objects
        if isinstance(obj, dict) and obj.get("type") == "x-mitre-tactic"
    }
    return Framework(techniques, tactics, tuple(objects))


def import_framework(node: Node, framework: Framework, *, actor: str) -> ImportReport:
    """Store the framework's objects as TLP:CLEAR findings of the home partner (re-importing
    the same release adds nothing)."""
    report = node.import_objects(list(framework.objects), actor=actor, tlp=Tlp.CLEAR)
    report.raise_for_rejections()
    return report


def _technique(path: Path, index: int, obj: Mapping[str, Any]) -> Technique:
    where = f"{path}: object #{index} ({obj.get('id')})"
    disarm_id = next(
        (
            str(ref["external_id"])
            for ref in obj.get("external_references") or ()
            if isinstance(ref, dict) and str(ref.get("external_id", "")).startswith("T")
        ),
        None,
    )
    if disarm_id is None:
        raise InvalidInput(f"{where}: field external_references has no DISARM id (T...)")
    phases = tuple(
        str(phase.get("phase_name"))
        for phase in obj.get("kill_chain_phases") or ()
        if isinstance(phase, dict)
    )
    return Technique(
        stix_id=str(obj["id"]),
        disarm_id=disarm_id,
        name=str(obj.get("name", "")),
        description=str(obj.get("description", "")),
        phases=phases,
        subtechnique=bool(obj.get("x_mitre_is_subtechnique", False)),
    )
