"""Counts read as French: "1 compte créé", "0 leçon faite sur 3", "2 leçons faites"."""

from html import unescape

import pytest
from django.urls import reverse

from learning import services
from tests.factories import (
    GroupFactory,
    StructureFactory,
    learner,
    parcours_with_lessons,
    staff_member,
)

pytestmark = pytest.mark.django_db


def text(response):
    return " ".join(unescape(response.content.decode()).split())


def test_one_learner_created_in_bulk_is_said_in_the_singular(client):
    structure = StructureFactory()
    group = GroupFactory(structure=structure, name="Emploi du lundi")
    client.force_login(staff_member(structure))

    response = client.post(
        reverse("group_learners_bulk_create", args=[group.pk]), {"names": "Fatou"}, follow=True
    )

    assert "1 compte créé dans le groupe « Emploi du lundi »." in text(response)


def test_the_learner_home_and_file_count_lessons_in_good_french(client):
    parcours = parcours_with_lessons(modules=1, lessons=3)
    structure = StructureFactory()
    person, _pictures = learner(structure=structure)
    group = GroupFactory(structure=structure, parcours=parcours)
    group.learners.add(person)
    lessons = parcours.parcours_modules.first().module.get_children().live().specific()
    first = lessons[0]
    for number in range(1, first.step_count + 1):
        services.lesson_step_view(user=person.user, lesson=first, step_number=number)

    client.force_login(person.user)
    home = text(client.get(reverse("learning:home")))
    assert "1 leçon faite sur 3" in home and "(s)" not in home
    client.force_login(staff_member(structure))
    learner_file = text(client.get(reverse("learner_file", args=[person.pk])))
    assert "1 leçon terminée sur 3" in learner_file
    assert "(s)" not in learner_file
