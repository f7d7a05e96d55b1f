from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LearningConfig(AppConfig):
    name = "learning"
    verbose_name = _("Apprentissage")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from .exports import install_csv_guard

        # Every CSV export, Wagtail's stock ones included, neutralises formulas.
        install_csv_guard()
