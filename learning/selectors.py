"""Reads: progress as learners and trainers see it."""

from dataclasses import dataclass, field

from django.contrib.sessions.backends.base import SessionBase

from .services import GUEST_PROGRESS_KEY


@dataclass(frozen=True)
class LessonState:
    current_step: int = 1
    seen: frozenset = field(default_factory=frozenset)
    passed: frozenset = field(default_factory=frozenset)

    def is_complete(self, lesson) -> bool:
        """Every step seen and every exercise passed."""
        if not all(number in self.seen for number in range(1, lesson.step_count + 1)):
            return False
        return all(
            exercise.id in self.passed
            for step in lesson.steps
            for exercise in step.value["exercise"]
        )


def guest_lesson_state(*, session: SessionBase, lesson_key: str) -> LessonState:
    lesson = session.get(GUEST_PROGRESS_KEY, {}).get(lesson_key)
    if not lesson:
        return LessonState()
    return LessonState(
        current_step=lesson["current_step"],
        seen=frozenset(lesson["seen"]),
        passed=frozenset(lesson["passed"]),
    )


def guest_completed_lesson_keys(*, session: SessionBase, lessons) -> set:
    return {
        lesson.stable_key
        for lesson in lessons
        if guest_lesson_state(session=session, lesson_key=lesson.stable_key).is_complete(lesson)
    }
