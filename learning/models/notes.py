"""Trainer notes about a learner. Learners may read their file (GDPR right of
access): notes are written for them to read too."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .groups import TrainingSession
from .people import Learner


class TrainerNote(models.Model):
    class Visibility(models.TextChoices):
        AUTHOR = "auteur", _("Moi seulement")
        TEAM = "equipe", _("L'équipe de ma structure")

    learner = models.ForeignKey(
        Learner, on_delete=models.CASCADE, related_name="notes", verbose_name=_("apprenant")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("auteur"),
    )
    # Sanitized HTML (bold, lists, links), cleaned by cms.sanitize on every save.
    body = models.TextField(_("note"), max_length=20000)
    visibility = models.CharField(
        _("visible par"), max_length=10, choices=Visibility.choices, default=Visibility.TEAM
    )
    session = models.ForeignKey(
        TrainingSession,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="notes",
        verbose_name=_("séance"),
    )
    created_at = models.DateTimeField(_("écrite le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifiée le"), auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("note")
        verbose_name_plural = _("notes")

    def __str__(self):
        return f"{self.learner} · {self.created_at:%d/%m/%Y}"


class TrainerNoteVersion(models.Model):
    """The text of a note before each edit: the history is kept."""

    note = models.ForeignKey(TrainerNote, on_delete=models.CASCADE, related_name="versions")
    body = models.TextField()
    visibility = models.CharField(max_length=10, choices=TrainerNote.Visibility.choices)
    saved_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-saved_at"]
