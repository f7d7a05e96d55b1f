"""When a module or a parcours is complete: the one definition every screen, file,
report and xAPI statement uses.

- A module is complete when it has at least one live lesson and the learner
  completed every one of them. A module with no live lesson is still being
  written ("Bientôt disponible"): it is never complete.
- A parcours is complete when it lists at least one module and every module it
  lists is complete; a listed module with no lesson yet keeps it unfinished.

No import here: models, services, selectors and reports all use it.
"""

from collections.abc import Iterable


def module_is_complete(*, lesson_count: int, completed_count: int) -> bool:
    """`lesson_count` live lessons, `completed_count` of them completed by the learner."""
    return lesson_count > 0 and completed_count >= lesson_count


def parcours_is_complete(modules_complete: Iterable[bool]) -> bool:
    """One flag per module the parcours lists (`module_is_complete` of each)."""
    flags = list(modules_complete)
    return bool(flags) and all(flags)


def parcours_fraction(module_fractions: Iterable[float]) -> float:
    """A parcours' progress (0–1): the mean of all its listed modules' progress, a
    module with no lesson counting 0, so that it never reaches 1 before completion."""
    fractions = list(module_fractions)
    return sum(fractions) / len(fractions) if fractions else 0.0
