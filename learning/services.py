"""Writes: what learners and trainers do. Keyword-only functions, one per action."""

import json
from dataclasses import dataclass
from datetime import timedelta

from axes.utils import reset as axes_reset
from django.contrib.auth import get_user_model
from django.contrib.sessions.backends.base import SessionBase
from django.db import transaction
from django.db.models import Count, F, Max
from django.db.models.functions import Greatest
from django.utils import timezone

from modules.blocks import Grade, is_graded_in_browser

from . import lrs, names, throttling, xapi
from .codes import issue_code
from .completion import module_is_complete
from .models import ExerciseAttempt, Learner, LessonProgress, SimulatorRun
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
    # The one name rule of every entry point (raises ValidationError).
    first_name = names.clean_first_name(first_name)
    last_initial = names.clean_last_initial(last_initial)
    pictures = list(pictures or random_pictures())
    code = issue_code()
    user = get_user_model().objects.create(username=f"apprenant-{code.code}")
    user.set_unusable_password()
    user.save(update_fields=["password"])
    learner = Learner.objects.create(
        user=user,
        code=code,
        first_name=first_name,
        last_initial=last_initial,
        structure=structure,
        language=language,
        picture_password=picture_password_hash(pictures),
        pin=pin_hash(pin) if pin else "",
        created_by=created_by,
    )
    return learner, pictures


def learner_password_reset(*, learner, pictures=None) -> list[str]:
    """New pictures; unlocks the code. Returns the pictures.

    The PIN, if any, is kept: new pictures must not silently take away the
    other way in (`learner_pin_set` changes or removes it).
    """
    pictures = list(pictures or random_pictures())
    learner.picture_password = picture_password_hash(pictures)
    learner.save(update_fields=["picture_password"])
    learner_unlock(learner=learner)
    return pictures


def learner_pin_set(*, learner, pin: str) -> None:
    """A new 4-digit PIN, or none when `pin` is empty; unlocks the code.

    Raises ValueError for anything but 4 ASCII digits (the forms say it first).
    """
    learner.pin = pin_hash(pin) if pin else ""
    learner.save(update_fields=["pin"])
    learner_unlock(learner=learner)


def learner_unlock(*, learner):
    """Lift a lock after too many failed sign-ins, from every computer."""
    axes_reset(username=learner.code_id)
    throttling.username_unlock(learner.code_id)


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
    # Called once per lesson, when it becomes completed: the lesson that completes
    # the module sends the statement. Not "unless a statement already says so": a
    # learner may post any statement, and could silence ours with a fake one.
    if module_is_complete(lesson_count=len(keys), completed_count=done):
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


def _move_to_step(progress, step_number):
    """The learner is on `step_number`; the clock of that step starts when they arrive."""
    if progress.current_step != step_number or progress.step_started_at is None:
        progress.step_started_at = timezone.now()
    progress.current_step = step_number


@transaction.atomic
def lesson_step_view(*, user, lesson, step_number):
    progress = _progress_for(user, lesson)
    progress.completed_steps = sorted(set(progress.completed_steps) | {step_number})
    _move_to_step(progress, step_number)
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
    _move_to_step(progress, step_number)
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
    """An exercise passed in the browser (a top-level xAPI statement): count it as passed.

    Only exercises graded in the browser (`is_graded_in_browser`: H5P) can be passed
    this way. Every other exercise is graded here, by `exercise_attempt_submit`;
    a statement saying it was passed is kept and moves nothing, since any learner
    can post one. Returns the progress, or None when nothing moved.
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
        if not is_graded_in_browser(exercise.block):
            return None
        progress = _progress_for(user, lesson)
        if block_id not in progress.passed_exercises:
            progress.passed_exercises = [*progress.passed_exercises, block_id]
        return _save_progress(progress, lesson)
    return None


@transaction.atomic
def lesson_time_add(*, user, lesson, seconds):
    """A heartbeat from a visible lesson page: the seconds it was visible, as the
    browser says. Returns the seconds counted.

    The browser is believed up to HEARTBEAT_MAX_SECONDS, and up to the real time
    since what was last counted for this learner and lesson (from any tab or
    browser; the first beat, since the lesson was opened): many quick beats, or
    two tabs, add no more time than has passed. A beat for a lesson the learner
    never opened counts nothing and starts nothing.
    """
    # Locked: two beats at once count in turn.
    progress = (
        LessonProgress.objects.select_for_update()
        .filter(learner=user, lesson_key=lesson.stable_key)
        .first()
    )
    if progress is None:
        return 0
    now = timezone.now()
    counted_from = progress.time_counted_at or progress.started_at
    elapsed = max(0.0, (now - counted_from).total_seconds())
    claimed = max(0, min(seconds, HEARTBEAT_MAX_SECONDS))
    if elapsed <= claimed:
        # Real time is the limit: count its whole seconds, keep the rest for the next beat.
        counted = int(elapsed)
        counted_to = counted_from + timedelta(seconds=counted)
    else:
        # The page was hidden for the rest (or the beat is capped): that time is gone.
        counted = int(claimed)
        counted_to = now
    LessonProgress.objects.filter(pk=progress.pk).update(
        time_spent_s=F("time_spent_s") + counted, time_counted_at=counted_to, last_seen_at=now
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
def guest_progress_merge(*, session: SessionBase, user, guest_session_key=None):
    """Move a guest's progress into their account: nothing lost, nothing counted twice.

    Steps and passed exercises are unions; the progress fraction only grows;
    the current step is the guest's, their latest activity. The guest's simulator
    runs (found by `guest_session_key`, the key before sign-in changed it) become
    the account's latest runs.
    """
    from modules.models import LessonPage

    if guest_session_key:
        _guest_runs_merge(session_key=guest_session_key, user=user)
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
        _move_to_step(progress, max(1, int(state.get("current_step", 1))))
        if lesson is not None:
            _save_progress(progress, lesson)
        else:
            progress.save()
    session.modified = True
    return len(guest)


def _guest_runs_merge(*, session_key, user):
    runs = list(
        SimulatorRun.objects.select_for_update()
        .filter(user=None, session_key=session_key)
        .order_by("attempt_number", "created_at")
    )
    latest = {}
    for run in runs:
        key = (run.lesson_key, run.block_id)
        if key not in latest:
            latest[key] = (
                SimulatorRun.objects.filter(
                    user=user, lesson_key=run.lesson_key, block_id=run.block_id
                ).aggregate(number=Max("attempt_number"))["number"]
                or 0
            )
        latest[key] += 1
        run.user, run.session_key, run.attempt_number = user, "", latest[key]
        run.save(update_fields=["user", "session_key", "attempt_number"])


# --- Practice simulators ----------------------------------------------------------


@dataclass(frozen=True)
class SimulationOutcome:
    """What one action in a simulator meant: goals reached, a hint, the mission done."""

    reached: tuple = ()  # instructions of the goals reached by this action
    hint: str = ""
    completed: bool = False


def _run_owner(*, user, session_key):
    if user is not None and user.is_authenticated:
        return {"user": user}
    return {"user": None, "session_key": session_key}


@transaction.atomic
def simulation_run_open(*, user, session_key, lesson, step_number, exercise):
    """The latest run of this simulation step for this person, or a first one."""
    owner = _run_owner(user=user, session_key=session_key)
    latest = (
        SimulatorRun.objects.filter(lesson_key=lesson.stable_key, block_id=exercise.id, **owner)
        .order_by("-attempt_number")
        .first()
    )
    scenario = exercise.value["scenario"]
    if latest is not None and latest.scenario_id == scenario.pk:
        return latest
    return _simulation_run_new(
        owner=owner,
        lesson=lesson,
        step_number=step_number,
        block_id=exercise.id,
        scenario=scenario,
        attempt_number=latest.attempt_number + 1 if latest else 1,
    )


def _simulation_run_new(*, owner, lesson, step_number, block_id, scenario, attempt_number):
    from . import simulators

    return SimulatorRun.objects.create(
        **owner,
        lesson=lesson,
        lesson_key=lesson.stable_key,
        step_number=step_number,
        block_id=block_id,
        scenario=scenario,
        kind=scenario.kind,
        attempt_number=attempt_number,
        state=simulators.handler(scenario.kind).initial_state(scenario),
    )


@transaction.atomic
def simulation_run_restart(*, run):
    """ "Recommencer": a new run from the scenario's start; the old one stays as history."""
    last = (
        SimulatorRun.objects.filter(
            lesson_key=run.lesson_key,
            block_id=run.block_id,
            user=run.user,
            session_key=run.session_key,
        )
        .order_by("-attempt_number")
        .values_list("attempt_number", flat=True)
        .first()
    )
    return _simulation_run_new(
        owner={"user": run.user, "session_key": run.session_key},
        lesson=run.lesson,
        step_number=run.step_number,
        block_id=run.block_id,
        scenario=run.scenario,
        attempt_number=(last or run.attempt_number) + 1,
    )


@transaction.atomic
def simulation_event(*, run, event: dict, session: SessionBase | None = None):
    """Check one learner action against the step's goals, on the server.

    `event` is what the simulator saw ({"type": "mail_sent", ...}); the run's
    state must already hold the action's effect. When the action reaches the
    last goal, or misses a goal (a hint), it is one graded attempt: stored,
    emitted as xAPI and counted in the lesson's progress like any exercise.
    """
    run = SimulatorRun.objects.select_for_update().get(pk=run.pk)
    lesson = run.lesson
    number, exercise = lesson.exercise_by_id(run.block_id) if lesson else (None, None)
    if exercise is None or exercise.block_type != "simulation" or run.scenario_id is None:
        return SimulationOutcome()  # the lesson changed under the learner: nothing to grade
    reached, hints = [], []
    goals = exercise.block.goal_list(exercise.value)
    for goal in goals:
        if goal.value["key"] in run.goals_done:
            continue
        check = goal.block.reached(goal.value, event, run.state)
        if check is None:
            continue
        if check.done:
            run.goals_done = [*run.goals_done, goal.value["key"]]
            reached.append(goal.value["instruction"])
        else:
            hints.append(check.hint or goal.value["hint"] or "")
    completed = bool(goals) and all(goal.value["key"] in run.goals_done for goal in goals)
    if completed and run.completed_at is None:
        run.completed_at = timezone.now()
    run.save(update_fields=["goals_done", "completed_at", "updated_at"])
    hint = next((text for text in hints if text), "")
    if (completed and reached) or (hints and not reached):
        grade = exercise.block.grade(exercise.value, {"done": run.goals_done, "hint": hint})
        answer = {
            "run": str(run.id),
            "attempt": run.attempt_number,
            "event": str(event.get("type", ""))[:50],
            "done": run.goals_done,
        }
        if run.user_id:
            exercise_attempt_submit(
                user=run.user,
                lesson=lesson,
                step_number=number,
                exercise=exercise,
                answer=answer,
                grade=grade,
            )
        elif session is not None:
            guest_step_view(session=session, lesson_key=lesson.stable_key, step_number=number)
            guest_exercise_submit(
                session=session, lesson_key=lesson.stable_key, block_id=exercise.id, grade=grade
            )
    return SimulationOutcome(reached=tuple(reached), hint=hint, completed=completed)


# --- Groups and attendance ------------------------------------------------------

BULK_LEARNERS_MAX = 20


def _learner_line_parse(number, line):
    """'Fatou', 'Fatou D', 'Anne-Marie D.' -> (first name, initial); raises on bad lines.

    The name rule is `names.clean_first_name`, the same as every other entry point;
    only the messages say which line is wrong.
    """
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    tokens = line.split()
    initial = ""
    if len(tokens) > 1 and len(tokens[-1].rstrip(".")) == 1 and tokens[-1][0].isalpha():
        initial = names.clean_last_initial(tokens.pop())
    try:
        first_name = names.clean_first_name(" ".join(tokens))
    except ValidationError as error:
        if error.code == "too_long":
            raise ValidationError(
                _("Ligne %(number)s : ce prénom est trop long (%(max)s signes au plus).")
                % {"number": number, "max": names.FIRST_NAME_MAX_LENGTH}
            ) from error
        raise ValidationError(
            _(
                "Ligne %(number)s : écrivez seulement un prénom, "
                "avec des lettres (et l'initiale du nom si vous voulez)."
            )
            % {"number": number}
        ) from error
    return first_name, initial


def learner_lines_parse(*, lines):
    """The (first name, initial) of each non-blank line; every error reported at once.

    `lines` is the text typed by the trainer (or a list of its lines). Blank
    lines are skipped. Raises ValidationError (messages in French).
    """
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    if isinstance(lines, str):
        lines = lines.splitlines()
    names, errors = [], []
    for number, line in enumerate(lines, start=1):
        line = " ".join(str(line).split())
        if not line:
            continue
        try:
            names.append(_learner_line_parse(number, line))
        except ValidationError as error:
            errors.extend(error.messages)
    if not names and not errors:
        errors.append(_("Écrivez au moins un prénom, un par ligne."))
    if len(names) > BULK_LEARNERS_MAX:
        errors.append(
            _("Vous pouvez créer %(max)s apprenants au plus à la fois. Vous en avez écrit %(n)s.")
            % {"max": BULK_LEARNERS_MAX, "n": len(names)}
        )
    if errors:
        raise ValidationError(errors)
    return names


@transaction.atomic
def group_learners_bulk_create(*, group, lines, created_by):
    """Create one learner per line in the group's structure and add them to the group.

    All or nothing: a bad line creates no one (ValidationError, in French).
    Returns [(learner, pictures in clear)], the pictures to be shown or printed now.
    """
    created = [
        learner_create(
            first_name=first_name,
            last_initial=initial,
            structure=group.structure,
            created_by=created_by,
        )
        for first_name, initial in learner_lines_parse(lines=lines)
    ]
    group.learners.add(*(learner for learner, _pictures in created))
    return created


def attendance_record(*, session, learner, status, recorded_by):
    """Set a learner's attendance at a session (one row per session and learner).

    The caller makes sure the learner belongs to the session's group.
    """
    from django.core.exceptions import ValidationError
    from django.db import IntegrityError

    from .models import Attendance

    if status not in Attendance.Status.values:
        raise ValidationError("Unknown attendance status: %(status)s", params={"status": status})
    defaults = {"status": status, "recorded_by": recorded_by}
    try:
        with transaction.atomic():
            attendance, _created = Attendance.objects.update_or_create(
                session=session, learner=learner, defaults=defaults
            )
    except IntegrityError:
        # Two taps at once both tried to create the row: the other one won, update it.
        attendance, _created = Attendance.objects.update_or_create(
            session=session, learner=learner, defaults=defaults
        )
    return attendance


@transaction.atomic
def attendance_record_many(*, session, statuses, recorded_by):
    """The attendance form sent at once: {learner: status}; unchanged rows are left alone.

    Returns how many statuses changed.
    """
    from .models import Attendance

    current = dict(Attendance.objects.filter(session=session).values_list("learner_id", "status"))
    changed = 0
    for learner, status in statuses.items():
        if current.get(learner.pk) != status:
            attendance_record(
                session=session, learner=learner, status=status, recorded_by=recorded_by
            )
            changed += 1
    return changed


@transaction.atomic
def attendance_all_present(*, session, recorded_by):
    """ "Tous présents": every learner of the group not recorded yet is present.

    Statuses already recorded (an absence, a late arrival) are kept. Returns
    how many learners were marked present.
    """
    from .models import Attendance

    recorded = Attendance.objects.filter(session=session).values("learner_id")
    missing = session.group.learners.exclude(pk__in=recorded)
    rows = [
        Attendance(
            session=session,
            learner=learner,
            status=Attendance.Status.PRESENT,
            recorded_by=recorded_by,
        )
        for learner in missing
    ]
    Attendance.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


# --- Groups: raised hands and proposed lessons ------------------------------------


def help_request_raise(*, learner, lesson, step_number):
    """ "J'ai besoin d'aide": raise the learner's hand, once. A second press gives back
    the hand already up (moved to where the learner is now); it is not raised twice.

    Raises ValidationError for a learner in no group running today: no trainer
    would see the hand.
    """
    from django.core.exceptions import ValidationError
    from django.db import IntegrityError
    from django.utils.translation import gettext as _

    from . import selectors
    from .models import HelpRequest

    where = {"lesson": lesson, "step_number": step_number}
    hand = selectors.learner_open_help_request(learner=learner)
    if hand is None:
        group = selectors.learner_current_groups(learner=learner).order_by("-start_date").first()
        if group is None:
            raise ValidationError(_("Vous n'êtes dans aucun groupe en ce moment."))
        try:
            with transaction.atomic():
                return HelpRequest.objects.create(learner=learner, group=group, **where)
        except IntegrityError:  # the same press, twice at once: the other one won
            hand = selectors.learner_open_help_request(learner=learner)
    HelpRequest.objects.filter(pk=hand.pk).update(**where)
    hand.lesson, hand.step_number = lesson, step_number
    return hand


def help_request_cancel(*, learner):
    """ "Je n'ai plus besoin d'aide": the learner lowers their own hand."""
    from .models import HelpRequest

    return HelpRequest.objects.filter(learner=learner, resolved_at__isnull=True).update(
        resolved_at=timezone.now(), resolved_by=learner.user
    )


def learner_signed_out(*, learner):
    """ "J'ai fini" or the inactivity timeout: the learner has left the computer. Their
    hand goes down (nobody is there to help any more) and the dashboard stops
    showing them as active."""
    help_request_cancel(learner=learner)
    learner.signed_out_at = timezone.now()
    learner.save(update_fields=["signed_out_at"])


def help_request_resolve(*, help_request, by):
    """ "C'est fait": the trainer has helped. Resolving twice changes nothing."""
    from .models import HelpRequest

    now = timezone.now()
    done = HelpRequest.objects.filter(pk=help_request.pk, resolved_at__isnull=True).update(
        resolved_at=now, resolved_by=by
    )
    if done:
        help_request.resolved_at, help_request.resolved_by = now, by
    return help_request


def group_lesson_propose(*, group, lesson, by):
    """ "Proposer cette leçon au groupe": the learners' home offers it.

    Raises ValidationError when the lesson is not a live lesson of the group's parcours.
    """
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _
    from wagtail.log_actions import log

    from . import selectors

    lessons = {
        each.pk
        for _module, module_lessons in selectors.group_parcours_lessons(group=group)
        for each in module_lessons
    }
    if group.archived_at is not None:
        raise ValidationError(_("Ce groupe est archivé : il ne propose plus de leçon."))
    if lesson is None or lesson.pk not in lessons:
        raise ValidationError(_("Cette leçon ne fait pas partie du parcours du groupe."))
    group.current_lesson = lesson
    group.current_lesson_set_at = timezone.now()
    group.save(update_fields=["current_lesson", "current_lesson_set_at"])
    log(instance=group, action="learning.lesson_proposed", user=by, data={"lesson": lesson.title})
    return group


def group_lesson_withdraw(*, group, by):
    """Stop proposing a lesson: the learners' home no longer offers it."""
    from wagtail.log_actions import log

    if group.current_lesson_id is None:
        return group
    title = group.current_lesson.title if group.current_lesson else ""
    group.current_lesson = None
    group.current_lesson_set_at = None
    group.save(update_fields=["current_lesson", "current_lesson_set_at"])
    log(instance=group, action="learning.lesson_withdrawn", user=by, data={"lesson": title})
    return group


# --- Groups: archiving (a group that has séances is never deleted) -------------------


def group_archive(*, group, by):
    """ "Archiver": the group leaves the listings, the dashboards and its learners' home;
    its séances and attendance stay, so their hours keep counting. Hands raised in it
    go down: no trainer would see them any more. Archiving twice changes nothing."""
    from wagtail.log_actions import log

    from .models import Group, HelpRequest

    now = timezone.now()
    with transaction.atomic():
        if not Group.objects.filter(pk=group.pk, archived_at__isnull=True).update(archived_at=now):
            group.refresh_from_db(fields=["archived_at"])
            return group
        HelpRequest.objects.filter(group=group, resolved_at__isnull=True).update(
            resolved_at=now, resolved_by=by
        )
        group.archived_at = now
        log(instance=group, action="learning.group_archived", user=by)
    return group


def group_unarchive(*, group, by):
    """ "Désarchiver": the group is back in the listings and dashboards."""
    from wagtail.log_actions import log

    from .models import Group

    with transaction.atomic():
        if not Group.objects.filter(pk=group.pk, archived_at__isnull=False).update(
            archived_at=None
        ):
            group.refresh_from_db(fields=["archived_at"])
            return group
        group.archived_at = None
        log(instance=group, action="learning.group_unarchived", user=by)
    return group


# --- Trainer notes --------------------------------------------------------------


def _note_fields_check(learner, visibility, session):
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext

    from .models import TrainerNote

    if visibility not in TrainerNote.Visibility.values:
        raise ValidationError(gettext("Choisissez qui peut lire la note."))
    if session is not None and not session.group.learners.filter(pk=learner.pk).exists():
        raise ValidationError(gettext("Choisissez une séance d'un groupe de la personne."))


@transaction.atomic
def note_create(*, learner, author, body, visibility, session=None):
    """A trainer's note about a learner. The text is cleaned here, whoever calls."""
    from cms.sanitize import clean_html

    from .models import TrainerNote

    _note_fields_check(learner, visibility, session)
    return TrainerNote.objects.create(
        learner=learner,
        author=author,
        body=clean_html(body),
        visibility=visibility,
        session=session,
    )


@transaction.atomic
def note_update(*, note, editor, body, visibility, session):
    """Only the author edits a note; the previous text and visibility are kept as a
    version first, so the history stays readable."""
    from django.core.exceptions import PermissionDenied

    from cms.sanitize import clean_html

    from .models import TrainerNote, TrainerNoteVersion

    note = TrainerNote.objects.select_for_update().get(pk=note.pk)
    if note.author_id is None or note.author_id != editor.pk:
        raise PermissionDenied
    _note_fields_check(note.learner, visibility, session)
    body = clean_html(body)
    if body != note.body or visibility != note.visibility:
        TrainerNoteVersion.objects.create(note=note, body=note.body, visibility=note.visibility)
    note.body = body
    note.visibility = visibility
    note.session = session
    note.save()
    return note


# --- Erasure (GDPR right to erasure) ------------------------------------------------

LEARNER_ERASED = "learning.learner_erase"


@transaction.atomic
def learner_erase(*, learner, by):
    """Erase a learner and everything about them; keep their code taken forever.

    Deleting the user cascades to the learner, their progress, attempts,
    statements, attendance, referrals, notes (and versions), raised hands and
    group memberships. Statements a tool sent about them are deleted too, and the
    sign-in throttling rows of their code. Earlier admin log entries lose the
    person's name; the erasure itself is logged without it.
    Statements already forwarded to an external LRS are not reached from here.
    """
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from django.contrib.contenttypes.models import ContentType
    from django.core.exceptions import PermissionDenied
    from django.utils.translation import gettext
    from wagtail.models import ModelLogEntry

    from .models import Attendance, HelpRequest, Referral, TrainerNote
    from .selectors import learner_statements

    if not by.has_perm("learning.delete_learner"):
        raise PermissionDenied
    learner = Learner.objects.select_for_update().select_related("user").get(pk=learner.pk)
    anonymous = gettext("Apprenant effacé")
    related = {
        Learner: [learner.pk],
        Referral: list(Referral.objects.filter(learner=learner).values_list("pk", flat=True)),
        TrainerNote: list(TrainerNote.objects.filter(learner=learner).values_list("pk", flat=True)),
        Attendance: list(Attendance.objects.filter(learner=learner).values_list("pk", flat=True)),
        HelpRequest: list(HelpRequest.objects.filter(learner=learner).values_list("pk", flat=True)),
    }
    for model, pks in related.items():
        if pks:
            ModelLogEntry.objects.filter(
                content_type=ContentType.objects.get_for_model(model),
                object_id__in=[str(pk) for pk in pks],
            ).update(label=anonymous, data={})
    learner_statements(learner=learner).delete()
    for model in (AccessAttempt, AccessFailureLog, AccessLog):
        model.objects.filter(username=learner.code_id).delete()
    ModelLogEntry.objects.log_action(
        learner,
        LEARNER_ERASED,
        user=by,
        title=anonymous,
        data={"structure": learner.structure_id},
        deleted=True,
    )
    learner.user.delete()
