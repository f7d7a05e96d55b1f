"""Exercise blocks. Each one grades on the server: the browser never gets the answer.

An exercise block provides:
- `parse_answer(value, data)`: the learner's answer from posted form data, or
  raises `InvalidAnswer` with a message for the learner;
- `grade(value, answer) -> Grade`;
- optionally `graded_in_browser = True`, for content graded in the learner's
  browser (H5P): only then may an xAPI statement pass it (see
  `is_graded_in_browser`).
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.blocks.struct_block import StructBlockValidationError
from wagtail.images.blocks import ImageChooserBlock


def max_attempts_block():
    """How many tries before the lesson counts as done anyway: nobody stays stuck."""
    return blocks.IntegerBlock(
        label=_("Essais avant de pouvoir passer"),
        default=3,
        min_value=1,
        max_value=10,
        help_text=_("Après ces essais, la leçon compte comme faite : personne ne reste bloqué."),
    )


class InvalidAnswer(ValueError):
    """The posted answer can't be graded (nothing chosen, tampered form)."""


def is_graded_in_browser(block) -> bool:
    """Whether a statement (from the learner's browser or a tool) may pass this exercise.

    False unless the block says otherwise: a block graded here is passed only by a
    graded attempt, since anyone signed in can post "passed" to /xapi/statements.
    """
    return getattr(block, "graded_in_browser", False) is True


@dataclass(frozen=True)
class Grade:
    score: float  # 0–1
    passed: bool
    feedback: str


class QuizOptionBlock(blocks.StructBlock):
    text = blocks.CharBlock(label=_("Réponse"), max_length=200)
    image = ImageChooserBlock(
        label=_("Image"), required=False, help_text=_("Le texte de la réponse décrit l'image.")
    )
    correct = blocks.BooleanBlock(label=_("Bonne réponse"), required=False)

    class Meta:
        icon = "radio-full"
        label = _("Réponse possible")


class QuizBlock(blocks.StructBlock):
    question = blocks.CharBlock(label=_("Question"), max_length=300)
    multiple = blocks.BooleanBlock(
        label=_("Plusieurs bonnes réponses"),
        required=False,
        help_text=_("L'écran dira : « Vous pouvez cocher plusieurs réponses. »"),
    )
    options = blocks.ListBlock(QuizOptionBlock(), min_num=2, max_num=6, label=_("Réponses"))
    hint = blocks.CharBlock(label=_("Indice après une erreur"), required=False, max_length=300)
    feedback = blocks.CharBlock(
        label=_("Message après une bonne réponse"), required=False, max_length=300
    )
    max_attempts = max_attempts_block()

    class Meta:
        icon = "help"
        label = _("Quiz")
        template = "modules/blocks/quiz.html"
        description = _("Une question à choix unique ou multiple, corrigée sur le serveur.")
        preview_value = {
            "question": "Quel bouton sert à cliquer ?",
            "multiple": False,
            "options": [
                {"text": "Le bouton de gauche", "correct": True},
                {"text": "Le bouton de droite", "correct": False},
            ],
        }

    def clean(self, value):
        value = super().clean(value)
        right = sum(1 for option in value["options"] if option["correct"])
        if right == 0:
            raise StructBlockValidationError(
                non_block_errors=[ValidationError(_("Cochez au moins une bonne réponse."))]
            )
        if right > 1 and not value["multiple"]:
            raise StructBlockValidationError(
                block_errors={
                    "multiple": ValidationError(
                        _("Plusieurs réponses sont bonnes : cochez cette case.")
                    )
                }
            )
        return value

    def parse_answer(self, value, data):
        """The chosen option numbers (0-based), from the posted `choice` fields."""
        raw = data.getlist("choice")
        if not raw:
            raise InvalidAnswer(gettext("Choisissez une réponse, puis validez."))
        try:
            chosen = sorted({int(item) for item in raw})
        except (TypeError, ValueError):
            raise InvalidAnswer(
                gettext("Cette réponse n'est pas valable. Choisissez encore.")
            ) from None
        if chosen[0] < 0 or chosen[-1] >= len(value["options"]):
            raise InvalidAnswer(gettext("Cette réponse n'est pas valable. Choisissez encore."))
        if not value["multiple"] and len(chosen) > 1:
            raise InvalidAnswer(gettext("Choisissez une seule réponse."))
        return chosen

    def grade(self, value, answer):
        right = {i for i, option in enumerate(value["options"]) if option["correct"]}
        chosen = set(answer)
        if chosen == right:
            return Grade(1.0, True, value["feedback"] or gettext("Bravo, c'est la bonne réponse !"))
        hint = value["hint"] or ""
        if value["multiple"]:
            found = len(chosen & right)
            wrong = len(chosen - right)
            score = max(0.0, (found - wrong) / len(right))
            if wrong:
                message = gettext("Une réponse choisie n'est pas bonne.")
            else:
                message = gettext("C'est un bon début. Il manque une bonne réponse.")
            return Grade(score, False, f"{message} {hint}".strip())
        message = gettext("Ce n'est pas la bonne réponse. Ce n'est pas grave : essayez encore.")
        return Grade(0.0, False, f"{message} {hint}".strip())


# Below Grade and InvalidAnswer, which the hands-on blocks import from here.
from .hands_on import (  # noqa: E402
    ClickTargetsBlock,
    DoubleClickBlock,
    DragDropBlock,
    RightClickBlock,
    ScrollFindBlock,
    ShortcutsBlock,
    TypeTextBlock,
)


def _simulation_block():
    from ..simulators.blocks import SimulationBlock

    return SimulationBlock()


# Below Grade and InvalidAnswer, which the hands-on blocks import from here.


class ExerciseBlock(blocks.StreamBlock):
    quiz = QuizBlock()
    click_targets = ClickTargetsBlock()
    double_click = DoubleClickBlock()
    drag_drop = DragDropBlock()
    scroll_find = ScrollFindBlock()
    right_click = RightClickBlock()
    type_text = TypeTextBlock()
    shortcuts = ShortcutsBlock()
    simulation = _simulation_block()
    click_targets = ClickTargetsBlock()
    double_click = DoubleClickBlock()
    drag_drop = DragDropBlock()
    scroll_find = ScrollFindBlock()
    right_click = RightClickBlock()
    type_text = TypeTextBlock()
    shortcuts = ShortcutsBlock()

    class Meta:
        label = _("Exercice")
        max_num = 1
        required = False
