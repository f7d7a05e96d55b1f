"""What an xAPI statement may change, and about whom.

- A learner (or a tool) cannot pass our server-graded exercises by saying so:
  only a graded attempt passes them. Only content graded in the browser (H5P,
  later) may be passed by a statement.
- A structure's credential cannot store statements about another structure's
  learners, nor read theirs.
"""

import json
import uuid

import pytest
from django.test import Client
from wagtail import blocks

from learning import lrs, selectors
from learning.models import ExerciseAttempt, LessonProgress
from learning.models import Statement as StoredStatement
from modules.blocks import is_graded_in_browser
from modules.models import LessonPage, ModulePage
from tests.factories import StructureFactory, learner, staff_member
from tests.learning.test_xapi import (
    HOME_PAGE,
    agent_of,
    assert_error,
    get,
    ids_of,
    make_tool,
    post,
    put,
    statement,
)

pytestmark = pytest.mark.django_db

PASSED = "http://adlnet.gov/expapi/verbs/passed"


def passed_statement(block_id, actor=None):
    """What a learner's browser would send to claim an exercise: top-level, passed."""
    return {
        "actor": actor or {"mbox": "mailto:someone@example.org"},
        "verb": {"id": PASSED, "display": {"fr-FR": "a réussi"}},
        "object": {"id": f"{HOME_PAGE}/xapi/activities/exercise/{block_id}"},
        "result": {"success": True, "completion": True, "score": {"scaled": 1.0}},
    }


def one_lesson_per_exercise_kind():
    """For each kind of exercise block the shipped lessons use, one lesson that has it."""
    lessons = {}
    for lesson in LessonPage.objects.live().order_by("pk"):
        for _number, exercise in lesson.exercises():
            lessons.setdefault(exercise.block_type, lesson)
    return lessons


def signed_in_browser(user):
    """A learner's browser with its session and CSRF token, as the lesson page has them."""
    browser = Client(enforce_csrf_checks=True)
    browser.get("/connexion/")
    token = browser.cookies["csrftoken"].value
    browser.force_login(user)
    return browser, {"HTTP_X_CSRFTOKEN": token}


# --- 5. Learners cannot fake progress ------------------------------------------------


def test_every_shipped_exercise_kind_is_graded_on_the_server(curriculum):
    kinds = one_lesson_per_exercise_kind()
    assert {"quiz", "simulation"} <= set(kinds)  # the curriculum has these today
    for kind, lesson in kinds.items():
        for _number, exercise in lesson.exercises():
            assert not is_graded_in_browser(exercise.block), kind


def test_a_learner_posting_passed_statements_does_not_complete_a_lesson(curriculum):
    pupil, _ = learner()
    user = pupil.user
    browser, csrf = signed_in_browser(user)
    lessons = one_lesson_per_exercise_kind().values()
    for lesson in lessons:
        for number in range(1, lesson.step_count + 1):  # every step seen: only exercises left
            browser.get(f"{lesson.url}?etape={number}")
    before = {
        progress.lesson_key: (progress.passed_exercises, progress.progress, progress.status)
        for progress in LessonProgress.objects.filter(learner=user)
    }
    stored_before = StoredStatement.objects.count()

    claims = [
        passed_statement(exercise.id)
        for lesson in lessons
        for _number, exercise in lesson.exercises()
    ]
    answer = post(browser, claims, csrf)

    # The statements are valid: they are stored, and move nothing.
    assert answer.status_code == 200, answer.content
    after = {
        progress.lesson_key: (progress.passed_exercises, progress.progress, progress.status)
        for progress in LessonProgress.objects.filter(learner=user)
    }
    assert after == before
    assert not LessonProgress.objects.filter(learner=user, completed_at__isnull=False).exists()
    assert ExerciseAttempt.objects.count() == 0
    assert StoredStatement.objects.count() == stored_before + len(claims)
    home = browser.get("/moi/").content.decode()
    assert "Terminé" not in home


def test_a_tool_posting_passed_statements_about_a_learner_does_not_complete_a_lesson(
    client, curriculum
):
    pupil, _ = learner()
    tool = make_tool(pupil.structure)
    lesson = LessonPage.objects.get(source_key="lecon-souris-tenir")
    browser, _csrf = signed_in_browser(pupil.user)
    for number in range(1, lesson.step_count + 1):
        browser.get(f"{lesson.url}?etape={number}")

    claims = [
        passed_statement(exercise.id, actor=agent_of(pupil.user))
        for _number, exercise in lesson.exercises()
    ]
    assert post(client, claims, tool.auth).status_code == 200
    one = passed_statement(lesson.exercises()[0][1].id, actor=agent_of(pupil.user))
    assert put(client, one, tool.auth, str(uuid.uuid4())).status_code == 204

    progress = LessonProgress.objects.get(learner=pupil.user)
    assert progress.passed_exercises == []
    assert progress.completed_at is None
    assert ExerciseAttempt.objects.count() == 0


class BrowserGradedBlock(blocks.StructBlock):
    """Stands for a kind of exercise graded in the learner's browser (H5P, later)."""

    graded_in_browser = True
    max_attempts = blocks.IntegerBlock(default=3)


@pytest.fixture
def browser_graded_lesson(curriculum, monkeypatch):
    """A live lesson of two steps: text, then an exercise graded in the browser."""
    field = LessonPage._meta.get_field("steps")
    kinds = field.stream_block.child_blocks["step"].child_blocks["exercise"].child_blocks
    kind = BrowserGradedBlock()
    kind.set_name("browser_graded")
    monkeypatch.setitem(kinds, "browser_graded", kind)
    module = ModulePage.objects.get(source_key="module-la-souris")
    return module.add_child(
        instance=LessonPage(
            title="Leçon notée dans le navigateur",
            slug="lecon-notee-dans-le-navigateur",
            steps=[
                {
                    "type": "step",
                    "value": {
                        "title": f"Étape {number}",
                        "content": [{"type": "text", "value": "<p>Bonjour.</p>"}],
                        "exercise": exercise,
                    },
                }
                for number, exercise in (
                    (1, []),
                    (
                        2,
                        [
                            {
                                "type": "browser_graded",
                                "value": {"max_attempts": 3},
                                "id": str(uuid.uuid4()),
                            }
                        ],
                    ),
                )
            ],
        )
    )


def test_a_statement_still_passes_an_exercise_graded_in_the_browser(browser_graded_lesson):
    lesson = browser_graded_lesson
    [(number, exercise)] = lesson.exercises()
    assert is_graded_in_browser(exercise.block)
    pupil, _ = learner()
    browser, csrf = signed_in_browser(pupil.user)
    for step in range(1, lesson.step_count + 1):
        browser.get(f"{lesson.url}?etape={step}")

    # A child statement (inside the package) still moves nothing.
    child = passed_statement(exercise.id)
    child["context"] = {"contextActivities": {"parent": [{"id": f"{HOME_PAGE}/xapi/h5p/1"}]}}
    assert post(browser, child, csrf).status_code == 200
    assert LessonProgress.objects.get(learner=pupil.user).passed_exercises == []

    assert post(browser, passed_statement(exercise.id), csrf).status_code == 200

    progress = LessonProgress.objects.get(learner=pupil.user)
    assert progress.passed_exercises == [exercise.id]
    assert progress.completed_at is not None


# --- 12. A credential stays in its structure ------------------------------------------


@pytest.fixture
def world(db):
    first, second = StructureFactory(), StructureFactory()
    anna, _ = learner(structure=first, first_name="Anna")
    bruno, _ = learner(structure=second, first_name="Bruno")
    return {"anna": anna, "bruno": bruno, "tool_a": make_tool(first), "tool_b": make_tool(second)}


def about(agent, **extra):
    return statement(actor=agent, **extra)


def test_a_credential_cannot_store_a_statement_about_another_structures_learner(client, world):
    bruno = world["bruno"]
    answer = post(client, about(agent_of(bruno.user)), world["tool_a"].auth)

    assert_error(answer, 403)
    assert StoredStatement.objects.count() == 0
    assert not selectors.learner_statements(learner=bruno).exists()
    # The same through PUT.
    assert_error(put(client, about(agent_of(bruno.user)), world["tool_a"].auth, uuid.uuid4()), 403)
    assert StoredStatement.objects.count() == 0
    # Bruno's own structure's tool may.
    assert post(client, about(agent_of(bruno.user)), world["tool_b"].auth).status_code == 200
    assert selectors.learner_statements(learner=bruno).count() == 1


def test_a_credential_stores_statements_about_its_learners_and_outside_people(client, world):
    tool_a, bruno = world["tool_a"], world["bruno"]
    outsiders = [
        {"mbox": "mailto:formatrice@example.org"},
        {"objectType": "Agent", "account": {"homePage": "https://quiz.example.org", "name": "b1"}},
        # Bruno's public id on another site is someone else's account there.
        {"account": {"homePage": "https://quiz.example.org", "name": str(bruno.user.public_id)}},
    ]
    for agent in [agent_of(world["anna"].user), *outsiders]:
        assert post(client, about(agent), tool_a.auth).status_code == 200, agent
    assert put(client, about(outsiders[0]), tool_a.auth, uuid.uuid4()).status_code == 204
    assert StoredStatement.objects.count() == len(outsiders) + 2
    assert selectors.learner_statements(learner=world["anna"]).count() == 1


def test_a_batch_with_one_statement_about_another_structures_learner_stores_nothing(client, world):
    batch = [
        about(agent_of(world["anna"].user)),
        about({"mbox": "mailto:formatrice@example.org"}),
        about(agent_of(world["bruno"].user)),
    ]
    assert_error(post(client, batch, world["tool_a"].auth), 403)
    assert StoredStatement.objects.count() == 0


def _with_agent(where, agent):
    """A statement by an outside person that names `agent` at `where`."""
    sent = about({"mbox": "mailto:formatrice@example.org"})
    if where == "actor as a group member":
        sent["actor"] = {"objectType": "Group", "member": [sent["actor"], agent]}
    elif where == "actor as an identified group":
        sent["actor"] = {"objectType": "Group", "account": agent["account"]}
    elif where == "object":
        sent["object"] = agent
    elif where == "instructor":
        sent["context"] = {"instructor": agent}
    elif where == "team":
        sent["context"] = {"team": {"objectType": "Group", "member": [agent]}}
    elif where == "sub-statement actor":
        sent["object"] = {"objectType": "SubStatement", **about(agent)}
    elif where == "sub-statement object":
        inner = about({"mbox": "mailto:autre@example.org"}) | {"object": agent}
        sent["object"] = {"objectType": "SubStatement", **inner}
    elif where == "sub-statement instructor":
        inner = about({"mbox": "mailto:autre@example.org"}) | {"context": {"instructor": agent}}
        sent["object"] = {"objectType": "SubStatement", **inner}
    return sent


AGENT_PLACES = [
    "actor as a group member",
    "actor as an identified group",
    "object",
    "instructor",
    "team",
    "sub-statement actor",
    "sub-statement object",
    "sub-statement instructor",
]


@pytest.mark.parametrize("where", AGENT_PLACES)
def test_another_structures_learner_is_refused_wherever_the_statement_names_them(
    client, world, where
):
    tool_a = world["tool_a"]
    assert_error(post(client, _with_agent(where, agent_of(world["bruno"].user)), tool_a.auth), 403)
    assert StoredStatement.objects.count() == 0
    # The same place naming the credential's own learner is fine.
    answer = post(client, _with_agent(where, agent_of(world["anna"].user)), tool_a.auth)
    assert answer.status_code == 200, answer.content


@pytest.mark.parametrize(
    "home_page",
    [f"{HOME_PAGE}/", HOME_PAGE.upper(), "HTTP://TestServer/"],
)
def test_a_learner_cannot_be_smuggled_in_with_another_spelling_of_our_address(
    client, world, home_page
):
    bruno = {"account": {"homePage": home_page, "name": str(world["bruno"].user.public_id)}}
    assert_error(post(client, about(bruno), world["tool_a"].auth), 403)
    assert StoredStatement.objects.count() == 0


@pytest.mark.parametrize(
    "name",
    [str(uuid.UUID(int=7)), "pas-un-identifiant", "credential:autre-outil"],
)
def test_an_account_on_our_site_that_is_not_one_of_the_credentials_learners_is_refused(
    client, world, name
):
    """On our address, only the credential's learners: not a deleted learner, not a
    made-up name, not another tool's authority."""
    agent = {"account": {"homePage": HOME_PAGE, "name": name}}
    assert_error(post(client, about(agent), world["tool_a"].auth), 403)
    assert StoredStatement.objects.count() == 0


def test_a_learner_cannot_name_another_structures_learner_in_a_statement(world):
    browser, csrf = signed_in_browser(world["anna"].user)
    bruno = agent_of(world["bruno"].user)
    assert_error(post(browser, _with_agent("instructor", bruno), csrf), 403)
    assert StoredStatement.objects.count() == 0
    assert post(browser, about({"mbox": "mailto:x@example.org"}), csrf).status_code == 200


def test_a_credential_cannot_read_what_another_tool_said_about_another_structures_learner(
    client, world
):
    tool_a, tool_b, bruno = world["tool_a"], world["tool_b"], world["bruno"]
    [about_bruno] = post(client, about(agent_of(bruno.user)), tool_b.auth).json()

    assert ids_of(get(client, tool_a.auth)) == []
    assert ids_of(get(client, tool_a.auth, agent=json.dumps(agent_of(bruno.user)))) == []
    assert_error(get(client, tool_a.auth, statementId=about_bruno), 404)
    assert ids_of(get(client, tool_b.auth)) == [about_bruno]


def test_the_store_refuses_the_same_statement_without_http(world):
    """The rule lives in the store, not in the view: every caller gets it."""
    sender = lrs.Sender(credential=world["tool_a"].credential)
    with pytest.raises(lrs.Forbidden):
        lrs.statements_store([about(agent_of(world["bruno"].user))], sender=sender)
    assert StoredStatement.objects.count() == 0


def test_a_trainers_session_names_only_the_learners_of_their_structures(world):
    coach = staff_member(world["anna"].structure)
    browser, csrf = signed_in_browser(coach)
    bruno, anna = agent_of(world["bruno"].user), agent_of(world["anna"].user)
    assert_error(post(browser, _with_agent("object", bruno), csrf), 403)
    assert StoredStatement.objects.count() == 0
    assert post(browser, _with_agent("object", anna), csrf).status_code == 200
