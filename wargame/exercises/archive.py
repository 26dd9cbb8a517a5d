"""The exercise archive: one JSON file holding everything an exercise was, to recreate it elsewhere.

``build_archive(exercise)`` reads an exercise into a JSON-safe dict; ``archive_bytes`` encodes it.
``load_archive(raw)`` parses a file; ``import_archive(data, facilitator=...)`` checks all of it first and then
recreates the exercise in one transaction, so a damaged file changes nothing. Every refusal is an
``ArchiveError`` whose message names where the problem is ("turns[3].result: missing 'state'").

The scenario: the archive carries the scenario's slug, its rules and text YAML as they were when exported, and a
hash of each (of the parsed YAML, so comments and layout do not count). An import needs the same slug here and
the same rules hash: replaying the exercise here runs this installation's rules, and different rules would not
rebuild its states, so it is refused, naming both hashes. A different text file (briefings, inject prose) is
imported with a warning: the states replay, only the words differ.

The rules are never re-derived here: an import replays every published turn through the engine
(``engine.replay``), checks the recorded dice and states, and refuses the file if they differ.
"""

import hashlib
import json
import os
import secrets
from datetime import UTC, timedelta
from importlib import metadata

import yaml
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.text import slugify

from wargame import engine
from wargame.engine.replay import replay_results
from wargame.scenarios import ScenarioError, load_scenario, scenario_slugs
from wargame.scenarios import loader as scenario_loader

from .models import (ArguedAction, CounterArgument, CrisisChoice, EstimateCard, Event, Exercise, Message, Order,
                     Player, Scenario, Team, Turn)

ARCHIVE_FORMAT = 1
ARCHIVE_MARKER = "okhotsk-table exercise archive"
SNAPSHOT_TRIES = 3
SMALL = 32767  # PositiveSmallIntegerField


class ArchiveError(Exception):
    """The archive cannot be imported; the message names the place in the file and the problem."""


# ---- the scenario's content and its fingerprint ----

_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_digests: dict = {}


def _digest_yaml(text):
    """sha256 of the parsed YAML as canonical JSON: the content, not its comments or layout."""
    data = yaml.load(text, Loader=_YAML_LOADER) if text else {}
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def scenario_files(slug):
    """This installation's rules and text YAML for a scenario, with their digests (cached per file state)."""
    paths = [os.path.join(scenario_loader.HERE, f"{slug}{ext}") for ext in (".yaml", ".text.yaml")]
    if not os.path.exists(paths[0]) and (uploaded := scenario_loader.source_texts(slug)) is not None:
        rules, text = uploaded[0], uploaded[1] or ""  # a facilitator's upload: its stored files, not cached
        return {"rules_yaml": rules, "text_yaml": text, "rules_sha256": _digest_yaml(rules),
                "text_sha256": _digest_yaml(text)}
    key = (slug, *(os.stat(p).st_mtime_ns if os.path.exists(p) else None for p in paths))
    if key not in _digests:
        texts = []
        for p in paths:
            with open(p, encoding="utf-8") if os.path.exists(p) else _empty() as f:
                texts.append(f.read())
        _digests[key] = {"rules_yaml": texts[0], "text_yaml": texts[1],
                         "rules_sha256": _digest_yaml(texts[0]), "text_sha256": _digest_yaml(texts[1])}
    return _digests[key]


class _empty:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def read(self):
        return ""


def app_version():
    try:
        return metadata.version("wargame")
    except metadata.PackageNotFoundError:
        return None


# ---- export ----

def _when(value):
    return value.isoformat() if value else None


def _snapshot(exercise):
    """The exercise row and its turns read so they agree: the state is the last published turn's.

    A turn published between the two reads would pair an old state with new turns; re-read until they agree.
    """
    for _try in range(SNAPSHOT_TRIES):
        turns = list(Turn.objects.filter(exercise_id=exercise.pk).order_by("number"))
        row = Exercise.objects.select_related("scenario").get(pk=exercise.pk)
        published = [t for t in turns if t.status == Turn.Status.PUBLISHED]
        expected = published[-1].result["state"] if published else (turns[0].state_before if turns else row.state)
        if row.state == expected:
            return row, turns
    return row, turns


def build_archive(exercise, *, progress=None):
    """Everything the exercise was, as a JSON-safe dict (see the module docstring for the format).

    ``progress(percent)`` is called as the work goes (each turn, every few hundred messages and events).
    An export of a running exercise is a snapshot as of its start: rows newer than that are left out.
    """
    report = progress or (lambda pct: None)
    taken_at = timezone.now()
    exercise, turns = _snapshot(exercise)
    last_turn = turns[-1].number if turns else 0
    slug = exercise.scenario.slug
    files = scenario_files(slug) if slug in scenario_slugs() else {}
    data = {
        "archive": ARCHIVE_MARKER,
        "format": ARCHIVE_FORMAT,
        "exported_at": taken_at.isoformat(),
        "app_version": app_version(),
        "scenario": {"slug": slug, "title": exercise.scenario.title, **files},
        "exercise": {
            "id": exercise.pk, "name": exercise.name, "seed": exercise.seed,
            "adjudication_mode": exercise.adjudication_mode, "crisis_minutes": exercise.crisis_minutes,
            "status": exercise.status, "ended_reason": exercise.ended_reason, "state": exercise.state,
            "observers_see_console": exercise.observers_see_console,
            "debrief_released_at": _when(exercise.debrief_released_at), "debrief_parts": exercise.debrief_parts,
            "created": _when(exercise.created), "archived_at": _when(exercise.archived_at),
        },
        "teams": [{"code": t.code, "name": t.name, "colour": t.colour, "max_players": t.max_players}
                  for t in exercise.teams.order_by("id")],
        "players": [{"id": p["id"], "display_name": p["display_name"], "team": p["team__code"],
                     "removed": p["removed_at"] is not None, "removed_at": _when(p["removed_at"]),
                     "joined": _when(p["joined"]), "last_seen": _when(p["last_seen"])}
                    for p in exercise.players.order_by("id").values(
                        "id", "display_name", "team__code", "removed_at", "joined", "last_seen")],
        "turns": [],
    }
    report(2)
    for i, t in enumerate(turns):
        data["turns"].append({
            "number": t.number, "status": t.status, "state_before": t.state_before, "result": t.result,
            "inputs": t.inputs or {}, "deadline": _when(t.deadline),
            "paused_remaining": t.paused_remaining.total_seconds() if t.paused_remaining is not None else None,
            "crisis_deadline": _when(t.crisis_deadline), "crisis_result": t.crisis_result,
            "opened_at": _when(t.opened_at), "locked_at": _when(t.locked_at), "resolved_at": _when(t.resolved_at),
            "published_at": _when(t.published_at), "resolve_queued_at": _when(t.resolve_queued_at)})
        report(2 + 28 * (i + 1) // max(1, len(turns)))
    data["orders"] = [
        {"turn": o["turn__number"], "team": o["team__code"], "slot": o["slot"], "action": o["action"],
         "target": o["target"], "note": o["note"], "revision": o["revision"], "updated_by": o["updated_by_id"],
         "updated": _when(o["updated"])}
        for o in Order.objects.filter(turn__exercise=exercise).order_by("turn__number", "team_id", "slot").values(
            "turn__number", "team__code", "slot", "action", "target", "note", "revision", "updated_by_id", "updated")]
    argued = (ArguedAction.objects.filter(turn__exercise=exercise).select_related("turn", "team")
              .prefetch_related("counters__team", "cards__team").order_by("turn__number", "team_id"))
    data["argued"] = [
        {"turn": a.turn.number, "team": a.team.code, "action": a.action, "intended": a.intended,
         "reasons": a.reasons, "aims": a.aims, "nearest_action": a.nearest_action, "target": a.target,
         "accepted_reasons": a.accepted_reasons, "probability": a.probability, "revision": a.revision,
         "updated_by": a.updated_by_id, "updated": _when(a.updated),
         "counters": [{"team": c.team.code, "text": c.text, "accepted": c.accepted, "author": c.author_id,
                       "created": _when(c.created)} for c in a.counters.all()],
         "cards": [{"team": c.team.code if c.team else None, "probability": c.probability,
                    "updated": _when(c.updated)} for c in a.cards.all()]}
        for a in argued]
    data["crisis_choices"] = [
        {"turn": c["turn__number"], "team": c["team__code"], "choice": c["choice"], "chosen_by": c["chosen_by_id"],
         "by_white": c["by_white"], "updated": _when(c["updated"])}
        for c in CrisisChoice.objects.filter(turn__exercise=exercise).order_by("turn__number", "team_id").values(
            "turn__number", "team__code", "choice", "chosen_by_id", "by_white", "updated")]
    report(35)
    messages = Message.objects.filter(exercise=exercise, created__lte=taken_at, turn_number__lte=last_turn)
    total = messages.count() or 1
    recipients = {}
    for message_id, code in Message.recipients.through.objects.filter(
            message__in=messages).order_by("message_id", "team_id").values_list("message_id", "team__code"):
        recipients.setdefault(message_id, []).append(code)
    data["messages"] = []
    for n, m in enumerate(messages.order_by("created", "id").values(
            "id", "turn_number", "kind", "sender_team__code", "sender_name", "body", "thread", "created"), 1):
        data["messages"].append({
            "id": m["id"], "turn": m["turn_number"], "kind": m["kind"], "sender_team": m["sender_team__code"],
            "sender_name": m["sender_name"], "recipients": recipients.get(m["id"], []), "body": m["body"],
            "thread": m["thread"], "created": _when(m["created"])})
        if n % 250 == 0:
            report(35 + 45 * n // total)
    report(80)
    events = Event.objects.filter(exercise=exercise, created__lte=taken_at, turn_number__lte=last_turn)
    total = events.count() or 1
    data["events"] = []
    for n, e in enumerate(events.order_by("id").values("turn_number", "kind", "actor", "payload", "created"), 1):
        data["events"].append({"turn": e["turn_number"], "kind": e["kind"], "actor": e["actor"],
                               "payload": e["payload"], "created": _when(e["created"])})
        if n % 500 == 0:
            report(80 + 18 * n // total)
    report(98)
    return data


def archive_bytes(data):
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def archive_filename(exercise, *, ext="json"):
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return f"exercise-{exercise.pk}-{slugify(exercise.name)[:40] or 'exercise'}-{stamp}.{ext}"


# ---- reading a file ----

def load_archive(raw):
    """Parse an archive file's bytes (or text); ArchiveError when it is not JSON (a truncated file, say)."""
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ArchiveError(f"the file is not UTF-8 text (byte {exc.start}); it is not an exercise archive")
    if not raw.strip():
        raise ArchiveError("the file is empty")
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        # An archive is one object: a file stopping short of its closing brace was cut off.
        cut = exc.pos >= len(raw.rstrip()) - 1 or not raw.rstrip().endswith("}")
        raise ArchiveError(f"the file is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
                           + ("; it looks truncated" if cut else ""))
    if not isinstance(data, dict):
        raise ArchiveError(f"the file holds a JSON {_kind(data)}, not an exercise archive (an object)")
    return data


# ---- checking an archive ----

def _kind(value):
    return {dict: "object", list: "list", str: "string", bool: "boolean", int: "integer", float: "number",
            type(None): "null"}.get(type(value), type(value).__name__)


def _show(value):
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 40 else text[:37] + "..."


def _at(path, key):
    return f"{path}[{key}]" if isinstance(key, int) else (f"{path}.{key}" if path else key)


_TYPES = {"str": (str,), "int": (int,), "num": (int, float), "bool": (bool,), "dict": (dict,), "list": (list,),
          "any": (object,)}
_NAMES = {"str": "a string", "int": "an integer", "num": "a number", "bool": "true or false", "dict": "an object",
          "list": "a list", "any": "a value"}


def _need(obj, key, path, kind, *, null=False, optional=False, default=None, choices=None, max_length=None,
          minimum=None, maximum=None):
    """obj[key], checked: present (unless optional), of the kind asked, within choices and length."""
    listed = isinstance(obj, list) and isinstance(key, int)
    if not isinstance(obj, dict) and not listed:
        raise ArchiveError(f"{path or 'the archive'}: expected an object, got {_kind(obj)}")
    where = _at(path, key)
    if (key >= len(obj)) if listed else (key not in obj):
        if optional:
            return default
        raise ArchiveError(f"{path or 'the archive'}: missing '{key}'")
    value = obj[key]
    if value is None:
        if null or (optional and default is None):
            return None
        raise ArchiveError(f"{where}: expected {_NAMES[kind]}, got null")
    ok = isinstance(value, _TYPES[kind]) and not (kind in ("int", "num") and isinstance(value, bool))
    if not ok:
        raise ArchiveError(f"{where}: expected {_NAMES[kind]}, got {_kind(value)} {_show(value)}")
    if choices is not None and value not in choices:
        raise ArchiveError(f"{where}: {_show(value)} is not one of {', '.join(map(str, choices))}")
    if max_length is not None and len(value) > max_length:
        raise ArchiveError(f"{where}: at most {max_length} characters, got {len(value)}")
    if minimum is not None and value < minimum:
        raise ArchiveError(f"{where}: expected at least {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise ArchiveError(f"{where}: expected at most {maximum}, got {value}")
    return value


def _length(model, field):
    return model._meta.get_field(field).max_length


def _moment(obj, key, path, *, null=True):
    value = _need(obj, key, path, "str", null=null, optional=null)
    if value is None:
        return None
    parsed = parse_datetime(value)
    if parsed is None:
        raise ArchiveError(f"{_at(path, key)}: {_show(value)} is not a date and time")
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed, UTC)
    return parsed


def _team_ref(obj, key, path, teams, *, null=False):
    code = _need(obj, key, path, "str", null=null)
    if code is not None and code not in teams:
        raise ArchiveError(f"{_at(path, key)}: team {_show(code)} is not among the archive's teams "
                           f"({', '.join(sorted(teams)) or 'none'})")
    return code


def _player_ref(obj, key, path, players):
    ref = _need(obj, key, path, "int", null=True, optional=True)
    if ref is not None and ref not in players:
        raise ArchiveError(f"{_at(path, key)}: player {ref} is not among the archive's players")
    return ref


def _turn_ref(obj, key, path, turns):
    number = _need(obj, key, path, "int")
    if number not in turns:
        raise ArchiveError(f"{_at(path, key)}: turn {number} is not among the archive's turns")
    return number


def _list(data, key, path=""):
    return _need(data, key, path, "list")


def check_archive(data):
    """Check a parsed archive completely, without writing; return (clean rows, warnings) or raise ArchiveError."""
    if not isinstance(data, dict):
        raise ArchiveError(f"the archive is a JSON {_kind(data)}, not an object")
    if "format" not in data:
        raise ArchiveError("the archive: missing 'format' (the format version); this is not an exercise archive")
    fmt = _need(data, "format", "", "int")
    if fmt > ARCHIVE_FORMAT:
        raise ArchiveError(f"format: this archive is format {fmt}, newer than this installation reads "
                           f"(format {ARCHIVE_FORMAT}); import it with a newer version of the application")
    if fmt < 1:
        raise ArchiveError(f"format: {fmt} is not a format version (they start at 1)")
    marker = _need(data, "archive", "", "str", optional=True, default=ARCHIVE_MARKER)
    if marker != ARCHIVE_MARKER:
        raise ArchiveError(f"archive: {_show(marker)}, this is not an exercise archive")
    warnings = []

    # The scenario: known here, and played under the same rules.
    sc = _need(data, "scenario", "", "dict")
    slug = _need(sc, "slug", "scenario", "str")
    if slug not in scenario_slugs():
        raise ArchiveError(f"scenario.slug: {_show(slug)} is not a scenario on this installation "
                           f"(known: {', '.join(scenario_slugs())})")
    try:
        spec = load_scenario(slug)
    except ScenarioError as exc:
        raise ArchiveError(f"scenario.slug: this installation's {slug!r} does not load: {exc}")
    here = scenario_files(slug)
    rules_hash = _need(sc, "rules_sha256", "scenario", "str")
    rules_yaml = _need(sc, "rules_yaml", "scenario", "str", optional=True)
    if rules_yaml is not None:
        try:
            carried = _digest_yaml(rules_yaml)
        except yaml.YAMLError:
            carried = None
        if carried != rules_hash:
            raise ArchiveError("scenario.rules_yaml: does not match scenario.rules_sha256; the archive is damaged")
    if rules_hash != here["rules_sha256"]:
        raise ArchiveError(
            f"scenario.rules_sha256: the exercise was played under other rules for {slug!r} than this "
            f"installation has (archive {rules_hash[:12]}, here {here['rules_sha256'][:12]}); replaying it here "
            f"would not rebuild its states, so it is not imported")
    text_hash = _need(sc, "text_sha256", "scenario", "str", optional=True)
    if text_hash is not None and text_hash != here["text_sha256"]:
        warnings.append(f"the scenario's texts (briefings, inject prose) differ from this installation's "
                        f"{slug!r}; the states replay, but some words shown may differ from what players read")

    # The exercise row.
    ex = _need(data, "exercise", "", "dict")
    exercise = {
        "name": _need(ex, "name", "exercise", "str", max_length=_length(Exercise, "name")),
        "seed": _need(ex, "seed", "exercise", "int"),
        "adjudication_mode": _need(ex, "adjudication_mode", "exercise", "str", choices=Exercise.Mode.values),
        "crisis_minutes": _need(ex, "crisis_minutes", "exercise", "int", minimum=0, maximum=SMALL),
        "status": _need(ex, "status", "exercise", "str", choices=Exercise.Status.values),
        "ended_reason": _need(ex, "ended_reason", "exercise", "str", max_length=_length(Exercise, "ended_reason")),
        "state": _need(ex, "state", "exercise", "dict"),
        "observers_see_console": _need(ex, "observers_see_console", "exercise", "bool", optional=True,
                                       default=False) or False,
        "debrief_released_at": _moment(ex, "debrief_released_at", "exercise"),
        "debrief_parts": _need(ex, "debrief_parts", "exercise", "list", optional=True, default=[]) or [],
        "archived_at": _moment(ex, "archived_at", "exercise"),
    }
    if not -(2**63) <= exercise["seed"] < 2**63:
        raise ArchiveError("exercise.seed: out of range for a seed")
    created = _moment(ex, "created", "exercise")

    # Teams and players.
    spec_teams = {t.code for t in spec.teams}
    teams = {}
    for i, t in enumerate(_list(data, "teams")):
        path = f"teams[{i}]"
        code = _need(t, "code", path, "str")
        if code not in spec_teams:
            raise ArchiveError(f"{path}.code: {_show(code)} is not a team of {slug!r} "
                               f"({', '.join(sorted(spec_teams))})")
        if code in teams:
            raise ArchiveError(f"{path}.code: team {code} appears twice")
        teams[code] = {"code": code, "name": _need(t, "name", path, "str", max_length=_length(Team, "name")),
                       "colour": _need(t, "colour", path, "str", max_length=_length(Team, "colour")),
                       "max_players": _need(t, "max_players", path, "int", minimum=1, maximum=SMALL)}
    players = {}
    for i, p in enumerate(_list(data, "players")):
        path = f"players[{i}]"
        ref = _need(p, "id", path, "int")
        if ref in players:
            raise ArchiveError(f"{path}.id: player {ref} appears twice")
        removed_at = _moment(p, "removed_at", path)
        if _need(p, "removed", path, "bool", optional=True, default=False) and removed_at is None:
            removed_at = created or timezone.now()
        players[ref] = {"display_name": _need(p, "display_name", path, "str",
                                              max_length=_length(Player, "display_name")),
                        "team": _team_ref(p, "team", path, teams, null=True), "removed_at": removed_at,
                        "joined": _moment(p, "joined", path), "last_seen": _moment(p, "last_seen", path)}

    # Turns: contiguous from 1, published ones first, each published one replaying exactly.
    turns = {}
    raw_turns = _list(data, "turns")
    if not raw_turns:
        raise ArchiveError("turns: the list is empty; an exercise has at least its first turn")
    for i, t in enumerate(raw_turns):
        path = f"turns[{i}]"
        number = _need(t, "number", path, "int")
        if number != i + 1:
            raise ArchiveError(f"{path}.number: expected turn {i + 1} (turns are numbered 1, 2, 3… with no gap), "
                               f"got {number}")
        status = _need(t, "status", path, "str", choices=Turn.Status.values)
        result = _need(t, "result", path, "dict", null=True)
        if status == Turn.Status.PUBLISHED:
            if i and turns[i]["status"] != Turn.Status.PUBLISHED:
                raise ArchiveError(f"{path}.status: turn {number} is published but turn {i} is not")
            if result is None:
                raise ArchiveError(f"{path}.result: a published turn needs its result, got null")
        elif i < len(raw_turns) - 1:
            raise ArchiveError(f"{path}.status: only the last turn may be unpublished; turn {number} is {status}")
        if result is not None:
            _need(result, "state", f"{path}.result", "dict")
            _need(result, "events", f"{path}.result", "list")
            _need(result, "draws", f"{path}.result", "list")
            _need(result, "input", f"{path}.result", "dict")
            if _need(result, "turn", f"{path}.result", "int") != number:
                raise ArchiveError(f"{path}.result.turn: the result is for turn {result['turn']}, not {number}")
        paused = _need(t, "paused_remaining", path, "num", optional=True)
        turns[number] = {
            "number": number, "status": status, "result": result,
            "state_before": _need(t, "state_before", path, "dict"),
            "inputs": _need(t, "inputs", path, "dict", optional=True, default={}) or {},
            "deadline": _moment(t, "deadline", path), "crisis_deadline": _moment(t, "crisis_deadline", path),
            "crisis_result": _need(t, "crisis_result", path, "dict", null=True, optional=True),
            "paused_remaining": timedelta(seconds=paused) if paused is not None else None,
            "opened_at": _moment(t, "opened_at", path), "locked_at": _moment(t, "locked_at", path),
            "resolved_at": _moment(t, "resolved_at", path), "published_at": _moment(t, "published_at", path),
            "resolve_queued_at": _moment(t, "resolve_queued_at", path)}
    _check_replay(spec, turns, exercise)

    # The turns' rows.
    orders, seen = [], set()
    for i, o in enumerate(_list(data, "orders")):
        path = f"orders[{i}]"
        row = {"turn": _turn_ref(o, "turn", path, turns), "team": _team_ref(o, "team", path, teams),
               "slot": _need(o, "slot", path, "int", minimum=0, maximum=SMALL),
               "action": _need(o, "action", path, "str", max_length=_length(Order, "action")),
               "target": _need(o, "target", path, "str", max_length=_length(Order, "target")),
               "note": _need(o, "note", path, "str", optional=True, default="") or "",
               "revision": _need(o, "revision", path, "int", optional=True, default=1) or 1,
               "updated_by": _player_ref(o, "updated_by", path, players), "updated": _moment(o, "updated", path)}
        if (row["turn"], row["team"], row["slot"]) in seen:
            raise ArchiveError(f"{path}: a second order for turn {row['turn']}, {row['team']}, slot {row['slot']}")
        seen.add((row["turn"], row["team"], row["slot"]))
        orders.append(row)
    argued, seen = [], set()
    for i, a in enumerate(_list(data, "argued")):
        path = f"argued[{i}]"
        row = {"turn": _turn_ref(a, "turn", path, turns), "team": _team_ref(a, "team", path, teams),
               "action": _need(a, "action", path, "str"), "intended": _need(a, "intended", path, "str"),
               "reasons": _need(a, "reasons", path, "list"), "aims": _need(a, "aims", path, "list"),
               "nearest_action": _need(a, "nearest_action", path, "str",
                                       max_length=_length(ArguedAction, "nearest_action")),
               "target": _need(a, "target", path, "str", max_length=_length(ArguedAction, "target")),
               "accepted_reasons": _need(a, "accepted_reasons", path, "list"),
               "probability": _need(a, "probability", path, "int", null=True, minimum=0, maximum=SMALL),
               "revision": _need(a, "revision", path, "int", optional=True, default=1) or 1,
               "updated_by": _player_ref(a, "updated_by", path, players), "updated": _moment(a, "updated", path),
               "counters": [], "cards": []}
        if (row["turn"], row["team"]) in seen:
            raise ArchiveError(f"{path}: a second argued action for turn {row['turn']}, {row['team']}")
        seen.add((row["turn"], row["team"]))
        for j, c in enumerate(_need(a, "counters", path, "list")):
            cpath = f"{path}.counters[{j}]"
            row["counters"].append({"team": _team_ref(c, "team", cpath, teams), "text": _need(c, "text", cpath, "str"),
                                    "accepted": _need(c, "accepted", cpath, "bool"),
                                    "author": _player_ref(c, "author", cpath, players),
                                    "created": _moment(c, "created", cpath)})
        card_teams = set()
        for j, c in enumerate(_need(a, "cards", path, "list")):
            cpath = f"{path}.cards[{j}]"
            code = _team_ref(c, "team", cpath, teams, null=True)
            if code in card_teams:
                raise ArchiveError(f"{cpath}.team: a second card from {code or 'White'}")
            card_teams.add(code)
            row["cards"].append({"team": code, "updated": _moment(c, "updated", cpath),
                                 "probability": _need(c, "probability", cpath, "int", minimum=0, maximum=SMALL)})
        argued.append(row)
    choices, seen = [], set()
    for i, c in enumerate(_need(data, "crisis_choices", "", "list", optional=True, default=[]) or []):
        path = f"crisis_choices[{i}]"
        row = {"turn": _turn_ref(c, "turn", path, turns), "team": _team_ref(c, "team", path, teams),
               "choice": _need(c, "choice", path, "str", choices=CrisisChoice.Choice.values),
               "chosen_by": _player_ref(c, "chosen_by", path, players),
               "by_white": _need(c, "by_white", path, "str", optional=True, default="",
                                 max_length=_length(CrisisChoice, "by_white")) or "",
               "updated": _moment(c, "updated", path)}
        if (row["turn"], row["team"]) in seen:
            raise ArchiveError(f"{path}: a second crisis choice for turn {row['turn']}, {row['team']}")
        seen.add((row["turn"], row["team"]))
        choices.append(row)

    # Negotiation and the log.
    last = len(turns)
    messages = []
    for i, m in enumerate(_list(data, "messages")):
        path = f"messages[{i}]"
        turn_number = _need(m, "turn", path, "int", minimum=0, maximum=SMALL)
        if turn_number > last:
            raise ArchiveError(f"{path}.turn: turn {turn_number} is after the archive's last turn ({last})")
        recipients = _need(m, "recipients", path, "list")
        for j, _code in enumerate(recipients):
            _team_ref(recipients, j, f"{path}.recipients", teams)
        messages.append({"id": _need(m, "id", path, "int", optional=True), "turn": turn_number,
                         "kind": _need(m, "kind", path, "str", choices=Message.Kind.values),
                         "sender_team": _team_ref(m, "sender_team", path, teams, null=True),
                         "sender_name": _need(m, "sender_name", path, "str",
                                              max_length=_length(Message, "sender_name")),
                         "recipients": recipients, "body": _need(m, "body", path, "str"),
                         "thread": _need(m, "thread", path, "str", max_length=_length(Message, "thread")),
                         "created": _moment(m, "created", path)})
    events = []
    for i, e in enumerate(_list(data, "events")):
        path = f"events[{i}]"
        turn_number = _need(e, "turn", path, "int", minimum=0, maximum=SMALL)
        if turn_number > last:
            raise ArchiveError(f"{path}.turn: turn {turn_number} is after the archive's last turn ({last})")
        events.append({"turn": turn_number, "kind": _need(e, "kind", path, "str", max_length=_length(Event, "kind")),
                       "actor": _need(e, "actor", path, "str", max_length=_length(Event, "actor")),
                       "payload": _need(e, "payload", path, "dict"), "created": _moment(e, "created", path)})
    clean = {"slug": slug, "spec": spec, "exercise": exercise, "created": created, "teams": teams,
             "players": players, "turns": turns, "orders": orders, "argued": argued, "crisis_choices": choices,
             "messages": messages, "events": events,
             "source": {"id": ex.get("id"), "exported_at": data.get("exported_at"), "format": fmt,
                        "app_version": data.get("app_version")}}
    return clean, warnings


def _check_replay(spec, turns, exercise):
    """Every published turn replays through the engine with its recorded dice to its recorded state, each turn
    starts from the state the last one published, and the exercise's state is the last published one."""
    state = engine.GameState.from_dict(turns[1]["state_before"]) if turns else spec.initial_state()
    if spec.initial_state().to_dict() != turns[1]["state_before"]:
        raise ArchiveError("turns[0].state_before: is not the scenario's starting state")
    expected = turns[1]["state_before"]
    for number, t in turns.items():
        path = f"turns[{number - 1}]"
        if t["state_before"] != expected:
            raise ArchiveError(f"{path}.state_before: is not the state turn {number - 1} published")
        if t["status"] != Turn.Status.PUBLISHED:
            break
        result = t["result"]
        entry = {**result["input"], "draws": result["draws"]}
        try:
            replayed = replay_results(spec, [entry], state=state, verify=True)
        except engine.EngineInputError as exc:
            raise ArchiveError(f"{path}.result: turn {number} does not replay with its recorded inputs and dice: "
                               f"{exc}")
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise ArchiveError(f"{path}.result.input: turn {number}'s recorded inputs are malformed "
                               f"({type(exc).__name__}: {exc})")
        if not replayed:
            raise ArchiveError(f"{path}.result.input: is not a turn of the engine's log")
        state = replayed[0].state
        if state.to_dict() != result["state"]:
            raise ArchiveError(f"{path}.result.state: is not the state its inputs and dice give when replayed")
        expected = result["state"]
    if exercise["state"] != expected:
        raise ArchiveError("exercise.state: is not the state of the last published turn")


# ---- import ----

def _fresh_session():
    return "imported:" + secrets.token_hex(16)


@transaction.atomic
def import_archive(data, *, facilitator):
    """Recreate the exercise an archive holds, owned by ``facilitator``, with new join and observer codes.

    Everything is checked first (``check_archive``); nothing is written when a check fails, and the writes run
    in one transaction. Returns the new Exercise; its ``import_warnings`` lists what the import noted.
    """
    from .services.common import log_event

    clean, warnings = check_archive(data)
    spec = clean["spec"]
    scenario, _created = Scenario.objects.update_or_create(
        slug=spec.slug, defaults={"title": spec.title, "summary": spec.summary})
    exercise = Exercise.objects.create(scenario=scenario, **clean["exercise"])
    if clean["created"]:
        Exercise.objects.filter(pk=exercise.pk).update(created=clean["created"])
    exercise.facilitators.add(facilitator)
    teams = {t.code: t for t in Team.objects.bulk_create(
        [Team(exercise=exercise, **row) for row in clean["teams"].values()])}
    refs = list(clean["players"])
    made = Player.objects.bulk_create([
        Player(exercise=exercise, display_name=p["display_name"], team=teams.get(p["team"]),
               session_key=_fresh_session(), removed_at=p["removed_at"], last_seen=p["last_seen"])
        for p in clean["players"].values()])
    players = dict(zip(refs, made))
    _stamp(made, "joined", [clean["players"][r]["joined"] for r in refs])
    turns = {}
    made = Turn.objects.bulk_create([
        Turn(exercise=exercise, **{k: v for k, v in t.items() if k != "opened_at"}) for t in clean["turns"].values()])
    turns = {t.number: t for t in made}
    _stamp(made, "opened_at", [t["opened_at"] for t in clean["turns"].values()])
    made = Order.objects.bulk_create([
        Order(turn=turns[o["turn"]], team=teams[o["team"]], slot=o["slot"], action=o["action"], target=o["target"],
              note=o["note"], revision=o["revision"], updated_by=players.get(o["updated_by"]))
        for o in clean["orders"]])
    _stamp(made, "updated", [o["updated"] for o in clean["orders"]])
    made = ArguedAction.objects.bulk_create([
        ArguedAction(turn=turns[a["turn"]], team=teams[a["team"]], updated_by=players.get(a["updated_by"]),
                     **{k: a[k] for k in ("action", "intended", "reasons", "aims", "nearest_action", "target",
                                          "accepted_reasons", "probability", "revision")})
        for a in clean["argued"]])
    _stamp(made, "updated", [a["updated"] for a in clean["argued"]])
    counters, counter_times, cards, card_times = [], [], [], []
    for row, a in zip(made, clean["argued"]):
        for c in a["counters"]:
            counters.append(CounterArgument(argued=row, team=teams[c["team"]], text=c["text"], accepted=c["accepted"],
                                            author=players.get(c["author"])))
            counter_times.append(c["created"])
        for c in a["cards"]:
            cards.append(EstimateCard(argued=row, team=teams.get(c["team"]), probability=c["probability"]))
            card_times.append(c["updated"])
    _stamp(CounterArgument.objects.bulk_create(counters), "created", counter_times)
    _stamp(EstimateCard.objects.bulk_create(cards), "updated", card_times)
    made = CrisisChoice.objects.bulk_create([
        CrisisChoice(turn=turns[c["turn"]], team=teams[c["team"]], choice=c["choice"],
                     chosen_by=players.get(c["chosen_by"]), by_white=c["by_white"])
        for c in clean["crisis_choices"]])
    _stamp(made, "updated", [c["updated"] for c in clean["crisis_choices"]])
    made = Message.objects.bulk_create([
        Message(exercise=exercise, turn_number=m["turn"], kind=m["kind"], sender_team=teams.get(m["sender_team"]),
                sender_name=m["sender_name"], body=m["body"], thread=m["thread"]) for m in clean["messages"]],
        batch_size=500)
    _stamp(made, "created", [m["created"] for m in clean["messages"]])
    through = Message.recipients.through
    through.objects.bulk_create([through(message_id=row.pk, team_id=teams[code].pk)
                                 for row, m in zip(made, clean["messages"]) for code in m["recipients"]],
                                batch_size=1000)
    new_message_ids = {m["id"]: row.pk for row, m in zip(made, clean["messages"]) if m["id"] is not None}
    events = []
    for e in clean["events"]:
        payload = e["payload"]
        if e["kind"] == "message_sent" and payload.get("message") in new_message_ids:
            payload = {**payload, "message": new_message_ids[payload["message"]]}
        events.append(Event(exercise=exercise, turn_number=e["turn"], kind=e["kind"], actor=e["actor"],
                            payload=payload))
    _stamp(Event.objects.bulk_create(events, batch_size=1000), "created", [e["created"] for e in clean["events"]])
    log_event(exercise_id=exercise.pk, turn_number=0, kind="exercise_imported", actor=facilitator,
              source=clean["source"], warnings=warnings)
    exercise.refresh_from_db()
    exercise.import_warnings = warnings
    return exercise


def _stamp(rows, field, values):
    """Put back the archived times that auto_now / auto_now_add replaced on insert (rows without one keep now)."""
    changed = []
    for row, value in zip(rows, values):
        if value is not None:
            setattr(row, field, value)
            changed.append(row)
    if changed:
        type(changed[0]).objects.bulk_update(changed, [field], batch_size=500)
