from datetime import timedelta

import pytest
from django.utils import timezone

from learning import selectors, services
from learning.models import ExerciseAttempt, LessonProgress
from modules.blocks import Grade
from modules.models import LessonPage, ModulePage, ParcoursPage
from tests.factories import learner

pytestmark = pytest.mark.django_db

RIGHT, WRONG = Grade(1.0, True, "Bravo"), Grade(0.0, False, "Encore")


@pytest.fixture
def user(db):
    return learner()[0].user


@pytest.fixture
def lesson(curriculum):
    return LessonPage.objects.get(source_key="lecon-souris-tenir")


def view_all_steps(user, lesson):
    for number in range(1, lesson.step_count + 1):
        services.lesson_step_view(user=user, lesson=lesson, step_number=number)


def answer(user, lesson, number, exercise, grade):
    return services.exercise_attempt_submit(
        user=user, lesson=lesson, step_number=number, exercise=exercise, answer=[0], grade=grade
    )


def test_every_attempt_is_stored_and_numbered(user, lesson):
    number, exercise = lesson.exercises()[0]
    answer(user, lesson, number, exercise, WRONG)
    answer(user, lesson, number, exercise, RIGHT)

    attempts = ExerciseAttempt.objects.filter(block_id=exercise.id)
    assert [(a.attempt_number, a.passed, a.correct) for a in attempts] == [
        (1, False, 0.0),
        (2, True, 1.0),
    ]


def test_a_lesson_is_complete_when_every_step_is_seen_and_every_exercise_passed(user, lesson):
    view_all_steps(user, lesson)
    progress = LessonProgress.objects.get(learner=user)
    assert progress.completed_at is None and progress.progress == 1.0

    for number, exercise in lesson.exercises():
        answer(user, lesson, number, exercise, RIGHT)

    progress.refresh_from_db()
    assert progress.status == LessonProgress.Status.COMPLETED
    assert progress.completed_at is not None


def test_nobody_is_stuck_forever_on_an_exercise(user, lesson):
    view_all_steps(user, lesson)
    (first_number, first), *others = lesson.exercises()
    for number, exercise in others:
        answer(user, lesson, number, exercise, RIGHT)
    for _ in range(first.value["max_attempts"] - 1):
        answer(user, lesson, first_number, first, WRONG)
    assert LessonProgress.objects.get(learner=user).completed_at is None

    answer(user, lesson, first_number, first, WRONG)  # the last allowed try

    assert LessonProgress.objects.get(learner=user).completed_at is not None


def test_completion_time_is_set_once_and_progress_never_decreases(user, lesson):
    view_all_steps(user, lesson)
    for number, exercise in lesson.exercises():
        answer(user, lesson, number, exercise, RIGHT)
    first = LessonProgress.objects.get(learner=user)

    services.lesson_step_view(user=user, lesson=lesson, step_number=1)
    number, exercise = lesson.exercises()[0]
    answer(user, lesson, number, exercise, WRONG)
    # The editor adds steps: the fraction of steps seen falls, the progress doesn't.
    lesson.steps.append(("step", lesson.steps[0].value))
    lesson.save_revision().publish()
    lesson = LessonPage.objects.get(pk=lesson.pk)
    services.lesson_step_view(user=user, lesson=lesson, step_number=2)

    again = LessonProgress.objects.get(learner=user)
    assert again.completed_at == first.completed_at
    assert again.progress == 1.0


def complete_module(user, module):
    for lesson in module.lessons:
        view_all_steps(user, lesson)
        for number, exercise in lesson.exercises():
            answer(user, lesson, number, exercise, RIGHT)


def test_a_module_completed_in_one_parcours_counts_in_every_parcours(user, curriculum):
    mouse = ModulePage.objects.get(source_key="module-la-souris")
    complete_module(user, mouse)
    parcours = list(ParcoursPage.objects.live().order_by("path"))

    result = selectors.learner_parcours_progress(user=user, parcours_list=parcours)

    assert len(result) == 3
    for item in result:
        module = next(m for m in item.modules if m.module.pk == mouse.pk)
        assert module.is_complete and module.percent == 100
        others = [m for m in item.modules if m.module.pk != mouse.pk]
        assert not any(m.is_complete for m in others)
    # Other modules with lessons (the keyboard) are still to do: no parcours is complete.
    assert not any(item.is_complete for item in result)


def test_the_home_shows_progress_with_a_constant_number_of_queries(
    client, curriculum, django_assert_max_num_queries
):
    mouse = ModulePage.objects.get(source_key="module-la-souris")
    busy, pictures = learner(first_name="Busy")
    idle, idle_pictures = learner(first_name="Idle", structure=busy.structure)
    complete_module(busy.user, mouse)

    client.force_login(idle.user)
    client.get("/moi/")  # the site's settings are created on the first request
    with django_assert_max_num_queries(20) as idle_queries:
        client.get("/moi/")
    client.force_login(busy.user)
    with django_assert_max_num_queries(20) as busy_queries:
        html = client.get("/moi/").content.decode()

    assert len(busy_queries) == len(idle_queries)
    assert "Terminé" in html and 'value="100"' in html


def test_a_heartbeat_counts_visible_time_and_is_capped(client, user, lesson):
    client.force_login(user)
    services.lesson_step_view(user=user, lesson=lesson, step_number=1)
    opened = timezone.now() - timedelta(seconds=40)
    LessonProgress.objects.update(started_at=opened, last_seen_at=opened)

    client.post("/progression/temps/", {"lesson": lesson.pk, "seconds": 30})
    client.post("/progression/temps/", {"lesson": lesson.pk, "seconds": 3600})  # right after

    progress = LessonProgress.objects.get(learner=user)
    assert 30 <= progress.time_spent_s <= 32  # the second beat adds at most the time since


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"lesson": "x", "seconds": "1"},
        {"lesson": "999999", "seconds": "5"},
        {"lesson": "1", "seconds": "-5"},
    ],
)
def test_a_broken_heartbeat_gets_a_400(client, user, lesson, data):
    client.force_login(user)
    assert client.post("/progression/temps/", data).status_code == 400


def test_a_signed_in_learners_answers_go_to_the_account(client, lesson):
    someone, pictures = learner()
    client.force_login(someone.user)
    number, exercise = lesson.exercises()[0]
    right = next(i for i, o in enumerate(exercise.value["options"]) if o["correct"])

    client.post(f"{lesson.url}?etape={number}", {"exercise": exercise.id, "choice": right})

    attempt = ExerciseAttempt.objects.get()
    assert attempt.passed and attempt.answer == [right]
    assert attempt.progress.learner == someone.user
    assert "guest_progress" not in client.session
