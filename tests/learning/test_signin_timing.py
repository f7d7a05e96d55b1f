"""A sign-in answer must not tell whether a learner code exists: every path (pictures
or PIN, known or unknown code, with or without a PIN) spends the same work."""

import statistics
import time

import pytest
from django.conf import global_settings
from django.contrib.auth.hashers import MD5PasswordHasher

from tests.factories import learner

pytestmark = pytest.mark.django_db

SIGNIN = "/connexion/images/"
UNKNOWN_CODE = "ACDEFG"


def pictures_post(client, code, pictures, ip):
    """The last pick of the picture password: the one that signs in."""
    data = {"code": code, "picks": pictures[:2], "pick": pictures[2]}
    return client.post(SIGNIN, data, REMOTE_ADDR=ip)


def pin_post(client, code, pin, ip):
    return client.post(SIGNIN, {"code": code, "mode": "pin", "pin": pin}, REMOTE_ADDR=ip)


@pytest.fixture
def hash_count(monkeypatch):
    """How many password hashes were computed (the test settings hash with MD5)."""
    calls = []
    encode = MD5PasswordHasher.encode

    def counting_encode(self, password, salt):
        calls.append(password)
        return encode(self, password, salt)

    monkeypatch.setattr(MD5PasswordHasher, "encode", counting_encode)
    return calls


def paths(client, with_pin, without_pin, pictures):
    """Every way to try a code, each from its own IP (no lock gets in the way)."""
    wrong = ["lune", "lune", "lune"]
    return {
        "known code, wrong pictures": lambda: pictures_post(
            client, with_pin.code_id, wrong, "192.0.2.1"
        ),
        "known code, right pictures": lambda: pictures_post(
            client, with_pin.code_id, pictures, "192.0.2.2"
        ),
        "unknown code, pictures": lambda: pictures_post(client, UNKNOWN_CODE, wrong, "192.0.2.3"),
        "known code, wrong PIN": lambda: pin_post(client, with_pin.code_id, "1111", "192.0.2.4"),
        "known code, right PIN": lambda: pin_post(client, with_pin.code_id, "4821", "192.0.2.5"),
        "known code without a PIN": lambda: pin_post(
            client, without_pin.code_id, "1111", "192.0.2.6"
        ),
        "unknown code, PIN": lambda: pin_post(client, UNKNOWN_CODE, "1111", "192.0.2.7"),
        "known code, PIN not 4 digits": lambda: pin_post(
            client, with_pin.code_id, "12a", "192.0.2.8"
        ),
        "known code, empty PIN": lambda: pin_post(client, with_pin.code_id, "", "192.0.2.9"),
        "unknown code, empty PIN": lambda: pin_post(client, UNKNOWN_CODE, "", "192.0.2.10"),
    }


def test_every_sign_in_path_computes_exactly_one_password_hash(client, hash_count):
    with_pin, pictures = learner(pin="4821")
    without_pin, _pictures = learner(structure=with_pin.structure)
    tries = paths(client, with_pin, without_pin, pictures)
    tries["unknown code, PIN"]()  # the first unknown code may prepare the stand-in hash

    counts = {}
    for name, attempt in tries.items():
        hash_count.clear()
        attempt()
        client.logout()
        counts[name] = len(hash_count)

    assert counts == dict.fromkeys(tries, 1)


def test_a_known_code_without_pin_and_an_unknown_code_answer_in_the_same_time(client, settings):
    """Medians over 15 tries each, with production's password hasher; the tries are
    interleaved so that the machine's load weighs on every path alike."""
    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS
    known, _pictures = learner()  # no PIN: the fast path before the fix
    other, _pictures = learner(structure=known.structure)
    timed = {
        "known code without a PIN": lambda ip: pin_post(client, known.code_id, "1111", ip),
        "unknown code": lambda ip: pin_post(client, UNKNOWN_CODE, "1111", ip),
        "known code, wrong pictures": lambda ip: pictures_post(
            client, other.code_id, ["lune", "lune", "lune"], ip
        ),
    }
    timed["unknown code"]("198.51.100.250")  # warm-up
    durations = {name: [] for name in timed}
    for round_number in range(15):
        for index, (name, attempt) in enumerate(timed.items()):
            start = time.perf_counter()
            response = attempt(f"198.51.{round_number}.{index + 1}")
            durations[name].append(time.perf_counter() - start)
            assert response.status_code == 200

    medians = {name: statistics.median(values) for name, values in durations.items()}
    assert max(medians.values()) / min(medians.values()) < 1.5, medians


def test_the_admin_sign_in_takes_the_same_work_for_a_learner_account_and_an_unknown_name(
    client, hash_count
):
    """Learner accounts have no password: Django would refuse them without hashing,
    so the admin sign-in would answer faster for a code that exists."""
    someone, _pictures = learner()
    counts = {}
    for name, username in (
        ("learner account", someone.user.username),
        ("unknown name", "apprenant-ACDEFG"),
    ):
        hash_count.clear()
        response = client.post("/admin/login/", {"username": username, "password": "x" * 12})
        assert response.status_code == 200
        counts[name] = len(hash_count)
    assert counts == {"learner account": 1, "unknown name": 1}
