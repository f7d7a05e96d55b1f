from django.utils.translation import gettext_lazy as _
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import Competence


class CompetenceViewSet(SnippetViewSet):
    model = Competence
    icon = "tick-inverse"
    menu_label = _("Compétences")
    list_display = ["code", "name", "domain"]
    list_filter = ["domain"]
    search_fields = ["code", "name"]


register_snippet(CompetenceViewSet)
