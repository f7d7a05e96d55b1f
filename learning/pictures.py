"""The picture password: 3 pictures in order, from a grid of 12 that we drew.

Pictures are named in French; the name is each picture's accessible label and
what a trainer reads out. The sequence is hashed like any password.
"""

import secrets

from django.contrib.auth.hashers import check_password, make_password
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


def picture_password_check(encoded, pictures):
    if not encoded or not is_picture_sequence(pictures):
        return False
    return check_password("|".join(pictures), encoded)


def is_pin(pin):
    return isinstance(pin, str) and len(pin) == 4 and pin.isascii() and pin.isdigit()


def pin_hash(pin):
    if not is_pin(pin):
        raise ValueError("a PIN is 4 digits")
    return make_password(pin)


def pin_check(encoded, pin):
    return bool(encoded) and is_pin(pin) and check_password(pin, encoded)


def picture_labels(pictures):
    return [str(PICTURES[picture]) for picture in pictures]
