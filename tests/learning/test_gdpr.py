"""The right of access (export) and the right to erasure, in the trainer's admin."""

import datetime
import io
import json
from types import SimpleNamespace

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from pypdf import PdfReader
from wagtail.models import ModelLogEntry

from learning import codes, services
from learning.models import (
    Attendance,
    ExerciseAttempt,
    HelpRequest,
    IssuedCode,
    Learner,
    LessonProgress,
    Referral,
    Statement,
    TrainerNote,
    TrainerNoteVersion,
)
from modules.blocks import Grade
from modules.models import LessonPage
from tests.factories import (
    GroupFactory,
    PartnerFactory,
    ReferralFactory,
    StructureFactory,
    TrainingSessionFactory,
    attendance,
    learner,
    manager,
    trainer,
)

pytestmark = pytest.mark.django_db

NAME = "Zéphyrine"


def assert_forbidden(response):
    """Wagtail's admin answers "permission denied" with a redirect to its dashboard."""
    assert response.status_code == 403 or (
        response.status_code == 302 and response["Location"] == reverse("wagtailadmin_home")
    ), response


@pytest.fixture
def structure():
    return StructureFactory(name="Antenne Sud")


@pytest.fixture
def staff(structure):
    user = trainer(first_name="Alice", last_name="Martin")
    structure.members.add(user)
    return user


@pytest.fixture
def boss(structure):
    user = manager(first_name="Chloé", last_name="Roux")
    structure.members.add(user)
    return user


@pytest.fixture
def someone(small_curriculum, structure, staff):
    """A learner with a bit of everything: progress, attempts, statements, a group,
    attendance, a referral, notes (one private, edited once), a raised hand, a lock."""
    person = learner(structure=structure, first_name=NAME, last_initial="Q", pin="4821")[0]
    lesson = LessonPage.objects.get(source_key="lecon-cliquer")
    services.lesson_step_view(user=person.user, lesson=lesson, step_number=1)
    number, exercise = lesson.exercises()[0]
    services.exercise_attempt_submit(
        user=person.user,
        lesson=lesson,
        step_number=number,
        exercise=exercise,
        answer=[0],
        grade=Grade(0.0, False, "Encore"),
    )
    group = GroupFactory(structure=structure, name="Groupe du jeudi")
    group.learners.add(person)
    session = TrainingSessionFactory(group=group, date=datetime.date(2026, 2, 5))
    attendance(session, person)
    ReferralFactory(learner=person, partner=PartnerFactory(structure=structure, name="CCAS Sud"))
    private = services.note_create(
        learner=person, author=staff, body="<p>Note privée</p>", visibility="auteur"
    )
    services.note_update(
        note=private,
        editor=staff,
        body="<p>Note privée, revue</p>",
        visibility="auteur",
        session=None,
    )
    services.note_create(learner=person, author=staff, body="Note d'équipe", visibility="equipe")
    HelpRequest.objects.create(learner=person, group=group, lesson=lesson, step_number=2)
    AccessAttempt.objects.create(
        username=person.code_id,
        ip_address="10.0.0.1",
        user_agent="test",
        failures_since_start=2,
        get_data="",
        post_data="",
        http_accept="",
        path_info="/connexion/images/",
    )
    return person


# --- Export -----------------------------------------------------------------------------


def test_the_json_export_holds_all_the_data_and_no_secret(client, boss, someone):
    client.force_login(boss)
    response = client.get(reverse("learner_export_json", args=[someone.pk]))

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert response["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.content)
    assert set(data) >= {
        "export",
        "apprenant",
        "groupes",
        "lecons",
        "presences",
        "heures_suivies",
        "orientations",
        "notes",
        "demandes_aide",
        "declarations_xapi",
    }
    assert data["apprenant"]["prenom"] == NAME
    assert data["apprenant"]["code"] == someone.display_code
    assert data["groupes"][0]["nom"] == "Groupe du jeudi"
    assert data["lecons"][0]["cle"] == "lecon-cliquer"
    assert data["lecons"][0]["essais"][0]["reponse"] == [0]
    assert data["presences"][0]["presence"] == "present"
    assert data["heures_suivies"] == 2.5
    assert data["orientations"][0]["partenaire"] == "CCAS Sud"
    assert len(data["demandes_aide"]) == 1
    assert len(data["declarations_xapi"]) == Statement.objects.filter(learner=someone.user).count()
    assert len(data["declarations_xapi"]) >= 2  # the lesson started, the answer
    # Every note about the person, the private one too, with its earlier text.
    texts = {note["texte"]: note for note in data["notes"]}
    assert set(texts) == {"Note privée, revue", "Note d'équipe"}
    assert texts["Note privée, revue"]["versions_precedentes"][0]["texte"] == "Note privée"
    assert texts["Note privée, revue"]["auteur"] == "Alice Martin"

    raw = response.content.decode()
    someone.refresh_from_db()
    for secret in (
        someone.picture_password,
        someone.pin,
        someone.user.password,
        "4821",
        "soleil",
        "picture_password",
        '"pin"',
        "password",
    ):
        assert secret and secret not in raw, secret
    assert boss.username not in raw and "@example.org" not in raw  # staff e-mails


def test_the_pdf_export_is_readable_and_holds_the_name_and_the_notes(client, boss, someone):
    client.force_login(boss)
    response = client.get(reverse("learner_export_pdf", args=[someone.pk]))

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    text = " ".join(page.extract_text() for page in reader.pages)
    assert NAME in text
    assert someone.display_code in text
    assert "Note privée, revue" in text and "Note d'équipe" in text
    assert "CCAS Sud" in text and "Groupe du jeudi" in text
    assert reader.pages[0].mediabox.width == pytest.approx(595, abs=2)  # A4


def test_a_trainer_cannot_export_because_the_export_holds_colleagues_private_notes(
    client, staff, someone
):
    client.force_login(staff)
    assert_forbidden(client.get(reverse("learner_export_json", args=[someone.pk])))
    assert_forbidden(client.get(reverse("learner_export_pdf", args=[someone.pk])))


# --- Erasure ----------------------------------------------------------------------------


def rows_about(person):
    user = person.user
    return {
        "progress": LessonProgress.objects.filter(learner=user).count(),
        "attempts": ExerciseAttempt.objects.filter(progress__learner=user).count(),
        "statements": Statement.objects.filter(learner=user).count(),
        "attendance": Attendance.objects.filter(learner=person).count(),
        "referrals": Referral.objects.filter(learner=person).count(),
        "notes": TrainerNote.objects.filter(learner=person).count(),
        "versions": TrainerNoteVersion.objects.filter(note__learner=person).count(),
        "hands": HelpRequest.objects.filter(learner=person).count(),
        "groups": person.groups.count(),
        "locks": AccessAttempt.objects.filter(username=person.code_id).count(),
    }


def test_a_trainer_cannot_erase_and_nothing_is_erased(client, staff, someone):
    before = rows_about(someone)
    client.force_login(staff)
    url = reverse("learner_erase", args=[someone.pk])
    assert_forbidden(client.get(url))
    assert_forbidden(client.post(url, {"first_name": NAME}))
    # The listing's delete action is the same erasure, for managers only.
    assert_forbidden(client.post(reverse("learners:delete", args=[someone.pk])))
    with pytest.raises(PermissionDenied):
        services.learner_erase(learner=someone, by=staff)
    assert Learner.objects.filter(pk=someone.pk).exists()
    assert rows_about(someone) == before


def test_erasure_asks_for_the_first_name_and_a_wrong_one_erases_nothing(client, boss, someone):
    client.force_login(boss)
    url = reverse("learner_erase", args=[someone.pk])
    page = client.get(url).content.decode()
    assert "C&#x27;est définitif." in page or "C'est définitif." in page
    assert "écrivez le prénom de la personne" in page
    response = client.post(url, {"first_name": "Samir"})
    assert response.status_code == 200
    assert "Ce n&#x27;est pas le prénom" in response.content.decode()
    assert Learner.objects.filter(pk=someone.pk).exists()


def test_a_manager_erases_every_row_about_the_learner_and_keeps_the_code_taken(
    client, boss, someone
):
    other = learner(structure=someone.structure, first_name="Autre")[0]
    services.note_create(learner=other, author=boss, body="Reste", visibility="equipe")
    before = rows_about(someone)
    assert all(before.values()), before  # the fixture made one of each
    pk, code, user_pk, public_id = (
        someone.pk,
        someone.code_id,
        someone.user_id,
        someone.user.public_id,
    )
    client.force_login(boss)

    response = client.post(reverse("learner_erase", args=[pk]), {"first_name": " zéphyrine "})

    assert response.status_code == 302 and response["Location"] == reverse("learners:index")
    assert not Learner.objects.filter(pk=pk).exists()
    assert not get_user_model().objects.filter(pk=user_pk).exists()
    assert set(rows_about(someone).values()) == {0}
    assert not Statement.objects.filter(data__actor__account__name=str(public_id)).exists()
    assert IssuedCode.objects.filter(code=code).exists()
    # The other learner keeps everything.
    assert TrainerNote.objects.filter(learner=other).count() == 1
    # Logged, without the person's name, and the earlier log entries lose it too.
    erased = ModelLogEntry.objects.get(action=services.LEARNER_ERASED)
    assert erased.object_id == str(pk) and erased.user == boss
    for entry in ModelLogEntry.objects.all():
        assert NAME not in entry.label and NAME not in json.dumps(entry.data), entry
    # The listing works after the erasure.
    assert client.get(reverse("learners:index")).status_code == 200


def test_earlier_log_entries_lose_the_name(client, boss, structure):
    """Wagtail labels its log entries with the object's name (here: an edit)."""
    created = learner(structure=structure, first_name="Avant")[0]
    client.force_login(boss)
    response = client.post(
        reverse("learners:edit", args=[created.pk]),
        {"first_name": NAME, "last_initial": "Q", "structure": structure.pk, "language": "fr"},
    )
    assert response.status_code == 302
    assert ModelLogEntry.objects.filter(label__contains=NAME).exists()
    services.learner_erase(learner=created, by=boss)
    assert not ModelLogEntry.objects.filter(label__contains=NAME).exists()


def test_statements_a_tool_sent_about_the_learner_are_erased_too(boss, someone):
    from learning import lrs
    from learning.models import XapiCredential

    credential = XapiCredential.objects.create(name="Outil", key="k", structure=someone.structure)
    lrs.statements_store(
        [
            {
                "actor": lrs.learner_agent(someone.user),
                "verb": {"id": "http://adlnet.gov/expapi/verbs/experienced"},
                "object": {"id": "http://example.org/activite"},
            }
        ],
        sender=lrs.Sender(credential=credential),
    )
    tool_statement = Statement.objects.get(credential=credential)
    assert tool_statement.learner is None
    services.learner_erase(learner=someone, by=boss)
    assert not Statement.objects.filter(pk=tool_statement.pk).exists()


def test_a_new_learner_never_gets_an_erased_learners_code(monkeypatch, boss, someone):
    code = someone.code_id
    services.learner_erase(learner=someone, by=boss)
    # The random draw comes up with the erased code first, then another one.
    draws = iter(code + "ACDEFG")
    monkeypatch.setattr(codes, "secrets", SimpleNamespace(choice=lambda alphabet: next(draws)))
    newcomer = learner(structure=StructureFactory())[0]
    assert newcomer.code_id == "ACDEFG"
    assert IssuedCode.objects.filter(code=code).exists()


def test_the_listing_delete_action_leads_to_the_erasure_page(client, boss, someone):
    client.force_login(boss)
    response = client.get(reverse("learners:delete", args=[someone.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("learner_erase", args=[someone.pk])
    client.post(reverse("learners:delete", args=[someone.pk]))
    assert Learner.objects.filter(pk=someone.pk).exists()  # only the typed confirmation erases
