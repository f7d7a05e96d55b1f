"""Sessions left open: staff are signed out after a configurable time without a
request (2 hours by default), and an htmx request after any timeout makes the
browser load the sign-in page instead of swapping a redirect into the page."""

import pytest
from django.urls import reverse

from learning import middleware
from tests.factories import GroupFactory, StructureFactory, learner, staff_member

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def clock(monkeypatch):
    """The middleware's clock, moved by hand: clock.advance(minutes=...)."""

    class Clock:
        now = 1_800_000_000.0

        def __call__(self):
            return self.now

        def advance(self, *, minutes):
            self.now += minutes * 60

    fake = Clock()
    monkeypatch.setattr(middleware, "clock", fake, raising=False)
    return fake


@pytest.fixture
def staff_client(client):
    client.force_login(staff_member(StructureFactory()))
    return client


def signed_in(client):
    return "_auth_user_id" in client.session


def test_a_trainer_active_within_two_hours_stays_signed_in(staff_client, clock):
    assert staff_client.get("/admin/").status_code == 200
    clock.advance(minutes=119)
    assert staff_client.get("/admin/").status_code == 200
    clock.advance(minutes=119)  # each request counts as activity
    assert staff_client.get("/admin/").status_code == 200
    assert signed_in(staff_client)


def test_a_trainer_idle_for_two_hours_is_signed_out_and_sent_to_the_admin_login(
    staff_client, clock
):
    staff_client.get("/admin/")
    clock.advance(minutes=121)

    response = staff_client.get("/admin/apprenants/")

    assert response.status_code == 302
    assert response["Location"] == "/admin/login/?next=/admin/apprenants/"
    assert not signed_in(staff_client)


def test_the_staff_timeout_is_configurable(staff_client, clock, settings):
    settings.PASAPAS_STAFF_INACTIVITY_MINUTES = 10
    staff_client.get("/admin/")
    clock.advance(minutes=11)
    assert staff_client.get("/admin/").status_code == 302
    assert not signed_in(staff_client)


def test_a_dashboard_left_open_does_not_keep_a_trainer_signed_in(client, clock):
    """The dashboard refreshes itself every 10 s: that says the page is open, not that
    the trainer is in front of it."""
    structure = StructureFactory()
    client.force_login(staff_member(structure))
    dashboard = reverse("group_dashboard", args=[GroupFactory(structure=structure).pk])
    assert client.get(dashboard).status_code == 200

    for _refresh in range(13):  # 2 h 10 of refreshes, every 10 minutes here
        clock.advance(minutes=10)
        client.get(dashboard, **HTMX)

    assert not signed_in(client)


def test_an_htmx_request_of_an_idle_trainer_gets_hx_redirect(staff_client, clock):
    staff_client.get("/admin/")
    clock.advance(minutes=121)

    response = staff_client.get("/admin/apprenants/", **HTMX)

    assert response["HX-Redirect"].startswith("/admin/login/")
    assert not signed_in(staff_client)


def test_an_htmx_request_after_the_learner_timeout_gets_hx_redirect(client):
    someone, _pictures = learner()
    client.force_login(someone.user, backend="learning.auth.LearnerBackend")
    client.get("/moi/")
    session = client.session
    session["last_activity"] -= 21 * 60
    session.save()

    response = client.post("/session/present/", **HTMX)

    assert response["HX-Redirect"] == "/connexion/?expire=1"
    assert response.status_code == 200  # htmx follows HX-Redirect, not a 302
    assert not signed_in(client)
