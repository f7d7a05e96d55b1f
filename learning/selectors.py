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


@dataclass
class ModuleProgress:
    module: object
    lesson_count: int
    completed: int
    progress: float  # 0–1, the mean of its lessons' progress

    @property
    def is_complete(self):
        return self.lesson_count > 0 and self.completed == self.lesson_count

    @property
    def percent(self):
        return round(self.progress * 100)


@dataclass
class ParcoursProgress:
    parcours: object
    modules: list

    @property
    def is_complete(self):
        available = [m for m in self.modules if m.lesson_count]
        return bool(available) and all(m.is_complete for m in available)

    @property
    def percent(self):
        available = [m for m in self.modules if m.lesson_count]
        if not available:
            return 0
        return round(100 * sum(m.progress for m in available) / len(available))


def learner_parcours_progress(*, user, parcours_list):
    """Progress per parcours and module, derived from lesson progress (never stored twice).

    A module counts by its lessons' stable keys, so a module completed in one
    parcours is completed in every parcours that uses it. Four queries, whatever
    the number of parcours, modules and lessons.
    """
    from modules.models import ModulePage, ParcoursModule

    links = list(
        ParcoursModule.objects.filter(page__in=parcours_list, module__live=True)
        .select_related("module")
        .order_by("page_id", "sort_order")
    )
    modules = list({link.module.pk: link.module for link in links}.values())
    ModulePage.annotate_lessons(modules)
    keys = [lesson.stable_key for module in modules for lesson in module.lessons]
    rows = {
        row["lesson_key"]: row
        for row in LessonProgress.objects.filter(learner=user, lesson_key__in=keys).values(
            "lesson_key", "progress", "completed_at"
        )
    }
    by_module = {}
    for module in modules:
        states = [rows.get(lesson.stable_key) for lesson in module.lessons]
        count = len(module.lessons)
        by_module[module.pk] = ModuleProgress(
            module=module,
            lesson_count=count,
            completed=sum(1 for row in states if row and row["completed_at"]),
            progress=sum(row["progress"] for row in states if row) / count if count else 0.0,
        )
    return [
        ParcoursProgress(
            parcours=parcours,
            modules=[by_module[link.module_id] for link in links if link.page_id == parcours.pk],
        )
        for parcours in parcours_list
    ]
