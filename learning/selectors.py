"""Reads: progress as learners and trainers see it."""

from dataclasses import dataclass, field

from django.contrib.sessions.backends.base import SessionBase

from .services import GUEST_PROGRESS_KEY


@dataclass(frozen=True)
class LessonState:
    current_step: int = 1
    seen: frozenset = field(default_factory=frozenset)
    passed: frozenset = field(default_factory=frozenset)


def guest_lesson_state(*, session: SessionBase, lesson_key: str) -> LessonState:
    lesson = session.get(GUEST_PROGRESS_KEY, {}).get(lesson_key)
    if not lesson:
        return LessonState()
    return LessonState(
        current_step=lesson["current_step"],
        seen=frozenset(lesson["seen"]),
        passed=frozenset(lesson["passed"]),
    )
