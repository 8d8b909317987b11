"""A live ``accord serve`` process on 127.0.0.1, for tests that talk HTTP to it as a
partner's TAXII client would.

The node is made by ``accord init`` in a directory of its own, the server is started on a
free port with the ``ACCORD_*`` settings a test asks for, and it is ready once
``/taxii2/`` answers 401 to a caller without credentials. Inherited ``ACCORD_*`` variables
are dropped, so a developer's own settings (a PostgreSQL URL, say) never reach it.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from accord.core.collections import collection_id
from accord.core.node import Node
from accord.core.principals import Role
from accord.core.settings import Settings

_START_SECONDS = 30.0
_STOP_SECONDS = 15.0
_PORT_ATTEMPTS = 3
_QUIET = ("--log-level", "warning")


@dataclass(frozen=True)
class LiveServer:
    """A running server and the node directory it serves."""

    data_dir: Path
    port: int
    process: subprocess.Popen[bytes]
    log_path: Path
    scheme: str = "http"

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT`` (or https), without a trailing slash."""
        return f"{self.scheme}://127.0.0.1:{self.port}"

    @property
    def discovery_url(self) -> str:
        """The TAXII 2.1 discovery endpoint (§4.1)."""
        return f"{self.base_url}/taxii2/"

    @property
    def api_root_url(self) -> str:
        """The node's one API root (§4.2)."""
        return f"{self.base_url}/taxii2/api/"

    def collection_url(self, alias: str) -> str:
        """The URL of a collection, by its id as TAXII clients address it (§5.2)."""
        return f"{self.api_root_url}collections/{collection_id(alias)}/"

    def token(self, partner: str, role: Role = Role.ANALYST, label: str = "interop") -> str:
        """A new bearer token of `partner` with `role`, created in the served store."""
        node = Node.open(_settings(self.data_dir))
        try:
            _, token = node.principals.create_token(
                partner=partner, role=role, label=label, actor="test"
            )
        finally:
            node.close()
        return token

    def add_user(self, username: str, password: str, partner: str, role: Role) -> None:
        """A user who logs in with HTTP Basic."""
        node = Node.open(_settings(self.data_dir))
        try:
            node.principals.add_user(
                username=username, partner=partner, role=role, password=password, actor="test"
            )
        finally:
            node.close()

    def log(self) -> str:
        """What the server wrote to stdout and stderr so far."""
        return self.log_path.read_text(encoding="utf-8", errors="replace")


@contextmanager
def live_server(
    data_dir: Path, settings: Mapping[str, str] | None = None, serve_options: Sequence[str] = ()
) -> Iterator[LiveServer]:
    """Initialise a node in `data_dir` and serve it until the block ends.

    `settings` are ``ACCORD_*`` environment variables for ``accord init`` and ``accord
    serve`` (for example ``{"ACCORD_TAXII_PAGE_MAX": "10"}``); `serve_options` are more
    options of ``accord serve`` (with ``--ssl-certfile`` it serves HTTPS).
    """
    environment = server_environment(settings or {})
    _run([accord_command(), "init", "--data-dir", str(data_dir)], environment)
    server = start_server(data_dir, environment, serve_options)
    try:
        yield server
    finally:
        stop_server(server.process)


def start_server(
    data_dir: Path, environment: Mapping[str, str], serve_options: Sequence[str] = ()
) -> LiveServer:
    """Serve an initialised node on a free port; RuntimeError with its log if it fails."""
    # A port taken between our probe and the server's bind (another xdist worker, another
    # program) makes the server exit at once; a new port is tried then.
    failures = []
    for _ in range(_PORT_ATTEMPTS):
        server = _spawn(data_dir, free_port(), environment, serve_options)
        if _wait_until_ready(server):
            return server
        stop_server(server.process)
        failures.append(f"port {server.port}:\n{server.log()}")
    raise RuntimeError("accord serve did not start:\n" + "\n".join(failures))


def restart_server(
    server: LiveServer, environment: Mapping[str, str], serve_options: Sequence[str] = ()
) -> LiveServer:
    """Serve a stopped server's node again on the same port (its peers keep the URL)."""
    assert server.process.poll() is not None, "the server is still running"
    again = _spawn(server.data_dir, server.port, environment, serve_options)
    if not _wait_until_ready(again):
        stop_server(again.process)
        raise RuntimeError(f"accord serve did not start again:\n{again.log()}")
    return again


def _spawn(
    data_dir: Path, port: int, environment: Mapping[str, str], serve_options: Sequence[str]
) -> LiveServer:
    # One log per start: a restarted server's log does not overwrite the first one's.
    starts = len(list(data_dir.glob(f"serve-{port}*.log")))
    log_path = data_dir / (f"serve-{port}.log" if not starts else f"serve-{port}-{starts}.log")
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [
                *(accord_command(), "serve", "--data-dir", str(data_dir), "--port", str(port)),
                *_QUIET,
                *serve_options,
            ],
            env=dict(environment),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    scheme = "https" if "--ssl-certfile" in serve_options else "http"
    return LiveServer(data_dir, port, process, log_path, scheme)


def _wait_until_ready(server: LiveServer) -> bool:
    deadline = time.monotonic() + _START_SECONDS
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            return False
        try:
            # A test's self-signed certificate: readiness, not identity, is checked here.
            answer = httpx.get(server.discovery_url, timeout=1.0, verify=False)
            if answer.status_code == 401:
                return True
        except httpx.TransportError:
            pass
        time.sleep(0.05)
    return False


def stop_server(process: subprocess.Popen[bytes]) -> None:
    """Stop a server and its session (its import worker too), gently if it can."""
    if process.poll() is not None:
        return
    # SIGTERM lets uvicorn run the shutdown (the background import worker, the request
    # log); the whole session goes, so that worker process goes too.
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=_STOP_SECONDS)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def server_environment(settings: Mapping[str, str]) -> dict[str, str]:
    inherited = {key: value for key, value in os.environ.items() if not key.startswith("ACCORD_")}
    return {**inherited, **settings}


def _settings(data_dir: Path) -> Settings:
    # Explicit values win over the test process's own ACCORD_* environment.
    return Settings(data_dir=data_dir, database_url=None, collections_file=None)


def accord_command() -> str:
    """The path of the `accord` command of this environment."""
    # The `accord` script beside this interpreter: the venv's, whatever PATH says.
    beside = Path(sys.executable).with_name("accord")
    found = str(beside) if beside.exists() else shutil.which("accord")
    if found is None:
        raise RuntimeError("the accord command is not installed in this environment")
    return found


def _run(command: list[str], environment: Mapping[str, str]) -> None:
    done = subprocess.run(command, env=dict(environment), capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{done.stdout}{done.stderr}")
