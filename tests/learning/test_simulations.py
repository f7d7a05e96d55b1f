"""The simulator frame: start from a lesson, private runs, "Recommencer", the banner."""

import pytest
from django.urls import reverse

from learning.models import SimulatorRun
from modules.models import Scenario
from tests.factories import learner


def _start(client, lesson):
    return client.post(
        reverse("learning:simulation_start"),
        {"lesson": lesson.pk, "exercise": "exercise-simulation"},
    )


def test_a_guest_opens_the_simulation_from_the_lesson_step_and_sees_the_banner(
    client, simulation_lesson
):
    step = client.get(f"{simulation_lesson.url}?etape={simulation_lesson.step_count}")
    assert "Ouvrir la simulation" in step.content.decode()

    response = _start(client, simulation_lesson)
    run = SimulatorRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("learning:simulation", args=[run.pk])
    page = client.get(response["Location"])
    html = page.content.decode()
    assert "rien n&#x27;est envoyé pour de vrai" in html or "rien n'est envoyé pour de vrai" in html
    assert "Retour à la leçon" in html
    assert "no-store" in page["Cache-Control"]
    # Opening again continues the same run.
    _start(client, simulation_lesson)
    assert SimulatorRun.objects.count() == 1


def test_recommencer_starts_a_new_attempt_and_keeps_the_old_one(client, simulation_lesson):
    _start(client, simulation_lesson)
    first = SimulatorRun.objects.get()
    response = client.post(reverse("learning:simulation_restart", args=[first.pk]))
    second = SimulatorRun.objects.exclude(pk=first.pk).get()
    assert second.attempt_number == 2
    assert response["Location"] == reverse("learning:simulation", args=[second.pk])
    # The next "Ouvrir" continues the latest attempt.
    _start(client, simulation_lesson)
    assert SimulatorRun.objects.count() == 2


def test_a_run_is_private_to_whoever_started_it(client, simulation_lesson):
    samir, _pictures = learner()
    client.force_login(samir.user)
    _start(client, simulation_lesson)
    run = SimulatorRun.objects.get()
    assert run.user == samir.user

    other, _pictures = learner(first_name="Léa")
    client.force_login(other.user)
    assert client.get(reverse("learning:simulation", args=[run.pk])).status_code == 404
    assert client.post(reverse("learning:simulation_restart", args=[run.pk])).status_code == 404
    client.logout()
    assert client.get(reverse("learning:simulation", args=[run.pk])).status_code == 404


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"lesson": "abc", "exercise": "x"},
        {"lesson": "999999", "exercise": "exercise-simulation"},
    ],
)
def test_a_tampered_start_is_refused_without_an_error_page(client, simulation_lesson, data):
    assert client.post(reverse("learning:simulation_start"), data).status_code == 404


def test_a_start_for_an_exercise_that_is_not_a_simulation_goes_back_to_the_lesson(
    client, simulation_lesson
):
    response = client.post(
        reverse("learning:simulation_start"), {"lesson": simulation_lesson.pk, "exercise": "nope"}
    )
    assert response.status_code == 302
    assert not SimulatorRun.objects.exists()


def test_a_run_whose_scenario_was_deleted_says_so_kindly(client, simulation_lesson):
    _start(client, simulation_lesson)
    run = SimulatorRun.objects.get()
    Scenario.objects.all().delete()
    response = client.get(reverse("learning:simulation", args=[run.pk]))
    assert response.status_code == 410
    assert "Retour à la leçon" in response.content.decode()


def test_a_guest_who_signs_in_mid_simulation_finds_the_run_in_the_account(
    client, simulation_lesson
):
    from tests.learning.test_accounts import sign_in

    samir, pictures = learner()
    client.force_login(samir.user)
    _start(client, simulation_lesson)
    client.post(reverse("learning:simulation_restart", args=[SimulatorRun.objects.get().pk]))
    client.logout()

    _start(client, simulation_lesson)  # as a guest, on a shared computer
    guest_run = SimulatorRun.objects.get(user=None)
    sign_in(client, samir.code_id, pictures)

    guest_run.refresh_from_db()
    assert guest_run.user == samir.user and guest_run.session_key == ""
    assert guest_run.attempt_number == 3  # after the account's two runs: the latest
    assert client.get(reverse("learning:simulation", args=[guest_run.pk])).status_code == 200
    # "Ouvrir la simulation" continues it.
    response = _start(client, simulation_lesson)
    assert response["Location"] == reverse("learning:simulation", args=[guest_run.pk])
