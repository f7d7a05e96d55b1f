from dataclasses import dataclass, field

from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _
from wagtail import blocks

KEY_VALIDATOR = RegexValidator(r"^[a-z0-9-]+$", _("Lettres a-z, chiffres et « - » seulement."))


@dataclass(frozen=True)
class GoalCheck:
    """What one learner action means for one goal: reached, or a hint to try again."""

    done: bool = False
    hint: str = ""


class GoalBlock(blocks.StructBlock):
    """A goal in a scenario. Each kind subclasses it and implements `reached`.

    Goals are checked on the server against the events the simulator records
    ("a message was sent", "an offer was saved"…); the browser never decides.
    """

    key = blocks.CharBlock(
        label=_("Clé"),
        max_length=50,
        validators=[
            RegexValidator(r"^[a-z0-9-]+$", _("Lettres a-z, chiffres et « - » seulement."))
        ],
        help_text=_("Un nom court et stable, par exemple « envoyer-cv »."),
    )
    instruction = blocks.CharBlock(
        label=_("Consigne"),
        max_length=300,
        help_text=_("Ce que la personne doit faire, en une phrase simple."),
    )
    hint = blocks.CharBlock(label=_("Indice après une erreur"), required=False, max_length=300)

    class Meta:
        icon = "tick-inverse"

    def reached(self, value, event: dict, state: dict) -> GoalCheck | None:
        """Does `event` reach this goal? None when the event has nothing to do with it.

        `state` is the run's state after the action. (Not named `check`: that is
        Wagtail's system check, which manage.py runs on every block.)
        """
        raise NotImplementedError


@dataclass
class Kind:
    """One kind of simulated site."""

    label: str
    items: list = field(default_factory=list)  # [(block name, block)], names prefixed by kind
    goals: list = field(default_factory=list)  # [(block name, GoalBlock)]
    # problems(items, goals) -> [message]: the kind's own cross-checks (a goal about
    # an item the scenario doesn't hold…), run by Scenario.clean.
    problems: object = None


def _kinds():
    from . import account, jobs, school, webmail

    return {
        "webmail": webmail.KIND,
        "ecole": school.KIND,
        "emploi": jobs.KIND,
        "compte": account.KIND,
    }


KINDS = _kinds()


def item_blocks():
    return [item for kind in KINDS.values() for item in kind.items]


def goal_blocks():
    return [goal for kind in KINDS.values() for goal in kind.goals]
