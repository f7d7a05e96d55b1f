"""The cells of the live group dashboard: hundreds per refresh, so each one is one
filter call, not a handful of template tags."""

from functools import lru_cache

from django import template
from django.utils.html import format_html
from django.utils.translation import get_language
from django.utils.translation import gettext as _

register = template.Library()


@lru_cache(maxsize=512)
def _cell(status, percent, language):
    if status == "completed":
        return format_html(
            '<td class="gd-cell gd-completed"><span aria-hidden="true">✓</span>'
            '<span class="w-sr-only">{}</span></td>',
            _("Terminée"),
        )
    if status == "started":
        return format_html(
            '<td class="gd-cell gd-started"><span class="w-sr-only">{} : </span>{} %</td>',
            _("En cours"),
            percent,
        )
    return format_html(
        '<td class="gd-cell gd-not_started"><span aria-hidden="true">–</span>'
        '<span class="w-sr-only">{}</span></td>',
        _("Pas commencée"),
    )


@register.filter
def matrix_cell(cell):
    """A matrix cell as a <td>: a symbol or a percentage, and words for screen readers."""
    return _cell(cell.status, cell.percent, get_language())
