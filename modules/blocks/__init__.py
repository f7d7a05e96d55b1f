from django.utils.translation import gettext_lazy as _
from wagtail import blocks

from .content import StepContentBlock
from .exercises import ExerciseBlock, Grade, InvalidAnswer, is_graded_in_browser
from .hands_on import (
    ClickTargetsBlock,
    DoubleClickBlock,
    DragDropBlock,
    RightClickBlock,
    ScrollFindBlock,
    ShortcutsBlock,
    TypeTextBlock,
)


class StepBlock(blocks.StructBlock):
    """One screen of a lesson: a title, what to read, and at most one exercise."""

    title = blocks.CharBlock(label=_("Titre de l'étape"), max_length=120)
    content = StepContentBlock()
    exercise = ExerciseBlock(required=False)

    class Meta:
        icon = "list-ol"
        label = _("Étape")
        template = "modules/blocks/step.html"
        description = _("Un écran de la leçon.")


__all__ = [
    "ClickTargetsBlock",
    "DoubleClickBlock",
    "DragDropBlock",
    "ExerciseBlock",
    "Grade",
    "InvalidAnswer",
    "RightClickBlock",
    "ScrollFindBlock",
    "ShortcutsBlock",
    "StepBlock",
    "StepContentBlock",
    "TypeTextBlock",
    "is_graded_in_browser",
]
