"""Reads for the trainers' exports and the structure report for funders.

Every figure is aggregated in the database (COUNT, MAX, DISTINCT, UNION): the
number of queries does not grow with the number of learners, attempts or
sessions. Months are numbered in SQL by comparing with the local month
boundaries computed in Python (`Period.month_index`), so that the months are
the site's calendar months on SQLite and PostgreSQL alike, with no time zone
conversion per row. What comes back to Python is bounded by learners × months or
learners × modules, never by attempts. Session durations are computed in
Python, one per session (sessions are few), so that no time arithmetic has
to behave the same on SQLite and PostgreSQL.

Who counts:
- a learner is *active* in a period when they attended a session (present or
  late), or opened a lesson, saw a step, answered an exercise or completed a
  lesson in it;
- learner figures count the learners whose home structure is the structure;
- hours count the sessions of the structure's groups: each learner present or
  late counts the session's duration.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Case, Count, Exists, F, IntegerField, Max, OuterRef, Q, Value, When
from django.utils import timezone

from . import selectors
from .completion import module_is_complete, parcours_fraction, parcours_is_complete
from .models import (
    Attendance,
    ExerciseAttempt,
    Learner,
    LessonProgress,
    Partner,
    Referral,
    Structure,
    TrainingSession,
)

REPORT_PERMISSION = "learning.view_report"
# A report over more months than this is refused: the monthly table would not be read.
MAX_PERIOD_MONTHS = 120


# --- Periods ----------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """From `start` to `end`, both days included, in the site's time zone."""

    start: datetime.date
    end: datetime.date

    @property
    def starts_at(self) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime.combine(self.start, datetime.time.min))

    @property
    def ends_before(self) -> datetime.datetime:
        next_day = self.end + datetime.timedelta(days=1)
        return timezone.make_aware(datetime.datetime.combine(next_day, datetime.time.min))

    def timestamps(self, name: str) -> Q:
        """`name` falls in the period (index-friendly: no date cast of the column)."""
        return Q(**{f"{name}__gte": self.starts_at, f"{name}__lt": self.ends_before})

    def days(self, name: str) -> Q:
        return Q(**{f"{name}__gte": self.start, f"{name}__lte": self.end})

    def months(self) -> list[datetime.date]:
        """The first day of every month the period touches, in order."""
        month = self.start.replace(day=1)
        months = []
        while month <= self.end:
            months.append(month)
            month = (month + datetime.timedelta(days=32)).replace(day=1)
        return months

    def month_index(self, name: str, *, dates: bool = False) -> Case:
        """The number of the month (0 = the period's first) in which `name` falls.

        Compared with the local month boundaries computed here, so that no row is
        converted to the site's time zone in SQL (slow on 200,000 rows, and not the
        same SQL on SQLite and PostgreSQL). Rows must be filtered to the period.
        """
        months = self.months()
        whens = []
        for index, month in enumerate(months[1:]):
            bound = month
            if not dates:
                bound = timezone.make_aware(datetime.datetime.combine(month, datetime.time.min))
            whens.append(When(**{f"{name}__lt": bound}, then=Value(index)))
        return Case(*whens, default=Value(len(months) - 1), output_field=IntegerField())

    @property
    def month_count(self) -> int:
        return (self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1


def default_period(*, today: datetime.date | None = None) -> Period:
    """This calendar year so far."""
    today = today or timezone.localdate()
    return Period(start=today.replace(month=1, day=1), end=today)


def report_structures(*, user):
    """The structures whose report `user` may read: none without the permission."""
    if user is None or not user.has_perm(REPORT_PERMISSION):
        return Structure.objects.none()
    return selectors.structures_for_staff(user=user)


# --- The curriculum, light ----------------------------------------------------------


@dataclass
class CurriculumModule:
    pk: int
    title: str
    lesson_keys: list


@dataclass
class CurriculumParcours:
    pk: int
    title: str
    modules: list  # CurriculumModule, in the parcours' order

    @property
    def available_modules(self):
        """Modules with lessons: a module without lessons is never "done" nor "to do"."""
        return [module for module in self.modules if module.lesson_keys]

    @property
    def lesson_keys(self):
        return [key for module in self.available_modules for key in module.lesson_keys]


def _curriculum(*, parcours_ids=None) -> list[CurriculumParcours]:
    """Live parcours > live modules > live lesson keys, in three queries.

    Only the columns needed: the lessons' steps (large JSON) are never loaded.
    """
    from wagtail.models import Page

    from modules.models import LessonPage, ParcoursModule, ParcoursPage

    parcours_qs = ParcoursPage.objects.live().order_by("path").only("id", "title", "path")
    if parcours_ids is not None:
        parcours_qs = parcours_qs.filter(pk__in=parcours_ids)
    parcours = list(parcours_qs)
    if not parcours:
        return []
    links = list(
        ParcoursModule.objects.filter(page__in=parcours, module__live=True)
        .select_related("module")
        .only(
            "page_id", "sort_order", "module__id", "module__title", "module__path", "module__depth"
        )
        .order_by("page_id", "sort_order")
    )
    module_pages = {link.module.pk: link.module for link in links}
    keys_by_path = defaultdict(list)
    if module_pages:
        query = Q()
        for module in module_pages.values():
            query |= Q(path__startswith=module.path, depth=module.depth + 1)
        lessons = (
            LessonPage.objects.live()
            .filter(query)
            .order_by("path")
            .only("path", "source_key", "translation_key")
        )
        for lesson in lessons:
            keys_by_path[lesson.path[: -Page.steplen]].append(lesson.stable_key)
    modules = {
        pk: CurriculumModule(pk=pk, title=page.title, lesson_keys=keys_by_path[page.path])
        for pk, page in module_pages.items()
    }
    return [
        CurriculumParcours(
            pk=page.pk,
            title=page.title,
            modules=[modules[link.module_id] for link in links if link.page_id == page.pk],
        )
        for page in parcours
    ]


# --- Group progress and attendance (the group export) ---------------------------------


@dataclass
class GroupLearnerRow:
    learner: object
    name: str
    code: str
    lessons_completed: int = 0
    lessons_total: int = 0
    progress_percent: int = 0
    time_spent_hours: float = 0.0
    present: int = 0
    late: int = 0
    absent: int = 0
    excused: int = 0
    hours_attended: float = 0.0


def group_progress_rows(*, group) -> list[GroupLearnerRow]:
    """One row per learner of the group: the group's parcours, time, attendance.

    Progress follows the learner's home page: a module's progress is the mean of
    its lessons', the parcours' the mean of all its listed modules' (a module with
    no lesson yet counts 0: the parcours is not done while one is being written).
    Time spent counts every lesson, in the parcours or not. Seven queries,
    whatever the size of the group.
    """
    curriculum = _curriculum(parcours_ids=[group.parcours_id]) if group.parcours_id else []
    parcours = curriculum[0] if curriculum else None
    modules = parcours.modules if parcours else []
    keys = parcours.lesson_keys if parcours else []

    learners = list(group.learners.select_related("code").order_by("first_name", "last_initial"))
    user_ids = [learner.user_id for learner in learners]
    progress = defaultdict(dict)  # user id -> lesson key -> (progress, completed)
    time_spent = defaultdict(int)
    rows = LessonProgress.objects.filter(learner_id__in=user_ids).values_list(
        "learner_id", "lesson_key", "progress", "completed_at", "time_spent_s"
    )
    for user_id, key, fraction, completed_at, seconds in rows:
        progress[user_id][key] = (fraction, completed_at is not None)
        time_spent[user_id] += seconds

    durations = {
        session.pk: session.duration_hours
        for session in TrainingSession.objects.filter(group=group).only(
            "date", "start_time", "end_time"
        )
    }
    attendance = defaultdict(lambda: defaultdict(int))
    hours = defaultdict(float)
    for learner_id, session_id, status in Attendance.objects.filter(
        session__group=group
    ).values_list("learner_id", "session_id", "status"):
        attendance[learner_id][status] += 1
        if status in Attendance.ATTENDED:
            hours[learner_id] += durations.get(session_id, 0.0)

    result = []
    for learner in learners:
        states = progress[learner.user_id]
        module_means = [
            sum(states.get(key, (0.0, False))[0] for key in module.lesson_keys)
            / len(module.lesson_keys)
            if module.lesson_keys
            else 0.0
            for module in modules
        ]
        percent = round(100 * parcours_fraction(module_means))
        complete = parcours_is_complete(
            module_is_complete(
                lesson_count=len(module.lesson_keys),
                completed_count=sum(1 for key in module.lesson_keys if states.get(key, (0, 0))[1]),
            )
            for module in modules
        )
        counts = attendance[learner.pk]
        result.append(
            GroupLearnerRow(
                learner=learner,
                name=learner.display_name,
                code=learner.display_code,
                lessons_completed=sum(1 for key in keys if states.get(key, (0, False))[1]),
                lessons_total=len(keys),
                progress_percent=min(percent, 99) if percent == 100 and not complete else percent,
                time_spent_hours=round(time_spent[learner.user_id] / 3600, 1),
                present=counts[Attendance.Status.PRESENT],
                late=counts[Attendance.Status.LATE],
                absent=counts[Attendance.Status.ABSENT],
                excused=counts[Attendance.Status.EXCUSED],
                hours_attended=round(hours[learner.pk], 2),
            )
        )
    return result


# --- The structure report for funders ------------------------------------------------


@dataclass
class ParcoursFigures:
    title: str
    lessons_completed: int = 0
    modules_completed: int = 0
    parcours_completed: int = 0


@dataclass
class PartnerFigures:
    name: str
    kind: str
    kind_label: str
    referrals: int
    active_learners: int


@dataclass
class GroupFigures:
    name: str
    sessions: int = 0
    hours_attended: float = 0.0


@dataclass
class MonthFigures:
    month: datetime.date
    active_learners: int = 0
    new_learners: int = 0
    hours_attended: float = 0.0


@dataclass
class StructureReport:
    structure: Structure
    period: Period
    active_learners: int = 0
    new_learners: int = 0
    hours_attended: float = 0.0
    sessions: int = 0
    # Totals: each lesson and module once, even when shared by several parcours.
    lessons_completed: int = 0
    modules_completed: int = 0
    parcours_completed: int = 0
    parcours: list = field(default_factory=list)  # ParcoursFigures, per parcours
    groups: list = field(default_factory=list)
    partners: list = field(default_factory=list)
    partner_kinds: list = field(default_factory=list)
    active_without_referral: int = 0
    months: list = field(default_factory=list)


def active_learners(*, structure, period: Period):
    """The structure's learners who attended a session or worked on a lesson in the period."""
    attended = Attendance.objects.filter(
        period.days("session__date"), learner=OuterRef("pk"), status__in=Attendance.ATTENDED
    )
    worked = LessonProgress.objects.filter(
        period.timestamps("started_at")
        | period.timestamps("last_seen_at")
        | period.timestamps("completed_at"),
        learner=OuterRef("user_id"),
    )
    answered = ExerciseAttempt.objects.filter(
        period.timestamps("created_at"), progress__learner=OuterRef("user_id")
    )
    return Learner.objects.filter(structure=structure).filter(
        Exists(attended) | Exists(worked) | Exists(answered)
    )


def _active_by_month(*, structure, period: Period) -> dict:
    """Month -> the number of distinct learners active in it.

    One query: the UNION of the (user, month) pairs of the five sources, made
    distinct by the database (at most learners × months rows come back).
    """
    # The structure's users, as a subquery: no join through the user table.
    users = Learner.objects.filter(structure=structure).values("user_id")
    attended = (
        Attendance.objects.filter(
            period.days("session__date"),
            learner__structure=structure,
            status__in=Attendance.ATTENDED,
        )
        .annotate(
            person=F("learner__user_id"), month=period.month_index("session__date", dates=True)
        )
        .values_list("person", "month")
        .distinct()
    )
    worked = [
        LessonProgress.objects.filter(period.timestamps(name), learner_id__in=users)
        .annotate(person=F("learner_id"), month=period.month_index(name))
        .values_list("person", "month")
        .distinct()
        for name in ("started_at", "last_seen_at", "completed_at")
    ]
    answered = (
        ExerciseAttempt.objects.filter(
            period.timestamps("created_at"), progress__learner_id__in=users
        )
        .annotate(person=F("progress__learner_id"), month=period.month_index("created_at"))
        .values_list("person", "month")
        .order_by()
        .distinct()
    )
    months = period.months()
    people_by_month = defaultdict(int)
    for _person, month in attended.union(*worked, answered):
        people_by_month[months[month]] += 1
    return people_by_month


def _completions(*, structure, period: Period, curriculum) -> tuple[list, tuple[int, int, int]]:
    """Lessons, modules and whole parcours completed in the period, per parcours.

    A module is completed when its last lesson is; a parcours when its last
    module is, and only once every module it lists is completed (see
    `completion`: a module with no lesson yet never is). A lesson or module
    shared by two parcours counts in both rows.
    Also returns the totals, each lesson and module counted once however many
    parcours share it: (lessons, modules, parcours) completed in the period.
    """
    modules = {module.pk: module for parcours in curriculum for module in parcours.modules}
    modules = {pk: module for pk, module in modules.items() if module.lesson_keys}
    figures = [ParcoursFigures(title=parcours.title) for parcours in curriculum]
    if not modules:
        return figures, (0, 0, 0)
    keys = [key for module in modules.values() for key in module.lesson_keys]
    done = LessonProgress.objects.filter(
        learner__learner__structure=structure, lesson_key__in=keys, completed_at__isnull=False
    )
    lessons_done = dict(
        done.filter(period.timestamps("completed_at"))
        .values_list("lesson_key")
        .annotate(n=Count("id"))
        .values_list("lesson_key", "n")
        .order_by()
    )
    # Per learner and module: how many of its lessons are done, and when the last was.
    module_of_lesson = Case(
        *[
            When(lesson_key__in=module.lesson_keys, then=Value(pk))
            for pk, module in modules.items()
        ],
        output_field=IntegerField(),
    )
    module_rows = (
        done.filter(completed_at__lt=period.ends_before)
        .annotate(module=module_of_lesson)
        .values("learner_id", "module")
        .annotate(lessons=Count("id"), last=Max("completed_at"))
        .values_list("learner_id", "module", "lessons", "last")
        .order_by()
    )
    completed_modules = defaultdict(dict)  # user id -> module pk -> completed at
    for user_id, module_pk, lessons, last in module_rows:
        if module_is_complete(
            lesson_count=len(modules[module_pk].lesson_keys), completed_count=lessons
        ):
            completed_modules[user_id][module_pk] = last

    starts_at = period.starts_at
    for parcours, row in zip(curriculum, figures, strict=True):
        row.lessons_completed = sum(lessons_done.get(key, 0) for key in parcours.lesson_keys)
        for completed in completed_modules.values():
            row.modules_completed += sum(
                1
                for module in parcours.modules
                if module.pk in completed and completed[module.pk] >= starts_at
            )
            # Every listed module, those with no lesson yet included (never completed).
            if (
                parcours_is_complete(module.pk in completed for module in parcours.modules)
                and max(completed[module.pk] for module in parcours.modules) >= starts_at
            ):
                row.parcours_completed += 1
    modules_total = sum(
        1
        for completed in completed_modules.values()
        for completed_at in completed.values()
        if completed_at >= starts_at
    )
    parcours_total = sum(row.parcours_completed for row in figures)
    return figures, (sum(lessons_done.values()), modules_total, parcours_total)


def _attendance_hours(*, structure, period: Period):
    """Sessions of the structure's groups in the period, each with its attended count."""
    return list(
        TrainingSession.objects.filter(period.days("date"), group__structure=structure)
        .annotate(
            attended=Count("attendances", filter=Q(attendances__status__in=Attendance.ATTENDED))
        )
        .select_related("group")
        .only("date", "start_time", "end_time", "group", "group__name")
        .order_by("date", "start_time")
    )


def _partners(*, structure, period: Period, active):
    active_ids = active.values("pk")
    counts = {
        "referrals": Count("referrals", filter=period.days("referrals__date"), distinct=True),
        "active": Count(
            "referrals__learner", filter=Q(referrals__learner__in=active_ids), distinct=True
        ),
    }
    kind_labels = dict(Partner.Kind.choices)
    partners = [
        PartnerFigures(
            name=partner.name,
            kind=partner.kind,
            kind_label=str(kind_labels.get(partner.kind, partner.kind)),
            referrals=partner.referrals_count,
            active_learners=partner.active_count,
        )
        for partner in Partner.objects.filter(structure=structure)
        .annotate(referrals_count=counts["referrals"], active_count=counts["active"])
        .order_by("kind", "name")
    ]
    kinds = [
        PartnerFigures(
            name=str(kind_labels.get(row["kind"], row["kind"])),
            kind=row["kind"],
            kind_label=str(kind_labels.get(row["kind"], row["kind"])),
            referrals=row["referrals_count"],
            active_learners=row["active_count"],
        )
        for row in Partner.objects.filter(structure=structure)
        .values("kind")
        .annotate(referrals_count=counts["referrals"], active_count=counts["active"])
        .order_by("kind")
    ]
    without = active.exclude(Exists(Referral.objects.filter(learner=OuterRef("pk")))).count()
    return partners, kinds, without


def structure_report(*, structure, period: Period) -> StructureReport:
    """The figures funders ask for, for one structure and one period.

    About fifteen queries, whatever the number of learners, attempts and sessions.
    """
    report = StructureReport(structure=structure, period=period)
    active = active_learners(structure=structure, period=period)
    report.active_learners = active.count()

    months = {month: MonthFigures(month=month) for month in period.months()}
    for month, count in _active_by_month(structure=structure, period=period).items():
        if month in months:
            months[month].active_learners = count
    new_by_month = (
        Learner.objects.filter(period.timestamps("created_at"), structure=structure)
        .annotate(month=period.month_index("created_at"))
        .values("month")
        .annotate(n=Count("id"))
        .values_list("month", "n")
        .order_by()
    )
    month_list = list(months)
    for index, count in new_by_month:
        months[month_list[index]].new_learners += count
        report.new_learners += count

    groups = {}
    for session in _attendance_hours(structure=structure, period=period):
        hours = session.duration_hours * session.attended
        report.sessions += 1
        report.hours_attended += hours
        months[session.date.replace(day=1)].hours_attended += hours
        group = groups.setdefault(session.group_id, GroupFigures(name=session.group.name))
        group.sessions += 1
        group.hours_attended += hours
    report.hours_attended = round(report.hours_attended, 2)
    for month in months.values():
        month.hours_attended = round(month.hours_attended, 2)
    report.groups = sorted(groups.values(), key=lambda group: group.name.lower())
    for group in report.groups:
        group.hours_attended = round(group.hours_attended, 2)
    report.months = list(months.values())

    curriculum = _curriculum()
    report.parcours, totals = _completions(
        structure=structure, period=period, curriculum=curriculum
    )
    report.lessons_completed, report.modules_completed, report.parcours_completed = totals
    report.partners, report.partner_kinds, report.active_without_referral = _partners(
        structure=structure, period=period, active=active
    )
    return report
