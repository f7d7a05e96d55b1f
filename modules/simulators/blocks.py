"""The lesson-step exercise that sends the learner into a simulator."""

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.snippets.blocks import SnippetChooserBlock

from ..blocks.exercises import Grade, InvalidAnswer, max_attempts_block


class SimulationBlock(blocks.StructBlock):
    scenario = SnippetChooserBlock("modules.Scenario", label=_("Simulation"))
    goals = blocks.CharBlock(
        label=_("Objectifs à atteindre"),
        required=False,
        max_length=300,
        help_text=_(
            "Les clés des objectifs, séparées par des virgules. Vide : tous les objectifs."
        ),
    )
    max_attempts = max_attempts_block()

    class Meta:
        icon = "desktop"
        label = _("Simulation")
        template = "modules/blocks/simulation.html"
        description = _(
            "Un faux site pour s'entraîner sans risque : messagerie, vie scolaire, "
            "offres d'emploi, compte en ligne."
        )

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context=parent_context)
        context["goals"] = self.goal_list(value)
        return context

    def goal_list(self, value):
        """The goals of the scenario that this step asks for, in the scenario's order."""
        scenario = value["scenario"]
        if scenario is None:
            return []
        wanted = [key.strip() for key in (value["goals"] or "").split(",") if key.strip()]
        goals = list(scenario.goals)
        if wanted:
            goals = [goal for goal in goals if goal.value["key"] in wanted]
        return goals

    def parse_answer(self, value, data):
        # The simulator records its own attempts; the lesson form never grades it.
        raise InvalidAnswer(gettext("Ouvrez la simulation pour faire cet exercice."))

    def grade(self, value, answer):
        """`answer` is {"done": [goal keys reached]}: passed when every goal is reached."""
        keys = [goal.value["key"] for goal in self.goal_list(value)]
        done = set(answer.get("done", []))
        reached = sum(1 for key in keys if key in done)
        if keys and reached == len(keys):
            return Grade(1.0, True, gettext("Bravo, vous avez réussi la mission !"))
        score = reached / len(keys) if keys else 0.0
        return Grade(score, False, answer.get("hint") or gettext("Ce n'est pas encore ça."))
