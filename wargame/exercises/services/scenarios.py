"""Scenarios a facilitator brings: a rules file and a prose file, checked with the validator `manage.py
scenario_check` uses (wargame.scenarios.loader), stored only when both pass, then calibrated on the worker with the
report `manage.py calibrate` prints (wargame.engine.calibrate), on fewer seeds.

A refusal (ScenarioRefused) carries every problem as (file, path inside it, problem). The loader finds a stored
scenario by slug through ``uploaded_slugs`` / ``uploaded_texts``, registered in AppConfig.ready.
"""

import logging
import os
import re
from dataclasses import dataclass

import yaml
from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wargame.engine.calibrate import NoCalibrationTargets, calibrate
from wargame.scenarios import ScenarioError, loader

from .. import jobs
from ..models import UploadedScenario
from .common import ServiceError

log = logging.getLogger(__name__)

MAX_FILE_BYTES = 1_000_000  # the shipped files are ~25 kB (rules) and ~60 kB (prose)
CALIBRATION_SEEDS = 20  # `manage.py calibrate` plays 200; 20 finish in a few seconds on one worker
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,48}$")
RESERVED_SLUGS = ("upload",)  # /facilitator/scenarios/upload/ is the form's address
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class Problem:
    file: str
    path: str
    problem: str


class ScenarioRefused(ServiceError):
    """The files do not make a scenario: ``problems`` lists every (file, path, problem); nothing was stored."""

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__(_("The scenario was not saved: %(n)d problem(s) to fix.") % {"n": len(self.problems)})

    def by_file(self):
        """{file name: [Problem, ...]} in the order the files were named."""
        out = {}
        for p in self.problems:
            out.setdefault(p.file, []).append(p)
        return out


@dataclass(frozen=True)
class CheckedScenario:
    slug: str
    title: str
    rules_yaml: str
    text_yaml: str
    rules_filename: str
    text_filename: str


def _split(line, default_file):
    """A validator line "file: path: problem" as a Problem."""
    parts = line.split(": ", 2)
    if len(parts) == 3:
        return Problem(*parts)
    if len(parts) == 2:
        return Problem(parts[0], "", parts[1])
    return Problem(default_file, "", line)


def _filename(upload, default):
    name = os.path.basename(str(getattr(upload, "name", "") or "")).strip()
    return name[:200] or default


def _read(upload, name, what, problems):
    """The file's text, or None with its problem noted (no file, too large, not UTF-8)."""
    if upload is None:
        problems.append(Problem(name, "", _("missing: choose the %(what)s file") % {"what": what}))
        return None
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_FILE_BYTES:
        problems.append(Problem(name, "", _("too large: %(n)d bytes (at most %(max)d)") % {"n": size,
                                                                                          "max": MAX_FILE_BYTES}))
        return None
    data = upload.read(MAX_FILE_BYTES + 1) if hasattr(upload, "read") else bytes(upload)
    if len(data) > MAX_FILE_BYTES:
        problems.append(Problem(name, "", _("too large: more than %(max)d bytes") % {"max": MAX_FILE_BYTES}))
        return None
    if not data.strip():
        problems.append(Problem(name, "", _("the file is empty")))
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data[:e.start].count(b"\n") + 1
        column = e.start - (data.rfind(b"\n", 0, e.start) + 1) + 1
        problems.append(Problem(name, _("line %(line)d, column %(column)d") % {"line": line, "column": column},
                                _("not UTF-8 text (byte 0x%(byte)02x); save the file as UTF-8")
                                % {"byte": data[e.start]}))
        return None


def _parse(text, name, problems):
    """The file's YAML as a mapping, or None with its problem noted (with the line and column)."""
    try:
        data = yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None) or getattr(e, "context_mark", None)
        where = (_("line %(line)d, column %(column)d") % {"line": mark.line + 1, "column": mark.column + 1}
                 if mark else "")
        problems.append(Problem(name, where, _("not valid YAML: %(problem)s")
                                % {"problem": getattr(e, "problem", None) or str(e)}))
        return None
    if not isinstance(data, dict):
        problems.append(Problem(name, _("top level"), _("expected a mapping of keys, got %(kind)s")
                                % {"kind": type(data).__name__}))
        return None
    return data


def _guarded(check, name, problems, unreadable=None):
    """Run a validator; a structure it cannot even walk is a problem to read, not a crash."""
    try:
        lines = check()
    except Exception as e:  # the validator assumes the top-level shapes it checks; odd input can trip it
        problems.append(Problem(name, "", unreadable or _(
            "could not be checked (%(error)s); compare it with a downloaded scenario's file")
            % {"error": f"{type(e).__name__}: {e}"}))
        return False
    problems.extend(_split(line, name) for line in lines)
    return not lines


def scenario_check(*, rules_file, text_file):
    """The two uploads checked as `scenario_check` checks files, plus what an upload needs (a slug of its own).
    Returns a CheckedScenario; raises ScenarioRefused with every problem found."""
    problems = []
    rules_name = _filename(rules_file, "")
    text_name = _filename(text_file, "")
    # A missing file is named after the other one: <slug>.yaml beside <slug>.text.yaml.
    rules_name = rules_name or (text_name[:-len(".text.yaml")] + ".yaml" if text_name.endswith(".text.yaml")
                                else "rules.yaml")
    text_name = text_name or (rules_name[:-len(".yaml")] + ".text.yaml" if rules_name.endswith(".yaml")
                              else "rules.text.yaml")
    if rules_file is not None and text_file is not None and rules_name == text_name:
        text_name += " (2)"
    rules_text = _read(rules_file, rules_name, _("rules"), problems)
    text_text = _read(text_file, text_name, _("prose"), problems)
    rules = _parse(rules_text, rules_name, problems) if rules_text is not None else None
    text = _parse(text_text, text_name, problems) if text_text is not None else None
    rules_ok = rules is not None and _guarded(lambda: loader.validate_rules(rules, rules_name), rules_name, problems)
    slug = rules.get("slug") if rules is not None else None
    if isinstance(slug, str):
        if not SLUG.match(slug):
            problems.append(Problem(rules_name, "slug", _("use lower-case letters, digits and hyphens (at most 49), "
                                                          "e.g. my-scenario; got %(slug)r") % {"slug": slug}))
        elif slug in RESERVED_SLUGS:
            problems.append(Problem(rules_name, "slug", _("%(slug)s is reserved; choose another slug")
                                    % {"slug": slug}))
        elif slug in loader.shipped_slugs():
            problems.append(Problem(rules_name, "slug", _("%(slug)s is a scenario shipped with the game; give "
                                                          "yours a slug of its own") % {"slug": slug}))
        elif UploadedScenario.objects.filter(slug=slug).exists():
            problems.append(Problem(rules_name, "slug", _("a scenario with the slug %(slug)s was uploaded already; "
                                                          "give this one a new slug") % {"slug": slug}))
    if text is not None and rules is not None and isinstance(rules.get("actors"), dict) \
            and isinstance(rules.get("actions"), dict):
        # The prose is checked against the rules' teams and actions, so it is checked whenever those can be read.
        _guarded(lambda: loader.validate_text(text, rules, text_name), text_name, problems,
                 None if rules_ok else _("checked against the rules once the rules file passes"))
    if problems:
        raise ScenarioRefused(problems)
    try:
        spec = loader.loads(rules_text, text_text, name=rules_name)
        spec.initial_state()  # what creating an exercise does first
    except ScenarioError as e:
        raise ScenarioRefused([_split(p, rules_name) for p in e.problems]) from None
    except Exception as e:  # valid piece by piece, yet the whole does not build
        raise ScenarioRefused([Problem(rules_name, "", _("the scenario does not build: %(error)s")
                                       % {"error": f"{type(e).__name__}: {e}"})]) from None
    title = (text.get("title") if isinstance(text.get("title"), str) else "") or rules.get("name") or slug
    return CheckedScenario(slug=slug, title=title[:200], rules_yaml=rules_text, text_yaml=text_text,
                           rules_filename=rules_name, text_filename=text_name)


@transaction.atomic
def scenario_upload(*, rules_file, text_file, by):
    """Store a scenario whose two files pass every check, and queue its calibration report on the worker.
    Nothing is stored when a check fails: ScenarioRefused lists every problem."""
    checked = scenario_check(rules_file=rules_file, text_file=text_file)
    try:
        with transaction.atomic():
            row = UploadedScenario.objects.create(
                slug=checked.slug, title=checked.title, rules_yaml=checked.rules_yaml, text_yaml=checked.text_yaml,
                rules_filename=checked.rules_filename, text_filename=checked.text_filename,
                uploaded_by=by if getattr(by, "is_authenticated", False) else None,
                calibration_queued_at=timezone.now())
    except IntegrityError:  # the same slug uploaded a moment ago, by someone else
        raise ScenarioRefused([Problem(checked.rules_filename, "slug", _(
            "a scenario with the slug %(slug)s was uploaded already; give this one a new slug")
            % {"slug": checked.slug})]) from None
    log.info("scenario %s uploaded by %s", row.slug, by)
    jobs.send_on_commit(jobs.CALIBRATE_SCENARIO, row.pk)
    return row


def scenario_calibrate(*, scenario_id):
    """The worker's part: the §12 calibration report of an uploaded scenario, stored on its row. The conditional
    UPDATE queued → running is the claim (a second delivery does nothing). A scenario the §12 policies cannot
    play (it lacks their actions) is said so, as `manage.py calibrate` says it."""
    if not UploadedScenario.objects.filter(pk=scenario_id, calibration_status=UploadedScenario.Calibration.QUEUED) \
            .update(calibration_status=UploadedScenario.Calibration.RUNNING):
        log.info("calibration of scenario %s already taken, skipping", scenario_id)
        return False
    slug = UploadedScenario.objects.values_list("slug", flat=True).get(pk=scenario_id)
    done = {"calibration_finished": timezone.now()}
    try:
        report = calibrate(loader.load_scenario(slug), CALIBRATION_SEEDS, workers=1)
    except NoCalibrationTargets as e:
        UploadedScenario.objects.filter(pk=scenario_id).update(
            calibration_status=UploadedScenario.Calibration.NO_TARGETS, calibration_error=str(e)[:1000], **done)
        return True
    except Exception as e:
        UploadedScenario.objects.filter(pk=scenario_id).update(
            calibration_status=UploadedScenario.Calibration.FAILED,
            calibration_error=f"{type(e).__name__}: {e}"[:1000], **done)
        log.exception("calibration of scenario %s failed", slug)
        raise
    UploadedScenario.objects.filter(pk=scenario_id).update(
        calibration_status=UploadedScenario.Calibration.DONE, calibration_report=report, calibration_error="",
        **done)
    return True


@transaction.atomic
def scenario_calibration_requeue(*, scenario, by):
    """Ask the worker again for a report that failed or was never taken (its worker or broker was down)."""
    row = UploadedScenario.objects.select_for_update().get(pk=scenario.pk)
    if row.calibration_status == UploadedScenario.Calibration.RUNNING:
        raise ServiceError(_("The calibration is running; its report shows here when it is done."))
    if row.calibration_status in (UploadedScenario.Calibration.DONE, UploadedScenario.Calibration.NO_TARGETS):
        raise ServiceError(_("The calibration report is already here."))
    UploadedScenario.objects.filter(pk=row.pk).update(calibration_status=UploadedScenario.Calibration.QUEUED,
                                                      calibration_error="", calibration_queued_at=timezone.now())
    jobs.send_on_commit(jobs.CALIBRATE_SCENARIO, row.pk)
    log.info("calibration of scenario %s re-queued by %s", row.slug, by)


# ---------------------------------------------------------------- the loader's source (read-only)

# The loader asks these from anywhere, also where no database is at hand (a command run before `migrate`, code
# that is not allowed the database): the shipped scenarios stay usable, and what failed is logged.
NO_DATABASE = (DatabaseError, RuntimeError)  # RuntimeError: Django's "database access not allowed" guards


def uploaded_slugs():
    """The uploaded scenarios' slugs, for wargame.scenarios.scenario_slugs (none without a database)."""
    try:
        return list(UploadedScenario.objects.order_by("created").values_list("slug", flat=True))
    except NO_DATABASE as e:
        log.warning("uploaded scenarios not listed: %s", e)
        return []


def uploaded_texts(slug):
    """(rules_yaml, text_yaml) of an uploaded scenario, for wargame.scenarios.load_scenario; None if none."""
    try:
        return UploadedScenario.objects.filter(slug=slug).values_list("rules_yaml", "text_yaml").first()
    except NO_DATABASE as e:
        log.warning("uploaded scenario %s not read: %s", slug, e)
        return None
