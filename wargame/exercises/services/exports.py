"""White's export files: asked for here, made on the worker (exactly once), progress reported as they are made."""

import logging
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import archive, exports_csv, jobs
from ..models import ExportJob
from .common import ServiceError, current_turn_number, log_event

log = logging.getLogger(__name__)

UNFINISHED = (ExportJob.Status.QUEUED, ExportJob.Status.RUNNING)
# A job unfinished this long is taken for lost (its worker died, or the broker dropped it): asking again makes a
# new one instead of waiting on it. The largest exports take well under a second.
REUSE_WITHIN = timedelta(minutes=5)


def _options(kind, options):
    if kind == ExportJob.Kind.CSV:
        return {"message_text": bool((options or {}).get("message_text"))}
    return {}


@transaction.atomic
def export_request(*, exercise, by, kind, options=None):
    """Ask the worker for a file. Asking again while the same file is still being made returns that job
    (unless it has waited so long it must be lost: then a new one is made)."""
    if kind not in ExportJob.Kind.values:
        raise ServiceError(_("Choose the exercise archive or the tables for analysts."))
    options = _options(kind, options)
    waiting = ExportJob.objects.filter(exercise=exercise, kind=kind, options=options, status__in=UNFINISHED,
                                       created__gte=timezone.now() - REUSE_WITHIN)
    job = waiting.defer("content").first()
    if job is not None:
        return job
    job = ExportJob.objects.create(exercise=exercise, kind=kind, options=options, created_by=str(by)[:150])
    log_event(exercise_id=exercise.pk, turn_number=current_turn_number(exercise.pk), kind="export_requested",
              actor=by, export=job.pk, export_kind=kind, options=options)
    jobs.send_on_commit(jobs.RUN_EXPORT, job.pk)
    return job


def export_run(*, job_id):
    """Make the file of a queued job. The conditional UPDATE queued → running is the claim: a second delivery
    finds the job taken and does nothing. Progress is written as it goes, each update committed on its own so
    the page sees it; a failure is stored on the job (and raised, so the worker records it)."""
    if not ExportJob.objects.filter(pk=job_id, status=ExportJob.Status.QUEUED).update(
            status=ExportJob.Status.RUNNING, progress=0):
        log.info("export %s already taken, skipping", job_id)
        return False
    job = ExportJob.objects.select_related("exercise__scenario").defer("content").get(pk=job_id)
    exercise = job.exercise
    shown = [0]

    def progress(percent):
        percent = max(0, min(99, int(percent)))
        if percent > shown[0]:
            ExportJob.objects.filter(pk=job_id, status=ExportJob.Status.RUNNING).update(progress=percent)
            shown[0] = percent

    try:
        if job.kind == ExportJob.Kind.ARCHIVE:
            content = archive.archive_bytes(archive.build_archive(exercise, progress=progress))
            filename, content_type = archive.archive_filename(exercise), "application/json"
        else:
            content = exports_csv.build_csv_zip(exercise, message_text=job.options.get("message_text", False),
                                                progress=progress)
            filename, content_type = archive.archive_filename(exercise, ext="csv.zip"), "application/zip"
    except Exception as exc:
        ExportJob.objects.filter(pk=job_id).update(status=ExportJob.Status.FAILED, error=str(exc)[:500],
                                                   finished=timezone.now())
        log.exception("export %s failed", job_id)
        raise
    ExportJob.objects.filter(pk=job_id).update(status=ExportJob.Status.DONE, progress=100, content=content,
                                               filename=filename, content_type=content_type,
                                               finished=timezone.now())
    log_event(exercise_id=exercise.pk, turn_number=current_turn_number(exercise.pk), kind="export_done",
              actor="worker", export=job_id, export_kind=job.kind, bytes=len(content))
    return True
