"""One rule for a learner's name, wherever it is typed: self sign-up, the admin
learner forms, bulk creation and `services.learner_create`.

A first name is letters (any alphabet, with accents), with single spaces, hyphens
or apostrophes between them: "Anne-Marie", "N'Golo", "Zoë". Nothing else, so that
a name can never start a spreadsheet formula (=, +, -, @), reorder the text around
it (bidi controls) or carry markup.
"""

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

FIRST_NAME_MAX_LENGTH = 60  # Learner.first_name's max_length
SEPARATORS = " '’-"


def _is_name(name):
    """Words of letters (a letter may carry combining marks: Devanagari vowel signs,
    Arabic harakat), joined by one space, hyphen or apostrophe."""
    previous = None  # "letter", "separator" or None at the start
    for char in name:
        category = unicodedata.category(char)
        if category.startswith("L"):
            previous = "letter"
        elif category.startswith("M") and previous == "letter":
            continue
        elif char in SEPARATORS and previous == "letter":
            previous = "separator"
        else:
            return False
    return previous == "letter"


def _normalized(value):
    # NFC: an "é" typed as "e" + combining accent becomes one letter, as the
    # pattern expects; runs of spaces become one.
    return " ".join(unicodedata.normalize("NFC", str(value or "")).split())


def clean_first_name(value):
    """The first name, tidied; raises ValidationError (code "too_long" or "invalid")."""
    name = _normalized(value)
    if len(name) > FIRST_NAME_MAX_LENGTH:
        raise ValidationError(
            _("Ce prénom est trop long (%(max)s signes au plus).") % {"max": FIRST_NAME_MAX_LENGTH},
            code="too_long",
        )
    if not _is_name(name):
        raise ValidationError(_("Écrivez seulement un prénom, avec des lettres."), code="invalid")
    return name


def clean_last_initial(value):
    """One letter in capitals, or "" ; raises ValidationError (code "invalid")."""
    initial = _normalized(value).rstrip(".")
    if not initial:
        return ""
    if len(initial) != 1 or not initial.isalpha():
        raise ValidationError(_("Écrivez une seule lettre, ou laissez vide."), code="invalid")
    return initial.upper()
