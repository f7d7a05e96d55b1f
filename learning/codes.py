"""Learner codes: 6 characters from an alphabet without look-alikes, shown as KP7-4QX."""

import re
import secrets

from django.db import IntegrityError, transaction

# No 0/O, 1/I/L, 2/Z, 5/S, 8/B: nothing to confuse when reading a card aloud.
ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
LENGTH = 6
_CODE = re.compile(rf"^[{ALPHABET}]{{{LENGTH}}}$")


def normalize_code(raw):
    """'kp7-4qx', ' KP7 4QX ' -> 'KP74QX'; None when it can't be a code."""
    if not isinstance(raw, str) or len(raw) > 20:
        return None
    code = re.sub(r"[\s\-.]", "", raw).upper()
    return code if _CODE.match(code) else None


def issue_code():
    """A new code, recorded forever so that it is never given twice."""
    from .models import IssuedCode

    for _attempt in range(20):
        code = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
        try:
            with transaction.atomic():
                return IssuedCode.objects.create(code=code)
        except IntegrityError:
            continue
    raise RuntimeError("could not find a free learner code")
