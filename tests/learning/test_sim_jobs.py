"""The "Offres d'emploi" simulator: search, offers, saving, applying, the personal space
and the actualisation, with the goals checked on the server, from the real lessons."""

import ipaddress
import re
import socket
from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from learning.models import ExerciseAttempt, SimulatorRun, Statement
from learning.simulators import jobs
from modules.loader import load_curriculum
from modules.models import LessonPage, Scenario
from modules.simulators.jobs import keyword_matches, scenario_problems, town_matches
from tests.factories import learner

SEARCH_LESSON = "lecon-chercher-offre-pres-de-chez-soi"
APPLY_LESSON = "lecon-postuler-avec-son-cv"
ACTUALISATION_LESSON = "lecon-faire-son-actualisation"

HOSTILE = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '" onmouseover="alert(1)',
    "x" * 100_000,
]
GOOD_MESSAGE = "Bonjour, votre offre m'intéresse. Je suis disponible tout de suite."


# --- Fixtures and helpers ---------------------------------------------------------

CONTENT = settings.BASE_DIR / "content"
JOB_MODULES = ["chercher-un-emploi", "candidater-en-ligne", "espace-france-travail"]


def module_key(name):
    front = (CONTENT / "modules" / name / "module.md").read_text(encoding="utf-8")
    return re.search(r"^key: (\S+)$", front, flags=re.MULTILINE).group(1)


@pytest.fixture
def curriculum(content_dir, wagtail_root):
    """The real job lessons and scenario, without the rest of the curriculum (faster)."""
    modules = "".join(f"  - {module_key(name)}\n" for name in JOB_MODULES)
    files = {
        "catalog.md": (CONTENT / "catalog.md").read_text(encoding="utf-8"),
        "simulations/emploi-venissieux.md": (
            CONTENT / "simulations" / "emploi-venissieux.md"
        ).read_text(encoding="utf-8"),
        "parcours/emploi.md": "---\nkey: parcours-emploi\ntitle: Emploi\nkind: emploi\n"
        f"target_hours: 32\nmodules:\n{modules}---\nEmploi.\n",
    }
    for name in JOB_MODULES:
        for path in (CONTENT / "modules" / name).glob("*.md"):
            files[f"modules/{name}/{path.name}"] = path.read_text(encoding="utf-8")
    load_curriculum(content_dir(files))


@pytest.fixture(autouse=True)
def _nothing_leaves_the_server(monkeypatch):
    """Any connection to another machine fails loudly; no mail is ever sent."""
    real_connect = socket.socket.connect

    def connect(self, address):
        host = address[0] if isinstance(address, tuple) else ""
        if host:
            try:
                local = ipaddress.ip_address(host).is_loopback
            except ValueError:
                local = host == "localhost"
            if not local:
                raise AssertionError(f"the simulator tried to reach {address!r}")
        return real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    yield
    assert mail.outbox == []


def simulation_step(lesson_key, goal):
    """(lesson, step number, exercise) of the lesson's simulation asking for `goal`."""
    lesson = LessonPage.objects.get(source_key=lesson_key)
    for number, exercise in lesson.exercises():
        if exercise.block_type == "simulation" and goal in exercise.value["goals"]:
            return lesson, number, exercise
    raise AssertionError(f"no simulation step with {goal} in {lesson_key}")


class Site:
    """A learner on the job board, through the test client."""

    def __init__(self, client, lesson_key, goal):
        self.client = client
        self.lesson, self.number, self.exercise = simulation_step(lesson_key, goal)
        response = client.post(
            reverse("learning:simulation_start"),
            {"lesson": self.lesson.pk, "exercise": self.exercise.id},
        )
        assert response.status_code == 302
        self.run = SimulatorRun.objects.order_by("-created_at").first()
        self.base = reverse("learning:simulation", args=[self.run.pk])

    def url(self, path=""):
        return self.base + path

    def get(self, path="", **kwargs):
        return self.client.get(self.url(path), **kwargs)

    def post(self, path, data=None, *, follow=True):
        return self.client.post(self.url(path), data or {}, follow=follow)

    def search(self, keyword="", town="", **filters):
        return self.post("recherche", {"motcle": keyword, "lieu": town, **filters})

    def apply(self, offer, document, message):
        return self.post(f"offre/{offer}/postuler", {"document": document, "message": message})

    def document_id(self, name):
        return next(d["id"] for d in self.state["documents"] if d["name"] == name)

    def actualise(
        self,
        *,
        worked,
        hours="",
        salary="",
        searching=True,
        available=True,
        training=False,
        sick=False,
        confirm=True,
    ):
        yes_no = {True: "oui", False: "non"}
        self.post("espace/actualisation")
        self.post("espace/actualisation/travail", {"reponse": yes_no[worked]})
        if worked:
            self.post("espace/actualisation/heures", {"heures": hours, "salaire": salary})
        self.post("espace/actualisation/recherche", {"reponse": yes_no[searching]})
        self.post("espace/actualisation/disponible", {"reponse": yes_no[available]})
        response = self.post(
            "espace/actualisation/situation",
            {"formation": yes_no[training], "maladie": yes_no[sick]},
        )
        if confirm:
            response = self.post("espace/actualisation/recapitulatif")
        return response

    @property
    def state(self):
        self.run.refresh_from_db()
        return self.run.state

    @property
    def done(self):
        self.run.refresh_from_db()
        return self.run.goals_done


def text_of(response):
    return response.content.decode()


def site_html(response):
    """The simulated site only (not the mission, which repeats the instructions)."""
    html = text_of(response)
    return html[html.index('<div class="sim-site">') : html.index('<footer class="site-footer"')]


def feedback(response):
    return [str(message) for message in get_messages(response.wsgi_request)] or re.findall(
        r'<p class="feedback[^"]*">(.*?)</p>', text_of(response), flags=re.DOTALL
    )


@pytest.fixture
def search_site(client, curriculum):
    return Site(client, SEARCH_LESSON, "chercher-serveur")


@pytest.fixture
def filters_site(client, curriculum):
    return Site(client, SEARCH_LESSON, "chercher-entretien-departement")


@pytest.fixture
def apply_site(client, curriculum):
    return Site(client, APPLY_LESSON, "postuler-employe-rayon")


@pytest.fixture
def actualisation_site(client, curriculum):
    return Site(client, ACTUALISATION_LESSON, "actualisation-10-heures")


# --- The shipped content ------------------------------------------------------------


def test_the_shipped_scenario_is_consistent(curriculum):
    scenario = Scenario.objects.get(key="emploi-venissieux")
    assert scenario_problems(scenario.items, scenario.goals) == []
    offers = [child for child in scenario.items if child.block_type == "job_offer"]
    assert 10 <= len(offers) <= 15
    kinds = {child.value["kind"] for child in scenario.items if child.block_type == "job_document"}
    assert {"cv", "lettre"} <= kinds


def test_a_goal_about_an_unknown_offer_is_reported(curriculum):
    scenario = Scenario.objects.get(key="emploi-venissieux")
    goals = list(scenario.goals.raw_data)
    goals[1]["value"]["offer"] = "offre-inconnue"
    scenario.goals = goals
    message = "L'objectif « ouvrir-serveur » vise une offre inconnue : offre-inconnue."
    assert scenario_problems(scenario.items, scenario.goals) == [message]
    # The admin and the loader refuse it, with that message.
    with pytest.raises(ValidationError) as error:
        scenario.full_clean()
    assert message in error.value.messages


# --- Matching ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("serveur", True),
        ("SERVEUR", True),
        ("Serveuse", True),
        ("serveurs", True),
        ("  serveur  restaurant ", True),
        ("serv", False),
        ("cuisinier", False),
        ("", False),
    ],
)
def test_the_search_goal_forgives_case_endings_and_extra_words(typed, expected):
    assert keyword_matches("serveur", typed) is expected


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Vénissieux", True),
        ("venissieux", True),
        ("VENISSIEUX (69)", True),
        ("69200 Vénissieux", True),
        ("Vénis", True),
        ("Ve", False),
        ("Lyon", False),
        ("69", False),
    ],
)
def test_town_matching_ignores_accents_case_and_postcodes(typed, expected):
    assert town_matches(typed, "Vénissieux") is expected


def ids(offers):
    return {offer["id"] for offer in offers}


def criteria(**values):
    return {**jobs.EMPTY_SEARCH, **values}


@pytest.fixture
def offers(curriculum):
    return jobs.initial_state(Scenario.objects.get(key="emploi-venissieux"))["offers"]


def test_search_matches_without_accents_or_capitals(offers):
    found = jobs.search_offers(offers, criteria(keyword="SERVEUR", town="venissieux"))
    assert ids(found) == {"serveur-venissieux"}
    assert ids(jobs.search_offers(offers, criteria(keyword="employé", town="VÉNISSIEUX"))) == {
        "employe-rayon-venissieux"
    }
    assert ids(jobs.search_offers(offers, criteria(keyword="employe", town="Venissieux"))) == {
        "employe-rayon-venissieux"
    }


def test_search_by_town_departement_number_and_whole_departement(offers):
    in_town = ids(jobs.search_offers(offers, criteria(keyword="entretien", town="Vénissieux")))
    assert in_town == {"agent-entretien-venissieux"}
    around = ids(
        jobs.search_offers(
            offers, criteria(keyword="entretien", town="Vénissieux", scope="departement")
        )
    )
    assert around == {"agent-entretien-venissieux", "agent-proprete-lyon"}  # Vienne is in 38
    assert ids(jobs.search_offers(offers, criteria(keyword="entretien", town="38"))) == {
        "agent-entretien-vienne"
    }
    assert len(jobs.search_offers(offers, criteria())) == len(offers)


def test_search_filters_contract_time_and_beginners(offers):
    every = criteria(town="69")
    cdi = jobs.search_offers(offers, {**every, "contracts": ["cdi"]})
    assert cdi and all(offer["contract"] == "cdi" for offer in cdi)
    cdd_or_interim = jobs.search_offers(offers, {**every, "contracts": ["cdd", "interim"]})
    assert {offer["contract"] for offer in cdd_or_interim} == {"cdd", "interim"}
    part_time = jobs.search_offers(offers, {**every, "working_time": "partiel"})
    assert part_time and all(offer["working_time"] == "partiel" for offer in part_time)
    beginners = jobs.search_offers(offers, {**every, "beginner": True})
    assert "cariste-venissieux" not in ids(beginners)
    assert "serveur-venissieux" in ids(beginners)


def test_a_search_shows_the_count_and_the_offers(search_site):
    response = search_site.search("Serveur", "venissieux")
    html = site_html(response)
    assert "1 offre" in html
    assert "Serveur / Serveuse (H/F)" in html
    assert "Équipier en restauration rapide" not in html  # that one is in Lyon
    response = search_site.search("", "69")
    assert f"{len(search_site.state['offers']) - 1} offres" in site_html(response)


def test_a_search_without_results_says_so_with_a_tip(search_site):
    response = search_site.search("je cherche un travail de serveur pas loin", "Vénissieux")
    html = site_html(response)
    assert "0 offre" in html
    assert "Aucune offre ne correspond à votre recherche." in html
    assert "Écrivez un mot plus court" in html


# --- Goals: search, open, save --------------------------------------------------------


def test_the_search_goal_is_reached_with_the_right_job_and_town(search_site):
    response = search_site.search("serveur", "Vénissieux")
    assert "chercher-serveur" in search_site.done
    assert any("Objectif atteint" in text for text in feedback(response))


def test_a_search_in_the_wrong_town_gets_a_hint(search_site):
    response = search_site.search("serveur", "Lyon")
    assert search_site.done == []
    assert any("Dans « Où ? », écrivez la ville : « Vénissieux »." in t for t in feedback(response))


def test_a_search_for_another_job_in_the_right_town_gets_a_hint(search_site):
    response = search_site.search("cariste", "Vénissieux")
    assert search_site.done == []
    assert any("écrivez « serveur »" in text for text in feedback(response))


def test_a_search_unrelated_to_the_mission_gives_no_hint(search_site):
    response = search_site.search("cariste", "Bron")
    assert search_site.done == []
    assert feedback(response) == []


def test_the_filter_goal_asks_for_the_missing_filters(filters_site):
    response = filters_site.search("agent d'entretien", "Vénissieux")
    assert filters_site.done == []
    hints = " ".join(feedback(response))
    assert "CDI" in hints and "Dans tout le département" in hints

    filters_site.search("agent d'entretien", "Vénissieux", contrat="cdi", autour="departement")
    assert filters_site.done == ["chercher-entretien-departement"]


def test_opening_the_right_offer_reaches_the_goal_and_a_wrong_one_gets_a_hint(search_site):
    response = search_site.get("offre/cariste-venissieux")
    assert response.status_code == 200
    assert "Cariste (H/F)" in site_html(response)
    assert search_site.done == []
    assert any("Ce n'est pas la bonne offre" in text for text in feedback(response))
    # A reload is not a second wrong try.
    assert feedback(search_site.get("offre/cariste-venissieux")) == []

    response = search_site.get("offre/serveur-venissieux")
    html = site_html(response)
    for text in [
        "Brasserie de la Place",
        "1 850 € brut par mois",
        "Porter un plateau",
        "Postuler",
        "Sauvegarder",
    ]:
        assert text in html
    assert "ouvrir-serveur" in search_site.done


def test_saving_and_unsaving_an_offer(search_site):
    search_site.post("offre/cariste-venissieux/sauvegarder", {"retour": "offre/cariste-venissieux"})
    assert search_site.state["saved"] == ["cariste-venissieux"]
    assert "sauvegarder-serveur" not in search_site.done

    response = search_site.post(
        "offre/serveur-venissieux/sauvegarder", {"retour": "offre/serveur-venissieux"}
    )
    assert "sauvegarder-serveur" in search_site.done
    assert "Offre sauvegardée" in site_html(response)
    saved = site_html(search_site.get("sauvegardees"))
    assert "Mes offres sauvegardées" in saved
    assert "Serveur / Serveuse (H/F)" in saved and "Cariste (H/F)" in saved

    # Saving twice keeps one copy; "Retirer" takes it off the list.
    search_site.post("offre/serveur-venissieux/sauvegarder")
    assert search_site.state["saved"].count("serveur-venissieux") == 1
    response = search_site.post("offre/cariste-venissieux/retirer", {"retour": "sauvegardees"})
    assert response.redirect_chain[-1][0].endswith("/sauvegardees")
    assert search_site.state["saved"] == ["serveur-venissieux"]
    assert "Cariste (H/F)" not in site_html(response)


def test_the_whole_search_mission_records_one_passed_attempt_for_a_learner(client, curriculum):
    person, _pictures = learner()
    client.force_login(person.user)
    site = Site(client, SEARCH_LESSON, "chercher-serveur")
    site.search("serveur", "Vénissieux")
    site.get("offre/serveur-venissieux")
    response = site.post("offre/serveur-venissieux/sauvegarder")
    assert any("Bravo, vous avez réussi la mission" in text for text in feedback(response))
    site.run.refresh_from_db()
    assert site.run.completed_at is not None
    attempts = ExerciseAttempt.objects.filter(progress__learner=person.user)
    assert [(a.block_id, a.passed) for a in attempts] == [(site.exercise.id, True)]
    assert Statement.objects.filter(
        learner=person.user, verb_id__endswith="answered", activity_id__contains=site.exercise.id
    ).exists()


# --- Applying -----------------------------------------------------------------------


def test_the_apply_form_lists_the_learners_documents(apply_site):
    html = site_html(apply_site.get("offre/employe-rayon-venissieux/postuler"))
    for name in ["CV_2025.pdf", "CV_ancien.pdf", "Lettre_motivation.pdf"]:
        assert name in html
    assert 'maxlength="1000"' in html
    assert "0 caractères sur 1000" in html


def test_applying_with_the_letter_gets_a_hint_that_a_cv_is_needed(apply_site):
    letter = apply_site.document_id("Lettre_motivation.pdf")
    response = apply_site.apply("employe-rayon-venissieux", letter, GOOD_MESSAGE)
    assert apply_site.done == []
    assert any("Ce n'est pas un CV" in text for text in feedback(response))


def test_applying_with_the_old_cv_gets_a_hint(apply_site):
    old = apply_site.document_id("CV_ancien.pdf")
    response = apply_site.apply("employe-rayon-venissieux", old, GOOD_MESSAGE)
    assert apply_site.done == []
    assert any("Choisissez le CV « CV_2025.pdf »" in text for text in feedback(response))


def test_applying_with_a_too_short_message_gets_a_hint(apply_site):
    cv = apply_site.document_id("CV_2025.pdf")
    response = apply_site.apply("employe-rayon-venissieux", cv, "Bonjour")
    assert apply_site.done == []
    assert any("Votre message est trop court" in text for text in feedback(response))


def test_applying_to_another_offer_gets_a_hint(apply_site):
    cv = apply_site.document_id("CV_2025.pdf")
    response = apply_site.apply("serveur-venissieux", cv, GOOD_MESSAGE)
    assert apply_site.done == []
    assert any("Employé de rayon (H/F)" in text for text in feedback(response))


def test_a_good_application_is_sent_and_listed(apply_site):
    cv = apply_site.document_id("CV_2025.pdf")
    response = apply_site.apply("employe-rayon-venissieux", cv, GOOD_MESSAGE)
    assert apply_site.done == ["postuler-employe-rayon"]
    assert response.redirect_chain[-1][0].endswith("/candidatures")
    html = site_html(response)
    assert "Candidature envoyée (simulation)" in html
    assert "Employé de rayon (H/F)" in html and "CV_2025.pdf" in html
    assert "Je suis disponible tout de suite." in html
    (application,) = apply_site.state["applications"]
    assert application["offer"] == "employe-rayon-venissieux"
    assert application["message"] == GOOD_MESSAGE
    offer_page = site_html(apply_site.get("offre/employe-rayon-venissieux"))
    assert "Vous avez déjà postulé à cette offre." in offer_page


# --- Tampered posts -----------------------------------------------------------------


def test_an_unknown_offer_is_a_friendly_page_not_an_error(search_site):
    response = search_site.get("offre/nexiste-pas")
    assert response.status_code == 404
    assert "Page introuvable" in site_html(response)
    assert "accueil du site" in site_html(response)
    for path in ["offre/nexiste-pas/sauvegarder", "offre/nexiste-pas/postuler"]:
        response = search_site.post(path, {"document": "doc-1", "message": GOOD_MESSAGE})
        assert response.status_code == 200
        assert "Cette offre n" in site_html(response) and "existe pas" in site_html(response)
    assert search_site.state["saved"] == [] and search_site.state["applications"] == []


@pytest.mark.parametrize(
    "path",
    [
        "nimporte/quoi",
        "offre/",
        "OFFRE/serveur-venissieux",
        "espace/messages/99",
        "espace/actualisation/inconnue",
        "offre/" + "a" * 300,
    ],
)
def test_unknown_paths_answer_the_sites_404_page(search_site, path):
    response = search_site.get(path)
    assert response.status_code == 404
    assert "Page introuvable" in text_of(response)


@pytest.mark.parametrize("document", ["", "doc-99", "../doc-1", "x" * 5000])
def test_a_document_that_is_not_the_learners_is_refused_kindly(apply_site, document):
    response = apply_site.apply("employe-rayon-venissieux", document, GOOD_MESSAGE)
    assert response.status_code == 200
    assert "Choisissez un document dans la liste." in site_html(response)
    assert apply_site.state["applications"] == []


def test_a_huge_message_is_refused_kindly_and_nothing_is_sent(apply_site):
    cv = apply_site.document_id("CV_2025.pdf")
    response = apply_site.apply("employe-rayon-venissieux", cv, "Bonjour " * 20_000)
    assert response.status_code == 200
    assert "Votre message est trop long" in site_html(response)
    assert apply_site.state["applications"] == []


def test_get_on_an_action_goes_back_to_a_screen(search_site):
    for path in [
        "recherche",
        "offre/serveur-venissieux/sauvegarder",
        "offre/serveur-venissieux/retirer",
    ]:
        response = search_site.get(path)
        assert response.status_code == 302
    assert search_site.state["saved"] == []


def test_the_back_address_after_saving_stays_inside_the_site(search_site):
    response = search_site.post(
        "offre/serveur-venissieux/sauvegarder", {"retour": "https://exemple.org/"}, follow=False
    )
    assert response["Location"] == search_site.url("offre/serveur-venissieux")


# --- Per run, "Recommencer" ---------------------------------------------------------


def test_recommencer_gives_a_fresh_site_and_keeps_the_old_run(client, apply_site):
    cv = apply_site.document_id("CV_2025.pdf")
    apply_site.apply("employe-rayon-venissieux", cv, GOOD_MESSAGE)
    apply_site.post("offre/serveur-venissieux/sauvegarder")
    old = apply_site.run
    response = client.post(reverse("learning:simulation_restart", args=[old.pk]), follow=True)
    new = SimulatorRun.objects.exclude(pk=old.pk).get()
    assert new.state["applications"] == [] and new.state["saved"] == []
    assert new.goals_done == []
    assert 'Mes candidatures <span class="jobs-count">0</span>' in text_of(response)
    old.refresh_from_db()
    assert len(old.state["applications"]) == 1


def test_a_run_with_an_empty_state_gets_the_site_as_new(search_site):
    SimulatorRun.objects.filter(pk=search_site.run.pk).update(state={})
    response = search_site.get("")
    assert "15 offres en ligne." in site_html(response)
    assert len(search_site.state["offers"]) == 15


def test_each_screen_has_its_own_title(search_site):
    search_site.search("serveur", "Vénissieux")
    titles = {
        path: re.search(r"<title>(.*?)</title>", text_of(search_site.get(path))).group(1)
        for path in ["", "offres", "offre/serveur-venissieux", "candidatures", "espace"]
    }
    assert titles["offres"].startswith("1 offre · Offres d&#x27;emploi autour de Vénissieux")
    assert titles["offre/serveur-venissieux"].startswith("Serveur / Serveuse (H/F) · ")
    assert len(set(titles.values())) == len(titles)


def test_another_learner_cannot_see_a_run(client, curriculum):
    one, _pictures = learner()
    client.force_login(one.user)
    site = Site(client, APPLY_LESSON, "postuler-employe-rayon")
    site.apply("employe-rayon-venissieux", site.document_id("CV_2025.pdf"), GOOD_MESSAGE)
    other, _pictures = learner(first_name="Léa")
    client.force_login(other.user)
    assert client.get(site.url("candidatures")).status_code == 404


# --- Personal space and actualisation ---------------------------------------------------


def test_the_personal_space_shows_the_adviser_the_period_and_the_messages(actualisation_site):
    html = site_html(actualisation_site.get("espace"))
    for text in [
        "Mon espace",
        "4821937K",
        "Mme Benali",
        "Actualisez-vous pour le mois de mars",
        "du 28 mars au 15 avril",
        "3 nouveaux messages",
        "CV_2025.pdf",
    ]:
        assert text in html
    message = site_html(actualisation_site.get("espace/messages/2"))
    assert "Votre rendez-vous du 8 avril" in message
    assert "2 nouveaux messages" in site_html(actualisation_site.get("espace"))


def test_the_actualisation_with_the_right_answers_reaches_the_goal(actualisation_site):
    response = actualisation_site.actualise(worked=True, hours="10", salary="120")
    assert actualisation_site.done == ["actualisation-10-heures"]
    assert response.redirect_chain[-1][0].endswith("/espace/actualisation/confirmation")
    sent = actualisation_site.state["actualisation"]["sent"]
    assert sent["answers"] == {
        "worked": True,
        "hours": 10,
        "salary": 120,
        "searching": True,
        "available": True,
        "training": False,
        "sick": False,
    }
    assert re.fullmatch(r"\d{8}", sent["receipt"])
    html = site_html(response)
    assert "Votre actualisation est enregistrée" in html and sent["receipt"] in html
    assert sent["receipt"] in site_html(actualisation_site.get("espace"))


def test_a_wrong_answer_gets_a_hint_at_once(actualisation_site):
    actualisation_site.post("espace/actualisation")
    response = actualisation_site.post("espace/actualisation/travail", {"reponse": "non"})
    assert any("vous avez travaillé : répondez « Oui »" in text for text in feedback(response))
    response = actualisation_site.post("espace/actualisation/travail", {"reponse": "oui"})
    assert response.redirect_chain[-1][0].endswith("/espace/actualisation/heures")
    response = actualisation_site.post(
        "espace/actualisation/heures", {"heures": "12", "salaire": "120"}
    )
    assert any("vous avez travaillé 10 heures" in text for text in feedback(response))
    assert actualisation_site.done == []


def test_a_wrong_declaration_is_not_the_goal_until_it_is_corrected(actualisation_site):
    response = actualisation_site.actualise(worked=True, hours="10", salary="120", available=False)
    assert actualisation_site.done == []
    hints = " ".join(feedback(response))
    assert "Vous êtes disponible pour travailler" in hints
    assert "Modifier ma déclaration" in hints

    # "Modifier ma déclaration": the answers come back; one change, then confirm again.
    response = actualisation_site.post("espace/actualisation")
    assert response.redirect_chain[-1][0].endswith("/espace/actualisation/recapitulatif")
    actualisation_site.post("espace/actualisation/disponible", {"reponse": "oui"})
    actualisation_site.post("espace/actualisation/recapitulatif")
    assert actualisation_site.done == ["actualisation-10-heures"]


def test_a_month_without_work_skips_the_hours(client, curriculum):
    site = Site(client, ACTUALISATION_LESSON, "actualisation-sans-travail")
    response = site.post("espace/actualisation/travail", {"reponse": "non"})
    assert response.redirect_chain[-1][0].endswith("/espace/actualisation/recherche")
    # The hours step can't be reached after "Non".
    assert site.get("espace/actualisation/heures").status_code == 302
    site.actualise(worked=False)
    assert site.done == ["actualisation-sans-travail"]


def test_steps_cannot_be_skipped(actualisation_site):
    response = actualisation_site.get("espace/actualisation/situation", follow=True)
    assert response.redirect_chain[-1][0].endswith("/espace/actualisation/travail")
    response = actualisation_site.get("espace/actualisation/recapitulatif", follow=True)
    assert response.redirect_chain[-1][0].endswith("/espace/actualisation/travail")
    response = actualisation_site.get("espace/actualisation/confirmation", follow=True)
    assert response.redirect_chain[-1][0].endswith("/espace/actualisation")


@pytest.mark.parametrize(
    ("hours", "salary", "message"),
    [
        ("dix", "120", "Écrivez un nombre d&#x27;heures en chiffres"),
        ("10,5", "120", "Écrivez un nombre d&#x27;heures en chiffres"),
        ("-5", "120", "Écrivez un nombre d&#x27;heures en chiffres"),
        ("0", "120", "Écrivez un nombre d&#x27;heures entre 1 et 744"),
        ("999", "120", "Écrivez un nombre d&#x27;heures entre 1 et 744"),
        ("", "120", "Écrivez un nombre d&#x27;heures en chiffres"),
        ("10", "beaucoup", "Écrivez le montant en euros"),
        ("10", "9999999", "Écrivez le montant en euros"),
    ],
)
def test_a_bad_hours_or_salary_value_is_refused_kindly(actualisation_site, hours, salary, message):
    actualisation_site.post("espace/actualisation/travail", {"reponse": "oui"})
    response = actualisation_site.post(
        "espace/actualisation/heures", {"heures": hours, "salaire": salary}
    )
    assert response.status_code == 200
    assert message in site_html(response)
    assert 'aria-invalid="true"' in site_html(response)
    assert "hours" not in actualisation_site.state["actualisation"]["draft"]


@pytest.mark.parametrize("answer", ["", "peut-être", "OUI", "1"])
def test_a_tampered_yes_no_answer_asks_again(actualisation_site, answer):
    response = actualisation_site.post("espace/actualisation/travail", {"reponse": answer})
    assert response.status_code == 200
    assert "Choisissez « Oui » ou « Non »." in site_html(response)
    assert actualisation_site.state["actualisation"]["draft"] == {}


def test_hours_can_be_written_with_a_unit(actualisation_site):
    actualisation_site.post("espace/actualisation/travail", {"reponse": "oui"})
    actualisation_site.post("espace/actualisation/heures", {"heures": " 10 h ", "salaire": "120 €"})
    draft = actualisation_site.state["actualisation"]["draft"]
    assert draft["hours"] == 10 and draft["salary"] == 120


# --- Hostile input ------------------------------------------------------------------


def assert_inert(html):
    assert "<script>alert(1)</script>" not in html
    assert "<img src=x" not in html
    assert "onerror=alert(1)>" not in html
    assert '" onmouseover="alert(1)' not in html


@pytest.mark.parametrize("payload", HOSTILE, ids=["script", "img", "attribute", "huge"])
def test_hostile_search_text_is_stored_clean_and_shown_inert(search_site, payload):
    response = search_site.search(payload, payload)
    assert response.status_code == 200
    assert_inert(text_of(response))
    stored = search_site.state["search"]
    assert "<" not in stored["keyword"] + stored["town"]
    assert len(stored["keyword"]) <= jobs.KEYWORD_MAX and len(stored["town"]) <= jobs.TOWN_MAX
    assert_inert(text_of(search_site.get("")))


@pytest.mark.parametrize("payload", HOSTILE, ids=["script", "img", "attribute", "huge"])
def test_a_hostile_message_is_stored_clean_and_shown_inert(apply_site, payload):
    cv = apply_site.document_id("CV_2025.pdf")
    response = apply_site.apply("employe-rayon-venissieux", cv, payload)
    assert response.status_code == 200
    assert_inert(text_of(response))
    applications = apply_site.state["applications"]
    if len(payload) > jobs.MESSAGE_MAX:
        assert applications == []  # refused as too long, shown back capped
        assert "Votre message est trop long" in text_of(response)
    else:
        assert "<" not in applications[0]["message"]
        assert_inert(text_of(apply_site.get("candidatures")))


@pytest.mark.parametrize("payload", HOSTILE, ids=["script", "img", "attribute", "huge"])
def test_hostile_actualisation_values_are_refused_and_shown_inert(actualisation_site, payload):
    actualisation_site.post("espace/actualisation/travail", {"reponse": "oui"})
    response = actualisation_site.post(
        "espace/actualisation/heures", {"heures": payload, "salaire": payload}
    )
    assert response.status_code == 200
    assert_inert(text_of(response))
    draft = actualisation_site.state["actualisation"]["draft"]
    assert "hours" not in draft and "salary" not in draft
    response = actualisation_site.post("espace/actualisation/recherche", {"reponse": payload})
    assert response.status_code in (200, 302)
    assert_inert(text_of(response))


def test_the_pretend_address_never_points_outside(search_site):
    search_site.search("serveur", "Vénissieux")
    html = text_of(search_site.get("offres"))
    address = re.search(r'<p class="sim-address">.*?</span>(.*?)</p>', html, re.DOTALL).group(1)
    assert urlparse(address.strip().replace("&amp;", "&")).hostname == "www.offres-emploi.exemple"
    # No link or form of the site leaves the run's own pages.
    site = site_html(search_site.get("offres"))
    for target in re.findall(r'(?:href|action)="([^"]+)"', site):
        assert target.startswith(search_site.base) or target.startswith("#"), target
