"""The "Ma messagerie" simulator: folders, reading, replying, writing with attachments,
reporting a fraudulent message, deleting and restoring; every goal reached or missed
with the right hint; nothing ever leaves the server; hostile input stays inert."""

import socket
from html import unescape

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse

from learning.models import ExerciseAttempt, SimulatorRun, Statement
from learning.simulators.webmail import address_problem
from modules.loader import load_curriculum
from modules.loader.parse import block_id
from modules.models import LessonPage, Scenario
from modules.simulators.webmail import MailSendGoal, normalize
from tests.conftest import MINIMAL_CONTENT
from tests.factories import learner

SIMULATIONS = settings.BASE_DIR / "content" / "simulations"
LESSON_KEY = "lecon-simulations"
CV_TO = "recrutement@emploi-proximite.exemple"
DIALLO = "a.diallo@maison-solidarites.exemple"
HOSTILE = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '" onmouseover="alert(1)',
    "javascript:alert(1)",
]


# --- Fixtures and helpers (the account simulator's tests use them too) ----------------


def lesson_with_simulations(content_dir, steps):
    """The minimal curriculum, the shipped scenarios, and a lesson with one simulation
    step per entry of `steps`: [(exercise key, scenario key, [goal keys])]."""
    files = dict(MINIMAL_CONTENT)
    for path in SIMULATIONS.glob("*.md"):
        files[f"simulations/{path.name}"] = path.read_text(encoding="utf-8")
    body = ["---", f"key: {LESSON_KEY}", "title: Simulations", "slug: simulations", "minutes: 10"]
    body.append("---")
    for key, scenario, goals in steps:
        body += [f"## Étape {key}", "", "```simulation", f"key: {key}", f"scenario: {scenario}"]
        if goals:
            body.append(f"goals: [{', '.join(goals)}]")
        body += ["```", ""]
    files["modules/souris/02-simulations.md"] = "\n".join(body)
    load_curriculum(content_dir(files))
    return LessonPage.objects.get(source_key=LESSON_KEY)


def start(client, lesson, key):
    """Presses "Ouvrir la simulation" on the step: the run."""
    response = client.post(
        reverse("learning:simulation_start"),
        {"lesson": lesson.pk, "exercise": block_id(LESSON_KEY, key)},
    )
    assert response.status_code == 302
    return SimulatorRun.objects.get(pk=response["Location"].split("/")[2])


def url(run, path=""):
    return reverse("learning:simulation", args=[run.pk]) + path


def state(run):
    run.refresh_from_db()
    return run.state


def box_of(run):
    return state(run)


def by_key(box, key):
    return next(m for m in box["messages"] if m["key"] == key)


def text(response):
    """The page as a person reads it (entities decoded)."""
    return unescape(response.content.decode())


def raw(response):
    return response.content.decode()


@pytest.fixture(autouse=True)
def nothing_leaves_the_server(monkeypatch):
    """No e-mail goes out and no connection is opened to another machine."""
    real_connect = socket.socket.connect

    def local_only(sock, address):
        host = address[0] if isinstance(address, tuple) else None
        if host is not None and host not in ("127.0.0.1", "::1", "localhost"):
            raise AssertionError(f"an outgoing connection was attempted: {address}")
        return real_connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", local_only)
    yield
    assert mail.outbox == []


@pytest.fixture
def lesson(content_dir, wagtail_root):
    return lesson_with_simulations(
        content_dir,
        [
            ("sim-cv", "webmail-cv", []),
            ("sim-fraude", "webmail-frauduleux", []),
            ("sim-repondre", "webmail-repondre", []),
        ],
    )


@pytest.fixture
def samir(client):
    person, _pictures = learner()
    client.force_login(person.user)
    return person


def compose(client, run, **fields):
    data = {"to": "", "subject": "", "body": "", "action": "envoyer", **fields}
    return client.post(url(run, "ecrire"), data)


def attach(client, run, name):
    document = next(d for d in box_of(run)["documents"] if d["name"] == name)
    return client.post(url(run, "ecrire/joindre"), {"document": document["id"]})


def feedback(client, run, path=""):
    """The page after an action, with the coach's messages."""
    return text(client.get(url(run, path)))


# --- The mailbox ----------------------------------------------------------------------


def test_the_inbox_lists_the_messages_with_the_unread_ones_marked(client, lesson):
    run = start(client, lesson, "sim-cv")
    html = feedback(client, run)
    assert "Simulation :" in html and "rien n'est envoyé pour de vrai" in html
    assert "Boîte de réception" in html and "Indésirables" in html and "Corbeille" in html
    assert "Offre : agent d'entretien à Villeurbanne" in html
    assert "Non lu :" in html
    assert "URGENT : votre carte bancaire est bloquée" in html
    assert "Félicitations, vous avez gagné" not in html  # in Indésirables
    assert "Félicitations, vous avez gagné" in feedback(client, run, "dossier/indesirables")
    assert "RE: Les photos" in feedback(client, run, "dossier/envoyes")
    assert "Les promotions de la semaine" in feedback(client, run, "dossier/corbeille")


def test_reading_a_message_marks_it_read_and_reaches_the_read_goal(client, lesson):
    run = start(client, lesson, "sim-cv")
    offer = by_key(box_of(run), "offre-emploi")
    assert not offer["read"]
    html = feedback(client, run, f"message/{offer['id']}")
    assert CV_TO in html
    assert "Objectif atteint : Ouvrez le message d'Emploi Proximité" in html
    assert by_key(box_of(run), "offre-emploi")["read"]
    run.refresh_from_db()
    assert run.goals_done == ["lire-offre"]


def send_the_cv(client, run, *, to=CV_TO, subject="Candidature agent d'entretien", cv=True):
    client.post(url(run, "ecrire/nouveau"))
    body = "Bonjour,\nVoici mon CV.\nCordialement"
    response = compose(client, run, to=to, subject=subject, body=body, action="joindre")
    assert response["Location"] == url(run, "ecrire/documents")
    if cv:
        assert attach(client, run, "Mon_CV.pdf")["Location"] == url(run, "ecrire")
    return compose(client, run, to=to, subject=subject, body=body)


def test_sending_the_cv_completes_the_mission_for_a_signed_in_learner(client, lesson, samir):
    run = start(client, lesson, "sim-cv")
    feedback(client, run, f"message/{by_key(box_of(run), 'offre-emploi')['id']}")
    sent_before = len([m for m in box_of(run)["messages"] if m["folder"] == "envoyes"])

    client.post(url(run, "ecrire/nouveau"))
    compose(client, run, to=CV_TO, subject="Candidature", body="Bonjour", action="joindre")
    picker = feedback(client, run, "ecrire/documents")
    assert "Mes documents" in picker and "Mon_CV.pdf" in picker and "Photo_identite.jpg" in picker
    attach(client, run, "Mon_CV.pdf")
    page = client.get(url(run, "ecrire"))
    assert f'value="{CV_TO}"' in raw(page) and "Mon_CV.pdf" in text(page)
    response = compose(
        client, run, to=CV_TO, subject="Candidature agent d'entretien", body="Bonjour"
    )
    assert response["Location"] == url(run, "dossier/envoyes")

    html = feedback(client, run, "dossier/envoyes")
    assert "Votre message est parti" in html
    assert "Objectif atteint : Envoyez votre CV" in html
    assert "Bravo, vous avez réussi la mission" in html
    box = box_of(run)
    sent = [m for m in box["messages"] if m["folder"] == "envoyes"]
    assert len(sent) == sent_before + 1
    assert sent[0]["to"] == CV_TO and sent[0]["attachments"] == ["Mon_CV.pdf"]
    assert box["draft"] is None
    run.refresh_from_db()
    assert run.completed_at is not None

    exercise_id = block_id(LESSON_KEY, "sim-cv")
    attempt = ExerciseAttempt.objects.get(progress__learner=samir.user, block_id=exercise_id)
    assert attempt.passed and attempt.correct == 1.0
    statement = Statement.objects.get(learner=samir.user, activity_id__contains=exercise_id)
    assert statement.verb_id.endswith("answered")
    assert statement.data["result"]["success"] is True
    assert "Bonjour" not in str(statement.data)  # what was typed stays in the simulator
    step = text(client.get(f"{lesson.url}?etape=1"))
    assert "Vous avez réussi cette mission." in step


def test_a_guest_completing_the_mission_sees_it_on_the_lesson_step(client, lesson):
    run = start(client, lesson, "sim-cv")
    feedback(client, run, f"message/{by_key(box_of(run), 'offre-emploi')['id']}")
    send_the_cv(client, run)
    assert "Bravo, vous avez réussi la mission" in feedback(client, run)
    assert "Vous avez réussi cette mission." in text(client.get(f"{lesson.url}?etape=1"))


@pytest.mark.parametrize(
    ("changes", "hint"),
    [
        ({"to": "recrutement@emploi-proximite.fr"}, "pas à la bonne adresse"),
        ({"cv": False}, "Il manque la pièce jointe « Mon_CV.pdf »"),
        ({"subject": "Mon CV"}, "Il manque « candidature » dans l'objet"),
    ],
)
def test_a_send_that_misses_says_what_is_wrong(client, lesson, samir, changes, hint):
    run = start(client, lesson, "sim-cv")
    response = send_the_cv(client, run, **changes)
    assert response["Location"] == url(run, "dossier/envoyes")
    html = feedback(client, run, "dossier/envoyes")
    assert hint in html
    assert "Objectif atteint" not in html
    run.refresh_from_db()
    assert "envoyer-cv" not in run.goals_done
    assert box_of(run)["messages"][0]["folder"] == "envoyes"  # it did go, to Envoyés
    attempt = ExerciseAttempt.objects.get(progress__learner=samir.user)
    assert not attempt.passed


def test_the_send_goal_ignores_case_accents_and_extra_words():
    goal = MailSendGoal()
    value = {
        "to": CV_TO,
        "subject_words": ["candidature"],
        "attachments": ["Mon_CV.pdf"],
        "body_words": ["déménagé"],
    }
    event = {
        "type": "mail_sent",
        "to": " Recrutement@Emploi-Proximite.EXEMPLE ",
        "subject": "CANDIDATURE pour le poste",
        "body": "J'ai demenage.",
        "attachments": ["mon_cv.pdf"],
        "reply_to": "",
    }
    assert goal.reached(value, event, {}).done
    assert goal.reached(value, {"type": "mail_read", "message": "x"}, {}) is None
    assert normalize("  Élodie  CV ") == "elodie cv"


@pytest.mark.parametrize(
    ("address", "hint"),
    [
        ("", "Écrivez l'adresse e-mail"),
        ("samir.exemple.fr", "Il manque le signe @ dans l'adresse."),
        ("samir @exemple.fr", "il n'y a pas d'espace dans une adresse e-mail"),
        ("samir@exemple,fr", "elle a une virgule"),
        ("samir@@exemple.fr", "plusieurs signes @"),
        ("@exemple.fr", "Il manque le nom avant le signe @."),
        ("samir@", "Il manque la fin de l'adresse"),
        ("samir@exemple", "Il manque un point"),
        ("élodie@exemple.fr", "pas d'accent"),
        ("samir@exemple..fr", "elle n'est pas bien écrite"),
    ],
)
def test_a_wrong_address_gets_a_hint_that_names_the_mistake(address, hint):
    assert hint in address_problem(address)


def test_a_wrong_address_keeps_the_message_unsent_with_the_hint_beside_the_field(client, lesson):
    run = start(client, lesson, "sim-cv")
    response = compose(
        client, run, to="recrutement.emploi-proximite.exemple", subject="", body="Hi"
    )
    html = text(response)
    assert response.status_code == 200
    assert "Le message n'est pas parti" in html
    assert "Il manque le signe @ dans l'adresse." in html
    assert "Écrivez l'objet" in html
    assert 'aria-invalid="true"' in raw(response)
    box = box_of(run)
    assert box["draft"]["to"] == "recrutement.emploi-proximite.exemple"
    assert box["draft"]["body"] == "Hi"
    assert not any(m["folder"] == "envoyes" and m["body"] == "Hi" for m in box["messages"])
    assert address_problem(" moi@ma-messagerie.exemple ") is None


# --- Fraud, delete, restore ---------------------------------------------------------


def test_reporting_the_fraudulent_message_moves_it_to_spam_and_reaches_the_goal(client, lesson):
    run = start(client, lesson, "sim-fraude")
    fraud = by_key(box_of(run), "banque-fraude")
    html = feedback(client, run, f"message/{fraud['id']}")
    assert "securite.ma-banque@verif-client-2931.exemple" in html
    assert "Signaler comme frauduleux" in html
    response = client.post(url(run, f"message/{fraud['id']}/signaler"))
    assert response["Location"] == url(run)
    html = feedback(client, run)
    assert "Objectif atteint : Un message fait semblant" in html
    assert "rangé dans « Indésirables »" in html
    assert by_key(box_of(run), "banque-fraude")["folder"] == "indesirables"
    assert "URGENT" not in html.split("Boîte de réception", 2)[-1]
    assert "URGENT" in feedback(client, run, "dossier/indesirables")


def test_reporting_a_genuine_message_says_it_is_normal_and_it_can_come_back(client, lesson):
    run = start(client, lesson, "sim-fraude")
    bank = by_key(box_of(run), "banque-releve")
    client.post(url(run, f"message/{bank['id']}/signaler"))
    html = feedback(client, run)
    assert "Ce message est normal : il vient vraiment de informations@ma-banque.exemple" in html
    assert by_key(box_of(run), "banque-releve")["folder"] == "indesirables"
    page = feedback(client, run, f"message/{bank['id']}")
    assert "le remettre dans la boîte de réception" in page
    client.post(url(run, f"message/{bank['id']}/restaurer"))
    assert by_key(box_of(run), "banque-releve")["folder"] == "reception"
    run.refresh_from_db()
    assert run.goals_done == []


def test_opening_the_fraudulent_link_warns_and_hints_without_leaving(client, lesson):
    run = start(client, lesson, "sim-fraude")
    fraud = by_key(box_of(run), "banque-fraude")
    message = raw(client.get(url(run, f"message/{fraud['id']}")))
    link = url(run, "message/{}/lien".format(fraud["id"]))
    assert f'href="{link}"' in message
    assert 'href="http' not in message
    html = feedback(client, run, f"message/{fraud['id']}/lien")
    assert "Stop ! Ce lien mène à un faux site." in html
    assert "ne cliquez jamais sur le lien d'un message suspect" in html
    genuine = by_key(box_of(run), "allocations")
    assert "le lien ne s'ouvre pas" in feedback(client, run, f"message/{genuine['id']}/lien")


def test_deleting_moves_to_the_trash_and_restoring_brings_it_back(client, lesson):
    run = start(client, lesson, "sim-fraude")
    friend = by_key(box_of(run), "amie")
    client.post(url(run, f"message/{friend['id']}/supprimer"))
    html = feedback(client, run)
    assert "Ce n'est pas ce message qu'il fallait supprimer" in html
    assert by_key(box_of(run), "amie")["folder"] == "corbeille"
    assert "Samedi ?" in feedback(client, run, "dossier/corbeille")
    client.post(url(run, f"message/{friend['id']}/restaurer"))
    assert by_key(box_of(run), "amie")["folder"] == "reception"
    assert "est de retour dans « Boîte de réception »" in feedback(client, run, "dossier/corbeille")

    shop = by_key(box_of(run), "magasin")
    client.post(url(run, f"message/{shop['id']}/supprimer"))
    assert "Objectif atteint : Supprimez la publicité" in feedback(client, run)
    assert by_key(box_of(run), "magasin")["folder"] == "corbeille"


def test_deleting_the_fraud_instead_of_reporting_it_hints_then_it_can_be_reported(
    client, lesson, samir
):
    run = start(client, lesson, "sim-fraude")
    fraud = by_key(box_of(run), "banque-fraude")
    client.post(url(run, f"message/{fraud['id']}/supprimer"))
    assert "Bien vu, ce message est faux ! Mais il faut le signaler." in feedback(client, run)
    client.post(url(run, f"message/{fraud['id']}/signaler"))
    assert by_key(box_of(run), "banque-fraude")["folder"] == "indesirables"
    shop = by_key(box_of(run), "magasin")
    client.post(url(run, f"message/{shop['id']}/supprimer"))
    assert "Bravo, vous avez réussi la mission" in feedback(client, run)
    attempts = ExerciseAttempt.objects.filter(progress__learner=samir.user).order_by("id")
    assert [a.passed for a in attempts] == [False, True]


# --- Reply -----------------------------------------------------------------------------


def test_reply_prefills_the_address_and_subject_and_checks_the_words(client, lesson):
    run = start(client, lesson, "sim-repondre")
    meeting = by_key(box_of(run), "rendez-vous")
    feedback(client, run, f"message/{meeting['id']}")
    response = client.post(url(run, f"message/{meeting['id']}/repondre"))
    assert response["Location"] == url(run, "ecrire")
    page = client.get(url(run, "ecrire"))
    assert 'value="a.diallo@maison-solidarites.exemple"' in raw(page)
    assert 'value="RE: Rendez-vous pour votre dossier"' in raw(page)
    assert "Répondre à Aïssatou Diallo" in text(page)
    compose(
        client,
        run,
        to="a.diallo@maison-solidarites.exemple",
        subject="RE: Rendez-vous",
        body="Merci",
    )
    assert "il manque « disponible » dans le texte" in feedback(client, run)
    sent = box_of(run)["messages"][0]
    assert sent["reply_to"] == "rendez-vous" and sent["folder"] == "envoyes"

    client.post(url(run, f"message/{meeting['id']}/repondre"))
    compose(
        client,
        run,
        to="a.diallo@maison-solidarites.exemple",
        subject="RE: Rendez-vous pour votre dossier",
        body="Bonjour,\nJe suis disponible mardi.\nMerci",
    )
    html = feedback(client, run)
    assert "Objectif atteint : Répondez à Aïssatou Diallo" in html
    assert "Bravo, vous avez réussi la mission" in html


def test_a_new_message_instead_of_a_reply_gets_a_hint(client, lesson):
    run = start(client, lesson, "sim-repondre")
    client.post(url(run, "ecrire/nouveau"))
    compose(
        client,
        run,
        to="a.diallo@maison-solidarites.exemple",
        subject="Rdv",
        body="Je suis disponible",
    )
    assert "cliquez sur « Répondre »" in feedback(client, run)
    run.refresh_from_db()
    assert "repondre-rendez-vous" not in run.goals_done


# --- Attachments, "Recommencer", tampered posts ------------------------------------------


def test_attachments_come_only_from_my_documents_and_can_be_removed(client, lesson):
    run = start(client, lesson, "sim-cv")
    attach(client, run, "Photo_identite.jpg")
    attach(client, run, "Photo_identite.jpg")
    assert box_of(run)["draft"]["attachments"] == ["Photo_identite.jpg"]
    assert "Ce fichier est déjà joint." in feedback(client, run, "ecrire")
    for tampered in ("999", "abc", ""):
        response = client.post(url(run, "ecrire/joindre"), {"document": tampered})
        assert response.status_code == 302
        assert "Ce fichier n'est pas dans « Mes documents »." in feedback(
            client, run, "ecrire/documents"
        )
    compose(client, run, to="x@y.fr", subject="s", body="b", action="", retirer="Inconnu.exe")
    assert box_of(run)["draft"]["attachments"] == ["Photo_identite.jpg"]
    compose(
        client, run, to="x@y.fr", subject="s", body="b", action="", retirer="Photo_identite.jpg"
    )
    assert box_of(run)["draft"]["attachments"] == []
    assert box_of(run)["draft"]["to"] == "x@y.fr"
    assert "La pièce jointe est retirée." in feedback(client, run, "ecrire")


def test_recommencer_gives_a_fresh_mailbox_and_keeps_the_old_run(client, lesson):
    run = start(client, lesson, "sim-cv")
    send_the_cv(client, run)
    fraud = by_key(box_of(run), "banque-fraude")
    client.post(url(run, f"message/{fraud['id']}/supprimer"))
    response = client.post(reverse("learning:simulation_restart", args=[run.pk]))
    fresh = SimulatorRun.objects.exclude(pk=run.pk).get()
    assert response["Location"] == url(fresh)
    assert fresh.state == fresh.state | {"draft": None}
    assert by_key(fresh.state, "banque-fraude")["folder"] == "reception"
    assert not any(m["to"] == CV_TO for m in fresh.state["messages"])
    assert fresh.goals_done == []
    assert any(m["to"] == CV_TO for m in box_of(run)["messages"])  # the old one stays


@pytest.mark.parametrize(
    "path",
    ["message/9999", "message/0", "dossier/inconnu", "nulle/part", "message/1/effacer", "ecrire/x"],
)
def test_unknown_pages_show_a_friendly_page_inside_the_site(client, lesson, path):
    run = start(client, lesson, "sim-cv")
    response = client.get(url(run, path))
    assert response.status_code == 404
    assert "Cette page n'existe pas" in text(response)
    assert "Retour à la boîte de réception" in text(response)


def test_actions_by_get_or_on_unknown_messages_change_nothing(client, lesson):
    run = start(client, lesson, "sim-cv")
    before = box_of(run)
    for action in ("supprimer", "signaler", "restaurer", "repondre"):
        response = client.get(url(run, f"message/1/{action}"))
        assert response["Location"] == url(run, "message/1")
        assert client.post(url(run, f"message/9999/{action}")).status_code == 404
    assert client.get(url(run, "ecrire/joindre")).status_code == 302
    after = box_of(run)
    assert [m["folder"] for m in after["messages"]] == [m["folder"] for m in before["messages"]]


def test_someone_else_cannot_open_my_mailbox(client, lesson, samir):
    run = start(client, lesson, "sim-cv")
    other, _pictures = learner(first_name="Léa")
    client.force_login(other.user)
    assert client.get(url(run, "message/1")).status_code == 404
    assert client.post(url(run, "message/1/supprimer")).status_code == 404
    assert compose(client, run, to=CV_TO, subject="x").status_code == 404


def test_a_huge_body_is_refused_kindly_and_stored_capped(client, lesson):
    run = start(client, lesson, "sim-cv")
    response = compose(client, run, to=CV_TO, subject="Candidature", body="x" * 1_000_000)
    assert response.status_code == 200
    assert "Le message est trop long : 5000 signes au plus." in text(response)
    draft = box_of(run)["draft"]
    assert len(draft["body"]) == 5000
    response = compose(client, run, to=CV_TO, subject="y" * 100_000, body="ok")
    assert response.status_code == 302  # sent, with its subject capped
    assert box_of(run)["messages"][0]["subject"] == "y" * 200


@pytest.mark.parametrize("payload", HOSTILE)
def test_hostile_input_is_stored_clean_and_shown_inert(client, lesson, payload):
    run = start(client, lesson, "sim-cv")
    response = compose(client, run, to=payload, subject=payload, body=payload)
    assert response.status_code == 200  # the address is wrong: the form comes back
    html = raw(response)
    assert "<script>alert(1)</script>" not in html
    assert "<img src=x" not in html
    assert 'onmouseover="alert' not in html
    assert 'href="javascript:' not in html
    draft = box_of(run)["draft"]
    for field in ("to", "subject", "body"):
        assert "<" not in draft[field] and ">" not in draft[field]

    compose(client, run, to=CV_TO, subject=f"{payload} candidature", body=f"a {payload} b")
    sent = box_of(run)["messages"][0]
    assert sent["folder"] == "envoyes"
    for page in ("dossier/envoyes", f"message/{sent['id']}"):
        html = raw(client.get(url(run, page)))
        assert "<script>alert(1)</script>" not in html
        assert "<img src=x" not in html
        assert 'onmouseover="alert' not in html
        assert 'href="javascript:' not in html


def test_a_hundred_thousand_characters_in_every_field_stay_capped(client, lesson):
    run = start(client, lesson, "sim-cv")
    long = "é<" * 50_000
    response = compose(client, run, to=long, subject=long, body=long)
    assert response.status_code == 200
    draft = box_of(run)["draft"]
    assert len(draft["to"]) <= 200 and len(draft["subject"]) <= 200 and len(draft["body"]) <= 5000


# --- The shipped content ------------------------------------------------------------------


def test_the_shipped_webmail_scenarios_point_to_their_own_messages_and_files(content_dir, db):
    import yaml

    for path in SIMULATIONS.glob("webmail-*.md"):
        front = yaml.safe_load(path.read_text(encoding="utf-8").split("---\n")[1])
        keys = {item.get("key") for item in front["items"] if item["type"] == "mail_message"}
        files = {item["name"] for item in front["items"] if item["type"] == "mail_document"}
        if "report" in str(front["goals"]):
            assert any(item.get("is_phishing") for item in front["items"]), path.name
        for goal in front["goals"]:
            if "message" in goal and goal["message"]:
                assert goal["message"] in keys, (path.name, goal["key"])
            for name in goal.get("attachments", []):
                assert name in files, (path.name, name)


def test_the_shipped_email_lessons_open_their_simulations(client, curriculum):
    module = LessonPage.objects.filter(source_key__startswith="lecon-mail-")
    assert module.count() >= 3
    scenarios = set()
    for lesson in module:
        for number, exercise in lesson.exercises():
            if exercise.block_type != "simulation":
                continue
            scenarios.add(exercise.value["scenario"].key)
            assert 2 <= number <= 4, "1 to 3 explanation steps come before the simulation"
            step = text(client.get(f"{lesson.url}?etape={number}"))
            assert "Ouvrir la simulation" in step
            response = client.post(
                reverse("learning:simulation_start"), {"lesson": lesson.pk, "exercise": exercise.id}
            )
            assert client.get(response["Location"]).status_code == 200
    assert scenarios == {"webmail-cv", "webmail-frauduleux", "webmail-repondre"}


def test_editors_can_open_the_shipped_scenarios_in_the_admin(client, lesson):
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    call_command("check")  # the goal blocks' `check` leaves Django's system checks alone
    admin = get_user_model().objects.create_superuser("admin@example.org", "admin@example.org", "x")
    client.force_login(admin)
    for scenario in Scenario.objects.all():
        response = client.get(reverse("wagtailsnippets_modules_scenario:edit", args=[scenario.pk]))
        assert response.status_code == 200, scenario.key
        assert scenario.title in text(response)
