"""One rule for a learner's name at every entry point: self sign-up, the admin
create and edit forms, bulk creation in a group, and the service itself."""

from html import unescape

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from learning import services
from learning.models import Learner, LearnerSettings
from tests.factories import GroupFactory, StructureFactory, learner, staff_member

pytestmark = pytest.mark.django_db

HOSTILE_NAMES = [
    '=HYPERLINK("http://evil.example")',
    "+33612345678",
    "-2+3",
    "@SUM(A1)",
    "\u202eeciffo",  # right-to-left override
    "Ali\u2066ce",  # bidi isolate inside the name
    "Sa\u200fmir",  # right-to-left mark
    "Sa\u200bmir",  # zero-width space (format character)
    "Sa\x07mir",  # control character
    '"><svg/onload=alert(1)>',
    "<b>Samir</b>",
    "Samir 2",
    "x" * 61,
    "-Samir",
    "Samir-",
]
GOOD_NAMES = [
    "Anne-Marie",
    "N'Golo",
    "Zoë",
    "Jean Pierre",
    "Ngọc",
    "Мария",
    "فاطمة",
    "محمّد",
    "प्रिया",
]


@pytest.fixture
def signup_site(db):
    from wagtail.models import Site

    site_settings = LearnerSettings.for_site(Site.objects.get(is_default_site=True))
    site_settings.self_signup = True
    site_settings.signup_structure = StructureFactory()
    site_settings.save()
    return site_settings


@pytest.fixture
def staff_client(client):
    structure = StructureFactory()
    client.force_login(staff_member(structure))
    client.structure = structure
    return client


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_the_service_refuses_a_hostile_first_name(name):
    with pytest.raises(ValidationError):
        services.learner_create(first_name=name, structure=StructureFactory())
    assert not Learner.objects.exists()


@pytest.mark.parametrize("initial", ["=", "1", "ab", "\u202e", "<"])
def test_the_service_refuses_a_last_initial_that_is_not_one_letter(initial):
    with pytest.raises(ValidationError):
        services.learner_create(
            first_name="Samir", last_initial=initial, structure=StructureFactory()
        )


@pytest.mark.parametrize("name", GOOD_NAMES)
def test_names_in_any_alphabet_with_accents_hyphens_and_apostrophes_are_kept(name):
    created, _pictures = learner(first_name=name, last_initial="é")
    assert created.first_name == name and created.last_initial == "É"


def test_a_name_with_a_decomposed_accent_is_stored_as_one_letter():
    created, _pictures = learner(first_name="Zoe\u0308")
    assert created.first_name == "Zoë"


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_self_signup_refuses_a_hostile_name_with_a_message(client, signup_site, name):
    response = client.post("/inscription/", {"first_name": name})
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    # Even going on to the pictures creates no one.
    for picture in ("pomme", "bateau", "cle"):
        client.post("/inscription/", {"first_name": name, "pick": picture})
    assert not Learner.objects.exists()


def test_self_signup_refuses_a_last_initial_that_is_not_a_letter(client, signup_site):
    response = client.post("/inscription/", {"first_name": "Nadia", "last_initial": "="})
    assert "Écrivez une seule lettre" in unescape(response.content.decode())


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_the_admin_create_form_refuses_a_hostile_first_name(staff_client, name):
    response = staff_client.post(
        "/admin/apprenants/new/",
        {"first_name": name, "structure": staff_client.structure.pk, "language": "fr"},
    )
    assert response.status_code == 200
    if len(name) <= 60:  # longer: the field's own length message
        assert "Écrivez seulement un prénom" in unescape(response.content.decode())
    assert not Learner.objects.exists()


def test_the_admin_create_form_refuses_a_last_initial_that_is_not_a_letter(staff_client):
    response = staff_client.post(
        "/admin/apprenants/new/",
        {
            "first_name": "Fatou",
            "last_initial": "=",
            "structure": staff_client.structure.pk,
            "language": "fr",
        },
    )
    assert response.status_code == 200
    assert not Learner.objects.exists()


@pytest.mark.parametrize("name", ['"><svg/onload=alert(1)>', "=1+1", "\u202eeciffo"])
def test_the_admin_edit_form_refuses_a_hostile_first_name(staff_client, name):
    someone, _pictures = learner(structure=staff_client.structure, first_name="Fatou")
    response = staff_client.post(
        f"/admin/apprenants/edit/{someone.pk}/",
        {"first_name": name, "structure": staff_client.structure.pk, "language": "fr"},
    )
    assert response.status_code == 200
    assert "Écrivez seulement un prénom" in unescape(response.content.decode())
    someone.refresh_from_db()
    assert someone.first_name == "Fatou"


def test_the_admin_edit_form_tidies_a_good_name(staff_client):
    someone, _pictures = learner(structure=staff_client.structure, first_name="Fatou")
    response = staff_client.post(
        f"/admin/apprenants/edit/{someone.pk}/",
        {
            "first_name": "  Anne-Marie  ",
            "last_initial": "d",
            "structure": staff_client.structure.pk,
            "language": "fr",
        },
    )
    assert response.status_code == 302
    someone.refresh_from_db()
    assert (someone.first_name, someone.last_initial) == ("Anne-Marie", "D")


@pytest.mark.parametrize("name", ["=1+1", "+33612345678", "@SUM(A1)", "Sa\u200fmir", "\u202eAli"])
def test_bulk_creation_refuses_a_hostile_line(client, name):
    structure = StructureFactory()
    trainer = staff_member(structure)
    group = GroupFactory(structure=structure)
    group.trainers.add(trainer)
    client.force_login(trainer)

    response = client.post(
        reverse("group_learners_bulk_create", args=[group.pk]), {"names": f"Fatou\n{name}"}
    )

    assert response.status_code == 200
    assert "Ligne 2 : écrivez seulement un prénom" in unescape(response.content.decode())
    assert not Learner.objects.exists()
