"""The picture password: 3 pictures in order, from a grid of 12 that we drew.

Pictures are named in French; the name is each picture's accessible label and
what a trainer reads out. The sequence is hashed like any password.
"""

import secrets

from django.conf import settings
from django.contrib.auth.hashers import check_password, is_password_usable, make_password
from django.utils.translation import gettext_lazy as _

PICTURES = {
    "soleil": _("soleil"),
    "lune": _("lune"),
    "arbre": _("arbre"),
    "fleur": _("fleur"),
    "maison": _("maison"),
    "voiture": _("voiture"),
    "bateau": _("bateau"),
    "chat": _("chat"),
    "poisson": _("poisson"),
    "pomme": _("pomme"),
    "cle": _("clé"),
    "coeur": _("cœur"),
}
PASSWORD_LENGTH = 3


def random_pictures():
    """Three different pictures, drawn with a secure random generator."""
    pool = list(PICTURES)
    return [pool.pop(secrets.randbelow(len(pool))) for _ in range(PASSWORD_LENGTH)]


def is_picture_sequence(pictures):
    return (
        isinstance(pictures, (list, tuple))
        and len(pictures) == PASSWORD_LENGTH
        and all(picture in PICTURES for picture in pictures)
    )


def picture_password_hash(pictures):
    if not is_picture_sequence(pictures):
        raise ValueError("a picture password is 3 known pictures")
    return make_password("|".join(pictures))


def _stand_in_hash():
    """The hash of a secret nobody knows, made like the learners' hashes (same hasher,
    same parameters), to check against when there is no real hash to check."""
    key = tuple(settings.PASSWORD_HASHERS)  # tests change the hashers
    if key not in _STAND_IN_HASHES:
        _STAND_IN_HASHES[key] = make_password(secrets.token_urlsafe(32))
    return _STAND_IN_HASHES[key]


_STAND_IN_HASHES = {}


def secret_check(secret, encoded):
    """Whether `secret` matches `encoded`, computing exactly one hash whatever happens:
    unknown code, no PIN, a malformed PIN... Otherwise the time of the answer would
    tell whether a code exists (one hash takes a large part of a second)."""
    real = secret is not None and bool(encoded) and is_password_usable(encoded)
    matches = check_password(secret if real else "", encoded if real else _stand_in_hash())
    return real and matches


def picture_password_check(encoded, pictures):
    secret = "|".join(pictures) if is_picture_sequence(pictures) else None
    return secret_check(secret, encoded)


def is_pin(pin):
    return isinstance(pin, str) and len(pin) == 4 and pin.isascii() and pin.isdigit()


def pin_hash(pin):
    if not is_pin(pin):
        raise ValueError("a PIN is 4 digits")
    return make_password(pin)


def pin_check(encoded, pin):
    return secret_check(pin if is_pin(pin) else None, encoded)


def picture_labels(pictures):
    return [str(PICTURES[picture]) for picture in pictures]
