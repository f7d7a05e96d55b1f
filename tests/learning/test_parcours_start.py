"""The parcours page has one big "Commencer": to the first lesson for a newcomer, to
the first unfinished lesson ("Continuer : …") for a learner or a guest with progress."""

from html import unescape

import pytest

from learning import services
from tests.factories import learner, parcours_with_lessons

pytestmark = pytest.mark.django_db


def start_button(response):
    html = " ".join(unescape(response.content.decode()).split())
    start = html.find('<p class="start">')
    assert start != -1, "no start button"
    return html[start : html.find("</p>", start)]


@pytest.fixture
def parcours():
    return parcours_with_lessons(modules=2, lessons=2)


def lessons_of(parcours):
    return [
        lesson
        for link in parcours.parcours_modules.order_by("sort_order")
        for lesson in link.module.specific.lessons
    ]


def finish(user, lesson):
    for number in range(1, lesson.step_count + 1):
        services.lesson_step_view(user=user, lesson=lesson, step_number=number)


def test_a_newcomer_starts_at_the_first_lesson(client, parcours):
    button = start_button(client.get(parcours.url))

    assert f'href="{lessons_of(parcours)[0].url}"' in button and ">Commencer<" in button


def test_a_learner_continues_at_the_first_lesson_they_have_not_finished(client, parcours):
    person, _pictures = learner()
    first, second, third, _fourth = lessons_of(parcours)
    finish(person.user, first)
    finish(person.user, second)
    services.lesson_step_view(user=person.user, lesson=third, step_number=1)
    client.force_login(person.user)

    button = start_button(client.get(parcours.url))

    assert f'href="{third.url}"' in button and f"Continuer : {third.title}" in button


def test_a_guest_continues_where_their_session_says(client, parcours):
    first, second, *_rest = lessons_of(parcours)
    for number in range(1, first.step_count + 1):
        client.get(f"{first.url}?etape={number}")

    button = start_button(client.get(parcours.url))

    assert f'href="{second.url}"' in button and "Continuer" in button


def test_no_button_once_every_lesson_is_finished(client, parcours):
    person, _pictures = learner()
    for lesson in lessons_of(parcours):
        finish(person.user, lesson)
    client.force_login(person.user)

    assert '<p class="start">' not in client.get(parcours.url).content.decode()
