from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class LessonProgress(models.Model):
    """Where a learner is in a lesson. Points at the lesson by its stable key, so
    it survives content reloads; the foreign key is a convenience."""

    class Status(models.TextChoices):
        STARTED = "started", _("Commencée")
        COMPLETED = "completed", _("Terminée")

    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lesson_progress"
    )
    lesson = models.ForeignKey(
        "modules.LessonPage", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    lesson_key = models.CharField(max_length=100)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.STARTED)
    current_step = models.PositiveSmallIntegerField(default=1)
    # When the learner came to `current_step`: the dashboard's "time on this step".
    step_started_at = models.DateTimeField(null=True, blank=True)
    completed_steps = models.JSONField(default=list)
    passed_exercises = models.JSONField(default=list)
    progress = models.FloatField(default=0.0)
    time_spent_s = models.PositiveIntegerField(default=0)
    # Up to when time_spent_s has counted: a heartbeat adds no more than the real
    # time since then, however many beats, tabs or browsers claim it.
    time_counted_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(auto_now_add=True)
    last_seen_at = models.DateTimeField(auto_now=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["learner", "lesson_key"], name="progress_once"),
            models.CheckConstraint(
                condition=Q(progress__gte=0) & Q(progress__lte=1), name="progress_in_0_1"
            ),
            models.CheckConstraint(condition=Q(current_step__gte=1), name="step_from_1"),
            models.CheckConstraint(
                condition=Q(completed_at__isnull=True) | Q(completed_at__gte=F("started_at")),
                name="completed_after_start",
            ),
        ]
        indexes = [models.Index(fields=["learner", "-last_seen_at"])]
        verbose_name = _("progression dans une leçon")
        verbose_name_plural = _("progressions dans les leçons")


class ExerciseAttempt(models.Model):
    """One graded answer to an exercise. Never updated, never counted twice."""

    progress = models.ForeignKey(LessonProgress, on_delete=models.CASCADE, related_name="attempts")
    block_id = models.CharField(max_length=64)
    attempt_number = models.PositiveSmallIntegerField()
    answer = models.JSONField()
    correct = models.FloatField()
    passed = models.BooleanField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["progress", "block_id", "attempt_number"], name="attempt_once"
            ),
            models.CheckConstraint(
                condition=Q(correct__gte=0) & Q(correct__lte=1), name="correct_in_0_1"
            ),
            models.CheckConstraint(condition=Q(attempt_number__gte=1), name="attempt_from_1"),
        ]
        ordering = ["created_at"]
        verbose_name = _("essai")
        verbose_name_plural = _("essais")
