"""Writes: what learners and trainers do. Keyword-only functions, one per action."""

import json

from axes.utils import reset as axes_reset
from django.contrib.auth import get_user_model
from django.contrib.sessions.backends.base import SessionBase
from django.db import transaction
from django.db.models import Count, F
from django.db.models.functions import Greatest
from django.utils import timezone

from modules.blocks import Grade

from . import lrs, xapi
from .codes import issue_code
from .models import ExerciseAttempt, Learner, LessonProgress, Statement
from .pictures import picture_password_hash, pin_hash, random_pictures

GUEST_PROGRESS_KEY = "guest_progress"


# --- Learner accounts -----------------------------------------------------------


@transaction.atomic
def learner_create(
    *,
    first_name,
    structure,
    last_initial="",
    language="fr",
    pictures=None,
    pin="",
    created_by=None,
):
    """Create a learner with a new code. Returns (learner, pictures in clear).

    The pictures are returned once, to be shown or printed now; only their
    hash is kept.
    """
    pictures = list(pictures or random_pictures())
    code = issue_code()
    user = get_user_model().objects.create(username=f"apprenant-{code.code}")
    user.set_unusable_password()
    user.save(update_fields=["password"])
    learner = Learner.objects.create(
        user=user,
        code=code,
        first_name=first_name.strip(),
        last_initial=last_initial.strip()[:1].upper(),
        structure=structure,
        language=language,
        picture_password=picture_password_hash(pictures),
        pin=pin_hash(pin) if pin else "",
        created_by=created_by,
    )
    return learner, pictures


def learner_password_reset(*, learner, pictures=None, pin=""):
    """New pictures (and optionally a new PIN); unlocks the code. Returns the pictures."""
    pictures = list(pictures or random_pictures())
    learner.picture_password = picture_password_hash(pictures)
    learner.pin = pin_hash(pin) if pin else ""
    learner.save(update_fields=["picture_password", "pin"])
    learner_unlock(learner=learner)
    return pictures


def learner_unlock(*, learner):
    """Lift a lock after too many failed sign-ins, from every computer."""
    axes_reset(username=learner.code_id)


# --- Progress -------------------------------------------------------------------

# A heartbeat counts at most this much time, whatever the browser claims.
HEARTBEAT_MAX_SECONDS = 60


def _progress_for(user, lesson):
    progress, created = LessonProgress.objects.select_for_update().get_or_create(
        learner=user, lesson_key=lesson.stable_key, defaults={"lesson": lesson}
    )
    if created:
        _emit(user, xapi.lesson_started(user=user, lesson=lesson))
    return progress


def _emit(user, statement):
    """Our own statements go through the same store as everyone's, in the same transaction."""
    lrs.statements_store([statement], sender=lrs.Sender(user=user))


def _module_completed_check(user, lesson):
    module = lesson.get_parent().specific
    keys = [each.stable_key for each in module.lessons]
    done = LessonProgress.objects.filter(
        learner=user, lesson_key__in=keys, completed_at__isnull=False
    ).count()
    if keys and done == len(keys):
        already = Statement.objects.filter(
            learner=user,
            verb_id=xapi.ADL + "completed",
            activity_id=xapi.activity_iri("module", module.stable_key),
        ).exists()
        if not already:
            _emit(user, xapi.module_completed(user=user, module=module))


def _fraction(lesson, steps):
    return min(1.0, len(steps) / lesson.step_count) if lesson.step_count else 0.0


def _is_complete(progress, lesson):
    """Every step seen, and every exercise passed or tried as often as its block allows."""
    if not set(range(1, lesson.step_count + 1)) <= set(progress.completed_steps):
        return False
    exercises = [exercise for _number, exercise in lesson.exercises()]
    if not exercises:
        return True
    counts = dict(
        progress.attempts.values_list("block_id")
        .annotate(n=Count("id"))
        .values_list("block_id", "n")
    )
    passed = set(progress.passed_exercises)
    return all(
        exercise.id in passed or counts.get(exercise.id, 0) >= exercise.value["max_attempts"]
        for exercise in exercises
    )


def _save_progress(progress, lesson):
    """Save, then apply the invariants: progress never decreases, completion is set once."""
    progress.lesson = lesson
    progress.save()
    fraction = _fraction(lesson, progress.completed_steps)
    LessonProgress.objects.filter(pk=progress.pk).update(progress=Greatest("progress", fraction))
    if _is_complete(progress, lesson):
        newly = LessonProgress.objects.filter(pk=progress.pk, completed_at__isnull=True).update(
            completed_at=timezone.now(), status=LessonProgress.Status.COMPLETED, progress=1.0
        )
        if newly:
            _emit(progress.learner, xapi.lesson_completed(user=progress.learner, lesson=lesson))
            _module_completed_check(progress.learner, lesson)
    progress.refresh_from_db()
    return progress


@transaction.atomic
def lesson_step_view(*, user, lesson, step_number):
    progress = _progress_for(user, lesson)
    progress.completed_steps = sorted(set(progress.completed_steps) | {step_number})
    progress.current_step = step_number
    return _save_progress(progress, lesson)


@transaction.atomic
def exercise_attempt_submit(*, user, lesson, step_number, exercise, answer, grade: Grade):
    """One transaction: the attempt, the step, the progress."""
    progress = _progress_for(user, lesson)  # locked: two tabs can't take the same number
    number = progress.attempts.filter(block_id=exercise.id).count() + 1
    ExerciseAttempt.objects.create(
        progress=progress,
        block_id=exercise.id,
        attempt_number=number,
        answer=answer,
        correct=grade.score,
        passed=grade.passed,
    )
    progress.completed_steps = sorted(set(progress.completed_steps) | {step_number})
    progress.current_step = step_number
    if grade.passed and exercise.id not in progress.passed_exercises:
        progress.passed_exercises = [*progress.passed_exercises, exercise.id]
    _emit(
        user,
        xapi.exercise_answered(
            user=user, lesson=lesson, exercise=exercise, grade=grade, response=json.dumps(answer)
        ),
    )
    return _save_progress(progress, lesson)


def exercise_pass_from_statement(*, user, block_id):
    """An exercise passed elsewhere (a top-level xAPI statement): count it as passed.

    Returns the progress, or None when no live lesson holds that exercise.
    """
    from django.db.models import TextField
    from django.db.models.functions import Cast

    from modules.models import LessonPage

    candidates = (
        LessonPage.objects.live()
        .annotate(steps_text=Cast("steps", output_field=TextField()))
        .filter(steps_text__contains=block_id)
    )
    for lesson in candidates:
        number, exercise = lesson.exercise_by_id(block_id)
        if exercise is None:
            continue
        progress = _progress_for(user, lesson)
        if block_id not in progress.passed_exercises:
            progress.passed_exercises = [*progress.passed_exercises, block_id]
        return _save_progress(progress, lesson)
    return None


@transaction.atomic
def lesson_time_add(*, user, lesson, seconds):
    """A heartbeat from a visible lesson page: counts at most the time since the
    last one, and at most HEARTBEAT_MAX_SECONDS."""
    progress = _progress_for(user, lesson)
    since_last = (timezone.now() - progress.last_seen_at).total_seconds()
    counted = int(max(0, min(seconds, HEARTBEAT_MAX_SECONDS, since_last + 1)))
    LessonProgress.objects.filter(pk=progress.pk).update(
        time_spent_s=F("time_spent_s") + counted, last_seen_at=timezone.now()
    )
    return counted


# --- Guests ---------------------------------------------------------------------


def _guest_lesson(session: SessionBase, lesson_key: str) -> dict:
    progress = session.setdefault(GUEST_PROGRESS_KEY, {})
    return progress.setdefault(
        lesson_key, {"current_step": 1, "seen": [], "passed": [], "attempts": {}}
    )


def guest_step_view(*, session: SessionBase, lesson_key: str, step_number: int) -> None:
    lesson = _guest_lesson(session, lesson_key)
    lesson["current_step"] = step_number
    if step_number not in lesson["seen"]:
        lesson["seen"].append(step_number)
    session.modified = True


def guest_exercise_submit(
    *, session: SessionBase, lesson_key: str, block_id: str, grade: Grade
) -> int:
    """Record one graded attempt; returns the attempt number."""
    lesson = _guest_lesson(session, lesson_key)
    attempts = lesson["attempts"].get(block_id, 0) + 1
    lesson["attempts"][block_id] = attempts
    if grade.passed and block_id not in lesson["passed"]:
        lesson["passed"].append(block_id)
    session.modified = True
    return attempts


@transaction.atomic
def guest_progress_merge(*, session: SessionBase, user):
    """Move a guest's progress into their account: nothing lost, nothing counted twice.

    Steps and passed exercises are unions; the progress fraction only grows;
    the current step is the guest's, their latest activity.
    """
    from modules.models import LessonPage

    guest = session.pop(GUEST_PROGRESS_KEY, None) or {}
    if not guest:
        return 0
    lessons = {
        lesson.stable_key: lesson
        for lesson in LessonPage.objects.filter(source_key__in=list(guest))
    }
    for key, state in guest.items():
        lesson = lessons.get(key)
        progress, _created = LessonProgress.objects.select_for_update().get_or_create(
            learner=user, lesson_key=key, defaults={"lesson": lesson}
        )
        steps = set(progress.completed_steps) | set(state.get("seen", []))
        progress.completed_steps = sorted(steps)
        progress.passed_exercises = sorted(
            set(progress.passed_exercises) | set(state.get("passed", []))
        )
        progress.current_step = max(1, int(state.get("current_step", 1)))
        if lesson is not None:
            _save_progress(progress, lesson)
        else:
            progress.save()
    session.modified = True
    return len(guest)
