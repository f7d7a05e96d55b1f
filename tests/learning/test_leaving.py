"""A learner who leaves the computer ("J'ai fini", or the inactivity timeout) no longer
has a hand up nor shows as active on the dashboard; and a learner stuck in a practice
site asks for help from there, as from a lesson step."""

import re
from html import unescape

import pytest
from django.urls import reverse

from learning import middleware, selectors, services
from learning.models import HelpRequest, SimulatorRun
from tests.factories import GroupFactory, StructureFactory, learner, staff_member

pytestmark = pytest.mark.django_db


def text(response):
    return unescape(response.content.decode())


@pytest.fixture
def group():
    return GroupFactory(structure=StructureFactory(), name="Mardi matin")


@pytest.fixture
def samir(group):
    person, _pictures = learner(structure=group.structure, first_name="Samir")
    group.learners.add(person)
    return person


def is_active(group, person):
    matrix = selectors.group_progress_matrix(group=group)
    return next(row for row in matrix.rows if row.learner == person).is_active


def test_jai_fini_lowers_the_hand_and_the_learner_is_no_longer_active(
    client,
    group,
    samir,
    simulation_lesson,
):
    client.force_login(samir.user)
    client.get(f"{simulation_lesson.url}?etape=1")
    services.help_request_raise(learner=samir, lesson=simulation_lesson, step_number=1)
    assert is_active(group, samir)

    client.post(reverse("learning:signout"))

    assert not HelpRequest.objects.filter(learner=samir, resolved_at__isnull=True).exists()
    assert not is_active(group, samir)
    staff = staff_member(group.structure)
    client.force_login(staff)
    dashboard = text(client.get(reverse("group_dashboard", args=[group.pk])))
    assert "Actif maintenant" not in dashboard
    assert "Demande de l'aide" not in dashboard


def test_the_inactivity_timeout_lowers_the_hand_too(
    client,
    group,
    samir,
    simulation_lesson,
    monkeypatch,
):
    now = [1_800_000_000.0]
    monkeypatch.setattr(middleware, "clock", lambda: now[0])
    client.force_login(samir.user)
    client.get(f"{simulation_lesson.url}?etape=1")
    services.help_request_raise(learner=samir, lesson=simulation_lesson, step_number=1)

    now[0] += 21 * 60
    client.get(reverse("learning:home"))

    assert not HelpRequest.objects.filter(learner=samir, resolved_at__isnull=True).exists()
    assert not is_active(group, samir)


def test_a_learner_asks_for_help_from_a_practice_site_and_comes_back_to_it(
    client,
    samir,
    simulation_lesson,
):
    client.force_login(samir.user)
    client.post(
        reverse("learning:simulation_start"),
        {"lesson": simulation_lesson.pk, "exercise": "exercise-simulation"},
    )
    run = SimulatorRun.objects.get()
    site = reverse("learning:simulation", args=[run.pk])
    html = text(client.get(site))
    assert "J'ai besoin d'aide" in html

    raise_url = reverse("learning:help_request_raise")
    form = re.search(rf'<form method="post" action="{raise_url}".*?</form>', html, re.S)
    fields = dict(re.findall(r'name="(lesson|step|simulation)" value="([^"]*)"', form.group(0)))
    response = client.post(reverse("learning:help_request_raise"), fields)

    assert response.status_code == 302 and response["Location"] == f"{site}#help-request"
    hand = HelpRequest.objects.get(learner=samir, resolved_at__isnull=True)
    assert (hand.lesson_id, hand.step_number) == (simulation_lesson.pk, run.step_number)
    assert "Un formateur arrive" in text(client.get(site))


def test_someone_elses_practice_site_is_not_where_the_help_form_goes_back(
    client,
    samir,
    simulation_lesson,
):
    other, _pictures = learner(structure=samir.structure, first_name="Awa")
    client.force_login(other.user)
    client.post(
        reverse("learning:simulation_start"),
        {"lesson": simulation_lesson.pk, "exercise": "exercise-simulation"},
    )
    theirs = SimulatorRun.objects.get()
    client.force_login(samir.user)

    response = client.post(
        reverse("learning:help_request_raise"),
        {"lesson": simulation_lesson.pk, "step": 1, "simulation": str(theirs.pk)},
    )

    assert response["Location"] == f"{simulation_lesson.url}?etape=1#help-request"
