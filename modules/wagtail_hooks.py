from django.utils.translation import gettext_lazy as _
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import Competence, Scenario


class CompetenceViewSet(SnippetViewSet):
    model = Competence
    icon = "tick-inverse"
    menu_label = _("Compétences")
    list_display = ["code", "name", "domain"]
    list_filter = ["domain"]
    search_fields = ["code", "name"]


register_snippet(CompetenceViewSet)


class ScenarioViewSet(SnippetViewSet):
    model = Scenario
    icon = "desktop"
    menu_label = _("Simulations")
    list_display = ["title", "kind", "key"]
    list_filter = ["kind"]
    search_fields = ["title", "key"]


register_snippet(ScenarioViewSet)
