from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting


@register_setting(icon="user")
class LearnerSettings(BaseSiteSetting):
    """How learners sign in and are signed out on this site."""

    self_signup = models.BooleanField(
        _("inscription libre"),
        default=False,
        help_text=_("Une personne peut créer son compte seule, sans formateur."),
    )
    signup_structure = models.ForeignKey(
        "learning.Structure",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("structure des inscriptions libres"),
    )
    inactivity_minutes = models.PositiveSmallIntegerField(
        _("déconnexion après inactivité (minutes)"),
        default=20,
        help_text=_("Sur un ordinateur partagé, la session se ferme seule après ce temps."),
    )

    panels = [
        FieldPanel("self_signup"),
        FieldPanel("signup_structure"),
        FieldPanel("inactivity_minutes"),
    ]

    class Meta:
        verbose_name = _("connexion des apprenants")

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.self_signup and not self.signup_structure_id:
            raise ValidationError(
                {"signup_structure": _("Choisissez la structure des nouveaux comptes.")}
            )
        if self.inactivity_minutes < 2:
            raise ValidationError({"inactivity_minutes": _("Au moins 2 minutes.")})
