"""Status of a submission (§4.3): counts, and each object's outcome once known."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from accord.api.context import Authenticated, Server
from accord.api.media import TaxiiResponse
from accord.api.taxii.discovery import API_ROOT
from accord.core.jobs import ImportJob, ObjectOutcome
from accord.core.stix.canonical import format_timestamp

router = APIRouter(prefix=f"/taxii2/{API_ROOT}")


# taxii2-client polls the status URL without its trailing slash; both forms answer.
@router.get("/status/{status_id}", response_class=TaxiiResponse, include_in_schema=False)
@router.get("/status/{status_id}/", response_class=TaxiiResponse, summary="Submission status")
def status(status_id: str, state: Server, caller: Authenticated) -> TaxiiResponse:
    """A submission of the caller's partner; 404 for any other partner's."""
    job = state.node.jobs.job(status_id, partner=caller.principal.partner)
    return TaxiiResponse(status_resource(job))


def status_resource(job: ImportJob) -> dict[str, Any]:
    """The TAXII status resource of a job."""
    resource: dict[str, Any] = {
        "id": job.id,
        "status": job.status,
        "request_timestamp": format_timestamp(job.requested),
        "total_count": job.total,
        "success_count": len(job.successes),
        "failure_count": len(job.failures),
        "pending_count": job.pending_count,
    }
    if job.successes:
        resource["successes"] = [_details(item) for item in job.successes]
    if job.failures:
        resource["failures"] = [_details(item) for item in job.failures]
    return resource


def _details(item: ObjectOutcome) -> dict[str, str]:
    found = {"id": item.id, "version": item.version}
    return found if item.message is None else {**found, "message": item.message}
