"""Filters for the learner file and its PDFs."""

from django import template
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from cms.sanitize import clean_html

register = template.Library()


@register.filter
def rich_note(html):
    """A note's stored HTML, cleaned again on the way out: a row written around
    the services still renders inert."""
    return mark_safe(clean_html(html or ""))  # noqa: S308 - cleaned by cms.sanitize just now


@register.filter
def hours(value):
    """2.5 -> "2,5 h", 5.0 -> "5 h" (French decimal comma)."""
    number = round(float(value or 0), 2)
    return gettext("%(hours)s h") % {"hours": f"{number:g}".replace(".", ",")}


@register.filter
def duration(seconds):
    """Time spent, as a trainer reads it: "1 h 05 min", "12 min", "moins d'une minute"."""
    minutes = int(seconds or 0) // 60
    if minutes == 0:
        return gettext("moins d'une minute") if seconds else "—"
    if minutes < 60:
        return gettext("%(minutes)s min") % {"minutes": minutes}
    return gettext("%(hours)s h %(minutes)02d min") % {
        "hours": minutes // 60,
        "minutes": minutes % 60,
    }


@register.filter
def percent(value):
    return None if value is None else round(float(value) * 100)


@register.filter
def staff_name(user):
    """A note's author by name, never by e-mail."""
    from learning.selectors import staff_display_name

    return staff_display_name(user)
