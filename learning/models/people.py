import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """Everyone who signs in: learners, trainers, managers, editors.

    Learners have no email: they sign in with a learner code and a picture
    password (see `Learner`). `public_id` is the identity shown to other
    systems (xAPI actor), so the sign-in code never leaves the site.
    """

    public_id = models.UUIDField(
        _("identifiant public"), default=uuid.uuid4, unique=True, editable=False
    )

    class Meta:
        verbose_name = _("utilisateur")
        verbose_name_plural = _("utilisateurs")


class Structure(models.Model):
    """An antenna, a library, a partner social structure: the tenancy boundary."""

    class Kind(models.TextChoices):
        ANTENNA = "antenne", _("Antenne")
        LIBRARY = "bibliotheque", _("Bibliothèque")
        PARTNER = "partenaire", _("Structure partenaire")

    name = models.CharField(_("nom"), max_length=150, unique=True)
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices, default=Kind.ANTENNA)
    help_phone = models.CharField(
        _("téléphone d'aide"),
        max_length=30,
        blank=True,
        help_text=_("Imprimé sur les cartes des apprenants."),
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="structures",
        verbose_name=_("formateurs et responsables"),
    )

    class Meta:
        ordering = ["name"]
        permissions = [("view_report", "Voir le rapport pour les financeurs")]
        verbose_name = _("structure")
        verbose_name_plural = _("structures")

    def __str__(self):
        return self.name


class IssuedCode(models.Model):
    """Every learner code ever given out, so that a code is never given twice,
    even after its learner was erased."""

    code = models.CharField(max_length=6, primary_key=True)
    issued_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("code attribué")
        verbose_name_plural = _("codes attribués")


class Learner(models.Model):
    """A learner's sign-in and profile. Minimal on purpose: no email, no birth
    date, no full last name."""

    class TextSize(models.TextChoices):
        NORMAL = "normal", _("Normal")
        LARGE = "grand", _("Grand")
        LARGER = "tres-grand", _("Très grand")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="learner"
    )
    code = models.OneToOneField(
        IssuedCode, on_delete=models.PROTECT, related_name="learner", verbose_name=_("code")
    )
    first_name = models.CharField(_("prénom"), max_length=60)
    last_initial = models.CharField(_("initiale du nom"), max_length=1, blank=True)
    structure = models.ForeignKey(
        Structure,
        on_delete=models.PROTECT,
        related_name="learners",
        verbose_name=_("structure d'accueil"),
    )
    language = models.CharField(
        _("langue"), max_length=10, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    text_size = models.CharField(
        _("taille du texte"), max_length=12, choices=TextSize.choices, default=TextSize.NORMAL
    )
    high_contrast = models.BooleanField(_("contraste renforcé"), default=False)
    reduced_motion = models.BooleanField(_("moins d'animations"), default=False)
    # Hashed with Django's password hashers; never stored in clear.
    picture_password = models.CharField(max_length=128, editable=False)
    pin = models.CharField(max_length=128, blank=True, editable=False)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("créé par"),
    )
    # "J'ai fini" or the inactivity timeout: the dashboard stops showing them as
    # active at once, instead of two minutes after their last step.
    signed_out_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["first_name", "last_initial"]
        verbose_name = _("apprenant")
        verbose_name_plural = _("apprenants")

    def __str__(self):
        return self.display_name

    @property
    def display_name(self):
        return f"{self.first_name} {self.last_initial}." if self.last_initial else self.first_name

    @property
    def display_code(self):
        return format_code(self.code_id)


def format_code(code):
    """KP74QX -> KP7-4QX, as printed on the card."""
    return f"{code[:3]}-{code[3:]}"
