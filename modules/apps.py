from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ModulesConfig(AppConfig):
    name = "modules"
    verbose_name = _("Parcours et modules")
    default_auto_field = "django.db.models.BigAutoField"
