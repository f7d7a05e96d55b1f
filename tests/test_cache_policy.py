"""One Cache-Control policy for personal answers (cms/cache.py): every directive once,
and nothing a shared computer's browser or a proxy may keep."""

import pytest
from django.urls import reverse

from modules.models import LessonPage
from tests.factories import StructureFactory, learner, staff_member

pytestmark = pytest.mark.django_db

NEVER_KEPT = {"max-age", "no-cache", "no-store", "must-revalidate", "private"}


def directives(response):
    names = [part.split("=")[0].strip().lower() for part in response["Cache-Control"].split(",")]
    return names


def assert_never_kept(response):
    names = directives(response)
    assert len(names) == len(set(names)), f"repeated directive: {response['Cache-Control']}"
    assert set(names) == NEVER_KEPT, response["Cache-Control"]


@pytest.fixture
def lesson(curriculum):
    return LessonPage.objects.get(source_key="lecon-souris-tenir")


def test_a_signed_in_learners_pages_say_once_that_nothing_is_kept(client, lesson):
    someone, _pictures = learner()
    client.force_login(someone.user)

    for url in (lesson.url, f"{lesson.url}?etape=2", reverse("learning:home")):
        assert_never_kept(client.get(url))


def test_a_guests_lesson_and_the_sign_in_page_are_never_kept(client, lesson):
    someone, _pictures = learner()

    assert_never_kept(client.get(lesson.url))
    assert_never_kept(client.get(f"{reverse('learning:signin')}?code={someone.code_id}"))


def test_a_trainers_pages_are_never_kept(client):
    structure = StructureFactory()
    someone, _pictures = learner(structure=structure)
    client.force_login(staff_member(structure))

    for url in (
        reverse("learner_file", args=[someone.pk]),
        reverse("learner_access", args=[someone.pk]),
        reverse("learners:index"),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_never_kept(response)
