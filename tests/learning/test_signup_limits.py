"""Self sign-up cannot be used to create accounts in bulk: a few an hour from one
client, a bounded number for the whole site, and a clear message past that."""

from html import unescape

import pytest
from wagtail.models import Site

from learning.models import Learner, LearnerSettings
from tests.factories import StructureFactory

pytestmark = pytest.mark.django_db

LIMITED = "Trop de comptes ont été créés"


@pytest.fixture(autouse=True)
def signup_open(db):
    site_settings = LearnerSettings.for_site(Site.objects.get(is_default_site=True))
    site_settings.self_signup = True
    site_settings.signup_structure = StructureFactory()
    site_settings.save()


def sign_up(client, name="Nadia", **extra):
    """The name, then "Choisir au hasard pour moi": the account is created."""
    return client.post("/inscription/", {"first_name": name, "random": "1"}, **extra)


def test_a_sixth_account_in_an_hour_from_one_client_is_refused_with_a_message(client):
    for _number in range(5):
        assert sign_up(client)["Location"] == "/moi/carte/"
        client.logout()

    refused = sign_up(client, "Zoé")

    assert refused.status_code == 429
    assert LIMITED in unescape(refused.content.decode())
    assert not Learner.objects.filter(first_name="Zoé").exists()
    assert Learner.objects.count() == 5
    # The form itself says so, before anything is typed.
    page = client.get("/inscription/")
    assert page.status_code == 429 and LIMITED in unescape(page.content.decode())


def test_another_client_can_still_sign_up(client):
    for _number in range(6):
        sign_up(client)
        client.logout()
    assert sign_up(client, "Zoé", REMOTE_ADDR="198.51.100.7")["Location"] == "/moi/carte/"


def test_the_whole_site_has_a_limit_too(client, settings):
    settings.PASAPAS_SIGNUP_LIMIT_PER_SITE = 3
    for number in range(3):
        assert sign_up(client, REMOTE_ADDR=f"192.0.2.{number}").status_code == 302
        client.logout()

    refused = sign_up(client, "Zoé", REMOTE_ADDR="192.0.2.200")

    assert refused.status_code == 429
    assert Learner.objects.count() == 3


def test_a_client_refused_again_and_again_does_not_use_up_the_sites_sign_ups(client, settings):
    settings.PASAPAS_SIGNUP_LIMIT_PER_SITE = 8
    for _number in range(20):
        sign_up(client, REMOTE_ADDR="192.0.2.1")
        client.logout()
    assert sign_up(client, "Zoé", REMOTE_ADDR="192.0.2.2").status_code == 302


def test_behind_the_proxy_clients_are_counted_apart_and_cannot_fake_their_address(client, settings):
    settings.PASAPAS_TRUSTED_PROXIES = 1
    for number in range(5):
        forwarded = f"6.6.6.{number}, 203.0.113.5"  # a fake address put in front
        assert (
            sign_up(client, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded).status_code
            == 302
        )
        client.logout()

    same_client = sign_up(
        client, "Zoé", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="7.7.7.7, 203.0.113.5"
    )
    other_client = sign_up(
        client, "Léa", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.6"
    )

    assert same_client.status_code == 429
    assert other_client.status_code == 302


def test_a_refused_sign_up_loses_nothing_typed_before(client):
    """The limit is said before the pictures, never after the name and pictures."""
    for _number in range(5):
        sign_up(client)
        client.logout()
    response = client.post("/inscription/", {"first_name": "Zoé"})
    assert response.status_code == 429
    assert "sans compte" in unescape(response.content.decode())
