"""Attestations de suivi: hours attended, modules completed, CRCN competences; one
page per learner for a group, in a constant number of queries."""

import datetime
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from learning import selectors, services
from modules.blocks import Grade
from modules.models import LessonPage, ParcoursPage
from tests.factories import (
    GroupFactory,
    StructureFactory,
    TrainingSessionFactory,
    attendance,
    learner,
    trainer,
)

pytestmark = pytest.mark.django_db

RIGHT = Grade(1.0, True, "Bravo")


def pdf_pages(response):
    assert response.status_code == 200, response
    assert response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]
    return [page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages]


def hours_in(text):
    """The hours written after "Heures suivies"."""
    match = re.search(r"Heures suivies\s*([\d,]+ h)", text)
    assert match, text
    return match.group(1)


def finish(user, lesson):
    for number in range(1, lesson.step_count + 1):
        services.lesson_step_view(user=user, lesson=lesson, step_number=number)
    for number, exercise in lesson.exercises():
        services.exercise_attempt_submit(
            user=user, lesson=lesson, step_number=number, exercise=exercise, answer=[1], grade=RIGHT
        )


def session(group, day, start=(9, 0), end=(11, 30)):
    return TrainingSessionFactory(
        group=group,
        date=datetime.date(2026, 4, day),
        start_time=datetime.time(*start),
        end_time=datetime.time(*end),
    )


@pytest.fixture
def structure():
    return StructureFactory(name="Médiathèque des Tilleuls")


@pytest.fixture
def staff(structure):
    user = trainer()
    structure.members.add(user)
    return user


@pytest.fixture
def group(small_curriculum, structure):
    return GroupFactory(
        structure=structure,
        name="Débutants d'avril",
        parcours=ParcoursPage.objects.get(source_key="parcours-debut"),
    )


def test_the_attestation_says_hours_dates_modules_and_competences(client, structure, staff, group):
    person = learner(structure=structure, first_name="Zéphyrine", last_initial="B")[0]
    group.learners.add(person)
    attendance(session(group, 7), person, "present")
    attendance(session(group, 14), person, "retard")
    attendance(session(group, 21), person, "absent")  # not counted
    finish(person.user, LessonPage.objects.get(source_key="lecon-cliquer"))
    client.force_login(staff)

    pages = pdf_pages(client.get(reverse("learner_attestation", args=[person.pk])))

    assert len(pages) == 1
    text = " ".join(pages[0].split())
    for expected in (
        "Médiathèque des Tilleuls",
        "Attestation de suivi",
        "Zéphyrine B.",
        "Débuter",  # the group's parcours
        "7 avril 2026",
        "14 avril 2026",  # the last session attended (not the 21st, missed)
        "La souris",  # the module completed
        "5.2",  # its CRCN competence
        "Évoluer dans un environnement numérique",
        "Signature et cachet de la structure",
    ):
        assert expected in text, expected
    assert "21 avril" not in text
    assert hours_in(text) == "5 h"  # 2.5 h present + 2.5 h late, the absence not counted


def test_a_module_with_an_unfinished_lesson_is_not_on_the_attestation(
    client, structure, staff, group
):
    person = learner(structure=structure)[0]
    group.learners.add(person)
    lesson = LessonPage.objects.get(source_key="lecon-cliquer")
    services.lesson_step_view(user=person.user, lesson=lesson, step_number=1)
    client.force_login(staff)

    text = pdf_pages(client.get(reverse("learner_attestation", args=[person.pk])))[0]

    assert "La souris" not in text and "5.2" not in text
    assert "Aucun module terminé pour l'instant." in text
    assert hours_in(text) == "0 h" and "Aucune séance suivie." in text


def test_the_place_is_printed_as_plain_text(client, structure, staff, group):
    person = learner(structure=structure)[0]
    client.force_login(staff)
    response = client.get(
        reverse("learner_attestation", args=[person.pk]), {"lieu": "  Roubaix <b>x</b> "}
    )
    text = pdf_pages(response)[0]
    assert "Fait à Roubaix <b>x</b>, le" in " ".join(text.split())


def test_the_group_pdf_has_one_page_per_learner_in_constant_queries(
    client, structure, staff, group
):
    lesson = LessonPage.objects.get(source_key="lecon-cliquer")
    names = [f"Personne{chr(65 + number)}" for number in range(8)]
    sessions = [session(group, day) for day in (7, 14)]
    for number, name in enumerate(names):
        person = learner(structure=structure, first_name=name)[0]
        group.learners.add(person)
        for each in sessions[: 1 + number % 2]:
            attendance(each, person)
        if number % 2:
            finish(person.user, lesson)
    # Attendance in another group of theirs is not this group's attestation.
    other_group = GroupFactory(structure=structure)
    attendance(session(other_group, 28), group.learners.get(first_name="PersonneA"))
    small_group = GroupFactory(structure=structure, parcours=group.parcours)
    small_group.learners.add(*group.learners.all()[:1])
    client.force_login(staff)

    counts = []
    for each in (small_group, group):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("group_attestations", args=[each.pk]))
        counts.append(len(queries))
    assert counts[0] == counts[1], counts

    pages = pdf_pages(response)
    assert len(pages) == len(names)
    for name, text in zip(names, pages, strict=True):  # in the order of their names
        assert name in text and "Débuter" in text
        number = ord(name[-1]) - 65
        assert hours_in(text) == ("5 h" if number % 2 else "2,5 h")
        assert ("La souris" in text) == bool(number % 2)
        assert "28 avril" not in text


def test_attestations_are_scoped_to_the_trainers_structures(client, structure, group):
    person = learner(structure=structure)[0]
    group.learners.add(person)
    outsider = trainer()
    StructureFactory().members.add(outsider)
    client.force_login(outsider)
    assert client.get(reverse("learner_attestation", args=[person.pk])).status_code == 404
    assert client.get(reverse("group_attestations", args=[group.pk])).status_code == 404


def test_an_empty_group_gets_a_pdf_that_says_so(client, staff, group):
    client.force_login(staff)
    pages = pdf_pages(client.get(reverse("group_attestations", args=[group.pk])))
    assert "Ce groupe n'a pas encore d'apprenant." in " ".join(pages)


def test_a_learner_alone_has_the_parcours_of_all_their_groups(structure, group):
    person = learner(structure=structure)[0]
    group.learners.add(person)
    GroupFactory(structure=structure, parcours=None).learners.add(person)
    (attestation,) = selectors.learner_attestations(learners=[person])
    assert [parcours.title for parcours in attestation.parcours] == ["Débuter"]
    assert attestation.structure == structure
