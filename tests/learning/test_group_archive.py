"""A group that has séances is archived, never deleted: its séances and attendance stay
(hours keep counting in attestations and reports), and it leaves the listings, the
dashboards, the séance form and the learners' home."""

import datetime
import re
from html import unescape

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from wagtail.models import ModelLogEntry

from learning import reports, selectors, services
from learning.models import Attendance, Group, HelpRequest, TrainingSession
from modules.models import LessonPage
from tests.conftest import admin_permission_denied
from tests.factories import (
    GroupFactory,
    StructureFactory,
    TrainingSessionFactory,
    attendance,
    editor,
    learner,
    manager,
    parcours_with_lessons,
    staff_member,
)

pytestmark = pytest.mark.django_db

REFUSAL = "Ce groupe a 3 séances. Le supprimer effacerait leurs présences. Archivez-le plutôt."


def text(response):
    return unescape(response.content.decode())


def listing_rows(response):
    """The text of a Wagtail listing's rows (not its filters)."""
    listing = re.search(r'<table class="listing.*?</table>', response.content.decode(), re.S)
    return unescape(listing.group(0)) if listing else ""


@pytest.fixture
def structure():
    return StructureFactory(name="Antenne Nord")


@pytest.fixture
def group(structure):
    """A group of two learners with three séances, each attended."""
    group = GroupFactory(structure=structure, name="Emploi du lundi")
    for first_name in ("Aminata", "Bertrand"):
        person, _pictures = learner(structure=structure, first_name=first_name)
        group.learners.add(person)
    for days_ago in (14, 7, 0):
        session = TrainingSessionFactory(
            group=group, date=datetime.date.today() - datetime.timedelta(days=days_ago)
        )
        for person in group.learners.all():
            attendance(session, person)
    return group


@pytest.fixture
def boss(structure):
    return staff_member(structure, role=manager)


@pytest.fixture
def staff(structure):
    return staff_member(structure)


def archive_url(group):
    return reverse("group_archive", args=[group.pk])


def unarchive_url(group):
    return reverse("group_unarchive", args=[group.pk])


# --- Deleting a group that has séances is refused ----------------------------------


def test_the_delete_page_of_a_group_with_sessions_says_how_many_and_offers_to_archive(
    client, boss, group
):
    client.force_login(boss)
    page = text(client.get(f"/admin/groupes/delete/{group.pk}/"))
    assert REFUSAL in page
    assert f'action="{archive_url(group)}"' in page
    assert f'action="/admin/groupes/delete/{group.pk}/"' not in page  # no delete button


def test_a_forced_post_does_not_delete_a_group_with_sessions(client, boss, group):
    client.force_login(boss)
    response = client.post(f"/admin/groupes/delete/{group.pk}/", follow=True)
    assert response.status_code == 200
    assert REFUSAL in text(response)
    assert Group.objects.filter(pk=group.pk).exists()
    assert TrainingSession.objects.filter(group=group).count() == 3
    assert Attendance.objects.filter(session__group=group).count() == 6


def test_one_session_is_said_in_the_singular(client, boss, structure):
    lonely = GroupFactory(structure=structure)
    TrainingSessionFactory(group=lonely)
    client.force_login(boss)
    page = text(client.get(f"/admin/groupes/delete/{lonely.pk}/"))
    assert "Ce groupe a 1 séance. Le supprimer effacerait ses présences." in page


def test_a_group_without_sessions_is_still_deleted(client, boss, structure):
    empty = GroupFactory(structure=structure, name="Jamais commencé")
    client.force_login(boss)
    page = text(client.get(f"/admin/groupes/delete/{empty.pk}/"))
    assert "Archivez-le plutôt" not in page
    response = client.post(f"/admin/groupes/delete/{empty.pk}/")
    assert response.status_code == 302
    assert not Group.objects.filter(pk=empty.pk).exists()


def test_the_database_itself_refuses_to_drop_a_groups_sessions(group):
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        group.delete()
    assert TrainingSession.objects.filter(group=group).count() == 3


# --- Archiving and unarchiving ---------------------------------------------------------


def test_a_trainer_archives_and_unarchives_a_group_and_the_history_says_so(client, staff, group):
    client.force_login(staff)
    response = client.post(archive_url(group), follow=True)
    assert "Le groupe « Emploi du lundi » est archivé." in text(response)
    group.refresh_from_db()
    assert group.archived_at is not None

    page = text(client.get(reverse("trainer_groups:inspect", args=[group.pk])))
    assert "Ce groupe est archivé" in page and f'action="{unarchive_url(group)}"' in page

    response = client.post(unarchive_url(group), follow=True)
    assert "Le groupe « Emploi du lundi » n'est plus archivé." in text(response)
    group.refresh_from_db()
    assert group.archived_at is None

    entries = ModelLogEntry.objects.filter(object_id=str(group.pk)).order_by("timestamp")
    assert [(e.action, e.user_id) for e in entries] == [
        ("learning.group_archived", staff.pk),
        ("learning.group_unarchived", staff.pk),
    ]
    history = text(client.get(f"/admin/groupes/history/{group.pk}/"))
    assert "Groupe archivé" in history and "Groupe désarchivé" in history


def test_archiving_is_a_post_with_the_change_permission_in_ones_own_structures(
    client, structure, group
):
    outsider = staff_member(StructureFactory(), role=manager)
    client.force_login(outsider)
    assert client.post(archive_url(group)).status_code == 404
    assert client.post(unarchive_url(group)).status_code == 404

    client.force_login(staff_member(structure, role=editor))  # no group permission
    assert admin_permission_denied(client.post(archive_url(group)))

    client.force_login(staff_member(structure))
    assert client.get(archive_url(group)).status_code == 405
    group.refresh_from_db()
    assert group.archived_at is None


def test_archiving_keeps_every_hour_in_attestations_files_and_reports(structure, staff, group):
    learners = list(group.learners.order_by("pk"))
    period = reports.Period(
        start=datetime.date.today() - datetime.timedelta(days=30), end=datetime.date.today()
    )

    def figures():
        return (
            dict(selectors.learner_hours_attended(learners=learners)),
            [a.attendance.hours for a in selectors.learner_attestations(learners=learners)],
            [
                a.attendance.hours
                for a in selectors.learner_attestations(learners=learners, group=group)
            ],
            [selectors.learner_data_export(learner=each)["heures_suivies"] for each in learners],
            reports.structure_report(structure=structure, period=period).hours_attended,
        )

    before = figures()
    assert before[0] == {learners[0].pk: 7.5, learners[1].pk: 7.5}
    assert before[-1] == 15.0
    services.group_archive(group=group, by=staff)
    assert figures() == before


def test_archiving_twice_or_unarchiving_an_active_group_changes_nothing(staff, group):
    services.group_archive(group=group, by=staff)
    first = Group.objects.get(pk=group.pk).archived_at
    services.group_archive(group=group, by=staff)
    assert Group.objects.get(pk=group.pk).archived_at == first
    services.group_unarchive(group=group, by=staff)
    services.group_unarchive(group=group, by=staff)
    assert Group.objects.get(pk=group.pk).archived_at is None
    actions = list(
        ModelLogEntry.objects.filter(object_id=str(group.pk)).values_list("action", flat=True)
    )
    assert sorted(actions) == ["learning.group_archived", "learning.group_unarchived"]


# --- Archived groups leave listings, dashboards and choices ---------------------------


def test_archived_groups_leave_the_listing_unless_the_filter_asks_for_them(
    client, staff, structure, group
):
    GroupFactory(structure=structure, name="Parentalité du jeudi")
    services.group_archive(group=group, by=staff)
    client.force_login(staff)

    rows = listing_rows(client.get("/admin/groupes/"))
    assert "Parentalité du jeudi" in rows and "Emploi du lundi" not in rows
    page = text(client.get("/admin/groupes/"))
    assert "Groupes archivés" in page  # the filter

    rows = listing_rows(client.get("/admin/groupes/", {"archived": "oui"}))
    assert "Emploi du lundi" in rows and "Parentalité du jeudi" not in rows

    export = client.get("/admin/groupes/", {"export": "csv"})
    exported = b"".join(export.streaming_content).decode()
    assert "Parentalité du jeudi" in exported and "Emploi du lundi" not in exported

    # A broken filter (an impossible date) still hides the archived groups.
    rows = listing_rows(client.get("/admin/groupes/", {"start_date_after": "2024-99-99"}))
    assert "Emploi du lundi" not in rows


def test_archived_groups_leave_the_dashboards_list(client, staff, structure, group):
    GroupFactory(structure=structure, name="Parentalité du jeudi")
    services.group_archive(group=group, by=staff)
    client.force_login(staff)
    page = text(client.get(reverse("group_dashboards")))
    assert "Parentalité du jeudi" in page and "Emploi du lundi" not in page


def test_an_archived_group_is_no_choice_for_a_new_session(client, staff, structure, group):
    services.group_archive(group=group, by=staff)
    client.force_login(staff)
    form = text(client.get("/admin/seances/new/"))
    assert "Emploi du lundi" not in form
    form = text(client.get("/admin/seances/new/", {"groupe": group.pk}))
    assert f'<option value="{group.pk}" selected' not in form

    response = client.post(
        "/admin/seances/new/",
        {"group": group.pk, "date": "2030-01-07", "start_time": "09:00", "end_time": "12:00"},
    )
    assert response.status_code == 200  # the form refuses the group
    assert TrainingSession.objects.filter(group=group).count() == 3


def test_a_session_of_an_archived_group_can_still_be_corrected(client, staff, group):
    services.group_archive(group=group, by=staff)
    session = group.sessions.order_by("date").first()
    client.force_login(staff)
    response = client.post(
        f"/admin/seances/edit/{session.pk}/",
        {
            "group": group.pk,
            "date": session.date.isoformat(),
            "start_time": "09:00",
            "end_time": "12:30",
            "place": "Salle 2",
        },
    )
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.place == "Salle 2" and session.group == group


# --- An archived group stops proposing and takes no raised hands ----------------------


@pytest.fixture
def lesson_group(wagtail_root, structure, staff):
    parcours = parcours_with_lessons(modules=1, lessons=2)
    group = GroupFactory(structure=structure, name="Initiation du mardi", parcours=parcours)
    person, _pictures = learner(structure=structure, first_name="Chloé")
    group.learners.add(person)
    lesson = LessonPage.objects.live().get(title="Leçon 1.1")
    services.group_lesson_propose(group=group, lesson=lesson, by=staff)
    return group


def test_an_archived_group_stops_proposing_its_lesson_on_the_learners_home(
    client, staff, lesson_group
):
    person = lesson_group.learners.get()
    client.force_login(person.user)
    assert "Votre formateur vous propose" in text(client.get(reverse("learning:home")))
    assert selectors.learner_help_state(learner=person).can_ask

    services.group_archive(group=lesson_group, by=staff)
    assert "Votre formateur vous propose" not in text(client.get(reverse("learning:home")))
    assert not selectors.learner_help_state(learner=person).can_ask
    with pytest.raises(ValidationError):
        services.help_request_raise(learner=person, lesson=None, step_number=1)


def test_archiving_lowers_the_hands_raised_in_the_group(staff, lesson_group):
    person = lesson_group.learners.get()
    hand = services.help_request_raise(learner=person, lesson=None, step_number=1)
    services.group_archive(group=lesson_group, by=staff)
    hand = HelpRequest.objects.get(pk=hand.pk)
    assert hand.resolved_at is not None and hand.resolved_by == staff
    assert not selectors.learner_help_state(learner=person).can_ask


def test_a_lesson_cannot_be_proposed_to_an_archived_group(client, staff, lesson_group):
    services.group_archive(group=lesson_group, by=staff)
    lesson = LessonPage.objects.live().get(title="Leçon 1.2")
    with pytest.raises(ValidationError):
        services.group_lesson_propose(group=lesson_group, lesson=lesson, by=staff)
    client.force_login(staff)
    response = client.post(
        reverse("group_propose_lesson", args=[lesson_group.pk]), {"lesson": lesson.pk}, follow=True
    )
    assert "Ce groupe est archivé" in text(response)
    lesson_group.refresh_from_db()
    assert lesson_group.current_lesson.title == "Leçon 1.1"
