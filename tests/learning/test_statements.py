import json

import pytest

from learning import lrs, services, xapi
from learning.models import LessonProgress, Statement
from modules.blocks import Grade
from modules.models import LessonPage, ModulePage
from tests.factories import learner

pytestmark = pytest.mark.django_db

RIGHT = Grade(1.0, True, "Bravo")


@pytest.fixture
def user(db):
    return learner()[0].user


def finish(user, lesson):
    for number in range(1, lesson.step_count + 1):
        services.lesson_step_view(user=user, lesson=lesson, step_number=number)
    for number, exercise in lesson.exercises():
        services.exercise_attempt_submit(
            user=user,
            lesson=lesson,
            step_number=number,
            exercise=exercise,
            answer=[0],
            grade=RIGHT,
        )


def verbs(user):
    return [row.verb_id.rsplit("/", 1)[1] for row in Statement.objects.filter(learner=user)]


def test_a_lesson_start_each_answer_and_the_completion_are_recorded(user, curriculum):
    lesson = LessonPage.objects.get(source_key="lecon-souris-tenir")
    finish(user, lesson)

    recorded = verbs(user)
    assert recorded.count("attempted") == 1
    assert recorded.count("answered") == len(lesson.exercises())
    assert recorded.count("completed") == 1  # the lesson; the module has other lessons
    answered = Statement.objects.filter(verb_id=xapi.ADL + "answered").first().data
    assert answered["actor"] == lrs.learner_agent(user)
    assert str(user.public_id) in json.dumps(answered["actor"])
    assert user.learner.code_id not in json.dumps(answered)  # never the sign-in code
    assert answered["result"]["success"] is True
    parent = answered["context"]["contextActivities"]["parent"][0]["id"]
    assert parent == xapi.activity_iri("lesson", lesson.stable_key)
    assert answered["object"]["id"].startswith("http://testserver/xapi/activities/exercise/")


def test_the_module_completion_is_recorded_once(user, curriculum):
    mouse = ModulePage.objects.get(source_key="module-la-souris")
    for lesson in mouse.lessons:
        finish(user, lesson)
    finish(user, mouse.lessons[0])  # again: nothing new is completed

    module_iri = xapi.activity_iri("module", mouse.stable_key)
    assert Statement.objects.filter(learner=user, activity_id=module_iri).count() == 1


def test_a_fake_module_completion_does_not_silence_ours(user, curriculum):
    """The learner's browser may post any statement: one that already says "module
    completed" must not stop the server from saying it when the module is done."""
    mouse = ModulePage.objects.get(source_key="module-la-souris")
    module_iri = xapi.activity_iri("module", mouse.stable_key)
    fake = {
        "actor": lrs.learner_agent(user),
        "verb": {"id": xapi.ADL + "completed"},
        "object": {"id": module_iri},
    }
    lrs.statements_store([fake], sender=lrs.Sender(user=user))
    for lesson in mouse.lessons:
        finish(user, lesson)

    assert Statement.objects.filter(learner=user, activity_id=module_iri).count() == 2


def statement_about(block_id, *, parent=None, success=True):
    data = {
        "actor": {"mbox": "mailto:someone@example.org"},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/answered"},
        "object": {"id": f"http://testserver/xapi/activities/exercise/{block_id}"},
        "result": {"success": success},
    }
    if parent:
        data["context"] = {"contextActivities": {"parent": [{"id": parent}]}}
    return data


def test_statements_about_exercises_graded_on_the_server_move_nothing(user, curriculum):
    """Only a graded attempt passes them (content graded in the browser: see
    tests/learning/test_xapi_security.py)."""
    lesson = LessonPage.objects.get(source_key="lecon-souris-tenir")
    _number, exercise = lesson.exercises()[0]
    sender = lrs.Sender(user=user)

    lrs.statements_store(
        [statement_about(exercise.id, parent="http://testserver/xapi/activities/h5p/1")],
        sender=sender,
    )
    lrs.statements_store([statement_about(exercise.id)], sender=sender)

    assert Statement.objects.filter(learner=user).count() == 2
    assert not LessonProgress.objects.filter(learner=user).exists()


def test_statements_about_unknown_activities_are_stored_and_move_nothing(user, curriculum):
    sender = lrs.Sender(user=user)
    ids = lrs.statements_store(
        [statement_about("00000000-0000-0000-0000-000000000000")], sender=sender
    )
    assert Statement.objects.filter(statement_id=ids[0]).exists()
    assert not LessonProgress.objects.filter(learner=user).exists()


def test_a_failed_top_level_answer_passes_nothing(user, curriculum):
    lesson = LessonPage.objects.get(source_key="lecon-souris-tenir")
    _number, exercise = lesson.exercises()[0]
    lrs.statements_store(
        [statement_about(exercise.id, success=False)], sender=lrs.Sender(user=user)
    )
    assert not LessonProgress.objects.filter(learner=user).exists()


def test_an_admin_creates_xapi_credentials_and_sees_the_secret_once(client):
    import re

    from learning.models import XapiCredential
    from tests.factories import StructureFactory, UserFactory

    admin = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(admin)
    structure = StructureFactory()

    response = client.post(
        "/admin/acces-xapi/new/",
        {"name": "Ralph", "structure": structure.pk, "active": "on"},
        follow=True,
    )

    credential = XapiCredential.objects.get(name="Ralph")
    page = response.content.decode()
    secret = re.search(r"secret : (\S+)", page).group(1)
    assert credential.key in page and credential.check_secret(secret)
    assert secret not in credential.secret  # only the hash is stored
    assert secret not in client.get("/admin/acces-xapi/").content.decode()
