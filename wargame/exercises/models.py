"""Persistent state of an exercise. Rules live in wargame.engine; writes go through services."""

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# No 0/O/1/I/L: codes are read aloud and typed from a projector.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def new_code(length=6):
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


class Scenario(models.Model):
    slug = models.SlugField(unique=True)
    title = models.CharField(max_length=200)
    summary = models.TextField(blank=True)

    def __str__(self):
        return self.title


class Exercise(models.Model):
    class Status(models.TextChoices):
        SETUP = "setup", _("Setting up")
        RUNNING = "running", _("Running")
        ENDED = "ended", _("Ended")

    class Mode(models.TextChoices):
        CARDS = "cards", _("Estimative cards")
        WEIGHTED = "weighted", _("Weighted 2d6")
        UMPIRE = "umpire", _("Umpire-set")

    scenario = models.ForeignKey(Scenario, on_delete=models.PROTECT, related_name="exercises")
    name = models.CharField(max_length=200)
    join_code = models.CharField(max_length=12, unique=True, default=new_code)
    observer_code = models.CharField(max_length=12, unique=True, default=new_code)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    seed = models.BigIntegerField()
    adjudication_mode = models.CharField(max_length=10, choices=Mode.choices, default=Mode.CARDS)
    facilitators = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="facilitated_exercises")
    # The last published state (engine GameState.to_dict()); the truth players are shown through fog.
    state = models.JSONField(default=dict)
    # Bumped on every committed change; SSE events carry it so clients can tell stale from fresh.
    version = models.PositiveIntegerField(default=0)
    ended_reason = models.CharField(max_length=200, blank=True)
    observers_see_console = models.BooleanField(default=False)
    # How long a crisis sub-turn gives the two teams to choose, in minutes (White sets it).
    crisis_minutes = models.PositiveSmallIntegerField(default=3)
    # The after-action review: White releases a public version to the players and observers, choosing
    # which of its parts it shows (names from the debrief's list of sections); until then it is White's.
    debrief_released_at = models.DateTimeField(null=True, blank=True)
    debrief_parts = models.JSONField(default=list, blank=True)
    # A fork ("what if?") keeps its parent's game up to fork_turn, whose orders White may then change.
    forked_from = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="forks")
    fork_turn = models.PositiveSmallIntegerField(null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    # Archived exercises leave White's list (shown under "Archived") and stay readable.
    archived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created"]

    def __str__(self):
        return self.name


class Team(models.Model):
    exercise = models.ForeignKey(Exercise, on_delete=models.CASCADE, related_name="teams")
    code = models.CharField(max_length=3)
    name = models.CharField(max_length=60)
    colour = models.CharField(max_length=7, default="#64748b")
    # A team with no players may be handed to a bot: the name of one of its actor's written policies.
    bot_policy = models.CharField(max_length=40, blank=True)
    max_players = models.PositiveSmallIntegerField(default=8)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["exercise", "code"], name="team_code_unique")]

    def __str__(self):
        return f"{self.name} ({self.code})"


class Player(models.Model):
    """A display name tied to one browser session; players have no account."""

    exercise = models.ForeignKey(Exercise, on_delete=models.CASCADE, related_name="players")
    team = models.ForeignKey(Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="players")
    display_name = models.CharField(max_length=40)
    session_key = models.CharField(max_length=64, db_index=True)
    joined = models.DateTimeField(auto_now_add=True)
    last_seen = models.DateTimeField(null=True, blank=True)
    # White removed this player: the row stays so their orders and messages keep their author,
    # but the session has no seat and the player no longer counts toward the team's size.
    removed_at = models.DateTimeField(null=True, blank=True)
    # A player who chose the wrong team asks White to move them; White approves or declines.
    switch_request = models.ForeignKey(Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    switch_requested_at = models.DateTimeField(null=True, blank=True)
    switch_answer = models.CharField(max_length=10, blank=True)  # "", "approved" or "declined"

    class Meta:
        ordering = ["joined"]

    def __str__(self):
        return self.label

    @property
    def label(self):
        """The name as White sees it: removed players are marked."""
        return f"{self.display_name} ({_('removed')})" if self.removed_at else self.display_name

    @property
    def switch_pending(self):
        return self.switch_request_id is not None and not self.switch_answer


class Turn(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open for orders")
        LOCKED = "locked", _("Locked")
        RESOLVING = "resolving", _("Resolving")
        REVIEW = "review", _("In White's review")
        PUBLISHED = "published", _("Published")

    exercise = models.ForeignKey(Exercise, on_delete=models.CASCADE, related_name="turns")
    number = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    deadline = models.DateTimeField(null=True, blank=True)
    paused_remaining = models.DurationField(null=True, blank=True)
    state_before = models.JSONField(default=dict)
    result = models.JSONField(null=True, blank=True)  # engine TurnResult.to_dict(), proposed then published
    # White's inputs to this turn's resolution: overrides, re-rolls, manual dice, ad-hoc injects,
    # MSEL injects skipped or fired now, and edited narratives. The engine is re-run with them.
    inputs = models.JSONField(default=dict, blank=True)
    opened_at = models.DateTimeField(auto_now_add=True)
    locked_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    # When a resolve task was last sent (at lock, then on each re-queue). Beat re-queues a turn left locked
    # or resolving past a grace; setting this with a conditional UPDATE is the claim that throttles it.
    resolve_queued_at = models.DateTimeField(null=True, blank=True)
    # A crisis sub-turn opens the turn when the last one ended with a dyad at rung 4 or more: the two teams
    # choose (CrisisChoice) until crisis_deadline; the engine's crisis phase then runs on its own so the
    # room sees the outcome at once (crisis_result), and again, identically, as the first phase of the turn.
    crisis_deadline = models.DateTimeField(null=True, blank=True)
    crisis_result = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["exercise", "number"], name="turn_number_unique")]

    def __str__(self):
        return f"Turn {self.number}"

    def resolve_overdue(self, *, grace, now=None):
        """Locked or resolving, still without a result a grace after the lock: no worker has finished it."""
        if self.status not in (self.Status.LOCKED, self.Status.RESOLVING) or self.result is not None:
            return False
        return self.locked_at is None or (now or timezone.now()) - self.locked_at >= grace


class Order(models.Model):
    """One of a team's two catalogue slots for a turn. Team members share them."""

    turn = models.ForeignKey(Turn, on_delete=models.CASCADE, related_name="orders")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="orders")
    slot = models.PositiveSmallIntegerField()
    action = models.CharField(max_length=8)
    target = models.CharField(max_length=20, blank=True)  # a team code, or a sea zone id for a zone order
    note = models.TextField(blank=True)
    revision = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(Player, on_delete=models.SET_NULL, null=True, blank=True)
    by_bot = models.CharField(max_length=40, blank=True)  # the bot policy that gave this order, if a bot did
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["team_id", "slot"]
        constraints = [models.UniqueConstraint(fields=["turn", "team", "slot"], name="order_slot_unique")]


class Message(models.Model):
    class Kind(models.TextChoices):
        BILATERAL = "bilateral", _("Bilateral")
        GROUP = "group", _("Group")
        PUBLIC = "public", _("Public")
        BROADCAST = "broadcast", _("From White")

    exercise = models.ForeignKey(Exercise, on_delete=models.CASCADE, related_name="messages")
    turn_number = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=10, choices=Kind.choices)
    sender_team = models.ForeignKey(Team, on_delete=models.CASCADE, null=True, blank=True, related_name="sent")
    sender_name = models.CharField(max_length=60)
    recipients = models.ManyToManyField(Team, related_name="received", blank=True)
    body = models.TextField()
    thread = models.CharField(max_length=40, blank=True, db_index=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created", "id"]


class Event(models.Model):
    """Append-only log: orders, injects, draws, overrides, publications. Replay reads it."""

    exercise = models.ForeignKey(Exercise, on_delete=models.CASCADE, related_name="events")
    turn_number = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=40)
    actor = models.CharField(max_length=80, blank=True)
    payload = models.JSONField(default=dict)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]


class ArguedAction(models.Model):
    """A team's one matrix-game move per turn: an argument White adjudicates (GAME_MODEL §6)."""

    turn = models.ForeignKey(Turn, on_delete=models.CASCADE, related_name="argued")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="argued")
    action = models.TextField()
    intended = models.TextField()
    reasons = models.JSONField(default=list)  # up to three strings
    aims = models.JSONField(default=list)  # variable names it hopes to move, e.g. ["T:JPN-RUS", "RUS.D"]
    nearest_action = models.CharField(max_length=8, blank=True)
    target = models.CharField(max_length=3, blank=True)
    accepted_reasons = models.JSONField(default=list)  # indexes White accepts (weighted 2d6 mode)
    probability = models.PositiveSmallIntegerField(null=True, blank=True)  # umpire-set mode, percent
    revision = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(Player, on_delete=models.SET_NULL, null=True, blank=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["team_id"]
        constraints = [models.UniqueConstraint(fields=["turn", "team"], name="one_argued_per_team_turn")]


class CounterArgument(models.Model):
    argued = models.ForeignKey(ArguedAction, on_delete=models.CASCADE, related_name="counters")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="counters")
    text = models.TextField()
    accepted = models.BooleanField(default=False)  # White counts it (weighted 2d6 mode)
    author = models.ForeignKey(Player, on_delete=models.SET_NULL, null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created", "id"]


class EstimateCard(models.Model):
    """Estimative-cards mode: each non-arguing team (and White) picks a probability card."""

    CARDS = (0, 10, 30, 50, 70, 90, 100)

    argued = models.ForeignKey(ArguedAction, on_delete=models.CASCADE, related_name="cards")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, null=True, blank=True, related_name="cards")  # null = White
    probability = models.PositiveSmallIntegerField()
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["argued", "team"], name="one_card_per_team")]


class ThreadRead(models.Model):
    """How far a player has read one negotiation thread, for unread counts."""

    player = models.ForeignKey(Player, on_delete=models.CASCADE, related_name="reads")
    thread = models.CharField(max_length=40)  # "JPN-RUS", "public", "white", or "group:<sorted codes>"
    last_message_id = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["player", "thread"], name="one_read_marker_per_thread")]


class CrisisChoice(models.Model):
    """A team's choice in a crisis sub-turn: de-escalate, hold or escalate. Logged like an order."""

    class Choice(models.TextChoices):
        DEESCALATE = "deescalate", _("De-escalate")
        HOLD = "hold", _("Hold")
        ESCALATE = "escalate", _("Escalate")

    turn = models.ForeignKey(Turn, on_delete=models.CASCADE, related_name="crisis_choices")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="crisis_choices")
    choice = models.CharField(max_length=10, choices=Choice.choices)
    chosen_by = models.ForeignKey(Player, on_delete=models.SET_NULL, null=True, blank=True)
    by_white = models.CharField(max_length=80, blank=True)  # White chose for a team with no players
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["team_id"]
        constraints = [models.UniqueConstraint(fields=["turn", "team"], name="one_crisis_choice_per_team_turn")]


class ExportJob(models.Model):
    """A file White asked for (the exercise archive, the analysts' CSV, the printed report), made by a worker
    for a large exercise, with its progress; the file is served from here once ready."""

    class Kind(models.TextChoices):
        ARCHIVE = "archive", _("Exercise archive (JSON)")
        CSV = "csv", _("Tables for analysts (CSV, zipped)")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    exercise = models.ForeignKey(Exercise, on_delete=models.CASCADE, related_name="exports")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    options = models.JSONField(default=dict, blank=True)  # e.g. {"message_text": true}
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)  # percent
    filename = models.CharField(max_length=200, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    content = models.BinaryField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)
    created_by = models.CharField(max_length=150, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    finished = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created"]


class Forecast(models.Model):
    """White's "what happens if we publish this and they keep going?": the next turns run many times from a
    state, fanned out over the workers in chunks. Never changes the exercise; never shown to a player."""

    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")
        FAILED = "failed", _("Failed")

    exercise = models.ForeignKey(Exercise, on_delete=models.CASCADE, related_name="forecasts")
    number = models.PositiveIntegerField()  # per exercise: with the exercise seed, it seeds the runs
    from_turn = models.PositiveSmallIntegerField()  # the turn whose (proposed or published) state it starts from
    turns = models.PositiveSmallIntegerField(default=3)
    runs = models.PositiveIntegerField(default=2000)
    chunks = models.PositiveIntegerField(default=0)
    chunks_done = models.PositiveIntegerField(default=0)
    params = models.JSONField(default=dict, blank=True)  # the starting state, orders repeated, dyads charted
    result = models.JSONField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    error = models.CharField(max_length=500, blank=True)
    created_by = models.CharField(max_length=150, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    finished = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created"]
        constraints = [models.UniqueConstraint(fields=["exercise", "number"], name="forecast_number_unique")]


class ForecastChunk(models.Model):
    """One chunk's summary, a row of its own so that storing it costs the same for the first chunk and the last
    (one growing JSON on the forecast was rewritten under its lock by every chunk). Merged when all are in."""

    forecast = models.ForeignKey(Forecast, on_delete=models.CASCADE, related_name="chunk_rows")
    index = models.PositiveIntegerField()
    summary = models.JSONField()
    worker = models.CharField(max_length=200, blank=True)
    finished = models.DateTimeField()

    class Meta:
        ordering = ["index"]
        constraints = [models.UniqueConstraint(fields=["forecast", "index"], name="forecast_chunk_unique")]


class UploadedScenario(models.Model):
    """A scenario a facilitator brought: its rules and prose files as uploaded (checked by the same validator as
    the shipped files before this row is made), and its calibration report, made on the worker. The loader
    finds it by slug (wargame.scenarios.loader.register_source, from AppConfig.ready); a slug never shadows a
    shipped scenario's."""

    class Calibration(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        NO_TARGETS = "no_targets", _("No targets")
        FAILED = "failed", _("Failed")

    slug = models.SlugField(unique=True)
    title = models.CharField(max_length=200)
    rules_yaml = models.TextField()
    text_yaml = models.TextField()
    rules_filename = models.CharField(max_length=200, blank=True)
    text_filename = models.CharField(max_length=200, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="uploaded_scenarios")
    created = models.DateTimeField(auto_now_add=True)
    calibration_status = models.CharField(max_length=12, choices=Calibration.choices, default=Calibration.QUEUED)
    calibration_report = models.JSONField(null=True, blank=True)  # wargame.engine.calibrate.calibrate()'s dict
    calibration_error = models.CharField(max_length=1000, blank=True)
    calibration_queued_at = models.DateTimeField(null=True, blank=True)
    calibration_finished = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created"]

    def __str__(self):
        return self.title or self.slug
