"""White's exports: the panel (the debrief page loads it), asking for a file, and downloading it when ready."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.views.decorators.http import require_GET, require_POST

from .. import access, services
from ..models import ExportJob
from ..selectors.exports import export_jobs

TEMPLATE = "exercises/exports/panel.html"


def _context(exercise, **extra):
    jobs, running = export_jobs(exercise=exercise)
    return {"exercise": exercise, "jobs": jobs, "running": running, "kinds": ExportJob.Kind, **extra}


def _panel(request, exercise, status=200, **extra):
    context = _context(exercise, **extra)
    if request.htmx:
        return HttpResponse(render_to_string(f"{TEMPLATE}#exports-panel", context, request=request), status=status)
    return render(request, TEMPLATE, context, status=status)


@login_required
@require_GET
def panel(request, exercise_id):
    exercise = access.access_exercise_as_facilitator(request, exercise_id)
    return _panel(request, exercise)


@login_required
@require_POST
def request_export(request, exercise_id):
    exercise = access.access_exercise_as_facilitator(request, exercise_id)
    try:
        services.export_request(exercise=exercise, by=request.user.username, kind=request.POST.get("kind", ""),
                                options={"message_text": request.POST.get("message_text") == "on"})
    except services.ServiceError as exc:
        # htmx swaps only 2xx answers: the panel says what was wrong; without JavaScript, the page, as a 400.
        return _panel(request, exercise, status=200 if request.htmx else 400, error=str(exc))
    if not request.htmx:
        return redirect("exports-panel", exercise_id=exercise.pk)
    return _panel(request, exercise)


@login_required
@require_GET
def download(request, exercise_id, export_id):
    _exercise, job = access.access_export_as_facilitator(request, exercise_id, export_id)
    if job.status != ExportJob.Status.DONE or job.content is None:
        raise Http404
    response = HttpResponse(bytes(job.content), content_type=job.content_type or "application/octet-stream")
    response["Content-Disposition"] = f'attachment; filename="{job.filename}"'
    response["Content-Length"] = str(len(job.content))
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response

