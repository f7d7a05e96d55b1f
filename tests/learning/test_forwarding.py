"""Forwarding to an external LRS: the remote fails, then recovers, and everything
arrives exactly once.

The remote is a second live instance of our own /xapi/ endpoint, with its own
database (tests/learning/xapi_remote.py, started once for this module): what
arrives there is what it stores, counted through its own xAPI API and its
request log. Our side stores through the real /xapi/statements view; the tests
call the drain directly (the test settings keep tasks on the dummy backend) and
once through the real worker command on the database backend.
"""

import base64
import copy
import http.client
import json
import re
import socket
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks import task_backends

from learning import forwarding, xapi
from learning.models import OutboxItem, Statement, XapiCredential
from tests.factories import StructureFactory

# Serialized rollback: the flush after each test then leaves the database as the
# next transactional tests expect it (see tests/learning/test_xapi.py).
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

REMOTE_SCRIPT = Path(__file__).with_name("xapi_remote.py")
OUR_KEY, OUR_SECRET = "outil-quiz", "secret-de-l-outil"
REMOTE_KEY, REMOTE_SECRET = "pas-a-pas", "secret-du-lrs-distant"
WRITE = re.compile(r'"(POST|PUT) /xapi/statements\S* HTTP/1\.1" (\d{3})')


class Remote:
    """The remote LRS: its address, and what it received."""

    def __init__(self, port, log):
        self.endpoint = f"http://127.0.0.1:{port}/xapi/"
        self.port = port
        self.log = log

    def _request(self, method, path, body=None):
        auth = base64.b64encode(f"{REMOTE_KEY}:{REMOTE_SECRET}".encode()).decode()
        headers = {"Authorization": f"Basic {auth}", "X-Experience-API-Version": "1.0.3"}
        if body is not None:
            headers["Content-Type"] = "application/json"
            body = json.dumps(body).encode()
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            return response.status, response.read()
        finally:
            connection.close()

    def post(self, statements):
        status, _body = self._request("POST", "/xapi/statements", statements)
        return status

    def statements(self, registration):
        """What the remote stores for this registration (we send fewer than 500)."""
        status, body = self._request(
            "GET", f"/xapi/statements?registration={registration}&limit=500"
        )
        assert status == 200, body
        found = json.loads(body)
        assert found["more"] == ""
        return found["statements"]

    def writes(self, expected=None):
        """The remote's answers to POST and PUT so far: [("POST", "200"), …].

        The log line is written just after the answer: wait for `expected` lines.
        """
        deadline = time.monotonic() + (5 if expected else 0.3)
        while True:
            found = WRITE.findall(self.log.read_text(encoding="utf-8"))
            if (expected is not None and len(found) >= expected) or time.monotonic() > deadline:
                return found
            time.sleep(0.05)


@pytest.fixture(scope="module")
def remote(tmp_path_factory):
    folder = tmp_path_factory.mktemp("remote-lrs")
    log = folder / "requests.log"
    with log.open("w") as stderr:
        process = subprocess.Popen(
            [
                sys.executable,
                str(REMOTE_SCRIPT),
                str(folder / "db.sqlite3"),
                REMOTE_KEY,
                REMOTE_SECRET,
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
        )
    try:
        line = _read_line(process, timeout=60)
        match = re.fullmatch(r"port=(\d+)\n", line)
        assert match, f"remote LRS did not start: {line!r}\n{log.read_text()}"
        yield Remote(int(match[1]), log)
    finally:
        process.stdin.close()  # the remote stops when its stdin closes
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _read_line(process, *, timeout):
    import selectors

    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        if not selector.select(timeout):
            return ""
    return process.stdout.readline()


@pytest.fixture(autouse=True)
def _no_queued_tasks():
    task_backends["default"].clear()


@pytest.fixture
def forward_to(settings):
    """Point forwarding at an endpoint with given credentials."""

    def point(endpoint, username=REMOTE_KEY, password=REMOTE_SECRET):
        settings.PASAPAS_XAPI_FORWARD_ENDPOINT = endpoint
        settings.PASAPAS_XAPI_FORWARD_USERNAME = username
        settings.PASAPAS_XAPI_FORWARD_PASSWORD = password

    return point


@pytest.fixture
def tool(client):
    """An external quiz tool posting to OUR /xapi/statements with its credential."""
    credential = XapiCredential(name="Outil", key=OUR_KEY, structure=StructureFactory())
    credential.set_secret(OUR_SECRET)
    credential.save()
    auth = base64.b64encode(f"{OUR_KEY}:{OUR_SECRET}".encode()).decode()

    def post(statements):
        response = client.post(
            "/xapi/statements",
            data=json.dumps(statements),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Basic {auth}",
            HTTP_X_EXPERIENCE_API_VERSION="1.0.3",
        )
        assert response.status_code == 200, response.content
        return response.json()

    return post


def make_statement(registration, n, **changes):
    statement = {
        "id": str(uuid.uuid4()),
        "actor": {
            "objectType": "Agent",
            "account": {"homePage": "https://quiz.example.org", "name": f"eleve-{n % 7}"},
        },
        "verb": {
            "id": "http://adlnet.gov/expapi/verbs/answered",
            "display": {"fr-FR": "a répondu"},
        },
        "object": {
            "objectType": "Activity",
            "id": f"https://quiz.example.org/activites/question-{n}",
            "definition": {"name": {"fr-FR": f"Question n°{n} : l'été, où ?"}},
        },
        "result": {"success": n % 2 == 0, "duration": "PT0.5S", "score": {"scaled": 0.5}},
        "context": {
            "registration": registration,
            "contextActivities": {
                "parent": [
                    {"objectType": "Activity", "id": "https://quiz.example.org/activites/quiz"}
                ]
            },
        },
        "timestamp": "2026-11-22T10:00:00.5Z",
    }
    statement.update(changes)
    return statement


def queued_drains():
    return [
        result
        for result in task_backends["default"].results
        if result.task.func is forwarding.forward_outbox.func
    ]


def closed_port_endpoint():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/xapi/"  # nothing listens there any more


def make_due():
    OutboxItem.objects.update(next_attempt_at=timezone.now())


def sender_part(data):
    return {k: v for k, v in data.items() if k not in ("stored", "authority")}


def test_the_remote_fails_then_recovers_and_everything_arrives_exactly_once(
    remote, forward_to, tool
):
    forward_to(closed_port_endpoint())
    seen = len(remote.writes())
    registration = str(uuid.uuid4())
    ids = tool([make_statement(registration, n) for n in range(70)])
    ids += tool([make_statement(registration, n) for n in range(70, 119)])
    ids += tool(make_statement(registration, 119))
    assert len(ids) == 120
    assert OutboxItem.objects.filter(delivered_at__isnull=True).count() == 120
    assert queued_drains()

    # Down: nothing listens. Each drain tries one batch, then stops until the backoff.
    before = timezone.now()
    assert [forwarding.drain() for _ in range(3)] == [
        {"delivered": 0, "failed": 50},
        {"delivered": 0, "failed": 50},
        {"delivered": 0, "failed": 20},
    ]
    assert forwarding.drain() == {"delivered": 0, "failed": 0}  # nothing due any more
    items = list(OutboxItem.objects.all())
    assert {item.attempts for item in items} == {1}
    assert all(item.delivered_at is None for item in items)
    soon = timezone.now() + timedelta(seconds=31)
    assert all(before + timedelta(seconds=29) < item.next_attempt_at <= soon for item in items)
    assert all("ConnectionRefusedError" in item.last_error for item in items)

    # Up, but refusing us (an inactive or wrong credential): 401, the batch waits longer.
    forward_to(remote.endpoint, password="not-the-secret")
    make_due()
    assert forwarding.drain() == {"delivered": 0, "failed": 50}
    refused = OutboxItem.objects.filter(attempts=2)
    assert refused.count() == 50
    assert all("HTTP 401" in item.last_error for item in refused)
    assert all(item.next_attempt_at > timezone.now() + timedelta(seconds=55) for item in refused)
    assert remote.writes(expected=seen + 1)[seen:] == [("POST", "401")]
    assert remote.statements(registration) == []

    # Recovered: one drain sends everything, in batches of 50.
    forward_to(remote.endpoint)
    make_due()
    assert forwarding.drain() == {"delivered": 120, "failed": 0}
    assert OutboxItem.objects.filter(delivered_at__isnull=True).count() == 0
    assert remote.writes(expected=seen + 4)[seen + 1 :] == [("POST", "200")] * 3
    arrived = remote.statements(registration)
    assert sorted(s["id"] for s in arrived) == sorted(ids)  # each one, once
    ours = {row.data["id"]: row.data for row in Statement.objects.all()}
    for statement in arrived:
        # The same statement, to the byte, but for what the remote sets itself.
        assert sender_part(statement) == sender_part(ours[statement["id"]])
        assert statement["result"]["duration"] == "PT0.5S"
        assert statement["authority"]["account"]["name"] == f"credential:{REMOTE_KEY}"

    # A second drain sends nothing.
    assert forwarding.drain() == {"delivered": 0, "failed": 0}
    assert len(remote.writes()) == seen + 4

    # Had we lost track of the delivery (a crash after sending), sending again
    # would still leave one copy of each at the remote.
    OutboxItem.objects.update(delivered_at=None, next_attempt_at=timezone.now())
    assert forwarding.drain() == {"delivered": 120, "failed": 0}
    assert remote.writes(expected=seen + 7)[seen + 4 :] == [("POST", "200")] * 3
    assert sorted(s["id"] for s in remote.statements(registration)) == sorted(ids)


def test_a_409_from_the_remote_counts_as_delivered_and_spares_the_rest(remote, forward_to, tool):
    forward_to(remote.endpoint)
    registration = str(uuid.uuid4())
    theirs = make_statement(registration, 1)
    seen = len(remote.writes())
    assert remote.post([theirs]) == 200
    ours = dict(copy.deepcopy(theirs), result={"success": False})  # same id, other content
    others = [make_statement(registration, n) for n in (2, 3)]
    tool([ours, *others])

    assert forwarding.drain() == {"delivered": 3, "failed": 0}
    assert OutboxItem.objects.filter(delivered_at__isnull=True).count() == 0
    assert OutboxItem.objects.filter(attempts=0).count() == 3
    # The batch conflicts as a whole; one by one, the conflict is ours alone.
    assert remote.writes(expected=seen + 5)[seen:] == [
        ("POST", "200"),  # theirs, above
        ("POST", "409"),
        ("PUT", "409"),
        ("PUT", "204"),
        ("PUT", "204"),
    ]
    stored = {s["id"]: s for s in remote.statements(registration)}
    assert set(stored) == {theirs["id"], *(s["id"] for s in others)}
    assert stored[theirs["id"]]["result"] == theirs["result"]  # the remote kept its own


def test_a_remote_that_never_answers_times_out(forward_to, tool, monkeypatch):
    monkeypatch.setattr(xapi, "REMOTE_TIMEOUT", 0.5)
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()  # connections are accepted by the kernel, never answered
        forward_to(f"http://127.0.0.1:{silent.getsockname()[1]}/xapi/")
        tool([make_statement(str(uuid.uuid4()), n) for n in range(3)])
        started = time.monotonic()
        assert forwarding.drain() == {"delivered": 0, "failed": 3}
        assert time.monotonic() - started < 5
    item = OutboxItem.objects.first()
    assert item.attempts == 1
    assert "timed out" in item.last_error


def test_nothing_is_queued_without_an_endpoint(forward_to, tool):
    forward_to("")
    tool([make_statement(str(uuid.uuid4()), 1)])
    assert not OutboxItem.objects.exists()
    assert queued_drains() == []
    assert forwarding.drain() == {"delivered": 0, "failed": 0}


def test_the_worker_drains_and_schedules_its_own_retry(remote, forward_to, tool, settings):
    """On the database backend, with the real worker command."""
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    forward_to(closed_port_endpoint())
    registration = str(uuid.uuid4())
    for n in range(3):
        tool([make_statement(registration, n)])
    assert DBTaskResult.objects.count() == 1  # one drain waits; no need for three

    call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)
    assert DBTaskResult.objects.filter(status="SUCCESSFUL").count() == 1
    assert OutboxItem.objects.filter(attempts=1).count() == 3
    retry = DBTaskResult.objects.get(status="READY")
    assert retry.run_after == OutboxItem.objects.earliest("next_attempt_at").next_attempt_at

    forward_to(remote.endpoint)
    make_due()
    DBTaskResult.objects.filter(pk=retry.pk).update(run_after=timezone.now())
    call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)
    assert not DBTaskResult.objects.filter(status="READY").exists()
    assert OutboxItem.objects.filter(delivered_at__isnull=True).count() == 0
    assert len(remote.statements(registration)) == 3


@pytest.mark.django_db(transaction=False)
def test_backoff_doubles_from_30_seconds_up_to_an_hour():
    assert [forwarding.backoff(n) for n in range(1, 10)] == [
        30,
        60,
        120,
        240,
        480,
        960,
        1920,
        3600,
        3600,
    ]
    assert forwarding.backoff(10_000) == 3600


@pytest.mark.django_db(transaction=False)
def test_statements_go_out_as_stored_even_where_tincan_would_rewrite_them():
    registration = "01890a5d-ac96-774b-bcce-b302099a8057"  # a version 7 UUID
    stored = make_statement(
        registration,
        1,
        id="01890a5d-ac96-7000-8000-000000000001",
        result={"duration": "P1Y2M3DT4H5M6.5S", "completion": True},
        timestamp="2026-11-22T10:00:00.123456789Z",
        stored="2026-11-22T10:00:01.5+00:00",
        version="1.0.0",
    )
    assert json.loads(forwarding.to_tincan(stored).to_json("1.0.3")) == stored

    # Without its objectTypes, the only change is their default coming back.
    bare = copy.deepcopy(stored)
    del bare["actor"]["objectType"], bare["object"]["objectType"]
    assert json.loads(forwarding.to_tincan(bare).to_json("1.0.3")) == stored

    # tincan cannot model a sub-statement's result: that one goes as stored.
    sub = make_statement(
        registration,
        2,
        object={
            "objectType": "SubStatement",
            "actor": {"mbox": "mailto:eleve@example.org"},
            "verb": {"id": "http://adlnet.gov/expapi/verbs/answered"},
            "object": {"id": "https://quiz.example.org/activites/q"},
            "result": {"success": True, "duration": "PT1S"},
        },
    )
    converted = forwarding.to_tincan(sub)
    assert converted.id == uuid.UUID(sub["id"])
    assert json.loads(forwarding.to_tincan(sub).to_json("1.0.3")) == sub
