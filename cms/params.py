"""Whole numbers read from a request (ids, step numbers, counts), in one place.

`str.isdigit()` and `int()` accept more than a form ever sends: `"²".isdigit()` is
True but `int("²")` raises; `int("٣")` is 3; `int(" 7 ")` and `int("1_0")` work.
A 20-digit id overflows the database's bigint (PostgreSQL raises, so does SQLite's
driver) and PostgreSQL refuses a NUL in a string. So views parse integers here,
before the ORM sees them: ASCII digits only, bounded length and range. Anything
else is None, and each view answers it as it answers a missing value.
"""

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db import models

BIGINT_MAX = 2**63 - 1  # PostgreSQL's bigint, the type of our primary keys
MAX_DIGITS = len(str(BIGINT_MAX))
MAX_IDS = 500  # ids in one query string: far above a group, far below SQL's limits


def parse_int(raw, *, minimum: int = 0, maximum: int = BIGINT_MAX) -> int | None:
    """`raw` as an int if it is plain ASCII digits within [minimum, maximum], else None."""
    if not isinstance(raw, str) or not 0 < len(raw) <= MAX_DIGITS:
        return None
    if not (raw.isascii() and raw.isdigit()):
        return None
    value = int(raw)
    return value if minimum <= value <= maximum else None


def int_param(data, name: str, *, default=None, minimum: int = 0, maximum: int = BIGINT_MAX):
    """The integer `data[name]` (a QueryDict or dict), or `default`."""
    value = parse_int(data.get(name), minimum=minimum, maximum=maximum)
    return default if value is None else value


def id_param(data, name: str) -> int | None:
    """A primary key posted or asked for in `data[name]`, or None."""
    return int_param(data, name, minimum=1)


def id_list_param(data, name: str) -> list[int]:
    """The valid primary keys among `data.getlist(name)` (at most MAX_IDS), in order."""
    ids = (parse_int(raw, minimum=1) for raw in data.getlist(name)[:MAX_IDS])
    return list(dict.fromkeys(pk for pk in ids if pk is not None))


# --- Form fields choosing a row by its primary key ---------------------------------
# Django's model choice fields query the database with the raw value: on SQLite a
# 20-digit id raises OverflowError, and Wagtail pages and users (int or one-to-one
# keys) are not covered by Django's own bigint range check. These check the value
# first, and answer Django's usual "invalid choice" message.


def _not_an_id(value):
    return parse_int(str(value), minimum=1) is None


class _IdChoiceGuard:
    def to_python(self, value):
        if (
            value not in self.empty_values
            and not isinstance(value, models.Model)
            and _not_an_id(value)
        ):
            raise ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": value},
            )
        return super().to_python(value)


class IdChoiceField(_IdChoiceGuard, forms.ModelChoiceField):
    pass


class IdMultipleChoiceField(forms.ModelMultipleChoiceField):
    def _check_values(self, value):
        for pk in value:
            if _not_an_id(pk):
                raise ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": pk},
                )
        return super()._check_values(value)


class IdFilterChoiceField(_IdChoiceGuard, django_filters.fields.ModelChoiceField):
    pass


class IdChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = IdFilterChoiceField
