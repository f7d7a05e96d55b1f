"""Practice simulator runs: one learner's (or guest's) attempt at a scenario."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q


class SimulatorRun(models.Model):
    """The state of one attempt in a simulator. "Recommencer" starts a new run.

    A run belongs to a signed-in user or, for a guest, to their session key; the
    id is random so that a run's URL can't be guessed.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="simulator_runs",
    )
    session_key = models.CharField(max_length=40, blank=True, db_index=True)
    lesson = models.ForeignKey(
        "modules.LessonPage", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    lesson_key = models.CharField(max_length=100)
    step_number = models.PositiveSmallIntegerField()
    block_id = models.CharField(max_length=64)
    scenario = models.ForeignKey(
        "modules.Scenario", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    kind = models.CharField(max_length=20)
    attempt_number = models.PositiveSmallIntegerField(default=1)
    state = models.JSONField(default=dict)
    goals_done = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False) | ~Q(session_key=""), name="run_has_owner"
            )
        ]
        indexes = [models.Index(fields=["user", "lesson_key", "block_id", "-attempt_number"])]
