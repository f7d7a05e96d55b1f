"""The learner file in the trainer's admin: what it shows, who may open it, and
how many queries it takes."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from learning import services
from learning.models import LessonProgress, TrainerNote
from modules.blocks import Grade
from modules.models import LessonPage, ParcoursPage
from tests.factories import (
    GroupFactory,
    PartnerFactory,
    ReferralFactory,
    StructureFactory,
    TrainingSessionFactory,
    UserFactory,
    attendance,
    learner,
    manager,
    trainer,
)

pytestmark = pytest.mark.django_db

RIGHT, WRONG = Grade(1.0, True, "Bravo"), Grade(0.0, False, "Encore")


@pytest.fixture
def structure():
    return StructureFactory(name="Antenne Nord")


@pytest.fixture
def staff(structure):
    user = trainer(first_name="Alice", last_name="Martin")
    structure.members.add(user)
    return user


@pytest.fixture
def someone(structure):
    return learner(structure=structure, first_name="Zéphyrine", last_initial="B")[0]


def file_url(learner_):
    return reverse("learner_file", args=[learner_.pk])


def finish_lesson(user, lesson, *, first_grade=RIGHT):
    """Every step seen; the quiz answered (wrong first if asked, then right)."""
    for number in range(1, lesson.step_count + 1):
        services.lesson_step_view(user=user, lesson=lesson, step_number=number)
    for number, exercise in lesson.exercises():
        for grade in [first_grade, RIGHT] if first_grade is WRONG else [RIGHT]:
            services.exercise_attempt_submit(
                user=user,
                lesson=lesson,
                step_number=number,
                exercise=exercise,
                answer=[1],
                grade=grade,
            )


def test_the_file_shows_identity_progress_attempts_attendance_referrals_and_groups(
    client, small_curriculum, structure, staff, someone
):
    lesson = LessonPage.objects.get(source_key="lecon-cliquer")
    finish_lesson(someone.user, lesson, first_grade=WRONG)
    LessonProgress.objects.filter(learner=someone.user).update(time_spent_s=725)
    group = GroupFactory(structure=structure, name="Groupe du mardi", parcours=None)
    group.learners.add(someone)
    for day, status in ((1, "present"), (2, "retard"), (3, "absent")):
        session = TrainingSessionFactory(
            group=group,
            date=datetime.date(2026, 3, day),
            start_time=datetime.time(9, 0),
            end_time=datetime.time(11, 30),
        )
        attendance(session, someone, status)
    ReferralFactory(learner=someone, partner=PartnerFactory(structure=structure, name="CCAS Lille"))
    client.force_login(staff)

    response = client.get(file_url(someone))

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    page = response.content.decode()
    for expected in (
        "Zéphyrine",
        someone.display_code,
        "Antenne Nord",
        "Débuter",  # the parcours with a started lesson
        "La souris",
        "Cliquer",
        "Quel bouton sert à cliquer ?",
        "2 essais",
        "meilleur score 100 %",
        "réussi",
        "12 min",  # 725 s spent
        "Heures suivies : 5 h",  # 2.5 h present + 2.5 h late, the absence not counted
        "Groupe du mardi",
        "CCAS Lille",
        "Mme Référente",
    ):
        assert expected in page, expected
    assert "terminée le" in page


def test_the_file_offers_the_card_the_pictures_the_attestation_and_for_managers_the_data_requests(
    client, structure, staff, someone
):
    client.force_login(staff)
    page = client.get(file_url(someone)).content.decode()
    assert f"{reverse('learner_cards')}?id={someone.pk}" in page
    assert reverse("learner_reset", args=[someone.pk]) in page
    assert reverse("learner_access", args=[someone.pk]) in page
    assert reverse("learner_attestation", args=[someone.pk]) in page
    # A trainer sees why they can't export or erase, and no link to do it.
    assert reverse("learner_erase", args=[someone.pk]) not in page
    assert reverse("learner_export_json", args=[someone.pk]) not in page
    assert "Seuls les responsables peuvent exporter ou effacer un compte." in page

    boss = manager()
    structure.members.add(boss)
    client.force_login(boss)
    page = client.get(file_url(someone)).content.decode()
    assert reverse("learner_erase", args=[someone.pk]) in page
    assert reverse("learner_export_json", args=[someone.pk]) in page
    assert reverse("learner_export_pdf", args=[someone.pk]) in page


def test_the_learner_listing_leads_to_the_file(client, staff, someone):
    client.force_login(staff)
    listing = client.get("/admin/apprenants/").content.decode()
    assert f'href="{file_url(someone)}"' in listing


def test_another_structures_trainer_gets_404_on_every_page_of_the_file(client, structure, someone):
    group = GroupFactory(structure=structure)
    group.learners.add(someone)
    author = trainer()
    structure.members.add(author)
    note = services.note_create(learner=someone, author=author, body="Vient.", visibility="equipe")
    outsider = manager()  # even a manager, of another structure
    StructureFactory().members.add(outsider)
    client.force_login(outsider)

    urls = [
        file_url(someone),
        reverse("learner_note_create", args=[someone.pk]),
        reverse("learner_note_edit", args=[someone.pk, note.pk]),
        reverse("learner_export_json", args=[someone.pk]),
        reverse("learner_export_pdf", args=[someone.pk]),
        reverse("learner_erase", args=[someone.pk]),
        reverse("learner_attestation", args=[someone.pk]),
        reverse("group_attestations", args=[group.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"first_name": "Zéphyrine", "body": "x"}).status_code in (
            404,
            405,
        ), url
    assert someone.__class__.objects.filter(pk=someone.pk).exists()
    assert TrainerNote.objects.get(pk=note.pk).body == "Vient."


def test_unknown_ids_are_404_not_500(client, staff, someone):
    client.force_login(staff)
    assert client.get(reverse("learner_file", args=[999999])).status_code == 404
    assert client.get(reverse("learner_note_edit", args=[someone.pk, 999999])).status_code == 404
    assert client.get(reverse("group_attestations", args=[999999])).status_code == 404


def test_visitors_and_learners_cannot_open_a_file(client, someone):
    assert client.get(file_url(someone)).status_code == 302  # to the admin login
    client.force_login(someone.user)
    assert client.get(file_url(someone)).status_code in (302, 403)
    client.force_login(UserFactory())  # staff without any role
    assert client.get(file_url(someone)).status_code in (302, 403)


def test_the_file_takes_a_constant_number_of_queries_whatever_the_progress(
    client, curriculum, django_assert_max_num_queries
):
    """One learner with one lesson, another with every lesson, attempts, sessions and
    notes: the same number of queries."""
    structure = StructureFactory()
    staff = trainer()
    structure.members.add(staff)
    little = learner(structure=structure, first_name="Peu")[0]
    lots = learner(structure=structure, first_name="Beaucoup")[0]
    lessons = list(LessonPage.objects.live().order_by("path"))
    every_parcours = list(ParcoursPage.objects.live())
    assert len(lessons) >= 4 and len(every_parcours) >= 3

    def busy(person, lesson_list, sessions, *, groups=1, removed_lessons=0):
        group = GroupFactory(structure=structure)
        for parcours in every_parcours[:groups]:
            GroupFactory(structure=structure, parcours=parcours).learners.add(person)
        group.learners.add(person)
        for number in range(removed_lessons):
            # Lessons since removed from the content: kept in the file, under "Autres leçons".
            progress = LessonProgress.objects.create(
                learner=person.user, lesson=None, lesson_key=f"lecon-retiree-{number}"
            )
            for attempt in (1, 2):
                progress.attempts.create(
                    block_id="bloc", attempt_number=attempt, answer=[0], correct=0.5, passed=False
                )
        for lesson in lesson_list:
            services.lesson_step_view(user=person.user, lesson=lesson, step_number=1)
            for number, exercise in lesson.exercises()[:2]:
                services.exercise_attempt_submit(
                    user=person.user,
                    lesson=lesson,
                    step_number=number,
                    exercise=exercise,
                    answer=[0],
                    grade=WRONG,
                )
        for day in range(1, sessions + 1):
            attendance(
                TrainingSessionFactory(group=group, date=datetime.date(2026, 1, day)), person
            )
            services.note_create(
                learner=person, author=staff, body=f"Séance {day}", visibility="equipe"
            )
        ReferralFactory(learner=person, partner=PartnerFactory(structure=structure))

    busy(little, lessons[:1], 1)
    busy(lots, lessons, 12, groups=3, removed_lessons=25)
    client.force_login(staff)

    counts = []
    for person in (little, lots):
        with CaptureQueriesContext(connection) as queries:
            page = client.get(file_url(person)).content.decode()
        counts.append(len(queries))
    assert "lecon-retiree-24" in page and "Séance 12" in page
    assert counts[0] == counts[1], counts
    print("queries for the learner file:", counts)
    with django_assert_max_num_queries(counts[0]):
        client.get(file_url(lots))
