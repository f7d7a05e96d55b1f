""" "Donner de nouvelles images" keeps the learner's PIN, and the same screen lets the
trainer give a new PIN or remove it."""

from html import unescape

import pytest
from django.urls import reverse

from learning.models import Learner
from learning.pictures import PICTURES
from tests.factories import StructureFactory, learner, staff_member

pytestmark = pytest.mark.django_db

SIGNIN = "/connexion/images/"
UNCHANGED = "Le code secret à 4 chiffres n'a pas changé."


def sign_in_with_pin(client, code, pin):
    return client.post(SIGNIN, {"code": code, "mode": "pin", "pin": pin})


def sign_in_with_pictures(client, code, pictures):
    picks, response = [], None
    for picture in pictures:
        response = client.post(SIGNIN, {"code": code, "picks": picks, "pick": picture})
        picks.append(picture)
    return response


def shown_pictures(page):
    """The fresh pictures the access page shows, in order."""
    shown = [p for p in PICTURES if f"{PICTURES[p]}</li>" in page]
    return sorted(shown, key=lambda p: page.index(f"{PICTURES[p]}</li>"))


@pytest.fixture
def person():
    someone, _pictures = learner(pin="4821")
    return someone


@pytest.fixture
def staff(person):
    return staff_member(person.structure)


def test_new_pictures_keep_the_pin_and_the_screen_says_so(client, person, staff):
    client.force_login(staff)
    response = client.post(reverse("learner_reset", args=[person.pk]), follow=True)
    page = unescape(response.content.decode())
    new_pictures = shown_pictures(page)
    assert len(new_pictures) == 3
    assert UNCHANGED in page
    client.logout()

    assert sign_in_with_pin(client, person.code_id, "4821").status_code == 302
    client.logout()
    assert sign_in_with_pictures(client, person.code_id, new_pictures).status_code == 302


def test_new_pictures_for_someone_without_a_pin_say_nothing_about_a_pin(client, staff):
    someone, _pictures = learner(structure=staff.structures.get())
    client.force_login(staff)
    response = client.post(reverse("learner_reset", args=[someone.pk]), follow=True)
    page = unescape(response.content.decode())
    assert UNCHANGED not in page
    assert "Pas de code secret à 4 chiffres." in page
    assert Learner.objects.get(pk=someone.pk).pin == ""


def test_the_trainer_gives_a_new_pin_on_the_same_screen(client, person, staff):
    client.force_login(staff)
    access = unescape(client.get(reverse("learner_access", args=[person.pk])).content.decode())
    assert f'action="{reverse("learner_pin", args=[person.pk])}"' in access
    assert "Cette personne a un code secret à 4 chiffres." in access

    response = client.post(reverse("learner_pin", args=[person.pk]), {"pin": "1357"}, follow=True)
    assert "Nouveau code secret enregistré" in unescape(response.content.decode())
    client.logout()

    assert sign_in_with_pin(client, person.code_id, "4821").status_code == 200  # refused
    assert sign_in_with_pin(client, person.code_id, "1357").status_code == 302
    client.logout()
    # The pictures were not touched.
    assert (
        sign_in_with_pictures(client, person.code_id, ["soleil", "chat", "coeur"]).status_code
        == 302
    )


def test_a_learner_who_had_no_pin_gets_one(client, staff):
    someone, _pictures = learner(structure=staff.structures.get())
    client.force_login(staff)
    client.post(reverse("learner_pin", args=[someone.pk]), {"pin": "0042"})
    client.logout()
    assert sign_in_with_pin(client, someone.code_id, "0042").status_code == 302


def test_the_trainer_removes_the_pin(client, person, staff):
    client.force_login(staff)
    response = client.post(reverse("learner_pin", args=[person.pk]), {"retirer": "1"}, follow=True)
    page = unescape(response.content.decode())
    assert "Le code secret à 4 chiffres est retiré." in page
    assert "Pas de code secret à 4 chiffres." in page
    client.logout()

    assert sign_in_with_pin(client, person.code_id, "4821").status_code == 200  # refused
    assert (
        sign_in_with_pictures(client, person.code_id, ["soleil", "chat", "coeur"]).status_code
        == 302
    )


@pytest.mark.parametrize("typed", ["", "12", "abcd", "12345", "²³¹⁴", "١٢٣٤", "12 4", "\x00123"])
def test_a_pin_that_is_not_4_digits_is_refused_and_the_old_one_kept(client, person, staff, typed):
    client.force_login(staff)
    response = client.post(reverse("learner_pin", args=[person.pk]), {"pin": typed})
    assert response.status_code == 200
    page = unescape(response.content.decode())
    assert "Écrivez 4 chiffres." in page
    assert person.display_code in page  # the same screen, with the error
    client.logout()
    assert sign_in_with_pin(client, person.code_id, "4821").status_code == 302


def test_a_trainer_cannot_change_the_pin_of_another_structures_learner(client, person):
    outsider = staff_member(StructureFactory())
    client.force_login(outsider)
    url = reverse("learner_pin", args=[person.pk])
    assert client.post(url, {"pin": "1357"}).status_code == 404
    assert client.post(url, {"retirer": "1"}).status_code == 404
    client.logout()
    assert sign_in_with_pin(client, person.code_id, "4821").status_code == 302


def test_changing_the_pin_is_a_post_only(client, person, staff):
    client.force_login(staff)
    assert client.get(reverse("learner_pin", args=[person.pk]), {"pin": "1357"}).status_code == 405
