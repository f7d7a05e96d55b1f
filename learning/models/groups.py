"""Trainers' organisation: referral partners, groups, sessions, attendance, raised hands.

Every row here belongs to one structure (directly or through its group or its
learner): that is how the admin views scope what a trainer sees.
"""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from .people import Learner, Structure


class Partner(models.Model):
    """A referral source of a structure: France Travail, a CCAS, an association…"""

    class Kind(models.TextChoices):
        FRANCE_TRAVAIL = "france-travail", _("France Travail")
        CCAS = "ccas", _("CCAS")
        MAISON_METROPOLE = "maison-metropole", _("Maison de la Métropole")
        ASSOCIATION = "association", _("Association")
        OTHER = "autre", _("Autre")

    structure = models.ForeignKey(
        Structure, on_delete=models.CASCADE, related_name="partners", verbose_name=_("structure")
    )
    name = models.CharField(_("nom"), max_length=150)
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices, default=Kind.OTHER)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["structure", "name"], name="partner_name_once")
        ]
        verbose_name = _("partenaire")
        verbose_name_plural = _("partenaires")

    def __str__(self):
        return self.name


class Referral(models.Model):
    """Who sent a learner to the structure, and for what."""

    learner = models.ForeignKey(
        Learner, on_delete=models.CASCADE, related_name="referrals", verbose_name=_("apprenant")
    )
    partner = models.ForeignKey(
        Partner, on_delete=models.PROTECT, related_name="referrals", verbose_name=_("partenaire")
    )
    referent_name = models.CharField(_("nom du référent"), max_length=120, blank=True)
    referent_contact = models.CharField(
        _("contact du référent"),
        max_length=150,
        blank=True,
        help_text=_("Téléphone ou adresse e-mail professionnelle du référent."),
    )
    date = models.DateField(_("date d'orientation"), default=datetime.date.today)
    needs = models.TextField(_("besoins"), blank=True, max_length=2000)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-date"]
        verbose_name = _("orientation")
        verbose_name_plural = _("orientations")

    def __str__(self):
        return f"{self.learner} · {self.partner}"


class Group(models.Model):
    """8–10 learners following a parcours with their trainers."""

    structure = models.ForeignKey(
        Structure, on_delete=models.PROTECT, related_name="groups", verbose_name=_("structure")
    )
    name = models.CharField(_("nom"), max_length=120)
    parcours = models.ForeignKey(
        "modules.ParcoursPage",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("parcours"),
    )
    trainers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="trained_groups",
        verbose_name=_("formateurs"),
    )
    learners = models.ManyToManyField(
        Learner, blank=True, related_name="groups", verbose_name=_("apprenants")
    )
    start_date = models.DateField(_("début"), null=True, blank=True)
    end_date = models.DateField(_("fin"), null=True, blank=True)
    # "Proposer cette leçon au groupe": the learners' home offers it.
    current_lesson = models.ForeignKey(
        "modules.LessonPage",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("leçon proposée"),
    )
    current_lesson_set_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    # An archived group leaves the listings, dashboards and the learners' home, but
    # keeps its séances and attendance: their hours still count. A group that has
    # séances is archived, never deleted.
    archived_at = models.DateTimeField(_("archivé le"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-start_date", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=F("start_date")),
                name="group_ends_after_start",
            )
        ]
        verbose_name = _("groupe")
        verbose_name_plural = _("groupes")

    def __str__(self):
        return self.name

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None


class TrainingSession(models.Model):
    """A séance: one meeting of a group, at a place, with planned lessons."""

    # PROTECT: deleting a group must never drop its séances and their attendance.
    group = models.ForeignKey(
        Group, on_delete=models.PROTECT, related_name="sessions", verbose_name=_("groupe")
    )
    date = models.DateField(_("date"))
    start_time = models.TimeField(_("début"))
    end_time = models.TimeField(_("fin"))
    place = models.CharField(_("lieu"), max_length=150, blank=True)
    planned_lessons = models.ManyToManyField(
        "modules.LessonPage", blank=True, related_name="+", verbose_name=_("leçons prévues")
    )

    class Meta:
        ordering = ["-date", "-start_time"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_time__gt=F("start_time")), name="session_ends_after_start"
            )
        ]
        verbose_name = _("séance")
        verbose_name_plural = _("séances")

    def __str__(self):
        return f"{self.group} · {self.date:%d/%m/%Y}"

    @property
    def duration_hours(self) -> float:
        start = datetime.datetime.combine(self.date, self.start_time)
        end = datetime.datetime.combine(self.date, self.end_time)
        return round((end - start).total_seconds() / 3600, 2)


class Attendance(models.Model):
    class Status(models.TextChoices):
        PRESENT = "present", _("Présent")
        ABSENT = "absent", _("Absent")
        EXCUSED = "excuse", _("Excusé")
        LATE = "retard", _("En retard")

    # Statuses that count the session's hours as attended.
    ATTENDED = (Status.PRESENT, Status.LATE)

    # PROTECT: attended hours stay in attestations and reports (a séance with
    # attendance is never deleted); erasing a learner deletes their rows.
    session = models.ForeignKey(
        TrainingSession, on_delete=models.PROTECT, related_name="attendances"
    )
    learner = models.ForeignKey(Learner, on_delete=models.CASCADE, related_name="attendances")
    status = models.CharField(_("présence"), max_length=10, choices=Status.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "learner"], name="attendance_once")
        ]
        verbose_name = _("présence")
        verbose_name_plural = _("présences")


class HelpRequest(models.Model):
    """A raised hand: the learner pressed "J'ai besoin d'aide"."""

    learner = models.ForeignKey(Learner, on_delete=models.CASCADE, related_name="help_requests")
    group = models.ForeignKey(
        Group, on_delete=models.CASCADE, null=True, blank=True, related_name="help_requests"
    )
    lesson = models.ForeignKey(
        "modules.LessonPage", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    step_number = models.PositiveSmallIntegerField(null=True, blank=True)
    raised_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [
            # One open hand per learner: pressing twice doesn't raise two.
            models.UniqueConstraint(
                fields=["learner"], condition=Q(resolved_at__isnull=True), name="one_open_hand"
            )
        ]
        verbose_name = _("demande d'aide")
        verbose_name_plural = _("demandes d'aide")
