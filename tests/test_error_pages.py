"""The pages for a refused request speak simple French and lose nothing: a form sent
from an expired page (the session ended, the cookies were cleared) and a body too
big to read. Django's own pages are in English, with technical words."""

from html import unescape

import pytest
from django.test import Client
from django.urls import reverse

from learning.models import TrainerNote
from tests.factories import StructureFactory, learner, trainer

pytestmark = pytest.mark.django_db


@pytest.fixture
def author_and_learner():
    structure = StructureFactory()
    author = trainer(first_name="Alice", last_name="Martin")
    structure.members.add(author)
    someone = learner(structure=structure, first_name="Zéphyrine")[0]
    return author, someone


def text(response):
    return unescape(response.content.decode())


def test_a_form_from_an_expired_page_is_explained_and_can_be_sent_again(wagtail_root):
    client = Client(enforce_csrf_checks=True)

    refused = client.post("/connexion/", {"code": "ABC-123"})

    assert refused.status_code == 403
    page = text(refused)
    assert '<html lang="fr"' in page
    assert "Cette page a expiré." in page
    assert "Ce que vous avez envoyé n'a pas été enregistré." in page
    assert 'href="/connexion/"' in page
    assert "verification failed" not in page and "Forbidden" not in page
    assert "no-store" in refused["Cache-Control"]
    # The page gave the browser a new token: the form works again.
    token = refused.cookies["csrftoken"].value
    again = client.post("/connexion/", {"code": "ABC-123", "csrfmiddlewaretoken": token})
    assert again.status_code != 403


def test_a_note_sent_from_an_expired_page_is_not_saved(author_and_learner):
    author, someone = author_and_learner
    client = Client(enforce_csrf_checks=True)
    client.force_login(author)

    refused = client.post(
        reverse("learner_note_create", args=[someone.pk]),
        {"body": "<p>Bien avancé</p>", "visibility": TrainerNote.Visibility.TEAM},
    )

    assert refused.status_code == 403
    assert "Cette page a expiré." in text(refused)
    assert not TrainerNote.objects.exists()


def test_a_body_too_big_to_read_gets_a_plain_page_and_saves_nothing(client, author_and_learner):
    author, someone = author_and_learner
    client.force_login(author)

    refused = client.post(
        reverse("learner_note_create", args=[someone.pk]),
        {"body": "<p>" + "a" * 3_000_000 + "</p>", "visibility": TrainerNote.Visibility.TEAM},
    )

    assert refused.status_code == 400
    page = text(refused)
    assert "Le site n'a pas pu lire ce que vous avez envoyé." in page
    assert "Rien n'a été enregistré." in page
    assert "Bad Request" not in page
    assert not TrainerNote.objects.exists()
