import re

import pytest

from modules.models import LessonPage

pytestmark = pytest.mark.django_db


@pytest.fixture
def lesson(curriculum):
    return LessonPage.objects.get(source_key="lecon-souris-tenir")


def first_quiz(lesson):
    for number, step in enumerate(lesson.steps, start=1):
        if step.value["exercise"]:
            exercise = step.value["exercise"][0]
            right = [i for i, o in enumerate(exercise.value["options"]) if o["correct"]]
            wrong = [i for i, o in enumerate(exercise.value["options"]) if not o["correct"]]
            return number, exercise, right, wrong
    raise AssertionError("no quiz")


def quiz_form(html):
    return re.search(r'<form class="exercise quiz".*?</form>', html, re.S).group(0)


def test_the_correct_answer_never_reaches_the_browser(client, lesson):
    """The quiz HTML is the same whichever option is right."""
    number, exercise, right, _wrong = first_quiz(lesson)
    html = client.get(f"{lesson.url}?etape={number}").content.decode()
    original = quiz_form(html)

    options = exercise.value["options"]
    for option in options:
        option["correct"] = not option["correct"]  # now every other option is "right"
    lesson.save_revision().publish()
    flipped = quiz_form(client.get(f"{lesson.url}?etape={number}").content.decode())

    assert re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", original) == re.sub(
        r'name="csrfmiddlewaretoken" value="[^"]+"', "", flipped
    )
    assert "correct" not in original.lower()


def test_an_answer_is_graded_on_the_server_with_a_retry(client, lesson):
    number, exercise, right, wrong = first_quiz(lesson)
    url = f"{lesson.url}?etape={number}"

    response = client.post(url, {"exercise": exercise.id, "choice": wrong[0]})
    html = response.content.decode()
    assert response.status_code == 200
    assert "feedback-retry" in html and "Réessayer" in html
    assert f'value="{wrong[0]}" checked' in html  # the choice is kept for the retry

    html = client.post(url, {"exercise": exercise.id, "choice": right}).content.decode()
    assert "feedback-success" in html


def test_htmx_gets_only_the_step_fragment(client, lesson):
    number, exercise, right, _wrong = first_quiz(lesson)
    url = f"{lesson.url}?etape={number}"

    step = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert step.lstrip().startswith("<title>") and "<html" not in step
    assert 'id="lesson-step"' in step

    answer = client.post(
        url, {"exercise": exercise.id, "choice": right}, headers={"HX-Request": "true"}
    )
    assert "<html" not in answer.content.decode()
    assert "feedback-success" in answer.content.decode()


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"choice": "0"},
        {"exercise": "forged", "choice": "0"},
        {"exercise": "ID"},
        {"exercise": "ID", "choice": "<script>alert(1)</script>"},
        {"exercise": "ID", "choice": "99"},
    ],
    ids=["empty", "no-exercise-id", "forged-exercise", "no-choice", "script", "out-of-range"],
)
def test_a_broken_or_tampered_answer_gets_a_message_never_a_500(client, lesson, data):
    number, exercise, _right, _wrong = first_quiz(lesson)
    data = {name: exercise.id if value == "ID" else value for name, value in data.items()}
    response = client.post(f"{lesson.url}?etape={number}", data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "feedback-info" in html
    assert "<script>alert(1)" not in html


def test_an_answer_posted_to_a_step_without_exercise_is_harmless(client, lesson):
    response = client.post(f"{lesson.url}?etape=1", {"exercise": "x", "choice": "0"})
    assert response.status_code == 200


def test_a_guests_progress_is_kept_in_the_session(client, lesson):
    client.get(f"{lesson.url}?etape=1")
    client.get(f"{lesson.url}?etape=2")

    html = client.get(f"{lesson.url}?etape=3").content.decode()

    assert html.count("dot dot-seen") == 3
    assert client.session["guest_progress"][lesson.source_key]["current_step"] == 3


def test_lesson_pages_are_not_kept_in_the_browser_cache(client, lesson):
    response = client.get(lesson.url)
    assert "no-store" in response["Cache-Control"]
