"""No integer a visitor can type in a URL or a form ever makes a 500.

`"²".isdigit()` is True but `int("²")` raises; `int("٣")` is 3; a 20-digit id
overflows the database's bigint; PostgreSQL refuses NUL. Every view reads its
integers with `cms.params`, and this file fuzzes every integer parameter of every
view with those values, as the person who would send it.

To extend: when a view reads a new integer (always through `cms.params`), add a
`Case` to CASES (or a form field to FORM_FIELDS); `test_every_integer_read_is_fuzzed`
fails until you do.
"""

import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.http import QueryDict
from django.urls import reverse

from cms.params import id_list_param, int_param, parse_int
from learning import services
from learning.models import HelpRequest
from modules.blocks import InvalidAnswer
from modules.models import LessonPage
from tests.factories import (
    GroupFactory,
    PartnerFactory,
    StructureFactory,
    TrainingSessionFactory,
    learner,
    manager,
    parcours_with_lessons,
    staff_member,
)
from tests.modules.test_hands_on import (
    CLICK,
    DOUBLE,
    DRAG,
    RIGHT,
    SCROLL,
    SHORTCUTS,
    click_targets,
    double_click,
    drag_drop,
    right_click,
    scroll_find,
    shortcuts,
)
from tests.modules.test_quiz import QUIZ, quiz

pytestmark = pytest.mark.django_db

FUZZ = {
    "superscript-two": "²",
    "arabic-indic-three": "٣",
    "minus-one": "-1",
    "zero": "0",
    "twenty-digits": "9" * 20,
    "nul": "\x00",
    "five-thousand-characters": "7" * 5000,
}


# --- The helper --------------------------------------------------------------------


@pytest.mark.parametrize("raw", [*FUZZ.values(), "", " 7", "7 ", "1_0", "+7", "7.0", None, 7])
def test_only_plain_ascii_digits_in_range_are_ids(raw):
    assert parse_int(raw, minimum=1) is None


def test_plain_numbers_are_read_and_bounded():
    assert parse_int("42") == 42
    assert parse_int("0") == 0 and parse_int("0", minimum=1) is None
    assert parse_int(str(2**63 - 1)) == 2**63 - 1
    assert parse_int(str(2**63)) is None
    assert int_param(QueryDict("step=²"), "step", default=1) == 1
    assert id_list_param(QueryDict("id=3&id=²&id=3&id=-1&id=4"), "id") == [3, 4]


# --- Every view ---------------------------------------------------------------------


@pytest.fixture
def world(wagtail_root):
    """A structure with a manager (every right), a learner in today's group with a
    raised hand, a session, a partner; a lesson of three steps."""

    class World:
        pass

    world = World()
    parcours_with_lessons(modules=1, lessons=1)
    world.lesson = LessonPage.objects.get()
    world.structure = StructureFactory()
    world.manager = staff_member(world.structure, role=manager)
    world.learner, _pictures = learner(structure=world.structure)
    world.group = GroupFactory(structure=world.structure, parcours=None)
    world.group.learners.add(world.learner)
    world.session = TrainingSessionFactory(group=world.group)
    world.partner = PartnerFactory(structure=world.structure)
    world.hand = services.help_request_raise(
        learner=world.learner, lesson=world.lesson, step_number=1
    )
    return world


@dataclass
class Case:
    who: str  # "guest", "learner" or "manager" (a structure manager: every admin right)
    method: str
    url: object  # a path, or a function of the world giving it
    param: str
    fields: object = field(default_factory=dict)  # other valid fields, or a function of the world
    headers: dict = field(default_factory=dict)


XAPI = {"HTTP_X_EXPERIENCE_API_VERSION": "1.0.3"}
SESSION = {"date": "2026-03-02", "start_time": "09:30", "end_time": "12:00", "place": "Salle"}

CASES = [
    # Learners' pages.
    Case("learner", "post", "/aide/", "lesson", {"step": "1"}),
    Case("learner", "post", "/aide/", "step", lambda w: {"lesson": w.lesson.pk}),
    Case("learner", "post", "/aide/annuler/", "lesson", {"step": "1"}),
    Case("learner", "post", "/aide/annuler/", "step", lambda w: {"lesson": w.lesson.pk}),
    Case("guest", "get", lambda w: w.lesson.url, "etape"),
    Case("learner", "get", lambda w: w.lesson.url, "etape"),
    Case("learner", "post", "/progression/temps/", "lesson", {"seconds": "5"}),
    Case("learner", "post", "/progression/temps/", "seconds", lambda w: {"lesson": w.lesson.pk}),
    Case("guest", "post", "/simulation/commencer/", "lesson", {"exercise": "x"}),
    Case("learner", "get", "/xapi/statements", "limit", headers=XAPI),
    Case("learner", "get", "/xapi/statements", "offset", headers=XAPI),
    # The trainer space: our own views.
    Case("manager", "get", "/admin/apprenants/cartes/", "id"),
    Case("manager", "get", "/admin/apprenants/cartes.pdf", "id"),
    Case("manager", "get", lambda w: reverse("group_learners_created", args=[w.group.pk]), "id"),
    Case("manager", "get", "/admin/seances/new/", "groupe"),
    Case("manager", "post", "/admin/seances/new/", "group", SESSION),
    Case("manager", "post", lambda w: f"/admin/seances/edit/{w.session.pk}/", "group", SESSION),
    Case("manager", "post", lambda w: reverse("group_propose_lesson", args=[w.group.pk]), "lesson"),
    Case("manager", "post", lambda w: reverse("help_request_resolve", args=[w.hand.pk]), "group"),
    Case("manager", "get", "/admin/rapport/", "structure"),
    # The trainer space: Wagtail's listings, their filters and pages.
    Case("manager", "get", "/admin/seances/", "group"),
    Case("manager", "get", "/admin/groupes/", "structure"),
    Case("manager", "get", "/admin/groupes/", "parcours"),
    Case("manager", "get", "/admin/groupes/", "p"),
    Case("manager", "get", "/admin/orientations/", "partner"),
    Case("manager", "get", "/admin/partenaires/", "structure"),
    Case("manager", "get", "/admin/apprenants/", "structure"),
    # The trainer space: choices in forms.
    Case("manager", "post", "/admin/orientations/new/", "learner",
         lambda w: {"partner": w.partner.pk, "date": "2026-03-02"}),
    Case("manager", "post", "/admin/orientations/new/", "partner",
         lambda w: {"learner": w.learner.pk, "date": "2026-03-02"}),
    Case("manager", "post", "/admin/groupes/new/", "structure", {"name": "G"}),
    Case("manager", "post", "/admin/groupes/new/", "parcours",
         lambda w: {"name": "G", "structure": w.structure.pk}),
    Case("manager", "post", "/admin/groupes/new/", "trainers",
         lambda w: {"name": "G", "structure": w.structure.pk}),
    Case("manager", "post", "/admin/groupes/new/", "learners",
         lambda w: {"name": "G", "structure": w.structure.pk}),
    Case("manager", "post", "/admin/seances/new/", "planned_lessons",
         lambda w: {**SESSION, "group": w.group.pk}),
    Case("manager", "post", "/admin/partenaires/new/", "structure", {"name": "P", "kind": "ccas"}),
]  # fmt: skip


@pytest.mark.parametrize(
    "case", CASES, ids=[f"{c.method} {c.param} #{n}" for n, c in enumerate(CASES)]
)
def test_no_integer_parameter_makes_a_500(client, world, case):
    if case.who == "learner":
        client.force_login(world.learner.user)
    elif case.who == "manager":
        client.force_login(world.manager)
    url = case.url if isinstance(case.url, str) else case.url(world)
    fields = case.fields if isinstance(case.fields, dict) else case.fields(world)
    send = getattr(client, case.method)
    for name, value in FUZZ.items():
        # The test client raises the view's exception: a 500 fails here, naming the value.
        response = send(url, {**fields, case.param: value}, **case.headers)
        assert response.status_code < 500, (name, response.status_code)
        if case.who == "learner" and case.method == "post" and url.startswith("/aide/"):
            HelpRequest.objects.filter(learner=world.learner).delete()  # back to one try


# --- Answers to exercises (posted to the lesson page, parsed by each block) ----------

EXERCISES = [
    (QUIZ, quiz(), {}, "choice"),
    (CLICK, click_targets(), {"mode": "mouse", "hits": "0"}, "misses"),
    (DOUBLE, double_click(), {"mode": "mouse", "opened": "1"}, "single_clicks"),
    (DRAG, drag_drop(), {"mode": "mouse"}, "item-0"),
    (SCROLL, scroll_find(), {"mode": "mouse"}, "choice"),
    (RIGHT, right_click(), {"mode": "mouse", "via": "right_click"}, "choice"),
    (SHORTCUTS, shortcuts(), {"mode": "keyboard", "combos": ""}, "typed"),
]


@pytest.mark.parametrize(
    ("block", "block_value", "fields", "param"), EXERCISES, ids=[e[3] for e in EXERCISES]
)
@pytest.mark.parametrize("raw", FUZZ.values(), ids=FUZZ.keys())
def test_no_number_in_an_answer_breaks_the_exercise(block, block_value, fields, param, raw):
    data = QueryDict(mutable=True)
    data.update({**fields, param: raw})
    try:
        answer = block.parse_answer(block_value, data)
    except InvalidAnswer as refused:
        assert str(refused)  # a message for the learner
    else:
        assert 0.0 <= block.grade(block_value, answer).score <= 1.0


# --- The list covers the code -------------------------------------------------------

SOURCES = ["cms", "learning", "modules"]
HELPER_CALL = re.compile(r"\b(?:int_param|id_param|id_list_param)\(\s*[\w.]+,\s*f?\"([\w-]+)")
# Integers read by hands-on blocks (`_count`/`_index`), fuzzed by the test above.
BLOCK_READ = re.compile(r"\b_(?:count|index)\(data,\s*f?\"([\w-]+)")
RAW_READ = re.compile(r"\bint\((?:request|raw|params|data|place\.request)\b|\b\w+\.isdigit\(\)")
RAW_READ_ALLOWED = {
    # Not numbers: typed text and passwords checked character by character.
    "char.isdigit()", "expected.isdigit()", "part.isdigit()", "ch.isdigit()",
    "pin.isdigit()",  # after pin.isascii(): a PIN is compared, never converted
    # xAPI's limit and offset (fuzzed above): a bad one is an xAPI 400, a big one clamped.
    "int(params",
    # A webmail document number: looked up in the run's JSON state, never in the database.
    "int(place.request",
}  # fmt: skip


def python_sources():
    for folder in SOURCES:
        for path in (Path(settings.BASE_DIR) / folder).rglob("*.py"):
            if "migrations" not in path.parts and path.name != "params.py":
                yield path


def test_every_integer_read_is_fuzzed():
    fuzzed = {case.param for case in CASES} | {e[3] for e in EXERCISES}
    read, raw_reads = set(), []
    for path in python_sources():
        text = path.read_text()
        read |= set(HELPER_CALL.findall(text))
        read |= {name + "0" if name.endswith("-") else name for name in BLOCK_READ.findall(text)}
        raw_reads += [
            f"{path.name}: {m.group(0)}"
            for m in RAW_READ.finditer(text)
            if m.group(0) not in RAW_READ_ALLOWED
        ]
    assert read, "the pattern no longer finds the helper's calls"
    assert read <= fuzzed, f"integer parameters nobody fuzzes: {sorted(read - fuzzed)}"
    assert raw_reads == [], "read integers from requests with cms.params"
