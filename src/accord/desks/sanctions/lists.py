"""The node's sanctions lists: loading files into snapshots (publishing designated vessels
to the store), and the screening index over the newest snapshot of every list."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from accord.core.markings import Tlp
from accord.core.node import Node
from accord.core.stix.canonical import format_timestamp
from accord.core.stix.vessel import vessel_extension_definition
from accord.desks.sanctions.findings import designated_vessels
from accord.desks.sanctions.index import NameIndex
from accord.desks.sanctions.loaders import load_paths
from accord.desks.sanctions.model import Entity
from accord.desks.sanctions.snapshots import Snapshot, list_snapshots, read_entities, save_snapshot


@dataclass(frozen=True)
class LoadReport:
    """What loading one list did."""

    snapshot: Snapshot
    vessels_published: int


def lists_dir(node: Node) -> Path:
    """Where the node keeps its list snapshots."""
    return node.settings.data_dir / "sanctions" / "lists"


def load_lists(node: Node, paths: Sequence[Path], *, actor: str) -> list[LoadReport]:
    """Load list files (grouped by list) as snapshots, and store each list's designated
    vessels as TLP:CLEAR vessel objects labelled ``watchlist`` (designations are public)."""
    reports = []
    author = node.home_identity_id()
    for loaded in load_paths(paths):
        snapshot = save_snapshot(
            lists_dir(node), loaded.list_name, loaded.entities, files=[str(p) for p in loaded.files]
        )
        vessels = designated_vessels(
            loaded.entities, author=author, modified=format_timestamp(snapshot.created_at)
        )
        if vessels:
            objects = [vessel_extension_definition(), *vessels]
            node.import_objects(objects, actor=actor, tlp=Tlp.CLEAR).raise_for_rejections()
        reports.append(LoadReport(snapshot, len(vessels)))
    return reports


def current_entities(node: Node) -> list[Entity]:
    """The entities of the newest snapshot of every list."""
    newest: dict[str, Snapshot] = {}
    for snapshot in list_snapshots(lists_dir(node)):
        held = newest.get(snapshot.list_name)
        if held is None or snapshot.created_at > held.created_at:
            newest[snapshot.list_name] = snapshot
    return [entity for snapshot in newest.values() for entity in read_entities(snapshot)]


def current_index(node: Node) -> NameIndex:
    """The screening index over :func:`current_entities`."""
    return NameIndex(current_entities(node))
