"""Reads: progress as learners and trainers see it."""

from dataclasses import dataclass, field

from django.contrib.sessions.backends.base import SessionBase

from .models import LessonProgress
from .services import GUEST_PROGRESS_KEY


@dataclass(frozen=True)
class LessonState:
    current_step: int = 1
    seen: frozenset = field(default_factory=frozenset)
    passed: frozenset = field(default_factory=frozenset)


def guest_lesson_state(*, session: SessionBase, lesson_key: str) -> LessonState:
    lesson = session.get(GUEST_PROGRESS_KEY, {}).get(lesson_key)
    if not lesson:
        return LessonState()
    return LessonState(
        current_step=lesson["current_step"],
        seen=frozenset(lesson["seen"]),
        passed=frozenset(lesson["passed"]),
    )


def learner_lesson_state(*, user, lesson_key: str) -> LessonState:
    progress = LessonProgress.objects.filter(learner=user, lesson_key=lesson_key).first()
    if progress is None:
        return LessonState()
    return LessonState(
        current_step=progress.current_step,
        seen=frozenset(progress.completed_steps),
        passed=frozenset(progress.passed_exercises),
    )


@dataclass(frozen=True)
class ContinueTarget:
    lesson: object
    step_number: int

    @property
    def url(self):
        return f"{self.lesson.url}?etape={self.step_number}"


def learner_continue_target(*, user):
    """Exactly where the learner stopped: the last lesson they saw, at its step."""
    progress = (
        LessonProgress.objects.filter(learner=user, lesson__live=True)
        .select_related("lesson")
        .order_by("-last_seen_at")
        .first()
    )
    if progress is None:
        return None
    lesson = progress.lesson
    return ContinueTarget(lesson=lesson, step_number=min(progress.current_step, lesson.step_count))


def structures_for_staff(*, user):
    """The structures a trainer or manager works in (all of them for a superuser)."""
    from .models import Structure

    if user is not None and user.is_superuser:
        return Structure.objects.all()
    return Structure.objects.filter(members=user) if user is not None else Structure.objects.none()


def learners_for_staff(*, user):
    """The learners a staff member may see: those of their structures, never others."""
    from .models import Learner

    if user.is_superuser:
        return Learner.objects.all()
    return Learner.objects.filter(structure__members=user).distinct()


def learner_is_locked(*, learner):
    from axes.models import AccessAttempt
    from django.conf import settings

    return AccessAttempt.objects.filter(
        username=learner.code_id, failures_since_start__gte=settings.AXES_FAILURE_LIMIT
    ).exists()
