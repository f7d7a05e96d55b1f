"""The demo data of `./scripts/run`: a living group for the trainer, made once."""

import io
import re

import pytest
from django.core.management import call_command
from django.utils import timezone

from learning.models import (
    Attendance,
    ExerciseAttempt,
    Group,
    HelpRequest,
    Learner,
    LessonProgress,
    Partner,
    Referral,
    Structure,
    TrainerNote,
    TrainingSession,
    User,
)

pytestmark = pytest.mark.django_db


def run_demo():
    out = io.StringIO()
    call_command("setup_demo", stdout=out)
    return out.getvalue()


def counts():
    return {
        model.__name__: model.objects.count()
        for model in (
            Structure,
            Partner,
            Learner,
            Referral,
            Group,
            TrainingSession,
            Attendance,
            TrainerNote,
            HelpRequest,
            LessonProgress,
            ExerciseAttempt,
            User,
        )
    }


def test_the_demo_gives_the_trainer_a_living_group_and_a_second_run_adds_nothing(
    curriculum, settings
):
    settings.DEBUG = True
    first_output = run_demo()
    first = counts()
    second_output = run_demo()

    assert counts() == first
    structure = Structure.objects.get(name="Antenne de démonstration")
    trainer = User.objects.get(username="formateur@demo.pasapas.local")
    manager = User.objects.get(username="responsable@demo.pasapas.local")
    assert set(structure.members.all()) == {trainer, manager}
    assert manager.has_perm("learning.view_report") and not trainer.has_perm("learning.view_report")
    assert {(p.name, p.kind) for p in structure.partners.all()} == {
        ("France Travail Lille Centre", "france-travail"),
        ("CCAS de Lille", "ccas"),
    }

    group = Group.objects.get(trainers=trainer)
    assert group.name == "Initiation lundi"
    assert group.parcours.source_key == "parcours-initiation"
    assert group.learners.count() == 8
    assert group.current_lesson is not None
    assert "Samir" in {learner.first_name for learner in group.learners.all()}

    # Varied progress, made through the services: some lessons done, some started.
    done = LessonProgress.objects.filter(
        learner__learner__in=group.learners.all(), completed_at__isnull=False
    )
    per_learner = {
        learner.first_name: done.filter(learner=learner.user).count()
        for learner in group.learners.all()
    }
    assert len(set(per_learner.values())) >= 3
    assert per_learner["Jean-Pierre"] == 4 and per_learner["Rosa"] == 0
    assert ExerciseAttempt.objects.filter(passed=False).exists()  # a wrong answer, then right

    today = timezone.localdate()
    assert sorted(session.date < today for session in group.sessions.all()) == [False, True]
    past = group.sessions.order_by("date").first()
    statuses = sorted(past.attendances.values_list("status", flat=True))
    assert len(statuses) == 8 and {"present", "retard", "absent"} <= set(statuses)
    assert not group.sessions.order_by("date").last().attendances.exists()

    notes = TrainerNote.objects.filter(learner__in=group.learners.all())
    assert notes.count() == 3
    assert all(note.body.startswith("<p>") for note in notes)
    assert Referral.objects.filter(learner__in=group.learners.all()).count() == 7
    open_hands = HelpRequest.objects.filter(resolved_at__isnull=True)
    assert open_hands.count() == 1 and open_hands.get().group == group

    # Every run prints fresh credentials for the manager too.
    pattern = r"responsable de structure .*identifiant : (\S+)  mot de passe : (\S+)"
    first_password = re.search(pattern, first_output).group(2)
    email, second_password = re.search(pattern, second_output).groups()
    assert email == "responsable@demo.pasapas.local" and first_password != second_password
    assert manager.check_password(second_password)
    assert not manager.check_password(first_password)


def test_the_demo_works_without_a_curriculum(settings, db):
    settings.DEBUG = True
    run_demo()
    group = Group.objects.get(name="Initiation lundi")
    assert group.learners.count() == 8
    assert not LessonProgress.objects.exists()
    assert group.sessions.count() == 2


def test_the_demo_shows_self_sign_up(client, settings, db):
    from learning.models import LearnerSettings

    settings.DEBUG = True
    run_demo()

    site_settings = LearnerSettings.objects.get()
    assert site_settings.self_signup and site_settings.signup_structure is not None
    assert client.get("/inscription/").status_code == 200
