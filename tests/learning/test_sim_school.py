"""The "Vie scolaire" simulator: a parent finds tomorrow's homework, reads and answers
a teacher, justifies an absence, finds a grade and a start time. Every goal is
checked on the server; wrong actions give hints; nothing typed is kept raw; nothing
leaves the server."""

import datetime
import socket
from unittest import mock

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import formats

from learning.models import ExerciseAttempt, LessonProgress, SimulatorRun, Statement
from learning.simulators import school
from modules.loader import load_curriculum
from modules.loader.parse import ContentErrors, block_id
from modules.models import LessonPage, Scenario
from modules.simulators import school as school_blocks
from tests.conftest import CONTENT_DIR, MINIMAL_CONTENT
from tests.factories import learner

pytestmark = pytest.mark.django_db

SCENARIO_FILE = CONTENT_DIR / "simulations" / "ecole-college.md"
LESSON_KEY = "lecon-vie-scolaire"
# One step per goal of the shipped scenario, and a last step with every goal.
STEPS = {
    "devoirs": ["devoirs-demain"],
    "message": ["lire-message", "repondre-message"],
    "absence": ["justifier-absence"],
    "notes": ["note-maths", "heure-jeudi"],
    "tout": [],
}
LESSON = "\n".join(
    [
        "---",
        f"key: {LESSON_KEY}",
        "title: Vie scolaire",
        "slug: vie-scolaire",
        "---",
        *(
            f"## {name}\n\n```simulation\nkey: sim-{name}\nscenario: ecole-college\n"
            f"goals: [{', '.join(goals)}]\n```\n"
            for name, goals in STEPS.items()
        ),
    ]
)
HOSTILE = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '" onmouseover="alert(1)',
    "x" * 100_000,
]
# A fixed Tuesday: "demain" is Wednesday 25 November.
TUESDAY = datetime.date(2026, 11, 24)


@pytest.fixture(autouse=True)
def no_way_out(monkeypatch):
    """Nothing leaves the server: no mail, no connection to anything but this machine."""
    real_connect = socket.socket.connect

    def connect(self, address):
        host = address[0] if isinstance(address, tuple) else address
        local = {"127.0.0.1", "::1", "localhost"}
        if isinstance(host, str) and host not in local and not host.startswith("/"):
            raise AssertionError(f"outgoing connection to {address!r}")  # a path: Unix socket
        return real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    yield
    assert mail.outbox == []


@pytest.fixture
def lesson(content_dir, wagtail_root):
    root = content_dir(
        {
            **MINIMAL_CONTENT,
            "simulations/ecole-college.md": SCENARIO_FILE.read_text(encoding="utf-8"),
            "modules/souris/02-vie-scolaire.md": LESSON,
        }
    )
    load_curriculum(root)
    return LessonPage.objects.get(source_key=LESSON_KEY)


@pytest.fixture
def today(monkeypatch):
    """The simulator's "today", fixed (a Tuesday unless a test moves it)."""
    day = {"value": TUESDAY}
    monkeypatch.setattr(school, "_today", lambda: day["value"])
    return day


def start(client, lesson, step="tout"):
    response = client.post(
        reverse("learning:simulation_start"),
        {"lesson": lesson.pk, "exercise": block_id(LESSON_KEY, f"sim-{step}")},
    )
    assert response.status_code == 302
    return SimulatorRun.objects.get(pk=response["Location"].rstrip("/").rsplit("/", 1)[1])


def url(run, path=""):
    return school.core.url(run, path)


def page(client, run, path=""):
    response = client.get(url(run, path))
    assert response.status_code == 200, path
    return response.content.decode()


def post(client, run, path, data, *, follow=True):
    return client.post(url(run, path), data, follow=follow)


def find(run, collection, **fields):
    run.refresh_from_db()
    return next(
        item
        for item in run.state[collection]
        if all(item.get(name) == value for name, value in fields.items())
    )


def french(date):
    return formats.date_format(date, "l j F")


# --- The site as the learner finds it -------------------------------------------------


def test_the_home_shows_the_child_today_tomorrow_grades_messages_and_absences(
    client, lesson, today
):
    run = start(client, lesson, "absence")  # no question panel: only the site
    html = page(client, run)
    assert "Simulation :" in html and "Vie scolaire" in html
    assert "Inès" in html and "5e B" in html and "Collège des Tilleuls" in html
    assert "Les cours d&#x27;aujourd&#x27;hui, mardi 24 novembre" in html
    assert "Travail pour demain, mercredi 25 novembre" in html
    assert "Faire les exercices 3 et 4 page 52." in html
    assert "Revoir la leçon sur les fractions." not in html  # not for tomorrow
    assert "Vous avez 2 messages non lus." in html
    assert "2 absences ou retards à justifier." in html
    assert "vie-scolaire.exemple/parents/" in html
    assert "Pronote" not in html


def test_the_timetable_is_a_table_of_days_and_hours_with_the_cancelled_lesson(
    client, lesson, today
):
    run = start(client, lesson)
    html = page(client, run, "emploi-du-temps")
    assert "<caption" in html and 'scope="col"' in html and 'scope="row"' in html
    for day in ("lundi 23 novembre", "jeudi 26 novembre", "vendredi 27 novembre"):
        assert day in html
    assert "Cours annulé" in html and "Mme Rossi" in html and "Salle 201" in html
    assert 'aria-current="page"' in html


def test_homework_is_grouped_by_due_date_and_tomorrow_is_always_tomorrow(client, lesson, today):
    run = start(client, lesson)
    html = page(client, run, "devoirs")
    assert "Pour demain, mercredi 25 novembre" in html
    assert html.index("Pour demain") < html.index("Pour le jeudi 26 novembre")
    assert "Donné le vendredi 20 novembre" in html  # two days before Tuesday: a weekend day

    # The learner comes back to the same run on a Friday: "demain" moves with the day,
    # and work due later falls on a school day.
    today["value"] = datetime.date(2026, 11, 27)
    html = page(client, run, "devoirs")
    assert "Pour demain, samedi 28 novembre" in html
    assert "Pour le lundi 30 novembre" in html  # due in 2 days, on a Sunday: Monday


def test_tomorrow_follows_the_real_date_without_freezing_it(client, lesson):
    run = start(client, lesson)
    tomorrow = school.timezone.localdate() + datetime.timedelta(days=1)
    assert f"Pour demain, {french(tomorrow)}" in page(client, run, "devoirs")


def test_grades_show_mark_scale_class_average_comment_and_averages(client, lesson, today):
    run = start(client, lesson)
    html = page(client, run, "notes")
    assert "14 / 20" in html and "11,8 / 20" in html and "Bon travail. Continuez comme ça." in html
    assert "8 / 10" in html and "12,5 / 20" in html
    assert "Moyenne générale : <strong>13,56 / 20</strong>" in html
    assert "Trimestre 1" in html
    # Maths: (14 + 16) / 2 = 15.
    assert "Moyenne dans cette matière : <strong>15 / 20</strong>" in html


def test_an_absence_shows_its_date_in_school_days(client, lesson, today):
    run = start(client, lesson)
    html = page(client, run, "absences")
    # 3 school days before Tuesday 24 is Thursday 19; 1 school day is Monday 23.
    assert "jeudi 19 novembre" in html and "lundi 23 novembre" in html
    assert "Justifiée : Rendez-vous médical" in html
    assert html.count("Non justifiée") == 2


# --- Goals: reached, and missed with a hint -------------------------------------------


def answer(client, run, question, choice):
    return post(client, run, "repondre", {"question": question, "choix": choice, "retour": ""})


def test_the_homework_question_takes_the_homework_due_tomorrow(client, lesson, today):
    run = start(client, lesson, "devoirs")
    html = page(client, run, "devoirs")
    assert "Quel travail de mathématiques faut-il faire pour demain ?" in html
    later = find(run, "homework", text="Revoir la leçon sur les fractions.")
    right = find(run, "homework", text="Faire les exercices 3 et 4 page 52.")

    response = answer(client, run, "devoirs-demain", later["id"])
    html = response.content.decode()
    assert "Regardez dans « Travail à faire », la partie « Pour demain »." in html
    run.refresh_from_db()
    assert run.goals_done == [] and run.state["answers"]["devoirs-demain"] == later["id"]

    response = answer(client, run, "devoirs-demain", right["id"])
    html = response.content.decode()
    assert "Objectif atteint : Trouvez le travail de mathématiques pour demain." in html
    assert "Bravo, vous avez réussi la mission !" in html
    assert "Répondre à la question de la mission" not in html  # nothing left to answer
    run.refresh_from_db()
    assert run.goals_done == ["devoirs-demain"] and run.completed_at is not None


def test_the_right_answer_is_never_in_the_page(client, lesson, today):
    run = start(client, lesson, "devoirs")
    html = page(client, run, "devoirs")
    # Every homework entry is offered; none is marked as the right one.
    assert html.count('name="choix"') == len(run.state["homework"])
    assert "devoir-maths-demain" not in html and "correct" not in html


def test_reading_another_message_gives_a_hint_and_the_teachers_message_reaches_the_goal(
    client, lesson, today
):
    run = start(client, lesson, "message")
    office = find(run, "messages", sender="Vie scolaire")
    martin = find(run, "messages", sender="Mme Martin")

    html = page(client, run, f"messagerie/{office['id']}")
    assert "Ce message ne vient pas de Mme Martin." in html
    assert find(run, "messages", sender="Vie scolaire")["read"] is True

    html = page(client, run, f"messagerie/{martin['id']}")
    assert "Objectif atteint : Ouvrez et lisez le message de Mme Martin" in html
    assert "la classe aura un contrôle sur les fractions" in html
    run.refresh_from_db()
    assert run.goals_done == ["lire-message"]
    # Opening it again records nothing more.
    assert "Objectif atteint" not in page(client, run, f"messagerie/{martin['id']}")
    assert "Vous avez 0" not in page(client, run)  # the count is gone, not "0"


def test_writing_to_the_wrong_teacher_or_without_the_word_gives_a_hint_then_the_reply_counts(
    client, lesson, today
):
    run = start(client, lesson, "message")
    diallo = next(c for c in run.state["contacts"] if c["name"] == "M. Diallo")
    response = post(
        client,
        run,
        "messagerie/ecrire",
        {"a": diallo["id"], "objet": "Bonjour", "message": "Merci"},
    )
    html = response.content.decode()
    assert "Votre message est pour M. Diallo. Il faut écrire à Mme Martin." in html
    assert "Votre message est envoyé à M. Diallo." in html

    martin = find(run, "messages", sender="Mme Martin")
    response = post(client, run, f"messagerie/{martin['id']}/repondre", {"message": "Bonjour."})
    assert "Il manque : « merci »." in response.content.decode()

    response = post(
        client, run, f"messagerie/{martin['id']}/repondre", {"message": "Bonjour Madame, MERCÍ !"}
    )
    html = response.content.decode()
    assert "Objectif atteint : Répondez à Mme Martin." in html
    assert "Votre réponse, envoyée le mardi 24 novembre" in html
    run.refresh_from_db()
    assert "repondre-message" in run.goals_done
    assert [sent["to"] for sent in run.state["sent"]] == ["M. Diallo", "Mme Martin", "Mme Martin"]
    assert run.state["sent"][2]["reply_to"] == martin["id"]
    assert run.state["sent"][2]["subject"] == "Re : Contrôle de mathématiques"


def test_a_new_message_to_the_teacher_also_reaches_the_reply_goal(client, lesson, today):
    run = start(client, lesson, "message")
    martin = next(c for c in run.state["contacts"] if c["name"] == "Mme Martin")
    response = post(
        client,
        run,
        "messagerie/ecrire",
        {"a": martin["id"], "objet": "", "message": "Merci pour le message."},
    )
    html = response.content.decode()
    assert "Objectif atteint : Répondez à Mme Martin." in html
    assert "Sans objet" in html  # the sent message's page
    assert "Merci pour le message." in page(client, run, "messagerie/envoyes/1")
    assert "Messages envoyés" in page(client, run, "messagerie")


def test_the_contacts_are_the_teachers_and_the_senders(client, lesson, today):
    run = start(client, lesson)
    names = [contact["name"] for contact in run.state["contacts"]]
    assert "Vie scolaire" in names and "Mme Martin" in names and "M. Roux" in names
    assert len(names) == len(set(names))
    html = page(client, run, "messagerie/ecrire")
    assert "Mme Martin (Professeure de mathématiques)" in html


def test_justifying_the_lateness_or_with_another_reason_gives_the_hint(client, lesson, today):
    run = start(client, lesson, "absence")
    lateness = find(run, "absences", kind="retard")
    response = post(client, run, f"absences/{lateness['id']}/justifier", {"motif": "maladie"})
    html = response.content.decode()
    assert "Choisissez l&#x27;absence de toute la journée (pas le retard)." in html
    assert "Justification envoyée — en attente de validation" in html
    assert find(run, "absences", kind="retard")["justification"]["reason"] == "maladie"

    # "Recommencer": a new run, the absence with the wrong reason.
    client.post(reverse("learning:simulation_restart", args=[run.pk]))
    run = SimulatorRun.objects.order_by("-attempt_number").first()
    sick = find(run, "absences", key="absence-maladie")
    response = post(client, run, f"absences/{sick['id']}/justifier", {"motif": "raison-familiale"})
    assert "Choisissez l&#x27;absence de toute la journée" in response.content.decode()
    run.refresh_from_db()
    assert run.goals_done == []


def test_justifying_the_absence_with_illness_stores_it_and_shows_it_pending(client, lesson, today):
    run = start(client, lesson, "absence")
    sick = find(run, "absences", key="absence-maladie")
    html = page(client, run, f"absences/{sick['id']}/justifier")
    for reason in ("Maladie", "Rendez-vous médical", "Raison familiale", "Autre raison"):
        assert reason in html
    assert "Photo du certificat médical" in html

    response = post(
        client,
        run,
        f"absences/{sick['id']}/justifier",
        {"motif": "maladie", "commentaire": "Elle avait de la fièvre.", "document": "mot-signe"},
    )
    html = response.content.decode()
    assert "Objectif atteint : Inès était malade" in html
    assert "Justification envoyée — en attente de validation" in html
    assert "Elle avait de la fièvre." in html and "Photo d&#x27;un mot signé" in html
    justification = find(run, "absences", key="absence-maladie")["justification"]
    assert justification == {
        "reason": "maladie",
        "comment": "Elle avait de la fièvre.",
        "document": "mot-signe",
        "date": "2026-11-24",
    }
    # Once sent, it can't be sent again.
    response = post(client, run, f"absences/{sick['id']}/justifier", {"motif": "autre"})
    assert "Cette absence est déjà justifiée." in response.content.decode()
    assert find(run, "absences", key="absence-maladie")["justification"]["reason"] == "maladie"


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({}, "Choisissez un motif dans la liste."),
        ({"motif": "vacances"}, "Choisissez un motif dans la liste."),
        ({"motif": "autre", "commentaire": "  "}, "Pour « Autre raison », expliquez"),
        ({"motif": "maladie", "document": "virus.exe"}, "Choisissez un document dans la liste."),
    ],
)
def test_a_bad_justification_is_refused_kindly_and_nothing_is_stored(
    client, lesson, today, data, error
):
    run = start(client, lesson, "absence")
    sick = find(run, "absences", key="absence-maladie")
    response = post(client, run, f"absences/{sick['id']}/justifier", data, follow=False)
    assert response.status_code == 200
    assert error in response.content.decode()
    assert find(run, "absences", key="absence-maladie")["justification"] is None
    assert not ExerciseAttempt.objects.exists()


def test_the_grade_question_wants_the_latest_maths_grade(client, lesson, today):
    run = start(client, lesson, "notes")
    html = page(client, run, "notes")
    assert "Quelle est la dernière note d&#x27;Inès en mathématiques ?" in html
    response = answer(client, run, "note-maths", "16/20")  # the older maths grade
    assert "Cherchez la matière, puis la note la plus récente." in response.content.decode()
    response = answer(client, run, "note-maths", "14/20")
    assert "Objectif atteint : Trouvez la dernière note" in response.content.decode()


def test_the_timetable_question_skips_the_cancelled_lesson(client, lesson, today):
    run = start(client, lesson, "notes")
    response = answer(client, run, "heure-jeudi", "08:00")  # the cancelled lesson
    assert "Un cours annulé ne compte pas." in response.content.decode()
    response = answer(client, run, "heure-jeudi", "09:00")
    html = response.content.decode()
    assert "Objectif atteint : Trouvez à quelle heure Inès commence" in html
    run.refresh_from_db()
    assert run.goals_done == ["heure-jeudi"] and run.completed_at is None  # one goal left


def test_a_signed_in_learner_completing_the_mission_gets_a_passed_attempt_and_a_statement(
    client, lesson, today
):
    person, _pictures = learner()
    client.force_login(person.user)
    run = start(client, lesson, "notes")
    answer(client, run, "heure-jeudi", "08:00")
    answer(client, run, "heure-jeudi", "09:00")
    answer(client, run, "note-maths", "14/20")

    attempts = ExerciseAttempt.objects.filter(progress__learner=person.user).order_by("id")
    assert [(a.passed, a.answer["event"]) for a in attempts] == [
        (False, "school_answer"),
        (True, "school_answer"),
    ]
    assert attempts.last().answer["done"] == ["heure-jeudi", "note-maths"]
    progress = LessonProgress.objects.get(learner=person.user, lesson_key=LESSON_KEY)
    assert block_id(LESSON_KEY, "sim-notes") in progress.passed_exercises
    assert Statement.objects.filter(learner=person.user).exists()
    assert Statement.objects.filter(
        learner=person.user, activity_id__contains=block_id(LESSON_KEY, "sim-notes")
    ).exists()


def test_a_guest_completing_the_mission_passes_the_step_in_the_session(client, lesson, today):
    run = start(client, lesson, "devoirs")
    right = find(run, "homework", key="devoir-maths-demain")
    answer(client, run, "devoirs-demain", right["id"])
    html = client.get(f"{lesson.url}?etape=1").content.decode()
    assert "Vous avez réussi cette mission." in html


# --- The site's own actions -----------------------------------------------------------


def test_homework_can_be_marked_done_and_not_done(client, lesson, today):
    run = start(client, lesson)
    item = find(run, "homework", key="devoir-maths-demain")
    response = post(client, run, f"devoirs/{item['id']}/fait", {"fait": "oui"}, follow=False)
    assert response.status_code == 302 and response["Location"].endswith(f"#devoir-{item['id']}")
    assert find(run, "homework", key="devoir-maths-demain")["done"] is True
    html = page(client, run, "devoirs")
    assert "Pas encore fait" in html and "C&#x27;est noté : ce travail est fait." in html

    post(client, run, f"devoirs/{item['id']}/fait", {"fait": "non"})
    assert find(run, "homework", key="devoir-maths-demain")["done"] is False


def test_opening_a_message_marks_it_read(client, lesson, today):
    run = start(client, lesson)
    martin = find(run, "messages", sender="Mme Martin")
    assert martin["read"] is False
    page(client, run, f"messagerie/{martin['id']}")
    assert find(run, "messages", sender="Mme Martin")["read"] is True
    assert "Vous avez 1 message non lu." in page(client, run)


def test_an_empty_message_is_refused_and_keeps_nothing(client, lesson, today):
    run = start(client, lesson, "message")
    martin = find(run, "messages", sender="Mme Martin")
    for empty in ("  ", "<img src=x onerror=alert(1)>"):  # only tags: nothing left once cleaned
        response = post(client, run, f"messagerie/{martin['id']}/repondre", {"message": empty})
        assert "Écrivez votre message avant d&#x27;envoyer." in response.content.decode()
    response = post(client, run, "messagerie/ecrire", {"a": "", "message": ""})
    html = response.content.decode()
    assert "Choisissez à qui écrire dans la liste." in html and 'aria-invalid="true"' in html
    run.refresh_from_db()
    assert run.state["sent"] == []


# --- Tampered posts, unknown pages: kind words, never a 500 ---------------------------


@pytest.mark.parametrize(
    "path",
    [
        "nulle-part",
        "messagerie/999",
        "messagerie/envoyes/9",
        "absences/999/justifier",
        "devoirs/abc/fait",
        "messagerie/1/../../admin",
        "%3Cscript%3E",
    ],
)
def test_an_unknown_page_is_a_friendly_page_inside_the_site(client, lesson, today, path):
    run = start(client, lesson)
    response = client.get(url(run, path))
    assert response.status_code == 404
    html = response.content.decode()
    assert "Page introuvable" in html and "Revenir à l'accueil du site" in html
    assert "Simulation :" in html


@pytest.mark.parametrize(
    ("path", "data", "notice"),
    [
        ("devoirs/999/fait", {"fait": "oui"}, "Ce travail n&#x27;existe pas."),
        ("messagerie/999/repondre", {"message": "Bonjour"}, "Ce message n&#x27;existe pas."),
        ("absences/999/justifier", {"motif": "maladie"}, "Cette absence n&#x27;existe pas."),
        ("repondre", {"question": "inconnue", "choix": "1"}, "Cette question est déjà réussie"),
        ("repondre", {"question": "devoirs-demain", "choix": "999"}, "Choisissez une réponse"),
        ("repondre", {"question": "devoirs-demain"}, "Choisissez une réponse"),
        ("repondre", {"question": "x" * 5000, "retour": "../../admin"}, "Cette question"),
        ("messagerie/ecrire", {"a": "999", "message": "Bonjour"}, "Choisissez à qui écrire"),
        ("messagerie/ecrire", {"a": ["1", "2"], "message": ["a", "b"]}, ""),
    ],
)
def test_a_tampered_post_gets_a_kind_message_and_changes_nothing(
    client, lesson, today, path, data, notice
):
    run = start(client, lesson, "devoirs")
    before = SimulatorRun.objects.get(pk=run.pk).state
    response = post(client, run, path, data)
    assert response.status_code == 200
    assert notice in response.content.decode()
    run.refresh_from_db()
    if path != "messagerie/ecrire" or notice:
        assert run.state == before
    assert run.goals_done == []


def test_a_get_on_an_action_and_a_post_on_a_screen_just_show_a_screen(client, lesson, today):
    run = start(client, lesson)
    for path in ("devoirs/1/fait", "messagerie/1/repondre", "repondre"):
        assert client.get(url(run, path)).status_code == 302
    before = SimulatorRun.objects.get(pk=run.pk).state
    for path in ("", "notes", "emploi-du-temps", "absences", "messagerie"):
        assert client.post(url(run, path), {"x": "y"}).status_code == 302
    run.refresh_from_db()
    assert run.state == before


def test_the_answer_goes_back_only_to_a_screen_of_the_site(client, lesson, today):
    run = start(client, lesson, "devoirs")
    data = {"question": "devoirs-demain", "choix": "1"}
    response = post(client, run, "repondre", {**data, "retour": "devoirs"}, follow=False)
    assert response["Location"] == url(run, "devoirs")
    response = post(client, run, "repondre", {**data, "retour": "//evil.example"}, follow=False)
    assert response["Location"] == url(run)


# --- Hostile input: stored cleaned, shown inert -----------------------------------------


@pytest.mark.parametrize("payload", HOSTILE, ids=["script", "img", "attribute", "huge"])
def test_hostile_text_in_a_message_is_stored_cleaned_and_shown_inert(
    client, lesson, today, payload
):
    run = start(client, lesson, "message")
    martin = find(run, "messages", sender="Mme Martin")
    contact = next(c for c in run.state["contacts"] if c["name"] == "Mme Martin")
    typed = f"Bonjour {payload} merci"
    post(client, run, f"messagerie/{martin['id']}/repondre", {"message": typed})
    post(client, run, "messagerie/ecrire", {"a": contact["id"], "objet": typed, "message": typed})
    run.refresh_from_db()
    reply, new = run.state["sent"]
    assert reply["body"] == new["body"] == school.core.text(typed, school.BODY_MAX)
    assert new["subject"] == school.core.text(typed, school.SUBJECT_MAX)
    for text in (reply["body"], new["subject"], new["body"]):
        assert "<" not in text and text.startswith("Bonjour")
    for path in ("messagerie", f"messagerie/{martin['id']}", "messagerie/envoyes/2"):
        html = page(client, run, path)
        assert "<script>alert" not in html and "<img src=x" not in html
        assert 'onmouseover="alert' not in html
        assert "x" * (school.BODY_MAX + 1) not in html


@pytest.mark.parametrize("payload", HOSTILE, ids=["script", "img", "attribute", "huge"])
def test_hostile_text_in_a_justification_is_stored_cleaned_and_shown_inert(
    client, lesson, today, payload
):
    run = start(client, lesson, "absence")
    sick = find(run, "absences", key="absence-maladie")
    post(
        client,
        run,
        f"absences/{sick['id']}/justifier",
        {"motif": "autre", "commentaire": f"Malade {payload}", "document": ""},
    )
    comment = find(run, "absences", key="absence-maladie")["justification"]["comment"]
    assert comment == school.core.text(f"Malade {payload}", school.COMMENT_MAX)
    assert "<" not in comment and comment.startswith("Malade")
    html = page(client, run, "absences")
    assert "<script>alert" not in html and "<img src=x" not in html
    assert 'onmouseover="alert' not in html


def test_a_huge_post_is_capped_before_it_is_cleaned(client, lesson, today):
    run = start(client, lesson, "message")
    martin = find(run, "messages", sender="Mme Martin")
    with mock.patch.object(school.core, "text", wraps=school.core.text) as text:
        post(client, run, f"messagerie/{martin['id']}/repondre", {"message": "é" * 500_000})
    assert len(text.call_args.args[0]) == school.RAW_MAX
    assert find(run, "sent", reply_to=martin["id"])["body"] == "é" * school.BODY_MAX


def test_a_run_holds_a_bounded_number_of_sent_messages(client, lesson, today, monkeypatch):
    monkeypatch.setattr(school, "SENT_MAX", 2)
    run = start(client, lesson, "devoirs")
    martin = find(run, "messages", sender="Mme Martin")
    for _ in range(3):
        response = post(client, run, f"messagerie/{martin['id']}/repondre", {"message": "Merci"})
    assert "Cliquez sur « Recommencer »." in response.content.decode()
    run.refresh_from_db()
    assert len(run.state["sent"]) == 2


# --- The blocks and the shipped content -----------------------------------------------


def test_the_shipped_scenario_has_one_right_answer_for_each_question(curriculum):
    scenario = Scenario.objects.get(key="ecole-college")
    state = school.initial_state(scenario)
    keys = {absence["key"] for absence in state["absences"]}
    for goal in scenario.goals:
        if isinstance(goal.block, school_blocks.QuestionGoalBlock):
            right = goal.block.correct_choices(goal.value, state)
            offered = {value for value, _label in school._choices(goal, state)}
            assert len(right) == 1 and right <= offered, goal.value["key"]
        if goal.block_type == "school_goal_justify_absence":
            assert goal.value["absence"] in keys
    # Every lesson of the Pronote module with a simulation points to this scenario.
    lessons = LessonPage.objects.filter(source_key__startswith="lecon-pronote-")
    used = {
        key.strip()
        for lesson in lessons
        for _number, exercise in lesson.exercises()
        if exercise.block_type == "simulation"
        for key in exercise.value["goals"].split(",")
    }
    assert used == {goal.value["key"] for goal in scenario.goals}


def test_the_system_checks_run_with_the_school_goal_blocks(db):
    call_command("check")  # Wagtail calls each block's check(**kwargs): no TypeError


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        (
            "{type: school_grade, subject: Maths, title: X, mark: 25, days_ago: 1}",
            "mark: La note ne peut pas dépasser la note maximale.",
        ),
        (
            '{type: school_lesson, day: lundi, start: "10:00", end: "09:00",'
            " subject: Maths, teacher: Mme A}",
            "end: La fin du cours doit venir après le début.",
        ),
        ("{type: school_lesson, day: samedi, start: '10:00', end: '11:00'}", "day:"),
        ("{type: school_homework, subject: Maths, text: X, due_in: -1}", "due_in:"),
        ("{type: school_absence, kind: vacances, days_ago: 2}", "kind:"),
    ],
)
def test_a_bad_item_in_a_scenario_file_is_reported_with_its_line(
    content_dir, wagtail_root, entry, message
):
    scenario = f"""
        ---
        key: ecole-essai
        title: Essai
        kind: ecole
        items:
          - {entry}
        goals:
          - {{type: school_goal_timetable, key: heure, instruction: Trouvez., day: lundi}}
        ---
        """
    root = content_dir({**MINIMAL_CONTENT, "simulations/ecole-essai.md": scenario})
    with pytest.raises(ContentErrors) as error:
        load_curriculum(root)
    text = str(error.value)
    assert "simulations/ecole-essai.md:6" in text and message in text


def test_goal_checks_compare_names_and_words_as_people_read_them():
    reply = school_blocks.ReplyGoalBlock()
    value = reply.to_python(
        {
            "key": "r",
            "instruction": "i",
            "hint": "",
            "teacher": "Mme Martin",
            "words": "merci, jeudi",
        }
    )
    event = {"type": school_blocks.MESSAGE_SENT, "to": "mme  martin", "body": "MERCI pour Jeudi"}
    assert reply.reached(value, event, {}).done
    assert reply.reached(value, {"type": "other"}, {}) is None
    missing = reply.reached(value, {**event, "body": "merci"}, {})
    assert not missing.done and "« jeudi »" in missing.hint


def test_an_editor_opens_the_shipped_scenario_in_the_admin_and_the_new_blocks_are_offered(
    client, lesson
):
    from tests.factories import editor

    client.force_login(editor())
    scenario = Scenario.objects.get(key="ecole-college")
    response = client.get(f"/admin/snippets/modules/scenario/edit/{scenario.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    for label in ("Cours de l&#x27;emploi du temps", "Objectif : justifier une absence"):
        assert label in html or label.replace("&#x27;", "'") in html


def test_a_goal_about_an_absence_the_scenario_does_not_hold_is_refused(curriculum):
    from django.core.exceptions import ValidationError

    scenario = Scenario.objects.get(key="ecole-college")
    scenario.full_clean()
    goals = list(scenario.goals.raw_data)
    justify = next(goal for goal in goals if goal["type"] == "school_goal_justify_absence")
    justify["value"]["absence"] = "absence-inconnue"
    scenario.goals = goals
    with pytest.raises(ValidationError) as error:
        scenario.full_clean()
    assert (
        "L'objectif « justifier-absence » vise une absence inconnue : absence-inconnue."
        in error.value.messages
    )
