"""The facilitators' scenarios: every scenario (shipped and uploaded) with its files to download, the upload form
(its refusal lists every problem by file), a scenario's page with its calibration report, and the rules file's
JSON Schema (public: editors fetch it)."""

import os

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from wargame.scenarios import ScenarioError, load_scenario, loader

from .. import access, services

SCHEMA_PATH = os.path.join(loader.HERE, "rules.schema.json")
PARTS = {"rules": ".yaml", "text": ".text.yaml"}


def _spec(slug):
    try:
        return load_scenario(slug, lang=get_language())
    except ScenarioError:  # a stored scenario the validator has since grown stricter about: listed, not opened
        return None


def _list(request, status=200, **extra):
    entries = access.access_scenarios(request)
    rows = [{"entry": e, "spec": _spec(e.slug)} for e in entries["shipped"] + entries["uploaded"]]
    return render(request, "exercises/scenarios/list.html",
                  {"rows": rows, "max_bytes": services.scenarios.MAX_FILE_BYTES, **extra}, status=status)


@login_required
@require_GET
def scenario_list(request):
    return _list(request)


@login_required
@require_POST
def scenario_upload(request):
    access.access_scenarios(request)  # the gate: any signed-in facilitator
    try:
        row = services.scenario_upload(rules_file=request.FILES.get("rules_file"),
                                       text_file=request.FILES.get("text_file"), by=request.user)
    except services.ScenarioRefused as refused:
        return _list(request, status=400, refused=refused)
    messages.success(request, _("Scenario %(title)s saved; its calibration report is being made.")
                     % {"title": row.title})
    return redirect("scenario-detail", slug=row.slug)


def _detail_context(entry):
    row = entry.uploaded
    report = row.calibration_report if row is not None else None
    return {
        "entry": entry, "row": row, "spec": _spec(entry.slug), "report": report,
        "played": [p for p in (report or {}).get("policies", []) if not p.get("control_for")],
        "running": row is not None and row.calibration_status in ("queued", "running"),
        "seeds": services.scenarios.CALIBRATION_SEEDS,
    }


@login_required
@require_GET
def scenario_detail(request, slug):
    entry = access.access_scenario(request, slug)
    context = _detail_context(entry)
    if request.htmx:  # the calibration card polls itself while the worker makes the report
        return HttpResponse(render_to_string("exercises/scenarios/detail.html#calibration", context,
                                             request=request))
    return render(request, "exercises/scenarios/detail.html", context)


@login_required
@require_POST
def scenario_calibrate(request, slug):
    entry = access.access_scenario(request, slug)
    if entry.uploaded is None:
        raise Http404  # a shipped scenario's report: `manage.py calibrate`
    try:
        services.scenario_calibration_requeue(scenario=entry.uploaded, by=request.user.username)
    except services.ServiceError as exc:
        messages.error(request, str(exc))
    return redirect("scenario-detail", slug=entry.slug)


@login_required
@require_GET
def scenario_file(request, slug, part):
    """The rules or the prose file as stored (a shipped file's bytes, an upload's text as UTF-8)."""
    entry = access.access_scenario(request, slug)
    if part not in PARTS:
        raise Http404
    filename = f"{entry.slug}{PARTS[part]}"
    if entry.uploaded is None:
        path = os.path.join(loader.HERE, filename)
        if not os.path.exists(path):
            raise Http404
        with open(path, "rb") as f:
            content = f.read()
    else:
        content = (entry.uploaded.rules_yaml if part == "rules" else entry.uploaded.text_yaml).encode("utf-8")
    response = HttpResponse(content, content_type="application/yaml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_GET
def rules_schema(request):
    """The rules file's JSON Schema (draft 2020-12), as committed in wargame/scenarios/rules.schema.json."""
    response = FileResponse(open(SCHEMA_PATH, "rb"), content_type="application/schema+json")
    response["Access-Control-Allow-Origin"] = "*"  # editors and their extensions fetch it from anywhere
    response["Cache-Control"] = "public, max-age=3600"
    return response
