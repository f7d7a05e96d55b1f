"""Sign-in for learners: a learner code and a picture password (or a 4-digit PIN)."""

from .codes import normalize_code
from .models import Learner
from .pictures import picture_password_check, pin_check


class LearnerBackend:
    """Authenticates `authenticate(request, username=<code>, pictures=[...])`
    or `pin="1234"`. django-axes, first in AUTHENTICATION_BACKENDS, throttles
    per (code, IP) before this runs."""

    def authenticate(self, request, username=None, pictures=None, pin=None, **kwargs):
        if pictures is None and pin is None:
            return None  # not a learner sign-in
        code = normalize_code(username)
        learner = (
            Learner.objects.select_related("user").filter(code_id=code).first() if code else None
        )
        # One hash computation on every path (known or unknown code, with or without
        # a PIN): the time of the answer must not tell whether the code exists.
        if pictures is not None:
            ok = picture_password_check(learner.picture_password if learner else "", pictures)
        else:
            ok = pin_check(learner.pin if learner else "", pin)
        if ok and learner.user.is_active:
            return learner.user
        return None

    def get_user(self, user_id):
        from django.contrib.auth import get_user_model

        return get_user_model().objects.filter(pk=user_id, is_active=True).first()
