"""A séance whose attendance was taken is never deleted: its hours stay in the
attestations and the funders' report. One planned by mistake still can be."""

from html import unescape

import pytest
from django.db.models import ProtectedError

from learning import selectors
from learning.models import Attendance, TrainingSession
from tests.factories import (
    GroupFactory,
    StructureFactory,
    TrainingSessionFactory,
    attendance,
    learner,
    manager,
    staff_member,
)

pytestmark = pytest.mark.django_db

REFUSAL = (
    "Cette séance a 2 présences notées. La supprimer retirerait des heures "
    "des attestations et des rapports."
)


def text(response):
    return unescape(response.content.decode())


def delete_url(session):
    return f"/admin/seances/delete/{session.pk}/"


@pytest.fixture
def structure():
    return StructureFactory()


@pytest.fixture
def boss(client, structure):
    user = staff_member(structure, role=manager)
    client.force_login(user)
    return user


@pytest.fixture
def held(structure):
    """A séance of a group of two, both present."""
    group = GroupFactory(structure=structure)
    session = TrainingSessionFactory(group=group)
    for first_name in ("Aminata", "Bertrand"):
        person, _pictures = learner(structure=structure, first_name=first_name)
        group.learners.add(person)
        attendance(session, person)
    return session


def test_the_delete_page_of_a_held_session_says_why_it_stays(client, boss, held):
    page = text(client.get(delete_url(held)))

    assert REFUSAL in page
    assert f'action="{delete_url(held)}"' not in page  # no delete button


def test_a_forced_post_keeps_the_session_its_attendance_and_the_hours(client, boss, held):
    person = held.attendances.first().learner
    hours = selectors.learner_hours_attended(learners=[person])[person.pk]

    response = client.post(delete_url(held), follow=True)

    assert REFUSAL in text(response)
    assert TrainingSession.objects.filter(pk=held.pk).exists()
    assert Attendance.objects.filter(session=held).count() == 2
    assert selectors.learner_hours_attended(learners=[person])[person.pk] == hours > 0


def test_the_database_itself_keeps_attendance(held):
    with pytest.raises(ProtectedError):
        held.delete()


def test_a_session_planned_by_mistake_is_still_deleted(client, boss, structure):
    planned = TrainingSessionFactory(group=GroupFactory(structure=structure))

    assert "La supprimer" not in text(client.get(delete_url(planned)))
    assert client.post(delete_url(planned)).status_code == 302
    assert not TrainingSession.objects.filter(pk=planned.pk).exists()
