"""Sign-in throttling as an attacker meets it: behind the reverse proxy, spread over
many IPs, on learner codes and on trainer emails."""

import datetime
from html import unescape

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.test import RequestFactory
from django.urls import reverse

from learning import selectors
from tests.factories import learner, staff_member

pytestmark = pytest.mark.django_db

SIGNIN = "/connexion/images/"
ADMIN_LOGIN = "/admin/login/"
PROXY = "10.0.0.1"
CODE_LOCK = "Trop d'essais pour ce code"


def wrong_pin(client, code, **extra):
    return client.post(SIGNIN, {"code": code, "mode": "pin", "pin": "0000"}, **extra)


def right_pin(client, code, **extra):
    return client.post(SIGNIN, {"code": code, "mode": "pin", "pin": "4821"}, **extra)


def text(response):
    return unescape(response.content.decode())


# --- The client's IP --------------------------------------------------------------


@pytest.mark.parametrize(
    ("proxies", "remote", "forwarded", "expected"),
    [
        (0, "203.0.113.7", None, "203.0.113.7"),
        (0, "203.0.113.7", "198.51.100.1", "203.0.113.7"),  # no proxy: the header is a lie
        (1, PROXY, "203.0.113.7", "203.0.113.7"),
        (1, PROXY, "6.6.6.6, 203.0.113.7", "203.0.113.7"),  # prepended by the client
        (1, PROXY, "garbage, 203.0.113.7", "203.0.113.7"),
        (2, PROXY, "203.0.113.7, 10.0.0.2", "203.0.113.7"),
        (2, PROXY, "6.6.6.6, 203.0.113.7, 10.0.0.2", "203.0.113.7"),
        (1, "203.0.113.7", None, "203.0.113.7"),  # reached the app without the proxy
    ],
)
def test_the_client_ip_trusts_only_the_configured_proxies(
    settings, proxies, remote, forwarded, expected
):
    from learning.throttling import client_ip

    settings.PASAPAS_TRUSTED_PROXIES = proxies
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    assert client_ip(RequestFactory().get("/", **meta)) == expected


def test_without_a_proxy_a_spoofed_forwarded_for_does_not_escape_the_lock(client, settings):
    settings.PASAPAS_TRUSTED_PROXIES = 0
    someone, _pictures = learner(pin="4821")
    for attempt in range(5):
        wrong_pin(client, someone.code_id, HTTP_X_FORWARDED_FOR=f"198.51.100.{attempt}")

    response = right_pin(client, someone.code_id, HTTP_X_FORWARDED_FOR="198.51.100.99")

    assert response.status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"127.0.0.1"}


def test_behind_one_proxy_two_clients_are_throttled_separately(client, settings):
    settings.PASAPAS_TRUSTED_PROXIES = 1
    someone, _pictures = learner(pin="4821")
    for _attempt in range(5):
        wrong_pin(client, someone.code_id, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.5")
    locked = right_pin(
        client, someone.code_id, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.5"
    )
    assert locked.status_code == 429

    # The learner, at the library, behind the same proxy.
    response = right_pin(
        client, someone.code_id, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.6"
    )

    assert response.status_code == 302


def test_behind_a_proxy_prepending_fake_addresses_does_not_escape_the_lock(client, settings):
    settings.PASAPAS_TRUSTED_PROXIES = 1
    someone, _pictures = learner(pin="4821")
    for attempt in range(5):
        wrong_pin(
            client,
            someone.code_id,
            REMOTE_ADDR=PROXY,
            HTTP_X_FORWARDED_FOR=f"192.0.2.{attempt}, 203.0.113.5",
        )

    response = right_pin(
        client, someone.code_id, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="192.0.2.99, 203.0.113.5"
    )

    assert response.status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.5"}


# --- One code, many IPs -------------------------------------------------------------


def fail_from_many_ips(client, code, failures):
    """`failures` wrong PINs, 4 per IP: never enough to lock one (code, IP) pair."""
    for attempt in range(failures):
        response = wrong_pin(client, code, REMOTE_ADDR=f"192.0.2.{attempt // 4}")
        if attempt < 29:  # the 30th failure is answered with the lock
            assert response.status_code == 200


def test_thirty_failures_from_many_ips_lock_the_code_everywhere(client):
    someone, _pictures = learner(pin="4821")
    fail_from_many_ips(client, someone.code_id, 30)

    response = right_pin(client, someone.code_id, REMOTE_ADDR="198.51.100.200")

    assert response.status_code == 429
    page = text(response)
    assert CODE_LOCK in page and "réessayez dans une heure" in page
    assert "_auth_user_id" not in client.session
    # Typing the code on the first step says it at once.
    first_step = client.get("/connexion/", {"code": someone.code_id}, REMOTE_ADDR="198.51.100.201")
    assert first_step.status_code == 429 and CODE_LOCK in text(first_step)
    assert selectors.learner_is_locked(learner=someone)


def test_twenty_nine_failures_from_many_ips_do_not_lock_the_code(client):
    someone, _pictures = learner(pin="4821")
    fail_from_many_ips(client, someone.code_id, 29)
    assert right_pin(client, someone.code_id, REMOTE_ADDR="198.51.100.200").status_code == 302


def test_the_code_lock_ends_after_an_hour(client):
    someone, _pictures = learner(pin="4821")
    fail_from_many_ips(client, someone.code_id, 30)
    an_hour_ago = datetime.timedelta(hours=1, minutes=1)
    for entry in AccessFailureLog.objects.all():
        entry.attempt_time -= an_hour_ago
        entry.save()

    assert right_pin(client, someone.code_id, REMOTE_ADDR="198.51.100.200").status_code == 302


def test_a_trainer_unlocks_a_code_tried_from_many_ips(client):
    someone, _pictures = learner(pin="4821")
    staff = staff_member(someone.structure)
    fail_from_many_ips(client, someone.code_id, 30)
    assert right_pin(client, someone.code_id, REMOTE_ADDR="198.51.100.200").status_code == 429

    client.force_login(staff)
    client.post(reverse("learner_unlock", args=[someone.pk]))
    client.logout()

    assert right_pin(client, someone.code_id, REMOTE_ADDR="198.51.100.200").status_code == 302


def test_a_code_lock_does_not_lock_other_codes(client):
    someone, _pictures = learner(pin="4821")
    neighbour, _pictures = learner(structure=someone.structure, pin="4821")
    fail_from_many_ips(client, someone.code_id, 30)
    assert right_pin(client, neighbour.code_id, REMOTE_ADDR="192.0.2.1").status_code == 302


# --- Trainer accounts ---------------------------------------------------------------


def admin_sign_in(client, email, password, **extra):
    return client.post(ADMIN_LOGIN, {"username": email, "password": password}, **extra)


@pytest.fixture
def claire(db):
    from tests.factories import StructureFactory

    return staff_member(StructureFactory(), username="claire@example.org")


def test_a_trainer_email_is_locked_from_one_ip_after_five_failures(client, claire):
    for _attempt in range(5):
        admin_sign_in(client, "claire@example.org", "wrong password")

    response = admin_sign_in(client, "claire@example.org", "a long test password")

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    # The same trainer from another IP is not locked out by this one.
    other = admin_sign_in(
        client, "claire@example.org", "a long test password", REMOTE_ADDR="198.51.100.9"
    )
    assert other.status_code == 302


def test_a_trainer_email_is_locked_across_ips_after_thirty_failures(client, claire):
    for attempt in range(30):
        admin_sign_in(
            client, "claire@example.org", "wrong password", REMOTE_ADDR=f"192.0.2.{attempt // 4}"
        )

    response = admin_sign_in(
        client, "claire@example.org", "a long test password", REMOTE_ADDR="198.51.100.9"
    )

    assert response.status_code == 429
    assert "Trop d'essais pour ce compte" in text(response)
    assert "_auth_user_id" not in client.session


def test_behind_a_proxy_a_trainer_is_throttled_per_client(client, claire, settings):
    settings.PASAPAS_TRUSTED_PROXIES = 1
    for _attempt in range(5):
        admin_sign_in(
            client,
            "claire@example.org",
            "wrong password",
            REMOTE_ADDR=PROXY,
            HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.5",
        )

    attacker = admin_sign_in(
        client,
        "claire@example.org",
        "a long test password",
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR="7.7.7.7, 203.0.113.5",
    )
    claire_at_work = admin_sign_in(
        client,
        "claire@example.org",
        "a long test password",
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR="203.0.113.6",
    )

    assert attacker.status_code == 429
    assert claire_at_work.status_code == 302
