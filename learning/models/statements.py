import hashlib
import hmac

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class XapiCredential(models.Model):
    """HTTP Basic credentials for an external tool, scoped to one structure."""

    name = models.CharField(_("nom de l'outil"), max_length=100)
    key = models.CharField(_("identifiant"), max_length=40, unique=True)
    secret = models.CharField(max_length=128, editable=False)  # hashed
    structure = models.ForeignKey(
        "learning.Structure",
        on_delete=models.CASCADE,
        related_name="xapi_credentials",
        verbose_name=_("structure"),
    )
    active = models.BooleanField(_("actif"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("accès xAPI")
        verbose_name_plural = _("accès xAPI")

    def __str__(self):
        return self.name

    # The secret is a random 32-character token made by the server, not a
    # person's password: a SHA-256 digest compared in constant time is enough,
    # and spares every xAPI request a slow password hash.
    def set_secret(self, raw):
        self.secret = "sha256$" + hashlib.sha256(raw.encode()).hexdigest()

    def check_secret(self, raw):
        expected = "sha256$" + hashlib.sha256(str(raw).encode()).hexdigest()
        return hmac.compare_digest(expected, self.secret)


class Statement(models.Model):
    """An xAPI statement as stored: indexed columns for queries, the full JSON beside."""

    statement_id = models.UUIDField(unique=True)
    actor_key = models.CharField(max_length=300, db_index=True)
    verb_id = models.CharField(max_length=500, db_index=True)
    activity_id = models.CharField(max_length=500, blank=True, db_index=True)
    registration = models.UUIDField(null=True, blank=True, db_index=True)
    voided = models.BooleanField(default=False)
    voided_target = models.UUIDField(null=True, blank=True)
    timestamp = models.DateTimeField()
    stored = models.DateTimeField(db_index=True)
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="statements",
    )
    credential = models.ForeignKey(
        XapiCredential, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    data = models.JSONField()

    class Meta:
        ordering = ["-stored", "-id"]
        indexes = [models.Index(fields=["stored", "id"])]
        verbose_name = _("déclaration xAPI")
        verbose_name_plural = _("déclarations xAPI")


class OutboxItem(models.Model):
    """A statement waiting to be forwarded to the external LRS."""

    statement = models.OneToOneField(
        Statement, on_delete=models.CASCADE, to_field="statement_id", related_name="outbox"
    )
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(auto_now_add=True, db_index=True)
    delivered_at = models.DateTimeField(null=True, blank=True, db_index=True)
    last_error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("déclaration à transmettre")
        verbose_name_plural = _("déclarations à transmettre")
