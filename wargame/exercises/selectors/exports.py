"""White's export files for the exports panel: the latest jobs, without their content."""

from ..models import ExportJob

PANEL_JOBS = 10


def export_jobs(*, exercise, limit=PANEL_JOBS):
    """(latest jobs, whether one is still being made: the panel polls itself while so)."""
    jobs = list(ExportJob.objects.filter(exercise=exercise).defer("content").order_by("-created", "-id")[:limit])
    return jobs, any(j.status in (ExportJob.Status.QUEUED, ExportJob.Status.RUNNING) for j in jobs)
