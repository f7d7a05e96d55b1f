"""The "Mon compte en ligne" simulator: create an account under password rules, confirm
it from the learner's own pretend mailbox, sign in, fill in a form, send the right photo,
download a certificate; each goal reached or missed with the right hint."""

import io
import re

import pytest
from django.contrib.auth.hashers import check_password
from django.urls import reverse
from pypdf import PdfReader

from learning.models import ExerciseAttempt, SimulatorRun, Statement
from learning.simulators.account import parse_date
from modules.loader.parse import block_id
from modules.models import LessonPage
from modules.simulators.account import password_failures
from tests.factories import learner
from tests.learning.test_sim_webmail import (  # noqa: F401  (the autouse fixture)
    HOSTILE,
    LESSON_KEY,
    lesson_with_simulations,
    nothing_leaves_the_server,
    raw,
    start,
    text,
    url,
)

EMAIL = "moi@ma-messagerie.exemple"
PASSWORD = "Jardin-2031"
CREATE = ["creer-compte", "confirmer-compte", "se-connecter"]
PROCEDURE = ["declarer-demenagement", "envoyer-avis", "telecharger-attestation"]
GOOD_FORM = {
    "champ-situation": "J'ai déménagé",
    "champ-date": "2025-03-01",
    "champ-personnes": "3",
    "champ-ville": "Vénissieux",
    "champ-telephone": "",
}


@pytest.fixture
def lesson(content_dir, wagtail_root):
    return lesson_with_simulations(
        content_dir,
        [
            ("sim-creer", "compte-creation", CREATE),
            ("sim-demarche", "compte-creation", PROCEDURE),
            ("sim-confirmer", "compte-creation", ["confirmer-compte", "se-connecter"]),
        ],
    )


@pytest.fixture
def samir(client):
    person, _pictures = learner()
    client.force_login(person.user)
    return person


def state(run):
    run.refresh_from_db()
    return run.state


def page(client, run, path=""):
    return text(client.get(url(run, path)))


def create(client, run, *, email=EMAIL, password=PASSWORD, confirm=None):
    return client.post(
        url(run, "creer"),
        {"email": email, "password": password, "password_confirm": confirm or password},
    )


def sign_in(client, run, *, email=EMAIL, password=PASSWORD):
    return client.post(url(run, "connexion"), {"email": email, "password": password})


def confirmation_link(client, run):
    """The link of the confirmation message, as the learner's mailbox shows it."""
    message = state(run)["mailbox"]["messages"][0]
    html = raw(client.get(url(run, f"messagerie/message/{message['id']}")))
    match = re.search(r'href="([^"]+/confirmer/[^"]+)"', html)
    assert match, "the confirmation message has its link"
    return match.group(1)


# --- Create, confirm, sign in ---------------------------------------------------------


def test_the_site_and_the_mailbox_sit_side_by_side_in_browser_tabs(client, lesson):
    run = start(client, lesson, "sim-creer")
    html = page(client, run)
    assert "Onglets du navigateur" in html
    assert "Mon compte en ligne" in html and "Ma messagerie" in html
    assert "Créer mon compte" in html and "J'ai déjà un compte" in html
    assert "https://mon-compte.exemple/" in html
    inbox = page(client, run, "messagerie/")
    assert "Bienvenue dans votre messagerie" in inbox
    assert EMAIL in inbox and "https://ma-messagerie.exemple/" in inbox
    assert state(run)["account"] is None


@pytest.mark.parametrize(
    ("password", "hint"),
    [
        ("So-1", "Le mot de passe est trop court : il faut au moins 8 caractères."),
        ("soleil-2025", "Il manque une lettre majuscule dans le mot de passe"),
        ("Soleil-abc", "Il manque un chiffre dans le mot de passe"),
        ("Soleil2025", "Il manque un caractère spécial dans le mot de passe"),
    ],
)
def test_a_password_that_breaks_a_rule_gets_a_hint_naming_the_rule(
    client, lesson, samir, password, hint
):
    run = start(client, lesson, "sim-creer")
    response = create(client, run, password=password)
    assert response.status_code == 200
    html = text(response)
    assert "Le compte n'est pas encore créé." in html
    assert hint in html  # beside the field, and from the coach
    assert "✗" in html and "✓" in html or password == "So-1"
    assert password not in raw(response)  # a password is never shown back
    assert state(run)["account"] is None
    attempt = ExerciseAttempt.objects.get(progress__learner=samir.user)
    assert not attempt.passed


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"confirm": "Jardin-2032"}, "Les deux mots de passe ne sont pas pareils."),
        ({"email": "moi.ma-messagerie.exemple"}, "Il manque le signe @ dans l'adresse."),
        ({"email": "samir@exemple.fr"}, f"Utilisez l'adresse de votre messagerie : {EMAIL}"),
        ({"email": ""}, "Écrivez l'adresse e-mail dans le champ."),
    ],
)
def test_the_creation_form_says_which_field_is_wrong(client, lesson, fields, error):
    run = start(client, lesson, "sim-creer")
    response = create(client, run, **fields)
    assert response.status_code == 200
    assert error in text(response)
    assert 'aria-invalid="true"' in raw(response)
    assert state(run)["account"] is None


def test_create_confirm_and_sign_in_completes_the_mission(client, lesson, samir):
    run = start(client, lesson, "sim-creer")
    response = create(client, run, email=f" {EMAIL.upper()} ")
    assert response["Location"] == url(run, "compte-cree")
    html = page(client, run, "compte-cree")
    assert "Objectif atteint : Créez votre compte" in html
    assert "Ouvrir ma messagerie" in html
    account = state(run)["account"]
    assert account["password"] != PASSWORD and check_password(PASSWORD, account["password"])
    assert PASSWORD not in str(state(run))

    # Signing in before confirming is refused, with the reason.
    html = text(sign_in(client, run))
    assert "Votre compte n'est pas encore activé." in html
    assert "Votre compte n'est pas encore confirmé. Ouvrez « Ma messagerie »" in html
    assert not state(run)["signed_in"]

    # The confirmation message waits, unread, in the learner's mailbox.
    assert "message non lu" in page(client, run)
    assert sum(not m["read"] for m in state(run)["mailbox"]["messages"]) == 1
    inbox = page(client, run, "messagerie/")
    assert "Confirmez la création de votre compte" in inbox
    link = confirmation_link(client, run)
    assert link.startswith(url(run, "confirmer/"))
    response = client.get(link)
    assert response["Location"] == url(run, "connexion")
    html = page(client, run, "connexion")
    assert "Votre compte est confirmé !" in html
    assert "Objectif atteint : Confirmez votre compte" in html
    assert state(run)["account"]["confirmed"]

    html = text(sign_in(client, run, password="jardin-2031"))
    assert "Adresse e-mail ou mot de passe incorrect." in html
    assert "L'adresse ou le mot de passe ne sont pas les bons." in html
    response = sign_in(client, run)
    assert response["Location"] == url(run)
    html = page(client, run)
    assert "Objectif atteint : Connectez-vous" in html
    assert "Bravo, vous avez réussi la mission" in html
    assert "Mon espace" in html

    exercise_id = block_id(LESSON_KEY, "sim-creer")
    attempts = ExerciseAttempt.objects.filter(progress__learner=samir.user, block_id=exercise_id)
    assert [a.passed for a in attempts.order_by("id")] == [False, False, True]
    assert Statement.objects.filter(
        learner=samir.user, activity_id__contains=exercise_id, data__result__success=True
    ).exists()
    assert "Vous avez réussi cette mission." in text(client.get(f"{lesson.url}?etape=1"))


def test_signing_in_without_an_account_says_to_create_one(client, lesson):
    run = start(client, lesson, "sim-creer")
    html = text(sign_in(client, run))
    assert "Vous n'avez pas encore de compte sur ce site." in html


def test_a_wrong_confirmation_link_is_refused_kindly(client, lesson):
    run = start(client, lesson, "sim-creer")
    create(client, run)
    for token in ("abc", "x" * 64):
        response = client.get(url(run, f"confirmer/{token}"))
        assert response.status_code == 404
        assert "Ce lien ne marche pas" in text(response)
    assert client.get(url(run, "confirmer/" + "x" * 65)).status_code == 404
    assert not state(run)["account"]["confirmed"]
    client.post(url(run, "renvoyer"))
    assert "Un nouveau message vous a été envoyé." in page(client, run, "compte-cree")
    subjects = [m["subject"] for m in state(run)["mailbox"]["messages"]]
    assert subjects.count("Confirmez la création de votre compte") == 2


def test_a_step_that_does_not_ask_to_create_starts_with_the_account_made(client, lesson):
    run = start(client, lesson, "sim-confirmer")
    html = page(client, run)
    assert "J'ai déjà un compte" in html
    account = state(run)["account"]
    assert account["premade"] and not account["confirmed"]
    html = page(client, run, "connexion")
    assert "votre compte existe déjà" in html and "Soleil-2025" in html
    client.get(confirmation_link(client, run))
    sign_in(client, run, password="Soleil-2025")
    assert "Bravo, vous avez réussi la mission" in page(client, run)


# --- The procedure: form, photo, certificate -----------------------------------------


def test_the_procedure_step_starts_signed_in(client, lesson):
    run = start(client, lesson, "sim-demarche")
    html = page(client, run)
    assert "Mon espace" in html and "Déclarer un changement de situation" in html
    assert state(run)["signed_in"]


def test_the_form_shows_an_error_beside_each_wrong_field(client, lesson):
    run = start(client, lesson, "sim-demarche")
    form = page(client, run, "demarche")
    assert "Les cases marquées d'une étoile (*) sont obligatoires." in form
    assert "Qu'est-ce qui a changé ?" in form and "J'ai déménagé" in form
    response = client.post(url(run, "demarche"), {})
    html = text(response)
    assert response.status_code == 200
    assert "Le formulaire n'est pas encore envoyé." in html
    assert "Choisissez une réponse : c'est obligatoire." in html
    assert html.count("Remplissez cette case : c'est obligatoire.") == 2 * 2  # summary + field
    response = client.post(
        url(run, "demarche"),
        {
            "champ-situation": "Autre chose",
            "champ-date": "31/02/2025",
            "champ-personnes": "trois",
            "champ-ville": "Lyon",
            "champ-telephone": "123",
        },
    )
    html = text(response)
    assert "Choisissez une réponse dans la liste." in html
    assert "Écrivez la date comme ceci : 01/03/2025." in html
    assert "Écrivez un nombre en chiffres, par exemple 3." in html
    assert "Écrivez un numéro à 10 chiffres" in html
    assert 'value="Lyon"' in raw(response)  # what was right stays
    assert state(run)["form"] is None


def test_a_form_with_other_answers_gets_a_hint_naming_the_question(client, lesson):
    run = start(client, lesson, "sim-demarche")
    response = client.post(
        url(run, "demarche"), {**GOOD_FORM, "champ-situation": "J'ai trouvé un emploi"}
    )
    assert response["Location"] == url(run, "demarche/envoyee")
    html = page(client, run, "demarche/envoyee")
    assert "Votre déclaration est envoyée" in html
    assert "la réponse à « Qu'est-ce qui a changé ? » ne correspond pas à la mission" in html
    run.refresh_from_db()
    assert run.goals_done == []
    client.post(url(run, "demarche"), {**GOOD_FORM, "champ-date": "1/3/2025"})
    html = page(client, run, "demarche/envoyee")
    assert "Objectif atteint : Dans « Déclarer un changement de situation »" in html
    assert "01/03/2025" in html and "Vénissieux" in html


def test_sending_the_wrong_photo_hints_and_the_right_one_reaches_the_goal(client, lesson):
    run = start(client, lesson, "sim-demarche")
    assert "Envoyez une photo de votre dernier avis d'imposition." in page(
        client, run, "justificatif"
    )
    gallery = page(client, run, "justificatif/galerie")
    assert "Photo 1 : un chat" in gallery and "Photo 2 : un avis d'imposition" in gallery
    client.post(url(run, "justificatif/choisir"), {"photo": "chat"})
    assert "La photo choisie" in page(client, run, "justificatif")
    client.post(url(run, "justificatif/envoyer"))
    html = page(client, run, "justificatif")
    assert "Ce n'est pas le bon document : cette photo montre un chat." in html
    assert "Cherchez la photo qui montre un avis d'imposition" in html
    client.post(url(run, "justificatif/choisir"), {"photo": "n-existe-pas"})
    assert "Cette photo n'est pas dans la galerie." in page(client, run, "justificatif/galerie")
    client.post(url(run, "justificatif/choisir"), {"photo": "avis-imposition"})
    client.post(url(run, "justificatif/envoyer"))
    assert "Objectif atteint : Envoyez la photo de votre avis d'imposition." in page(
        client, run, "justificatif"
    )


def test_the_certificate_is_a_pdf_marked_as_a_simulation(client, lesson, samir):
    run = start(client, lesson, "sim-demarche")
    assert "Télécharger mon attestation" in page(client, run, "attestation")
    response = client.get(url(run, "attestation/telecharger"))
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "no-store" in response["Cache-Control"]
    pdf_text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    assert "SIMULATION" in pdf_text and "document sans valeur" in pdf_text
    assert EMAIL in pdf_text
    assert "Objectif atteint : Téléchargez votre attestation" in page(client, run)
    assert state(run)["downloaded"]


def test_the_whole_procedure_completes_the_mission(client, lesson, samir):
    run = start(client, lesson, "sim-demarche")
    client.post(url(run, "demarche"), GOOD_FORM)
    client.post(url(run, "justificatif/choisir"), {"photo": "avis-imposition"})
    client.post(url(run, "justificatif/envoyer"))
    client.get(url(run, "attestation/telecharger"))
    assert "Bravo, vous avez réussi la mission" in page(client, run)
    exercise_id = block_id(LESSON_KEY, "sim-demarche")
    assert ExerciseAttempt.objects.get(progress__learner=samir.user, block_id=exercise_id).passed
    assert "Vous avez réussi cette mission." in text(client.get(f"{lesson.url}?etape=2"))


def test_signed_out_pages_ask_to_sign_in_first(client, lesson):
    run = start(client, lesson, "sim-demarche")
    client.post(url(run, "deconnexion"))
    assert not state(run)["signed_in"]
    for path in ("demarche", "justificatif", "justificatif/galerie", "attestation/telecharger"):
        response = client.get(url(run, path))
        assert response["Location"] == url(run, "connexion"), path
    assert "Connectez-vous d'abord à votre compte." in page(client, run, "connexion")
    response = client.post(url(run, "justificatif/choisir"), {"photo": "chat"})
    assert response["Location"] == url(run, "connexion")
    assert state(run)["upload"]["chosen"] == ""


# --- Isolation, tampering, hostile input ---------------------------------------------


def test_recommencer_starts_again_without_an_account(client, lesson):
    run = start(client, lesson, "sim-creer")
    create(client, run)
    client.post(reverse("learning:simulation_restart", args=[run.pk]))
    fresh = SimulatorRun.objects.exclude(pk=run.pk).get()
    assert "Créer mon compte" in page(client, fresh)
    fresh.refresh_from_db()
    assert fresh.state["account"] is None
    assert len(fresh.state["mailbox"]["messages"]) == 1
    assert state(run)["account"] is not None


@pytest.mark.parametrize(
    "path", ["nulle/part", "messagerie/message/999", "demarche/x", "confirmer/a/b"]
)
def test_unknown_pages_are_friendly_404s(client, lesson, path):
    run = start(client, lesson, "sim-demarche")
    response = client.get(url(run, path))
    assert response.status_code == 404
    assert "Cette page n'existe pas" in text(response)


def test_someone_else_cannot_open_my_account_site(client, lesson, samir):
    run = start(client, lesson, "sim-demarche")
    other, _pictures = learner(first_name="Léa")
    client.force_login(other.user)
    for path in ("", "demarche", "messagerie/", "attestation/telecharger"):
        assert client.get(url(run, path)).status_code == 404


@pytest.mark.parametrize("payload", HOSTILE)
def test_hostile_input_in_the_forms_is_stored_clean_and_shown_inert(client, lesson, payload):
    run = start(client, lesson, "sim-demarche")
    data = dict.fromkeys(GOOD_FORM, payload)
    responses = [client.post(url(run, "demarche"), data)]
    client.post(url(run, "demarche"), {**GOOD_FORM, "champ-ville": f"Lyon {payload}"})
    assert "<" not in state(run)["form"]["values"]["ville"]
    responses.append(client.get(url(run, "demarche/envoyee")))
    client.post(url(run, "deconnexion"))
    responses.append(sign_in(client, run, email=payload, password=payload))
    for response in responses:
        html = raw(response)
        assert "<script>alert(1)</script>" not in html
        assert "<img src=x" not in html
        assert 'onmouseover="alert' not in html
        assert 'href="javascript:' not in html


def test_huge_posts_are_capped_without_an_error_page(client, lesson):
    run = start(client, lesson, "sim-creer")
    response = create(client, run, email="a" * 1_000_000, password="B" * 100_000)
    assert response.status_code == 200
    assert state(run)["account"] is None
    run = start(client, lesson, "sim-demarche")
    client.post(url(run, "demarche"), {**GOOD_FORM, "champ-ville": "v" * 100_000})
    assert state(run)["form"]["values"]["ville"] == "v" * 200


def test_password_rules_and_dates_as_the_site_reads_them():
    settings = {"min_length": 8, "capital": True, "digit": True, "special": True}
    assert password_failures("Soleil-2025", settings) == []
    assert password_failures("soleil", settings) == ["length", "capital", "digit", "special"]
    assert password_failures("ÉCOLE2025?", settings) == []
    assert password_failures("abcdefgh", {**settings, "capital": False, "special": False}) == [
        "digit"
    ]
    assert str(parse_date("01/03/2025")) == "2025-03-01"
    assert str(parse_date("2025-3-1")) == "2025-03-01"
    assert parse_date("31/02/2025") is None and parse_date("demain") is None


def test_the_shipped_public_service_lessons_open_the_account_simulation(client, curriculum):
    lessons = LessonPage.objects.filter(source_key__startswith="lecon-service-public-")
    assert lessons.count() >= 2
    goals = []
    for lesson in lessons:
        for number, exercise in lesson.exercises():
            if exercise.block_type != "simulation":
                continue
            assert exercise.value["scenario"].key == "compte-creation"
            assert 2 <= number <= 4, "1 to 3 explanation steps come before the simulation"
            goals += [goal.value["key"] for goal in exercise.block.goal_list(exercise.value)]
            response = client.post(
                reverse("learning:simulation_start"), {"lesson": lesson.pk, "exercise": exercise.id}
            )
            assert client.get(response["Location"]).status_code == 200
    assert sorted(goals) == sorted(CREATE + PROCEDURE)
