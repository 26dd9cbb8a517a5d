"""White's forecast card on the console: its panel (refreshed by the forecast_changed doorbell), starting one and
cancelling it. White's only: the console's observers' copy and every player's page leave it out."""

import math

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from wargame.charts import fan_chart

from .. import access, services
from ..models import Forecast

TEMPLATE = "exercises/forecast/page.html"
PARTIAL = "exercises/forecast/panel.html"
TURN_CHOICES = (1, 2, 3, 4)


def _charts(forecast):
    result = forecast.result or {}
    out = []
    for key in result.get("charted", ()):
        d = result["dyads"][key]
        rows = d["turns"]
        start = d["start"]
        x_labels = [_("Now")] + [_("Turn %(n)d") % {"n": r["turn"]} for r in rows]
        lo = min([start] + [r["p05"] for r in rows])
        hi = max([start] + [r["p95"] for r in rows])
        y_min, y_max = max(0, math.floor((lo - 5) / 10) * 10), min(100, math.ceil((hi + 5) / 10) * 10)
        title = _("Forecast of tension %(dyad)s") % {"dyad": key.replace("-", "–")}
        desc = (_("Tension %(dyad)s now %(now)s; after %(n)d turns a median of %(median)s, half the runs between "
                  "%(p25)s and %(p75)s, nine in ten between %(p05)s and %(p95)s (%(runs)d runs).")
                % {"dyad": key.replace("-", "–"), "now": f"{start:g}", "n": len(rows), "median": f"{rows[-1]['p50']:g}",
                   "p25": f"{rows[-1]['p25']:g}", "p75": f"{rows[-1]['p75']:g}", "p05": f"{rows[-1]['p05']:g}",
                   "p95": f"{rows[-1]['p95']:g}", "runs": result["runs"]})
        out.append(fan_chart(
            f"forecast-{forecast.number}-{key}", title, desc, x_labels=x_labels,
            median=[start] + [r["p50"] for r in rows],
            band50=([start] + [r["p25"] for r in rows], [start] + [r["p75"] for r in rows]),
            band90=([start] + [r["p05"] for r in rows], [start] + [r["p95"] for r in rows]),
            y_min=y_min, y_max=y_max, y_label="T", labels=(_("Median"), _("Middle 50%"), _("Middle 90%")),
            column_labels=("5%", "25%", _("Median"), "75%", "95%")))
    return out


def _chances(forecast):
    result = forecast.result or {}
    charted = result.get("charted", [])
    rows = [{"dyad": k, "crisis": d["crisis"] * 100, "high": d["high"] * 100, "charted": k in charted}
            for k, d in result.get("dyads", {}).items() if k in charted or d["crisis"] or d["high"]]
    return sorted(rows, key=lambda r: (not r["charted"], -r["high"], -r["crisis"], r["dyad"]))


def forecast_shell_context(exercise):
    """The card as the console page first renders it, with no query (the page's budget): it asks for itself on
    load, and shows the form until then."""
    return {**forecast_context(exercise, forecast=None), "forecast_load": True}


def forecast_context(exercise, forecast=False):
    """The forecast card's context: the latest forecast (its charts when done) and the form's choices."""
    if forecast is False:
        forecast = exercise.forecasts.order_by("-number").first()
    dyads = sorted((exercise.state or {}).get("dyads", {}))
    chosen = forecast.params.get("dyads") if forecast else services.forecast_defaults()["dyads"]
    done = forecast is not None and forecast.status == Forecast.Status.DONE and forecast.result
    running = forecast is not None and forecast.status == Forecast.Status.RUNNING
    return {
        "forecast": forecast,
        "forecast_url": reverse("console-forecast", args=[exercise.pk]),
        "forecast_running": running,
        "forecast_poll": "3s" if running else "",
        "forecast_percent": int(100 * forecast.chunks_done / forecast.chunks) if forecast and forecast.chunks else 0,
        "forecast_charts": _charts(forecast) if done else [],
        "forecast_chances": _chances(forecast) if done else [],
        "forecast_incidents": [{**i, "percent": i["chance"] * 100}
                               for i in (forecast.result or {}).get("incidents", [])] if done else [],
        "forecast_dyads": [(d, d in chosen) for d in dyads],
        "forecast_turn_choices": TURN_CHOICES,
        "forecast_defaults": services.forecast_defaults(),
    }


def _panel(request, exercise, status=200, **extra):
    context = {"exercise": exercise, **forecast_context(exercise), **extra}
    if request.htmx:
        return HttpResponse(render_to_string(PARTIAL, context, request=request), status=status)
    return render(request, TEMPLATE, context, status=status)


@login_required
@require_GET
def panel(request, exercise_id):
    exercise = access.access_exercise_as_facilitator(request, exercise_id)
    return _panel(request, exercise)


@login_required
@require_POST
def start(request, exercise_id):
    exercise = access.access_exercise_as_facilitator(request, exercise_id)
    try:
        services.forecast_start(exercise=exercise, by=request.user.username, turns=request.POST.get("turns", 3),
                                runs=request.POST.get("runs", 2000), dyads=request.POST.getlist("dyads"))
    except services.ServiceError as exc:
        return _panel(request, exercise, status=200 if request.htmx else 400, forecast_error=str(exc))
    if not request.htmx:
        return redirect("console", exercise_id=exercise.pk)
    return _panel(request, exercise)


@login_required
@require_POST
def cancel(request, exercise_id, forecast_id):
    exercise, forecast = access.access_forecast_as_facilitator(request, exercise_id, forecast_id)
    try:
        services.forecast_cancel(exercise=exercise, by=request.user.username, forecast_id=forecast.pk)
    except services.ServiceError as exc:
        return _panel(request, exercise, status=200 if request.htmx else 400, forecast_error=str(exc))
    if not request.htmx:
        return redirect("console", exercise_id=exercise.pk)
    return _panel(request, exercise)
