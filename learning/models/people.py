import uuid

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """Everyone who signs in: learners, trainers, managers, editors.

    Learners have no email; they will sign in with a learner code and a picture
    password. `public_id` is the identity shown to other systems (xAPI actor),
    so the sign-in code never leaves the site.
    """

    public_id = models.UUIDField(
        _("identifiant public"), default=uuid.uuid4, unique=True, editable=False
    )

    class Meta:
        verbose_name = _("utilisateur")
        verbose_name_plural = _("utilisateurs")
