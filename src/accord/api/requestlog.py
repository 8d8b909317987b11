"""Every API request in the audit log: who, what, the answer, what left the node.

Writes (POST, DELETE) are also audited in their own transaction, with the objects they
stored or deleted. Read requests are many and fast, so their entries are written in
batches, about once a second, by one thread: a read never waits for the write lock, and
a crash can lose at most the last second of read entries, never a write's.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from accord.core.node import Node

_FLUSH_SECONDS = 1.0


@dataclass(frozen=True)
class RequestRecord:
    """One answered request."""

    actor: str
    method: str
    path: str
    query: str
    status: int
    detail: dict[str, Any]


class RequestLog:
    """Buffers request records and appends them to the audit log in batches."""

    def __init__(self, node: Node):
        self._node = node
        self._pending: list[RequestRecord] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start the flushing thread."""
        self._thread = threading.Thread(target=self._run, name="accord-request-log", daemon=True)
        self._thread.start()

    def add(self, record: RequestRecord) -> None:
        """Queue a record for the next flush."""
        with self._lock:
            self._pending.append(record)

    def flush(self) -> int:
        """Write every queued record now; returns how many."""
        with self._lock:
            batch, self._pending = self._pending, []
        if not batch:
            return 0
        with self._node.database.writing() as connection:
            for record in batch:
                self._node.audit.record(
                    connection,
                    actor=record.actor,
                    action="api.request",
                    target=f"{record.method} {record.path}",
                    detail={"query": record.query, "status": record.status, **record.detail},
                )
        return len(batch)

    def stop(self) -> None:
        """Stop the thread, writing what is queued."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        self.flush()

    def _run(self) -> None:
        while not self._stop.wait(_FLUSH_SECONDS):
            self.flush()
