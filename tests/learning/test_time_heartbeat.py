"""The lesson page's time heartbeat never adds more time than has really passed.

The browser says how long the page was visible; the server believes it only up to
the real time since the last beat it counted for that learner and lesson (and at
most HEARTBEAT_MAX_SECONDS per beat), whatever the number of beats, tabs or
browsers. The clock is Django's `timezone.now`, moved by hand.
"""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from learning import services
from learning.models import LessonProgress
from modules.models import LessonPage
from tests.factories import learner, parcours_with_lessons

pytestmark = pytest.mark.django_db

URL = "/progression/temps/"


class Clock:
    """Django's clock, stopped: it moves only when the test says so."""

    def __init__(self):
        self.now = timezone.now()

    def __call__(self):
        return self.now

    def advance(self, seconds):
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock(monkeypatch):
    stopped = Clock()
    monkeypatch.setattr(timezone, "now", stopped)
    return stopped


@pytest.fixture
def lesson(db):
    parcours_with_lessons(modules=1, lessons=2, steps=3)
    return LessonPage.objects.order_by("pk").first()


@pytest.fixture
def signed_in(lesson):
    pupil, _ = learner()
    client = Client()
    client.force_login(pupil.user)
    return client


def beat(client, lesson, seconds):
    response = client.post(URL, {"lesson": lesson.pk, "seconds": seconds})
    assert response.status_code == 204
    return response


def time_spent(lesson):
    return LessonProgress.objects.get(lesson_key=lesson.stable_key).time_spent_s


def test_sixty_quick_beats_add_no_more_than_the_time_that_passed(clock, signed_in, lesson):
    signed_in.get(lesson.url)  # the lesson opens: the first beat counts from here
    clock.advance(30)
    beat(signed_in, lesson, 30)
    assert time_spent(lesson) == 30

    for _beat in range(60):  # 60 beats claiming 30 s each, in 5 s of real time
        clock.advance(5 / 60)
        beat(signed_in, lesson, 30)

    assert 30 + 4 <= time_spent(lesson) <= 30 + 5


def test_a_first_beat_counts_no_more_than_the_time_since_the_lesson_opened(
    clock, signed_in, lesson
):
    signed_in.get(lesson.url)
    clock.advance(3)
    beat(signed_in, lesson, 30)
    assert time_spent(lesson) == 3


def test_beats_every_30_seconds_add_30_seconds_each(clock, signed_in, lesson):
    signed_in.get(lesson.url)
    for number in range(1, 11):
        clock.advance(30)
        beat(signed_in, lesson, 30)
        assert time_spent(lesson) == 30 * number


def test_moving_to_the_next_step_between_two_beats_loses_no_time(clock, signed_in, lesson):
    signed_in.get(lesson.url)
    clock.advance(30)
    beat(signed_in, lesson, 30)
    clock.advance(25)
    signed_in.get(f"{lesson.url}?etape=2")
    clock.advance(5)
    beat(signed_in, lesson, 30)  # 30 s of reading since the last beat, a step change among them
    assert time_spent(lesson) == 60


def test_two_tabs_beating_together_count_the_time_once(clock, lesson):
    pupil, _ = learner()
    tabs = [Client(), Client()]  # two browsers, even: two sessions of one learner
    for tab in tabs:
        tab.force_login(pupil.user)
    tabs[0].get(lesson.url)
    for _round in range(4):
        clock.advance(30)
        for tab in tabs:
            beat(tab, lesson, 30)
    assert time_spent(lesson) == 120


def test_a_beat_counts_only_what_the_page_was_visible(clock, signed_in, lesson):
    signed_in.get(lesson.url)
    clock.advance(2 * 3600)  # the tab was hidden for two hours
    beat(signed_in, lesson, 12)
    assert time_spent(lesson) == 12


def test_a_beat_counts_at_most_a_minute(clock, signed_in, lesson):
    signed_in.get(lesson.url)
    clock.advance(600)
    beat(signed_in, lesson, 3600)
    assert time_spent(lesson) == services.HEARTBEAT_MAX_SECONDS


def test_each_lesson_has_its_own_clock(clock, signed_in, lesson):
    first, second = LessonPage.objects.order_by("pk")
    signed_in.get(first.url)
    signed_in.get(second.url)
    clock.advance(30)
    beat(signed_in, first, 30)
    beat(signed_in, second, 30)
    # Two lessons open in two tabs at once: each counts its own visible time.
    assert (time_spent(first), time_spent(second)) == (30, 30)


def test_a_guests_beats_record_nothing(clock, lesson):
    guest = Client()
    guest.get(lesson.url)
    clock.advance(30)
    for _beat in range(5):
        beat(guest, lesson, 30)
    assert not LessonProgress.objects.exists()
    session = guest.session
    assert all(
        entry.get("time_spent_s") is None for entry in session.get("guest_progress", {}).values()
    )


def test_a_beat_for_a_lesson_never_opened_records_nothing(clock, signed_in, lesson):
    clock.advance(30)
    beat(signed_in, lesson, 30)
    assert not LessonProgress.objects.exists()
