"""Reads: progress as learners and trainers see it."""

from dataclasses import dataclass, field

from django.contrib.sessions.backends.base import SessionBase

from .completion import module_is_complete, parcours_fraction, parcours_is_complete
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


def parcours_start_lesson(*, lessons, user=None, session=None):
    """The first of `lessons` (a parcours' lessons, in order) not finished yet, and
    whether any is: (lesson or None, started). Finished: completed for a learner;
    every step seen for a guest (their session keeps no completion)."""
    keys = [lesson.stable_key for lesson in lessons]
    if user is not None:
        done = set(
            LessonProgress.objects.filter(
                learner=user, lesson_key__in=keys, completed_at__isnull=False
            ).values_list("lesson_key", flat=True)
        )
    else:
        guest = session.get(GUEST_PROGRESS_KEY, {}) if session is not None else {}
        done = {
            lesson.stable_key
            for lesson in lessons
            if lesson.stable_key in guest
            and set(range(1, lesson.step_count + 1)) <= set(guest[lesson.stable_key]["seen"])
        }
    first = next((lesson for lesson in lessons if lesson.stable_key not in done), None)
    return first, bool(done)


def self_signup_open(*, site) -> bool:
    """Whether "Créer un compte" is offered on this site. A plain read: unlike
    `LearnerSettings.for_site`, it never creates the settings row (a guest's page
    view writes nothing)."""
    from .models import LearnerSettings

    return LearnerSettings.objects.filter(
        site=site, self_signup=True, signup_structure__isnull=False
    ).exists()


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

    from .throttling import username_is_locked

    return AccessAttempt.objects.filter(
        username=learner.code_id, failures_since_start__gte=settings.AXES_FAILURE_LIMIT
    ).exists() or username_is_locked(learner.code_id)


@dataclass
class ModuleProgress:
    module: object
    lesson_count: int
    completed: int
    progress: float  # 0–1, the mean of its lessons' progress

    @property
    def is_complete(self):
        return module_is_complete(lesson_count=self.lesson_count, completed_count=self.completed)

    @property
    def percent(self):
        return round(self.progress * 100)


@dataclass
class ParcoursProgress:
    parcours: object
    modules: list

    @property
    def is_complete(self):
        """Every listed module complete: one with no lesson yet keeps it unfinished."""
        return parcours_is_complete(m.is_complete for m in self.modules)

    @property
    def percent(self):
        """Over every listed module: never 100 while one has no lesson yet."""
        percent = round(100 * parcours_fraction(m.progress for m in self.modules))
        return min(percent, 99) if percent == 100 and not self.is_complete else percent


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


# --- Groups, sessions, attendance, partners, referrals (the trainer space) ---------
#
# Each `*_for_staff` selector filters on `structure__in=<the staff's structures>`:
# a subquery, never a join on the members, so rows are never duplicated and the
# querysets can be annotated, counted and exported as they are.


def groups_for_staff(*, user):
    """The groups of the structures a trainer or manager works in, archived ones
    included: every view of one group (its page, history, séances) is reached through it."""
    from .models import Group

    return Group.objects.filter(structure__in=structures_for_staff(user=user))


def active_groups_for_staff(*, user):
    """The staff's groups that are not archived: the ones to choose from or to list."""
    return groups_for_staff(user=user).filter(archived_at__isnull=True)


def training_sessions_for_staff(*, user):
    from .models import TrainingSession

    return TrainingSession.objects.filter(group__structure__in=structures_for_staff(user=user))


def partners_for_staff(*, user):
    from .models import Partner

    return Partner.objects.filter(structure__in=structures_for_staff(user=user))


def referrals_for_staff(*, user):
    """Referrals of the staff's learners (a referral belongs to its learner's structure)."""
    from .models import Referral

    return Referral.objects.filter(learner__structure__in=structures_for_staff(user=user))


def staff_of_structures(*, structures):
    """The trainers and managers who are members of `structures` (a queryset)."""
    from django.contrib.auth import get_user_model

    return (
        get_user_model()
        .objects.filter(structures__in=structures, is_active=True)
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


def staff_accounts():
    """Everyone who may work in a structure: trainers, managers, other admin users and
    superusers; never a learner's account."""
    from django.contrib.auth import get_user_model
    from django.db.models import Q

    from .roles import STRUCTURE_MANAGERS, TRAINERS

    admin_access = {"codename": "access_admin", "content_type__app_label": "wagtailadmin"}
    staff = (
        Q(is_superuser=True)
        | Q(groups__name__in=[TRAINERS, STRUCTURE_MANAGERS])
        | Q(**{f"groups__permissions__{key}": value for key, value in admin_access.items()})
        | Q(**{f"user_permissions__{key}": value for key, value in admin_access.items()})
    )
    user_model = get_user_model()
    ids = user_model.objects.filter(staff, is_active=True, learner__isnull=True).values("pk")
    return user_model.objects.filter(pk__in=ids)


def groups_listing(*, user, today=None):
    """The staff's groups with their learner count and next session (one query)."""
    import datetime

    from django.db.models import Count, OuterRef, Subquery

    from .models import TrainingSession

    today = today or datetime.date.today()
    upcoming = TrainingSession.objects.filter(group=OuterRef("pk"), date__gte=today).order_by(
        "date", "start_time"
    )
    return (
        groups_for_staff(user=user)
        .select_related("structure", "parcours")
        .annotate(
            learner_count=Count("learners", distinct=True),
            next_session_date=Subquery(upcoming.values("date")[:1]),
            next_session_start=Subquery(upcoming.values("start_time")[:1]),
        )
    )


def training_sessions_listing(*, user):
    """The staff's sessions with how many learners attended and were recorded (one query)."""
    from django.db.models import Count, Q

    from .models import Attendance

    return (
        training_sessions_for_staff(user=user)
        .select_related("group", "group__structure")
        .annotate(
            attended_count=Count(
                "attendances", filter=Q(attendances__status__in=Attendance.ATTENDED)
            ),
            recorded_count=Count("attendances"),
        )
    )


def learner_hours_attended(*, learners, date_from=None, date_to=None, group=None):
    """Hours of sessions attended per learner: {learner_id: hours}.

    "Présent" and "en retard" count the whole session's duration; "absent" and
    "excusé" count nothing. One query whatever the number of learners. `learners`
    is a queryset or an iterable of learners (or their ids); a learner with no
    attended session maps to 0.0 (learners given as a queryset are left out of
    the dict then, but the result is a defaultdict: `hours[pk]` gives 0.0).
    `group` keeps only that group's sessions.
    """
    from collections import defaultdict

    from django.db.models import DurationField, ExpressionWrapper, F, QuerySet, Sum

    from .models import Attendance

    hours = defaultdict(float)
    rows = Attendance.objects.filter(status__in=Attendance.ATTENDED)
    if isinstance(learners, QuerySet):
        rows = rows.filter(learner__in=learners.values("pk"))
    else:
        ids = [getattr(learner, "pk", learner) for learner in learners]
        hours.update(dict.fromkeys(ids, 0.0))
        rows = rows.filter(learner_id__in=ids)
    if date_from is not None:
        rows = rows.filter(session__date__gte=date_from)
    if date_to is not None:
        rows = rows.filter(session__date__lte=date_to)
    if group is not None:
        rows = rows.filter(session__group=group)
    duration = ExpressionWrapper(
        F("session__end_time") - F("session__start_time"), output_field=DurationField()
    )
    totals = rows.values("learner_id").annotate(total=Sum(duration)).order_by()
    for row in totals:
        hours[row["learner_id"]] = round(row["total"].total_seconds() / 3600, 2)
    return hours


@dataclass
class AttendanceRow:
    learner: object
    status: str  # "" when not recorded yet


def session_attendance_rows(*, session):
    """The group's learners, each with their status for `session` (two queries)."""
    from .models import Attendance

    statuses = dict(Attendance.objects.filter(session=session).values_list("learner_id", "status"))
    learners = session.group.learners.select_related("code").order_by(
        "first_name", "last_initial", "pk"
    )
    return [
        AttendanceRow(learner=learner, status=statuses.get(learner.pk, "")) for learner in learners
    ]


def group_sessions_summary(*, group):
    """The group's sessions, latest first, with attendance counts (one query)."""
    from django.db.models import Count, Q

    from .models import Attendance

    return group.sessions.annotate(
        attended_count=Count("attendances", filter=Q(attendances__status__in=Attendance.ATTENDED)),
        recorded_count=Count("attendances"),
    ).order_by("-date", "-start_time")


# --- Groups: the live dashboard, raised hands, proposed lessons --------------------

# A learner seen less than this long ago is "active" on the dashboard.
ACTIVE_WITHIN_SECONDS = 120


def duration_text(seconds: float) -> str:
    """A short, plain French duration: "moins d'1 min", "4 min", "2 h 05", "3 j"."""
    from django.utils.translation import gettext as _

    seconds = max(0, int(seconds))
    if seconds < 60:
        return _("moins d'1 min")
    minutes = seconds // 60
    if minutes < 60:
        return _("%(minutes)d min") % {"minutes": minutes}
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return _("%(hours)d h %(minutes)02d") % {"hours": hours, "minutes": minutes}
    return _("%(days)d j") % {"days": hours // 24}


@dataclass(frozen=True)
class MatrixCell:
    lesson: object
    status: str  # "not_started", "started" or "completed"
    percent: int = 0


@dataclass
class LearnerRow:
    learner: object
    cells: list
    now: object
    current_lesson: object = None  # the lesson of their most recent progress
    current_step: int | None = None
    last_seen_at: object = None
    step_started_at: object = None  # when they came to their current step
    hand: object = None  # their open HelpRequest, if any

    @property
    def seen_seconds(self):
        return (self.now - self.last_seen_at).total_seconds() if self.last_seen_at else None

    @property
    def is_active(self):
        """Seen in the last two minutes, and not signed out since."""
        seconds = self.seen_seconds
        if seconds is None or seconds >= ACTIVE_WITHIN_SECONDS:
            return False
        signed_out_at = self.learner.signed_out_at
        return signed_out_at is None or signed_out_at < self.last_seen_at

    @property
    def seen_since(self):
        return duration_text(self.seen_seconds) if self.last_seen_at else ""

    @property
    def step_time(self):
        """Time on the current step: until now while active, else until last seen."""
        if not (self.step_started_at and self.last_seen_at):
            return ""
        end = self.now if self.is_active else self.last_seen_at
        return duration_text(max((end - self.step_started_at).total_seconds(), 0))

    @property
    def hand_since(self):
        return duration_text((self.now - self.hand.raised_at).total_seconds()) if self.hand else ""

    @property
    def completed_count(self):
        return sum(1 for cell in self.cells if cell.status == "completed")


@dataclass
class GroupMatrix:
    group: object
    modules: list  # [(module, [lessons])] in parcours order
    rows: list  # learners with an open hand first (oldest hand first), then by name

    @property
    def lessons(self):
        return [lesson for _module, lessons in self.modules for lesson in lessons]

    @property
    def hands(self):
        return [row for row in self.rows if row.hand]


def group_parcours_lessons(*, group):
    """The live modules of the group's parcours with their live lessons, in order:
    [(module, [lessons])]. Two queries; the lessons' steps are not loaded."""
    from django.db.models import Q
    from wagtail.models import Page

    from modules.models import LessonPage, ParcoursModule

    if group.parcours_id is None:
        return []
    modules = [
        link.module
        for link in ParcoursModule.objects.filter(page_id=group.parcours_id, module__live=True)
        .select_related("module")
        .order_by("sort_order")
    ]
    by_parent = {}
    if modules:
        query = Q()
        for module in modules:
            query |= Q(path__startswith=module.path, depth=module.depth + 1)
        for lesson in LessonPage.objects.live().filter(query).defer_streamfields().order_by("path"):
            by_parent.setdefault(lesson.path[: -Page.steplen], []).append(lesson)
    return [(module, by_parent.get(module.path, [])) for module in modules]


def parcours_lessons(*, parcours_ids):
    """The live lessons of the live modules of these parcours, in tree order (a queryset)."""
    from django.db.models import Q

    from modules.models import LessonPage, ModulePage, ParcoursModule

    links = ParcoursModule.objects.filter(page_id__in=parcours_ids).values("module_id")
    modules = ModulePage.objects.live().filter(pk__in=links).values_list("path", "depth")
    query = Q(pk__in=[])
    for path, depth in modules:
        query |= Q(path__startswith=path, depth=depth + 1)
    return LessonPage.objects.live().filter(query).order_by("path")


def group_progress_matrix(*, group, now=None):
    """Learners × lessons of the group's parcours, with where each learner is now and
    their raised hand. Six queries whatever the number of learners and lessons:
    learners, open hands, modules, lessons, progress rows, latest progress rows."""
    from django.db.models import OuterRef, Subquery
    from django.utils import timezone

    from .models import HelpRequest

    now = now or timezone.now()
    learners = list(group.learners.all())
    user_ids = [learner.user_id for learner in learners]
    hands = {
        hand.learner_id: hand
        for hand in HelpRequest.objects.filter(
            learner__in=learners, resolved_at__isnull=True
        ).select_related("lesson")
    }
    modules = group_parcours_lessons(group=group)
    lessons = [lesson for _module, module_lessons in modules for lesson in module_lessons]
    rows = {}
    if lessons and user_ids:
        for row in LessonProgress.objects.filter(
            learner_id__in=user_ids, lesson_key__in=[lesson.stable_key for lesson in lessons]
        ).values("learner_id", "lesson_key", "progress", "completed_at"):
            rows[row["learner_id"], row["lesson_key"]] = row
    latest = LessonProgress.objects.filter(learner=OuterRef("learner")).order_by("-last_seen_at")
    current = {
        progress.learner_id: progress
        for progress in LessonProgress.objects.filter(
            learner_id__in=user_ids, pk=Subquery(latest.values("pk")[:1])
        )
        .select_related("lesson")
        .defer("lesson__steps", "completed_steps", "passed_exercises")
    }

    def cell(learner, lesson):
        row = rows.get((learner.user_id, lesson.stable_key))
        if row is None:
            return MatrixCell(lesson, "not_started")
        if row["completed_at"]:
            return MatrixCell(lesson, "completed", 100)
        return MatrixCell(lesson, "started", round(row["progress"] * 100))

    learner_rows = []
    for learner in learners:
        progress = current.get(learner.user_id)
        learner_rows.append(
            LearnerRow(
                learner=learner,
                cells=[cell(learner, lesson) for lesson in lessons],
                now=now,
                current_lesson=progress.lesson if progress else None,
                current_step=progress.current_step if progress else None,
                last_seen_at=progress.last_seen_at if progress else None,
                step_started_at=progress.step_started_at if progress else None,
                hand=hands.get(learner.pk),
            )
        )
    learner_rows.sort(key=lambda row: (row.hand is None, row.hand.raised_at if row.hand else now))
    return GroupMatrix(group=group, modules=modules, rows=learner_rows)


def learner_current_groups(*, learner, today=None):
    """The learner's groups running today (or without dates), not archived: where a hand
    can go up and whose proposed lesson the home offers."""
    import datetime

    from django.db.models import Q

    from .models import Group

    today = today or datetime.date.today()
    return Group.objects.filter(learners=learner, archived_at__isnull=True).filter(
        Q(start_date__isnull=True) | Q(start_date__lte=today),
        Q(end_date__isnull=True) | Q(end_date__gte=today),
    )


def learner_open_help_request(*, learner):
    from .models import HelpRequest

    return HelpRequest.objects.filter(learner=learner, resolved_at__isnull=True).first()


@dataclass(frozen=True)
class ProposedLesson:
    group: object
    lesson: object
    step_number: int | None = None  # where the learner stopped, None if not started
    completed: bool = False

    @property
    def url(self):
        if self.step_number and not self.completed:
            return f"{self.lesson.url}?etape={self.step_number}"
        return self.lesson.url


def learner_proposed_lessons(*, learner):
    """The lessons the learner's trainers propose now (one per lesson), with where the
    learner stopped in each. Two queries."""
    groups = (
        learner_current_groups(learner=learner)
        .filter(current_lesson__live=True)
        .select_related("current_lesson")
        .defer("current_lesson__steps")
        .order_by("-current_lesson_set_at")
    )
    lessons = {}
    for group in groups:
        lessons.setdefault(group.current_lesson_id, group)
    if not lessons:
        return []
    progress = {
        key: (step, completed_at is not None)
        for key, step, completed_at in LessonProgress.objects.filter(
            learner=learner.user_id,
            lesson_key__in=[group.current_lesson.stable_key for group in lessons.values()],
        ).values_list("lesson_key", "current_step", "completed_at")
    }
    proposed = []
    for group in lessons.values():
        step, completed = progress.get(group.current_lesson.stable_key, (None, False))
        proposed.append(
            ProposedLesson(
                group=group, lesson=group.current_lesson, step_number=step, completed=completed
            )
        )
    return proposed


@dataclass(frozen=True)
class HelpState:
    can_ask: bool  # in a group running today, or a hand already up
    hand: object = None  # the open HelpRequest


def learner_help_state(*, learner):
    """Whether the lesson pages show "J'ai besoin d'aide" to this learner, and their hand."""
    hand = learner_open_help_request(learner=learner)
    if hand is not None:
        return HelpState(can_ask=True, hand=hand)
    return HelpState(can_ask=learner_current_groups(learner=learner).exists())


# --- The learner file (trainer admin) ----------------------------------------------


def notes_visible_to(*, user, learner):
    """The notes a staff member may read in a learner's file: their own, and the
    team notes of structures they work in. "Moi seulement" notes stay with their
    author, even for managers and superusers (the GDPR export alone holds them all)."""
    from django.db.models import Q

    from .models import TrainerNote

    team = Q(visibility=TrainerNote.Visibility.TEAM) & Q(
        learner__structure__in=structures_for_staff(user=user)
    )
    return (
        TrainerNote.objects.filter(learner=learner)
        .filter(Q(author=user) | team)
        .select_related("author", "session__group")
    )


def note_sessions_for(*, learner):
    """The sessions a note may point at: those of the learner's groups."""
    from .models import TrainingSession

    return (
        TrainingSession.objects.filter(group__learners=learner)
        .select_related("group")
        .order_by("-date", "-start_time")
        .distinct()
    )


@dataclass
class AttendanceSummary:
    """A learner's attendance rows, and the hours that count (present or late)."""

    rows: list = field(default_factory=list)

    @property
    def attended(self):
        from .models import Attendance

        return [row for row in self.rows if row.status in Attendance.ATTENDED]

    @property
    def hours(self) -> float:
        return round(sum(row.session.duration_hours for row in self.attended), 2)

    @property
    def first_date(self):
        return min((row.session.date for row in self.attended), default=None)

    @property
    def last_date(self):
        return max((row.session.date for row in self.attended), default=None)


def learners_attendance(*, learners, group=None):
    """{learner pk: AttendanceSummary}, in one query; only `group`'s sessions if given."""
    from .models import Attendance

    rows = Attendance.objects.filter(learner__in=[each.pk for each in learners])
    if group is not None:
        rows = rows.filter(session__group=group)
    summaries = {each.pk: AttendanceSummary() for each in learners}
    for row in rows.select_related("session__group").order_by(
        "session__date", "session__start_time"
    ):
        summaries[row.learner_id].rows.append(row)
    return summaries


@dataclass
class ExerciseRow:
    """One exercise of a lesson and the learner's attempts at it."""

    step_number: int | None
    label: str
    attempts: list

    @property
    def best(self):
        return max((attempt.correct for attempt in self.attempts), default=None)

    @property
    def best_percent(self):
        return None if self.best is None else round(self.best * 100)

    @property
    def passed(self):
        return any(attempt.passed for attempt in self.attempts)


@dataclass
class LessonRow:
    lesson: object
    progress: object  # LessonProgress or None
    exercises: list

    @property
    def percent(self):
        return round(self.progress.progress * 100) if self.progress else 0

    @property
    def time_spent_s(self):
        return self.progress.time_spent_s if self.progress else 0


@dataclass
class ModuleFile:
    progress: ModuleProgress
    lessons: list

    @property
    def module(self):
        return self.progress.module

    @property
    def time_spent_s(self):
        return sum(row.time_spent_s for row in self.lessons)


@dataclass
class ParcoursFile:
    progress: ParcoursProgress
    modules: list

    @property
    def parcours(self):
        return self.progress.parcours

    @property
    def time_spent_s(self):
        return sum(module.time_spent_s for module in self.modules)


@dataclass
class LearnerFile:
    learner: object
    groups: list
    parcours: list  # ParcoursFile
    other_lessons: list  # LessonRow of lessons in no parcours shown
    time_spent_s: int
    attendance: AttendanceSummary
    referrals: list
    notes: list


def _exercise_rows(lesson, attempts):
    """The lesson's exercises with their attempts; attempts at exercises the lesson
    no longer holds are kept under a row of their own."""
    from django.utils.translation import gettext

    by_block = {}
    for attempt in attempts:
        by_block.setdefault(attempt.block_id, []).append(attempt)
    rows = []
    for number, block_id, label in lesson.exercise_outline() if lesson is not None else []:
        rows.append(
            ExerciseRow(step_number=number, label=label, attempts=by_block.pop(block_id, []))
        )
    for leftover in by_block.values():
        rows.append(
            ExerciseRow(
                step_number=None,
                label=gettext("Exercice retiré de la leçon"),
                attempts=leftover,
            )
        )
    return rows


def learner_file(*, learner, user):
    """Everything a trainer's file shows about one learner, in a constant number
    of queries whatever the amount of progress, attempts, sessions and notes.

    Parcours shown: those of the learner's groups, and any parcours with a
    started lesson.
    """
    from django.db.models import Prefetch

    from modules.models import ParcoursPage

    from .models import ExerciseAttempt, Referral

    groups = list(learner.groups.select_related("parcours").order_by("-start_date", "name"))
    parcours_list = list(ParcoursPage.objects.live().order_by("path"))
    progress = learner_parcours_progress(user=learner.user, parcours_list=parcours_list)
    rows = {
        row.lesson_key: row
        for row in LessonProgress.objects.filter(learner=learner.user)
        .select_related("lesson")
        .prefetch_related(Prefetch("attempts", queryset=ExerciseAttempt.objects.order_by("id")))
    }
    group_parcours = {group.parcours_id for group in groups}
    shown_keys = set()
    parcours_files = []
    for item in progress:
        keys = [lesson.stable_key for m in item.modules for lesson in m.module.lessons]
        if item.parcours.pk not in group_parcours and not any(key in rows for key in keys):
            continue
        shown_keys.update(keys)
        modules = []
        for module_progress in item.modules:
            lessons = []
            for lesson in module_progress.module.lessons:
                row = rows.get(lesson.stable_key)
                attempts = list(row.attempts.all()) if row else []
                lessons.append(
                    LessonRow(
                        lesson=lesson, progress=row, exercises=_exercise_rows(lesson, attempts)
                    )
                )
            modules.append(ModuleFile(progress=module_progress, lessons=lessons))
        parcours_files.append(ParcoursFile(progress=item, modules=modules))
    other_lessons = [
        LessonRow(
            lesson=row.lesson,
            progress=row,
            exercises=_exercise_rows(row.lesson, list(row.attempts.all())),
        )
        for key, row in sorted(rows.items(), key=lambda pair: pair[1].started_at)
        if key not in shown_keys
    ]
    referrals = list(
        Referral.objects.filter(learner=learner).select_related("partner").order_by("-date")
    )
    return LearnerFile(
        learner=learner,
        groups=groups,
        parcours=parcours_files,
        other_lessons=other_lessons,
        time_spent_s=sum(row.time_spent_s for row in rows.values()),
        attendance=learners_attendance(learners=[learner])[learner.pk],
        referrals=referrals,
        notes=list(notes_visible_to(user=user, learner=learner)),
    )


# --- Attestations de suivi ---------------------------------------------------------


@dataclass
class CompletedModule:
    module: object
    competences: list  # modules.Competence, by code


@dataclass
class Attestation:
    """What an attestation de suivi says about one learner."""

    learner: object
    structure: object
    parcours: list  # ParcoursPage
    attendance: AttendanceSummary
    modules: list  # CompletedModule

    @property
    def competences(self):
        by_code = {c.code: c for module in self.modules for c in module.competences}
        return [by_code[code] for code in sorted(by_code)]


def learner_attestations(*, learners, group=None):
    """The attestations of `learners`, in a constant number of queries.

    For a group: its structure, its parcours, its sessions only, and the modules
    of its parcours. For one learner on their own: their home structure, their
    groups' parcours, all their sessions, and every module they completed.
    A module counts as completed as `completion.module_is_complete` says: it has
    lessons, and every one of them is completed.
    """
    from collections import defaultdict

    from django.db.models import Prefetch, prefetch_related_objects

    from modules.models import ModulePage, ParcoursModule

    from .models import Group

    learners = list(learners)
    if group is None:
        prefetch_related_objects(
            learners,
            Prefetch(
                "groups",
                queryset=Group.objects.select_related("parcours").order_by("start_date", "pk"),
            ),
        )
    if group is not None and group.parcours_id:
        modules = [
            link.module
            for link in ParcoursModule.objects.filter(page_id=group.parcours_id, module__live=True)
            .select_related("module")
            .order_by("sort_order")
        ]
    else:
        modules = list(ModulePage.objects.live().order_by("path"))
    ModulePage.annotate_lessons(modules)
    competences = defaultdict(list)
    through = ModulePage.competences.through.objects.filter(
        modulepage__in=[module.pk for module in modules]
    ).select_related("competence")
    for link in through:
        competences[link.modulepage_id].append(link.competence)
    completed = defaultdict(set)
    for user_id, key in LessonProgress.objects.filter(
        learner__in=[each.user_id for each in learners], completed_at__isnull=False
    ).values_list("learner_id", "lesson_key"):
        completed[user_id].add(key)
    attendance = learners_attendance(learners=learners, group=group)

    attestations = []
    for learner in learners:
        done = completed[learner.user_id]
        if group is not None:
            parcours = [group.parcours] if group.parcours_id else []
        else:
            parcours = list(
                {g.parcours_id: g.parcours for g in learner.groups.all() if g.parcours_id}.values()
            )
        attestations.append(
            Attestation(
                learner=learner,
                structure=group.structure if group is not None else learner.structure,
                parcours=parcours,
                attendance=attendance[learner.pk],
                modules=[
                    CompletedModule(
                        module=module,
                        competences=sorted(competences[module.pk], key=lambda c: c.code),
                    )
                    for module in modules
                    if module_is_complete(
                        lesson_count=len(module.lessons),
                        completed_count=sum(
                            1 for each in module.lessons if each.stable_key in done
                        ),
                    )
                ],
            )
        )
    return attestations


# --- The right of access (GDPR export) ---------------------------------------------


def staff_display_name(user):
    """A staff member as the learner's file names them: their name, never their e-mail."""
    from django.utils.translation import gettext

    if user is None:
        return gettext("Compte supprimé")
    return user.get_full_name() or gettext("Un membre de l'équipe")


def learner_statements(*, learner):
    """The learner's xAPI statements: sent by their browser, or by a tool about them."""
    from django.db.models import Q

    from .lrs import learner_agent
    from .models import Statement
    from .xapi_validation import actor_key

    user = learner.user
    return Statement.objects.filter(Q(learner=user) | Q(actor_key=actor_key(learner_agent(user))))


def learner_data_export(*, learner):
    """Everything stored about a learner, for their right of access (GDPR art. 15).

    Every note about the person is in it, the "Moi seulement" ones too: the right
    of access covers all the data about the person. Secrets are left out (the
    picture password, the PIN, password hashes).
    """
    from django.db.models import Prefetch
    from django.utils import timezone
    from django.utils.html import strip_tags

    from .models import ExerciseAttempt, HelpRequest, Referral, TrainerNote

    user = learner.user
    attendance = learners_attendance(learners=[learner])[learner.pk]
    progress = (
        LessonProgress.objects.filter(learner=user)
        .select_related("lesson")
        .prefetch_related(Prefetch("attempts", queryset=ExerciseAttempt.objects.order_by("id")))
        .order_by("started_at", "id")
    )
    notes = (
        TrainerNote.objects.filter(learner=learner)
        .select_related("author", "session__group")
        .prefetch_related("versions")
        .order_by("created_at", "id")
    )

    def note_text(html):
        from html import unescape

        return unescape(strip_tags(html.replace("</li>", "</li>\n").replace("</p>", "</p>\n")))

    return {
        "export": {
            "date": timezone.now(),
            "contenu": (
                "Toutes les données enregistrées sur la personne dans Pas à pas, "
                "y compris toutes les notes des formateurs, même celles marquées "
                "« Moi seulement ». Les mots de passe (images, code secret) ne sont "
                "jamais enregistrés en clair : ils ne sont pas dans cet export."
            ),
        },
        "apprenant": {
            "prenom": learner.first_name,
            "initiale_du_nom": learner.last_initial,
            "code": learner.display_code,
            "identifiant_public": user.public_id,
            "structure": learner.structure.name,
            "langue": learner.language,
            "taille_du_texte": learner.text_size,
            "contraste_renforce": learner.high_contrast,
            "moins_d_animations": learner.reduced_motion,
            "cree_le": learner.created_at,
            "derniere_connexion": user.last_login,
        },
        "groupes": [
            {
                "nom": group.name,
                "parcours": group.parcours.title if group.parcours_id else None,
                "debut": group.start_date,
                "fin": group.end_date,
            }
            for group in learner.groups.select_related("parcours").order_by("start_date", "pk")
        ],
        "lecons": [
            {
                "cle": row.lesson_key,
                "titre": row.lesson.title if row.lesson_id else None,
                "etat": row.status,
                "etapes_vues": row.completed_steps,
                "etape_actuelle": row.current_step,
                "progression": row.progress,
                "temps_passe_secondes": row.time_spent_s,
                "commencee_le": row.started_at,
                "vue_le": row.last_seen_at,
                "terminee_le": row.completed_at,
                "essais": [
                    {
                        "exercice": attempt.block_id,
                        "numero": attempt.attempt_number,
                        "reponse": attempt.answer,
                        "score": attempt.correct,
                        "reussi": attempt.passed,
                        "date": attempt.created_at,
                    }
                    for attempt in row.attempts.all()
                ],
            }
            for row in progress
        ],
        "presences": [
            {
                "date": row.session.date,
                "debut": row.session.start_time,
                "fin": row.session.end_time,
                "groupe": row.session.group.name,
                "lieu": row.session.place,
                "presence": row.status,
                "presence_libelle": str(row.get_status_display()),
            }
            for row in attendance.rows
        ],
        "heures_suivies": attendance.hours,
        "orientations": [
            {
                "partenaire": referral.partner.name,
                "referent": referral.referent_name,
                "contact_du_referent": referral.referent_contact,
                "date": referral.date,
                "besoins": referral.needs,
            }
            for referral in Referral.objects.filter(learner=learner)
            .select_related("partner")
            .order_by("date", "pk")
        ],
        "notes": [
            {
                "auteur": staff_display_name(note.author),
                "ecrite_le": note.created_at,
                "modifiee_le": note.updated_at,
                "visible_par": str(note.get_visibility_display()),
                "seance": str(note.session) if note.session_id else None,
                "texte": note_text(note.body).strip(),
                "texte_html": note.body,
                "versions_precedentes": [
                    {
                        "enregistree_le": version.saved_at,
                        "visible_par": str(version.get_visibility_display()),
                        "texte": note_text(version.body).strip(),
                        "texte_html": version.body,
                    }
                    for version in note.versions.all()
                ],
            }
            for note in notes
        ],
        "demandes_aide": [
            {
                "date": hand.raised_at,
                "lecon": hand.lesson.title if hand.lesson_id else None,
                "etape": hand.step_number,
                "resolue_le": hand.resolved_at,
            }
            for hand in HelpRequest.objects.filter(learner=learner)
            .select_related("lesson")
            .order_by("raised_at", "pk")
        ],
        "declarations_xapi": [
            row.data for row in learner_statements(learner=learner).order_by("stored", "id")
        ],
    }
