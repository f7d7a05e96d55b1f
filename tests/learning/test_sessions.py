"""Sessions (séances) in the trainer space: who may see and change them, attendance
taken in one tap per learner (or one form without JavaScript), the hours attended,
and the attendance sheet PDF (feuille d'émargement)."""

import csv
import datetime
import io
from html import unescape

import pytest
from django.urls import reverse
from django.utils.html import escape

from learning import selectors, services
from learning.models import Attendance, TrainingSession
from modules.models import LessonPage
from tests.conftest import admin_permission_denied
from tests.factories import (
    GroupFactory,
    PartnerFactory,
    ReferralFactory,
    StructureFactory,
    TrainingSessionFactory,
    learner,
    manager,
    parcours_with_lessons,
    staff_member,
)

pytestmark = pytest.mark.django_db

PRESENT, ABSENT, EXCUSED, LATE = (status.value for status in Attendance.Status)
XSS = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>"]


@pytest.fixture
def world():
    """Two structures, each with a trainer and a group of learners with a session."""

    class World:
        pass

    world = World()
    world.mine, world.theirs = (
        StructureFactory(name="Antenne Nord"),
        StructureFactory(name="Antenne Sud"),
    )
    world.trainer = staff_member(world.mine, first_name="Claire", last_name="Martin")
    world.group = GroupFactory(structure=world.mine, name="Emploi du lundi")
    world.group.trainers.add(world.trainer)
    world.learners = [
        learner(structure=world.mine, first_name=name)[0] for name in ("Aminata", "Bilal", "Chloé")
    ]
    world.group.learners.add(*world.learners)
    world.session = TrainingSessionFactory(
        group=world.group,
        date=datetime.date(2026, 11, 23),
        start_time=datetime.time(9, 30),
        end_time=datetime.time(12, 0),
        place="Salle des fêtes",
    )
    world.their_group = GroupFactory(structure=world.theirs, name="Parentalité du jeudi")
    world.their_learner, _ = learner(structure=world.theirs, first_name="Bertrand")
    world.their_group.learners.add(world.their_learner)
    world.their_session = TrainingSessionFactory(group=world.their_group, place="Chez eux")
    return world


def page_text(response):
    return unescape(response.content.decode())


def record(session, learner, status, by=None):
    return services.attendance_record(
        session=session, learner=learner, status=status, recorded_by=by
    )


# --- Scoping ---------------------------------------------------------------------------


def test_a_trainer_lists_and_exports_only_their_structures_sessions(client, world):
    client.force_login(world.trainer)
    listing = page_text(client.get("/admin/seances/"))
    export = b"".join(client.get("/admin/seances/", {"export": "csv"}).streaming_content)
    rows = list(csv.reader(io.StringIO(export.decode())))

    assert "Salle des fêtes" in listing and "Chez eux" not in listing
    assert len(rows) == 2 and "Emploi du lundi" in rows[1] and "Salle des fêtes" in rows[1]


@pytest.mark.parametrize(
    "url",
    [
        "/admin/seances/edit/{pk}/",
        "/admin/seances/inspect/{pk}/",
        "/admin/seances/history/{pk}/",
        "/admin/seances/delete/{pk}/",
        "/admin/seances/{pk}/presences/",
        "/admin/seances/{pk}/emargement.pdf",
    ],
)
def test_another_structures_session_is_not_found(client, world, url):
    client.force_login(staff_member(world.mine, role=manager))
    url = url.format(pk=world.their_session.pk)
    assert client.get(url).status_code == 404
    assert (
        client.post(url, {"place": "Pris", f"status_{world.their_learner.pk}": PRESENT}).status_code
        == 404
    )
    world.their_session.refresh_from_db()
    assert world.their_session.place == "Chez eux"
    assert not Attendance.objects.exists()


def test_attendance_is_recorded_only_for_ones_own_session_and_its_learners(client, world):
    client.force_login(world.trainer)
    theirs = reverse(
        "session_attendance_record", args=[world.their_session.pk, world.their_learner.pk]
    )
    # Our session, but a learner who is not in its group.
    outsider = reverse("session_attendance_record", args=[world.session.pk, world.their_learner.pk])

    assert client.post(theirs, {"status": PRESENT}).status_code == 404
    assert client.post(outsider, {"status": PRESENT}).status_code == 404
    assert not Attendance.objects.exists()


def test_a_session_is_planned_only_for_ones_own_groups(client, world):
    client.force_login(world.trainer)
    form = page_text(client.get("/admin/seances/new/"))
    assert "Emploi du lundi" in form and "Parentalité du jeudi" not in form

    data = {"date": "2026-12-01", "start_time": "14:00", "end_time": "16:00", "place": "Salle 2"}
    refused = client.post("/admin/seances/new/", {**data, "group": world.their_group.pk})
    backwards = client.post(
        "/admin/seances/new/", {**data, "group": world.group.pk, "end_time": "13:00"}
    )
    created = client.post("/admin/seances/new/", {**data, "group": world.group.pk})

    assert "Sélectionnez un choix valide" in page_text(refused)
    assert "La fin doit venir après le début." in page_text(backwards)
    assert created.status_code == 302
    assert TrainingSession.objects.filter(group=world.their_group).count() == 1
    session = TrainingSession.objects.get(place="Salle 2")
    assert session.group == world.group and session.duration_hours == 2


def test_the_new_session_form_starts_with_the_group_from_its_page(client, world):
    client.force_login(world.trainer)
    own = page_text(client.get("/admin/seances/new/", {"groupe": world.group.pk}))
    other = page_text(client.get("/admin/seances/new/", {"groupe": world.their_group.pk}))
    assert f'<option value="{world.group.pk}" selected>' in own
    assert '<option value="" selected>' in other and "Parentalité du jeudi" not in other


def test_the_planned_lessons_are_those_of_the_groups_parcours(client, world, wagtail_root):
    client.force_login(world.trainer)
    ours = parcours_with_lessons(modules=1, lessons=2, title="Emploi")
    other = parcours_with_lessons(modules=1, lessons=2, title="Parentalité")
    world.group.parcours = ours
    world.group.save()
    world.their_group.parcours = other
    world.their_group.save()
    our_lesson, their_lesson = (
        LessonPage.objects.descendant_of(parcours_module).first()
        for parcours_module in (
            ours.parcours_modules.get().module,
            other.parcours_modules.get().module,
        )
    )

    form = page_text(client.get("/admin/seances/new/", {"groupe": world.group.pk}))
    data = {"date": "2026-12-01", "start_time": "14:00", "end_time": "16:00", "place": "Salle 3"}
    outside = client.post(
        "/admin/seances/new/",
        {**data, "group": world.group.pk, "planned_lessons": [their_lesson.pk]},
    )
    inside = client.post(
        "/admin/seances/new/",
        {**data, "group": world.group.pk, "planned_lessons": [our_lesson.pk]},
    )

    assert "Emploi · module 1 › Leçon 1.1" in form
    assert "Parentalité · module 1" not in form
    assert "Cette leçon ne fait pas partie du parcours du groupe." in outside.content.decode()
    assert inside.status_code == 302
    session = TrainingSession.objects.get(place="Salle 3")
    assert list(session.planned_lessons.all()) == [our_lesson]


def test_a_manager_deletes_a_session_a_trainer_cannot(client, world):
    client.force_login(world.trainer)
    assert admin_permission_denied(client.post(f"/admin/seances/delete/{world.session.pk}/"))
    assert TrainingSession.objects.filter(pk=world.session.pk).exists()

    client.force_login(staff_member(world.mine, role=manager))
    assert client.post(f"/admin/seances/delete/{world.session.pk}/").status_code == 302
    assert not TrainingSession.objects.filter(pk=world.session.pk).exists()


# --- Attendance ------------------------------------------------------------------------


def test_recording_attendance_twice_keeps_one_row_with_the_last_status(world):
    aminata = world.learners[0]
    first = record(world.session, aminata, ABSENT, by=world.trainer)
    again = record(world.session, aminata, LATE, by=world.trainer)

    assert first.pk == again.pk
    row = Attendance.objects.get()
    assert (row.status, row.recorded_by) == (LATE, world.trainer)


def test_an_unknown_status_is_refused(world):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        record(world.session, world.learners[0], "en-vacances")
    assert not Attendance.objects.exists()


def test_one_tap_saves_at_once_and_answers_the_rows_status(client, world):
    client.force_login(world.trainer)
    bilal = world.learners[1]
    url = reverse("session_attendance_record", args=[world.session.pk, bilal.pk])

    response = client.post(url, {f"status_{bilal.pk}": LATE}, headers={"HX-Request": "true"})

    assert response.status_code == 200
    assert "Enregistré : En retard" in page_text(response)
    assert "<html" not in response.content.decode()  # only the fragment
    assert Attendance.objects.get(learner=bilal).status == LATE

    tampered = client.post(url, {f"status_{bilal.pk}": "<b>x</b>"}, headers={"HX-Request": "true"})
    assert "Choisissez présent, absent, excusé ou en retard." in page_text(tampered)
    assert Attendance.objects.get(learner=bilal).status == LATE


def test_without_javascript_one_form_saves_everyone_and_all_present_keeps_the_others(client, world):
    aminata, bilal, chloe = world.learners
    client.force_login(world.trainer)
    url = reverse("session_attendance", args=[world.session.pk])
    page = page_text(client.get(url))
    assert all(each.first_name in page for each in world.learners)
    assert page.count('type="radio"') == 12  # 3 learners x 4 statuses

    client.post(url, {f"status_{aminata.pk}": ABSENT, f"status_{bilal.pk}": EXCUSED})
    response = client.post(url, {"action": "tous-presents"})

    assert response.status_code == 302
    statuses = dict(Attendance.objects.values_list("learner__first_name", "status"))
    assert statuses == {"Aminata": ABSENT, "Bilal": EXCUSED, "Chloé": PRESENT}
    page = page_text(client.get(url))
    assert f'value="{ABSENT}" checked' in page and "Noté : Absent" in page


def test_a_trainer_without_the_attendance_right_cannot_take_it(client, world):
    from tests.factories import editor

    someone = editor()
    world.mine.members.add(someone)
    client.force_login(someone)
    url = reverse("session_attendance", args=[world.session.pk])
    assert admin_permission_denied(client.post(url, {"action": "tous-presents"}))
    assert not Attendance.objects.exists()


# --- Hours attended --------------------------------------------------------------------------


def make_session(group, day, start, end):
    return TrainingSessionFactory(
        group=group,
        date=datetime.date(2026, 11, day),
        start_time=datetime.time(*start),
        end_time=datetime.time(*end),
    )


def test_present_and_late_count_the_sessions_hours_absent_and_excused_do_not(world):
    aminata, bilal, chloe = world.learners
    afternoon = make_session(world.group, 24, (14, 0), (15, 45))  # 1.75 h
    record(world.session, aminata, PRESENT)  # 2.5 h
    record(afternoon, aminata, LATE)
    record(world.session, bilal, ABSENT)
    record(afternoon, bilal, EXCUSED)
    record(afternoon, chloe, PRESENT)

    hours = selectors.learner_hours_attended(learners=world.learners)

    assert hours == {aminata.pk: 4.25, bilal.pk: 0.0, chloe.pk: 1.75}
    later = selectors.learner_hours_attended(
        learners=world.learners, date_from=datetime.date(2026, 11, 24)
    )
    assert later == {aminata.pk: 1.75, bilal.pk: 0.0, chloe.pk: 1.75}
    earlier = selectors.learner_hours_attended(
        learners=world.learners, date_to=datetime.date(2026, 11, 23)
    )
    assert earlier[aminata.pk] == 2.5 and earlier[chloe.pk] == 0.0
    # Another group's session counts only without the group filter.
    other_group = GroupFactory(structure=world.mine)
    record(make_session(other_group, 25, (9, 0), (10, 0)), chloe, PRESENT)
    assert selectors.learner_hours_attended(learners=[chloe])[chloe.pk] == 2.75
    assert selectors.learner_hours_attended(learners=[chloe], group=world.group)[chloe.pk] == 1.75
    # A queryset works as well as a list.
    from_queryset = selectors.learner_hours_attended(learners=world.group.learners.all())
    assert from_queryset[aminata.pk] == 4.25 and from_queryset[bilal.pk] == 0.0


@pytest.mark.parametrize("count", [3, 15])
def test_hours_take_one_query_whatever_the_number_of_learners(
    world, count, django_assert_num_queries
):
    learners = list(world.learners)
    learners += [learner(structure=world.mine)[0] for _ in range(count - len(learners))]
    sessions = [make_session(world.group, day, (9, 0), (11, 0)) for day in (2, 3, 4)]
    for each in learners:
        for session in sessions:
            record(session, each, PRESENT)

    with django_assert_num_queries(1):
        hours = selectors.learner_hours_attended(learners=learners)

    assert len(hours) == count and set(hours.values()) == {6.0}


def test_the_session_and_group_pages_show_each_learners_hours(client, world):
    aminata, bilal, _chloe = world.learners
    record(world.session, aminata, PRESENT)
    record(make_session(world.group, 24, (14, 0), (15, 30)), aminata, LATE)
    record(world.session, bilal, ABSENT)
    client.force_login(world.trainer)

    session_page = page_text(client.get(f"/admin/seances/inspect/{world.session.pk}/"))
    group_page = page_text(client.get(f"/admin/groupes/inspect/{world.group.pk}/"))

    for page in (session_page, group_page):
        aminata_row = page.split("Aminata")[1].split("</tr>")[0]
        bilal_row = page.split("Bilal")[1].split("</tr>")[0]
        assert "4 h" in aminata_row, aminata_row
        assert "0 h" in bilal_row, bilal_row
    assert "Absent" in session_page.split("Bilal")[1].split("</tr>")[0]


# --- A constant number of queries -------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/admin/groupes/",
        "/admin/seances/",
        "/admin/orientations/",
        "/admin/groupes/inspect/{group}/",
        "/admin/seances/inspect/{session}/",
        "/admin/seances/{session}/presences/",
    ],
)
def test_the_trainer_pages_take_as_many_queries_for_ten_more_learners(
    client, world, url, django_assert_max_num_queries
):
    url = url.format(group=world.group.pk, session=world.session.pk)
    partner = PartnerFactory(structure=world.mine)
    ReferralFactory(learner=world.learners[0], partner=partner)  # no listing is empty
    record(world.session, world.learners[0], PRESENT)
    client.force_login(world.trainer)
    client.get(url)  # content types, permissions and the like are cached from now on
    with django_assert_max_num_queries(60) as before:
        assert client.get(url).status_code == 200

    for day in range(1, 11):
        someone, _ = learner(structure=world.mine)
        world.group.learners.add(someone)
        ReferralFactory(learner=someone, partner=partner)
        record(world.session, someone, PRESENT)
        record(make_session(world.group, day, (14, 0), (16, 0)), someone, LATE)
        other = GroupFactory(structure=world.mine)
        other.learners.add(someone)
        TrainingSessionFactory(group=other)

    with django_assert_max_num_queries(len(before.captured_queries)):
        assert client.get(url).status_code == 200


# --- The attendance sheet (feuille d'émargement) ----------------------------------------------


def test_the_attendance_sheet_holds_the_session_the_learners_and_signature_boxes(
    client, world, pdf_text
):
    from io import BytesIO

    from pypdf import PdfReader

    client.force_login(world.trainer)
    response = client.get(reverse("session_attendance_sheet", args=[world.session.pk]))

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    for expected in (
        "Feuille d'émargement",
        "Antenne Nord",
        "Emploi du lundi",
        "23/11/2026",
        "lundi 23 novembre 2026",
        "09:30",
        "12:00",
        "Salle des fêtes",
        "Claire Martin",
        "Aminata",
        "Bilal",
        "Chloé",
        "Signature du formateur",
    ):
        assert expected in text, expected
    assert "Bertrand" not in text
    page = PdfReader(BytesIO(response.content)).pages[0]
    assert [round(float(v)) for v in page.mediabox[2:]] == [595, 842]  # A4


# --- User text is shown as text ---------------------------------------------------------------


@pytest.mark.parametrize("payload", XSS)
def test_a_place_and_a_group_name_are_escaped_in_pages_and_printed_as_text(
    client, world, payload, pdf_text
):
    world.session.place = payload
    world.session.save()
    world.group.name = f"Groupe {payload}"
    world.group.save()
    client.force_login(world.trainer)

    for url in (
        "/admin/seances/",
        f"/admin/seances/edit/{world.session.pk}/",
        f"/admin/seances/inspect/{world.session.pk}/",
        reverse("session_attendance", args=[world.session.pk]),
    ):
        html = client.get(url).content.decode()
        assert payload not in html, url
        assert escape(payload) in html, url

    pdf = client.get(reverse("session_attendance_sheet", args=[world.session.pk])).content
    text = pdf_text(pdf)
    assert payload in text  # printed as the characters typed, never run as markup
