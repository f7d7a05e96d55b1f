"""Durations as people say them: "45 min", "2 h", "5 h 30"."""

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def hours_minutes(minutes):
    minutes = max(0, int(minutes or 0))
    hours, rest = divmod(minutes, 60)
    if not hours:
        return _("%(minutes)d min") % {"minutes": rest}
    if not rest:
        return _("%(hours)d h") % {"hours": hours}
    return _("%(hours)d h %(minutes)02d") % {"hours": hours, "minutes": rest}
