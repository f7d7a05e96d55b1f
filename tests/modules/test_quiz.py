import pytest
from django.http import QueryDict

from modules.blocks.exercises import InvalidAnswer, QuizBlock

QUIZ = QuizBlock()


def quiz(*, multiple=False, correct=(1,), count=3):
    return QUIZ.to_python(
        {
            "question": "Quel bouton sert à cliquer ?",
            "multiple": multiple,
            "options": [
                {"text": f"Réponse {i}", "image": None, "correct": i in correct}
                for i in range(count)
            ],
            "hint": "Regardez l'image.",
            "feedback": "Oui !",
        }
    )


def answer(*choices):
    data = QueryDict(mutable=True)
    data.setlist("choice", [str(choice) for choice in choices])
    return data


def test_the_right_single_answer_passes_with_the_editors_praise():
    value = quiz()
    grade = QUIZ.grade(value, QUIZ.parse_answer(value, answer(1)))
    assert grade.passed and grade.score == 1.0
    assert grade.feedback == "Oui !"


def test_a_wrong_single_answer_fails_kindly_with_the_hint():
    value = quiz()
    grade = QUIZ.grade(value, QUIZ.parse_answer(value, answer(0)))
    assert not grade.passed and grade.score == 0.0
    assert "essayez encore" in grade.feedback
    assert "Regardez l'image." in grade.feedback


def test_multiple_choice_needs_exactly_the_right_set():
    value = quiz(multiple=True, correct=(0, 2))
    assert QUIZ.grade(value, [0, 2]).passed
    partial = QUIZ.grade(value, [0])
    assert not partial.passed and partial.score == 0.5
    assert "Il manque" in partial.feedback
    wrong = QUIZ.grade(value, [0, 1, 2])
    assert not wrong.passed and "n'est pas bonne" in wrong.feedback


@pytest.mark.parametrize(
    "data",
    [answer(), answer("x"), answer(7), answer(-1), answer(0, 1)],
    ids=["nothing", "not-a-number", "out-of-range", "negative", "two-for-single"],
)
def test_answers_that_cannot_be_graded_get_a_message_not_an_error(data):
    with pytest.raises(InvalidAnswer) as caught:
        QUIZ.parse_answer(quiz(), data)
    assert str(caught.value)


def test_an_editor_cannot_save_a_quiz_without_a_right_answer():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        QUIZ.clean(quiz(correct=()))
    with pytest.raises(ValidationError):
        QUIZ.clean(quiz(correct=(0, 1), multiple=False))
    assert QUIZ.clean(quiz(correct=(0, 1), multiple=True))
