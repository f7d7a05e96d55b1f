import threading

import pytest
from django.db import connection, connections

from learning import services
from learning.models import ExerciseAttempt, LessonProgress
from modules.blocks import Grade
from modules.loader import load_curriculum
from modules.models import LessonPage
from tests.conftest import reset_sequences_to_rows
from tests.factories import learner

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="SQLite serialises writers by itself"
    ),
]


TABS = 8


def test_tabs_submitting_at_once_lose_no_attempt_and_no_progress(minimal_content):
    reset_sequences_to_rows()  # earlier transactional tests restored rows with their ids
    load_curriculum(minimal_content)
    lesson = LessonPage.objects.get(source_key="lecon-cliquer")
    exercise = lesson.exercise_of(2)
    user = learner()[0].user
    services.lesson_step_view(user=user, lesson=lesson, step_number=1)
    start = threading.Barrier(TABS)
    errors = []

    def tab(step_number, grade):
        try:
            start.wait(timeout=10)
            services.exercise_attempt_submit(
                user=user,
                lesson=lesson,
                step_number=step_number,
                exercise=exercise,
                answer=[1],
                grade=grade,
            )
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connections.close_all()

    # Wrong answers on step 2 from most tabs, the right one from the last, which
    # has also reached step 3.
    tabs = [threading.Thread(target=tab, args=(2, Grade(0.0, False, ""))) for _ in range(TABS - 1)]
    tabs.append(threading.Thread(target=tab, args=(3, Grade(1.0, True, ""))))
    for thread in tabs:
        thread.start()
    for thread in tabs:
        thread.join(timeout=30)

    assert errors == []
    attempts = ExerciseAttempt.objects.filter(block_id=exercise.id).order_by("attempt_number")
    assert [a.attempt_number for a in attempts] == list(range(1, TABS + 1))
    progress = LessonProgress.objects.get(learner=user)
    assert set(progress.completed_steps) == {1, 2, 3}
    assert progress.passed_exercises == [exercise.id]
