"""Acknowledged writes survive a crash, and a cut-short import is completed by re-running it."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import uuid
from pathlib import Path

import orjson
import pytest

from accord.core.node import Node
from accord.core.queries import ObjectQuery
from accord.core.settings import Settings

pytestmark = pytest.mark.slow


def write_indicators(path: Path, count: int) -> list[str]:
    stamp = "2026-06-01T00:00:00.000Z"
    objects = [
        {
            "type": "indicator",
            "spec_version": "2.1",
            "id": f"indicator--{uuid.uuid4()}",
            "created": stamp,
            "modified": stamp,
            "name": f"n{n}",
            "pattern_type": "stix",
            "pattern": f"[ipv4-addr:value = '192.0.2.{n % 250}']",
            "valid_from": stamp,
        }
        for n in range(count)
    ]
    path.write_bytes(
        orjson.dumps({"type": "bundle", "id": f"bundle--{uuid.uuid4()}", "objects": objects})
    )
    return [obj["id"] for obj in objects]


def test_process_killed_mid_import_keeps_whole_batches_and_rerun_completes(tmp_path: Path) -> None:
    bundle = tmp_path / "bundle.json"
    ids = write_indicators(bundle, 1000)
    settings = Settings(data_dir=tmp_path / "node", import_batch_size=100)
    node = Node(settings)
    node.initialise(actor="test")
    node.close()
    # The child acknowledges batches through the progress callback and dies, without any
    # clean-up, right after the third one.
    child = textwrap.dedent(f"""
        import os
        from pathlib import Path
        from accord.core.exchange import read_bundle
        from accord.core.node import Node
        from accord.core.settings import Settings
        node = Node(Settings(data_dir=Path({str(settings.data_dir)!r}), import_batch_size=100))
        done = []
        def acknowledged(n):
            done.append(n)
            if len(done) == 3:
                os._exit(9)
        node.import_objects(read_bundle(Path({str(bundle)!r})), actor="child",
                            progress=acknowledged)
    """)
    result = subprocess.run([sys.executable, "-c", child], check=False)
    assert result.returncode == 9

    node = Node.open(settings)
    try:
        home = node.reader("EU")
        assert node.store.count(home, ObjectQuery(types=("indicator",))) == 300
        node.audit.verify()
        report = node.import_objects(
            [obj for obj in orjson.loads(bundle.read_bytes())["objects"]], actor="rerun"
        )
        assert (report.stored, report.duplicates) == (700, 300)
        stored = {
            o.stix_id for o in node.store.iter_objects(home, ObjectQuery(types=("indicator",)))
        }
        assert stored == set(ids)
    finally:
        node.close()
