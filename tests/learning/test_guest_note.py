"""A guest is told the truth: their work is kept on this computer until the browser
closes, and how to keep it longer (a card from a trainer, or an account)."""

from html import unescape

import pytest
from wagtail.models import Site

from learning.models import LearnerSettings
from tests.factories import StructureFactory, learner, parcours_with_lessons

pytestmark = pytest.mark.django_db

KEPT = "Ce que vous faites est gardé sur cet ordinateur jusqu'à la fermeture du navigateur."


def text(response):
    return " ".join(unescape(response.content.decode()).split())


@pytest.fixture
def lesson():
    parcours = parcours_with_lessons(modules=1, lessons=1)
    return parcours.parcours_modules.first().module.specific.lessons[0]


def test_a_guest_reads_how_long_their_work_is_kept_and_how_to_keep_it(client, lesson):
    page = text(client.get(lesson.url))

    assert KEPT in page
    assert "demandez une carte à votre formateur" in page
    assert 'href="/connexion/"' in page
    assert "Créer un compte" not in page  # the site doesn't allow self sign-up


def test_where_self_sign_up_is_open_the_guest_is_offered_an_account(client, lesson):
    site_settings = LearnerSettings.for_site(Site.objects.get(is_default_site=True))
    site_settings.self_signup = True
    site_settings.signup_structure = StructureFactory()
    site_settings.save()

    page = text(client.get(lesson.url))

    assert 'href="/inscription/"' in page and "Créer un compte" in page


def test_a_signed_in_learner_is_not_told_they_are_a_guest(client, lesson):
    person, _pictures = learner()
    client.force_login(person.user)

    assert KEPT not in text(client.get(lesson.url))


def test_a_guest_who_presses_jai_fini_is_not_told_their_work_is_saved(client, lesson):
    client.get(lesson.url)

    page = text(client.post("/deconnexion/"))

    assert "Votre travail est enregistré." not in page
    assert "Ce que vous avez fait sans compte est effacé de cet ordinateur." in page


def test_a_guest_reading_a_lesson_creates_no_settings_row(client, lesson):
    client.get(lesson.url)

    assert not LearnerSettings.objects.exists()
