"""Writes: what learners do. Keyword-only functions, one per action.

Issue #2 keeps a guest's progress in the session; stored progress for
accounts (LessonProgress, attempts, statements) comes with issue #4.
"""

from django.contrib.sessions.backends.base import SessionBase

from modules.blocks import Grade

GUEST_PROGRESS_KEY = "guest_progress"


def _guest_lesson(session: SessionBase, lesson_key: str) -> dict:
    progress = session.setdefault(GUEST_PROGRESS_KEY, {})
    return progress.setdefault(
        lesson_key, {"current_step": 1, "seen": [], "passed": [], "attempts": {}}
    )


def guest_step_view(*, session: SessionBase, lesson_key: str, step_number: int) -> None:
    lesson = _guest_lesson(session, lesson_key)
    lesson["current_step"] = step_number
    if step_number not in lesson["seen"]:
        lesson["seen"].append(step_number)
    session.modified = True


def guest_exercise_submit(
    *, session: SessionBase, lesson_key: str, block_id: str, grade: Grade
) -> int:
    """Record one graded attempt; returns the attempt number."""
    lesson = _guest_lesson(session, lesson_key)
    attempts = lesson["attempts"].get(block_id, 0) + 1
    lesson["attempts"][block_id] = attempts
    if grade.passed and block_id not in lesson["passed"]:
        lesson["passed"].append(block_id)
    session.modified = True
    return attempts
