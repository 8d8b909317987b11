"""Start the TAXII 2.1 servers the TAXII benchmark compares, each as a subprocess on a free
port of 127.0.0.1, and stop them (their whole process group) however the benchmark ends.

Accord: ``accord serve`` on a node data directory, read and written with a bearer token of an
EU analyst, in the collection ``all``. Medallion 3: its memory backend, loaded from a data
file with one API root and one empty collection anyone logged in may read and write.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests
from requests.auth import AuthBase, HTTPBasicAuth

from accord.core.collections import collection_id
from accord.core.node import Node
from accord.core.principals import Role
from accord.core.settings import Settings

TAXII_ACCEPT = "application/taxii+json;version=2.1"
_START_SECONDS = 60.0
_STOP_SECONDS = 15.0
_MEDALLION_USER = ("bench", "bench-password")


class BearerAuth(AuthBase):
    """``Authorization: Bearer <token>`` (taxii2-client's TokenAuth sends ``Token``)."""

    def __init__(self, token: str):
        self.token = token

    def __call__(self, request: Any) -> Any:
        request.headers["Authorization"] = f"Bearer {self.token}"
        return request


@dataclass(frozen=True)
class Target:
    """A running server's collection: its URL and the credentials that read and write it."""

    name: str
    collection_url: str
    auth: AuthBase
    process: subprocess.Popen[bytes]

    def stop(self) -> None:
        """Stop the server and everything it started (idempotent)."""
        stop_process_group(self.process)


def accord_node(data_dir: Path, objects: list[dict[str, Any]] | None = None) -> str:
    """Initialise a node in `data_dir` (as ``accord init`` does), optionally import
    `objects` straight into its store, and return a bearer token of an EU analyst."""
    node = Node(Settings(data_dir=data_dir, home_partner="EU"))
    try:
        node.initialise(actor="benchmark")
        if objects:
            report = node.import_objects(objects, actor="benchmark")
            report.raise_for_rejections()
        _, token = node.principals.create_token(
            partner="EU", role=Role.ANALYST, label="benchmark", actor="benchmark"
        )
        return token
    finally:
        node.close()


@contextmanager
def accord_server(data_dir: Path, token: str, page_max: int) -> Iterator[Target]:
    """``accord serve`` on `data_dir`: pages of up to `page_max` objects, no request-rate
    limit worth the name (the benchmark makes thousands of requests a minute)."""
    port = free_port()
    env = {
        **os.environ,
        "ACCORD_TAXII_PAGE_MAX": str(page_max),
        "ACCORD_TAXII_REQUESTS_PER_MINUTE": "10000000",
    }
    command = [
        str(Path(sys.executable).with_name("accord")),
        "serve",
        "--data-dir",
        str(data_dir),
        "--port",
        str(port),
        "--log-level",
        "warning",
    ]
    base = f"http://127.0.0.1:{port}/taxii2/"
    url = f"{base}api/collections/{collection_id('all')}/"
    with _running(
        "Accord", command, env, data_dir / "serve.log", base, BearerAuth(token), url
    ) as t:
        yield t


@contextmanager
def medallion_server(work_dir: Path, page_max: int) -> Iterator[Target]:
    """Medallion 3 with its memory backend, pages of up to `page_max` objects. Its ``next``
    sessions are kept an hour (30 s by default): its first page can take minutes."""
    port = free_port()
    collection = str(uuid.uuid4())
    data_file = work_dir / "medallion-data.json"
    data_file.write_text(json.dumps(_medallion_data(port, collection)))
    config_file = work_dir / "medallion-config.json"
    config = {
        "backend": {
            "module": "medallion.backends.memory_backend",
            "module_class": "MemoryBackend",
            "filename": str(data_file),
            "session_timeout": 3600,
        },
        "users": {_MEDALLION_USER[0]: _MEDALLION_USER[1]},
        "taxii": {"max_page_size": page_max},
    }
    config_file.write_text(json.dumps(config))
    command = [sys.executable, "-m", "medallion.scripts.run", "--port", str(port)]
    command += ["--log-level", "WARN", str(config_file)]
    base = f"http://127.0.0.1:{port}/taxii2/"
    url = f"http://127.0.0.1:{port}/api1/collections/{collection}/"
    auth = HTTPBasicAuth(*_MEDALLION_USER)
    with _running(
        "medallion", command, os.environ, work_dir / "medallion.log", base, auth, url
    ) as t:
        yield t


def free_port() -> int:
    """A TCP port of 127.0.0.1 that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def stop_process_group(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the process's group (it was started in a session of its own), SIGKILL
    if it is still there after a while."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(_STOP_SECONDS)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


@contextmanager
def _running(
    name: str,
    command: list[str],
    env: Mapping[str, str],
    log: Path,
    discovery_url: str,
    auth: AuthBase,
    collection_url: str,
) -> Iterator[Target]:
    with log.open("wb") as output:
        process = subprocess.Popen(
            command, env=dict(env), stdout=output, stderr=output, start_new_session=True
        )
    target = Target(name, collection_url, auth, process)
    try:
        _wait_until_ready(target, discovery_url, log)
        yield target
    finally:
        target.stop()


def _wait_until_ready(target: Target, discovery_url: str, log: Path) -> None:
    deadline = time.monotonic() + _START_SECONDS
    while time.monotonic() < deadline:
        if target.process.poll() is not None:
            raise RuntimeError(f"{target.name} exited at start:\n{log.read_text()[-3000:]}")
        try:
            answer = requests.get(
                discovery_url, auth=target.auth, headers={"Accept": TAXII_ACCEPT}, timeout=5
            )
            if answer.status_code == 200:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{target.name} did not answer in {_START_SECONDS:.0f} s; see {log}")


def _medallion_data(port: int, collection: str) -> dict[str, Any]:
    root = f"http://127.0.0.1:{port}/api1/"
    return {
        "/discovery": {
            "title": "medallion for the benchmark",
            "description": "memory backend",
            "default": root,
            "api_roots": [root],
        },
        "api1": {
            "information": {
                "title": "benchmark root",
                "description": "one collection",
                "versions": [TAXII_ACCEPT],
                "max_content_length": 256 * 1024 * 1024,
            },
            "status": [],
            "collections": [
                {
                    "id": collection,
                    "title": "benchmark",
                    "description": "empty at start",
                    "can_read": True,
                    "can_write": True,
                    "media_types": ["application/stix+json;version=2.1"],
                    "objects": [],
                    "manifest": [],
                }
            ],
        },
    }
