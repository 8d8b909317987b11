"""Background processing of large submissions, in a separate process.

Validating and storing tens of thousands of objects is CPU work; a spawned process does
it, so the server keeps answering, and the store's own per-core fan-out (which forks)
runs there in a single-threaded process, where forking is safe.
"""

from __future__ import annotations

import logging
import multiprocessing
from concurrent.futures import Future, ProcessPoolExecutor

from accord.core.node import Node
from accord.core.settings import Settings

_log = logging.getLogger(__name__)
_worker_node: Node | None = None


class BackgroundImports:
    """One worker process that runs import jobs in the order they come."""

    def __init__(self, settings: Settings):
        self._executor = ProcessPoolExecutor(
            max_workers=1,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_open_node,
            initargs=(settings,),
        )
        # Start the worker before the server answers, not on the first large submission:
        # loading Accord and opening the node takes about a second.
        self._executor.submit(_ready).result()

    def submit(self, job_id: str) -> Future[None]:
        """Queue a stored job; its status shows the outcome when done."""
        future = self._executor.submit(_run_job, job_id)
        future.add_done_callback(_log_failure)
        return future

    def resume(self, node: Node) -> int:
        """Queue every job a previous run acknowledged but did not finish."""
        unfinished = node.jobs.unfinished()
        for job_id in unfinished:
            self.submit(job_id)
        return len(unfinished)

    def close(self) -> None:
        """Finish the queued jobs and stop the worker."""
        self._executor.shutdown(wait=True)


def _open_node(settings: Settings) -> None:
    global _worker_node
    _worker_node = Node.open(settings)


def _ready() -> None:
    assert _worker_node is not None, "the worker opens its node when it starts"


def _run_job(job_id: str) -> None:
    assert _worker_node is not None, "the worker opens its node when it starts"
    _worker_node.run_import_job(job_id)


def _log_failure(future: Future[None]) -> None:
    # The process boundary: a failure here is logged; the job stays unfinished, and the
    # next start of the server runs it again (imports are idempotent).
    error = future.exception()
    if error is not None:
        _log.error("background import failed: %s", error, exc_info=error)
