"""Our xAPI 1.0.3 statement resource (/xapi/statements, /xapi/about).

- tincan, a real client, against a live server;
- property tests: valid statements come back as sent (plus what the server
  sets), broken ones are refused with nothing stored;
- a matrix of bad input: a JSON error with a 4xx status, never a 500, nothing
  half-stored;
- same-id rules, CSRF and actor rules for signed-in learners, and who sees what.
"""

import base64
import copy
import http.client
import json
import threading
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone

import pytest
from django.db import connection, transaction
from django.test import Client
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from tincan import (
    Activity,
    ActivityDefinition,
    Agent,
    AgentAccount,
    LanguageMap,
    RemoteLRS,
    Result,
    Score,
    Statement,
    StatementRef,
    Verb,
)

from learning.models import Statement as StoredStatement
from learning.models import XapiCredential
from tests.factories import StructureFactory, learner

URL = "/xapi/statements"
VERSION = {"HTTP_X_EXPERIENCE_API_VERSION": "1.0.3"}
HOME_PAGE = "http://testserver"  # settings.WAGTAILADMIN_BASE_URL in tests
COMPLETED = "http://adlnet.gov/expapi/verbs/completed"
ATTEMPTED = "http://adlnet.gov/expapi/verbs/attempted"
VOIDED = "http://adlnet.gov/expapi/verbs/voided"


# --- Helpers and fixtures ------------------------------------------------------


def basic(key, secret):
    token = base64.b64encode(f"{key}:{secret}".encode()).decode()
    return {"HTTP_AUTHORIZATION": f"Basic {token}"}


@dataclass
class Tool:
    """An external tool: its credential and its secret in clear."""

    credential: XapiCredential
    secret: str

    @property
    def key(self):
        return self.credential.key

    @property
    def auth(self):
        return basic(self.credential.key, self.secret)


def make_tool(structure=None, *, active=True):
    secret = f"secret-{uuid.uuid4().hex}"
    credential = XapiCredential(
        name="Outil de test",
        key=f"tool-{uuid.uuid4().hex[:12]}",
        structure=structure or StructureFactory(),
        active=active,
    )
    credential.set_secret(secret)
    credential.save()
    return Tool(credential, secret)


@pytest.fixture
def tool(db):
    return make_tool()


def statement(verb=COMPLETED, activity="http://example.org/activities/souris", **extra):
    return {
        "actor": {"objectType": "Agent", "name": "Samir", "mbox": "mailto:samir@example.org"},
        "verb": {"id": verb, "display": {"fr-FR": "a terminé"}},
        "object": {
            "objectType": "Activity",
            "id": activity,
            "definition": {"name": {"fr-FR": "La souris"}},
        },
        **extra,
    }


def post(client, body, auth, *, content_type="application/json", headers=VERSION):
    data = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return client.post(URL, data=data, content_type=content_type, **headers, **auth)


def put(client, body, auth, statement_id=None):
    url = URL if statement_id is None else f"{URL}?statementId={statement_id}"
    data = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return client.put(url, data=data, content_type="application/json", **VERSION, **auth)


def get(client, auth, **params):
    return client.get(URL, params, **VERSION, **auth)


def assert_error(response, status):
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert isinstance(body["error"], str)
    assert body["error"]
    assert response["X-Experience-API-Version"] == "1.0.3"


def agent_of(user):
    return {"objectType": "Agent", "account": {"homePage": HOME_PAGE, "name": str(user.public_id)}}


def authority_of(tool):
    return {
        "objectType": "Agent",
        "account": {"homePage": HOME_PAGE, "name": f"credential:{tool.key}"},
    }


def ids_of(response):
    assert response.status_code == 200, response.content[:300]
    return [item["id"] for item in response.json()["statements"]]


def assert_aware_timestamp(value):
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    assert parsed.tzinfo is not None


# --- 1. tincan, a real client, against a live server --------------------------


@pytest.fixture
def lrs(live_server):
    """A tincan RemoteLRS with the credential of a tool of a new structure."""
    tool = make_tool()
    remote = RemoteLRS(
        endpoint=live_server.url + "/xapi/",
        username=tool.key,
        password=tool.secret,
        version="1.0.3",
    )
    return remote, tool


def tincan_statement(verb=COMPLETED, activity="http://example.org/activities/souris", **kwargs):
    return Statement(
        actor=Agent(name="Samir", mbox="mailto:samir@example.org"),
        verb=Verb(id=verb, display=LanguageMap({"fr-FR": "a terminé"})),
        object=Activity(
            id=activity,
            definition=ActivityDefinition(name=LanguageMap({"fr-FR": "La souris"})),
        ),
        **kwargs,
    )


@pytest.mark.django_db(transaction=True)
def test_tincan_saves_retrieves_queries_and_pages_statements(lrs):
    remote, tool = lrs

    about = remote.about()
    assert about.success, about.data
    assert "1.0.3" in about.content.version

    # One statement without id (POST): the server gives the id back. Its
    # duration is written by tincan as PT01H02M03.5S (zero-padded).
    first = tincan_statement(
        result=Result(
            score=Score(scaled=0.8, raw=8, min=0, max=10),
            success=True,
            completion=True,
            duration=timedelta(hours=1, minutes=2, seconds=3.5),
        )
    )
    saved = remote.save_statement(first)
    assert saved.success, saved.data
    assert first.id is not None

    # One with an id: tincan PUTs it with ?statementId=, we answer 204.
    chosen = tincan_statement(verb=ATTEMPTED, activity="http://example.org/activities/clavier")
    chosen.id = str(uuid.uuid4())
    saved = remote.save_statement(chosen)
    assert saved.success, saved.data
    assert saved.response.status == 204

    # A batch: the ids come back in order.
    batch = [
        tincan_statement(activity=f"http://example.org/activities/lecon-{n}") for n in range(4)
    ]
    saved = remote.save_statements(batch)
    assert saved.success, saved.data
    assert all(item.id is not None for item in batch)
    assert len({item.id for item in batch}) == 4
    assert StoredStatement.objects.count() == 6

    # Read one back: it parses, and says what we sent plus what the server set.
    got = remote.retrieve_statement(str(first.id))
    assert got.success, got.data
    assert got.response.getheader("X-Experience-API-Version") == "1.0.3"
    back = got.content
    assert back.id == first.id
    assert back.actor.mbox == "mailto:samir@example.org"
    assert back.verb.id == COMPLETED
    assert back.verb.display["fr-FR"] == "a terminé"
    assert back.object.id == "http://example.org/activities/souris"
    assert back.object.definition.name["fr-FR"] == "La souris"
    assert back.result.score.scaled == 0.8
    assert back.result.score.raw == 8
    assert back.result.success is True
    assert back.result.duration == timedelta(hours=1, minutes=2, seconds=3.5)
    assert back.stored is not None
    assert back.timestamp is not None
    assert back.authority.account.name == f"credential:{tool.key}"
    assert back.authority.account.home_page == HOME_PAGE
    assert back.version == "1.0.3"

    # Query by verb, two at a time, following `more` to the end.
    pages, more = [], None
    answer = remote.query_statements({"verb": Verb(id=COMPLETED), "limit": 2})
    while True:
        assert answer.success, answer.data
        pages.append([item.id for item in answer.content.statements])
        more = answer.content.more
        if not more:
            break
        answer = remote.more_statements(more)
    assert [len(page) for page in pages] == [2, 2, 1]
    completed = {first.id, *(item.id for item in batch)}
    assert {id_ for page in pages for id_ in page} == completed

    # Query by activity.
    answer = remote.query_statements(
        {"activity": Activity(id="http://example.org/activities/clavier")}
    )
    assert answer.success, answer.data
    assert [item.id for item in answer.content.statements] == [chosen.id]

    # Query by agent, oldest first: tincan sends booleans as "True"/"False".
    answer = remote.query_statements(
        {"agent": Agent(mbox="mailto:samir@example.org"), "ascending": True, "limit": 10}
    )
    assert answer.success, answer.data
    found = [item.id for item in answer.content.statements]
    assert found[:2] == [first.id, chosen.id]
    assert len(found) == 6
    stored = [item.stored for item in answer.content.statements]
    assert stored == sorted(stored)

    nobody = remote.query_statements({"agent": Agent(mbox="mailto:nobody@example.org")})
    assert nobody.success, nobody.data
    assert nobody.content.statements == []

    # `since` as tincan documents it: a datetime (it sends str(datetime)).
    answer = remote.query_statements({"since": datetime.now(UTC) - timedelta(hours=1)})
    assert answer.success, answer.data
    assert len(answer.content.statements) == 6
    answer = remote.query_statements({"since": datetime.now(UTC) + timedelta(hours=1)})
    assert answer.success, answer.data
    assert answer.content.statements == []


@pytest.mark.django_db(transaction=True)
def test_tincan_voids_a_statement_which_then_only_comes_back_as_voided(lrs):
    remote, tool = lrs
    target = tincan_statement()
    kept = tincan_statement(activity="http://example.org/activities/clavier")
    assert remote.save_statements([target, kept]).success

    voiding = Statement(
        actor=Agent(account=AgentAccount(home_page="http://example.org", name="formateur")),
        verb=Verb(id=VOIDED, display=LanguageMap({"en-US": "voided"})),
        object=StatementRef(id=target.id),
    )
    saved = remote.save_statement(voiding)
    assert saved.success, saved.data

    gone = remote.retrieve_statement(str(target.id))
    assert not gone.success
    assert gone.response.status == 404
    assert "error" in json.loads(gone.data)

    voided = remote.retrieve_voided_statement(str(target.id))
    assert voided.success, voided.data
    assert voided.content.id == target.id
    assert voided.content.verb.id == COMPLETED

    # Kept and the voiding statement itself are still there.
    assert remote.retrieve_statement(str(kept.id)).success
    again = remote.retrieve_statement(str(voiding.id))
    assert again.success, again.data
    assert again.content.object.id == target.id

    # Queries leave the voided statement out.
    answer = remote.query_statements({"verb": Verb(id=COMPLETED)})
    assert [item.id for item in answer.content.statements] == [kept.id]
    answer = remote.query_statements({"limit": 10})
    assert {item.id for item in answer.content.statements} == {kept.id, voiding.id}
    # A voided statement can be asked for only as voided, and the reverse.
    assert not remote.retrieve_voided_statement(str(kept.id)).success


@pytest.mark.django_db(transaction=True)
def test_tincan_with_a_wrong_secret_gets_401_and_stores_nothing(live_server):
    tool = make_tool()
    remote = RemoteLRS(
        endpoint=live_server.url + "/xapi/",
        username=tool.key,
        password="not the secret",
        version="1.0.3",
    )
    answer = remote.save_statement(tincan_statement())
    assert not answer.success
    assert answer.response.status == 401
    assert "error" in json.loads(answer.data)
    assert StoredStatement.objects.count() == 0


# --- 2. Property tests -----------------------------------------------------------

LANGUAGES = st.sampled_from(["en", "en-US", "fr", "fr-FR", "de-CH", "zh-Hans-CN", "und"])
# Any text PostgreSQL can store in JSON: no NUL, no unpaired surrogate.
TEXT = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=30)
NAME = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), min_size=1, max_size=30)
HOST = st.from_regex(r"[a-z][a-z0-9-]{0,10}\.(org|fr|example)", fullmatch=True)
SEGMENT = st.text("abcdefghijklmnopqrstuvwxyz0123456789-._~éçあ", min_size=1, max_size=12)
HTTP_IRI = st.builds(
    lambda scheme, host, segments: f"{scheme}://{host}/" + "/".join(segments),
    st.sampled_from(["http", "https"]),
    HOST,
    st.lists(SEGMENT, max_size=3),
)
IRI = st.one_of(
    HTTP_IRI,
    SEGMENT.map(lambda segment: f"urn:example:{segment}"),
    st.uuids().map(lambda value: f"urn:uuid:{value}"),
)
UUID = st.uuids().map(str)
LANGUAGE_MAP = st.dictionaries(LANGUAGES, TEXT, min_size=1, max_size=3)
# JSON numbers that every backend gives back as the same Python number.
NUMBER = st.one_of(
    st.integers(-(10**6), 10**6),
    st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False),
)
JSON_VALUE = st.recursive(
    st.one_of(st.none(), st.booleans(), NUMBER, TEXT),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
    max_leaves=6,
)
EXTENSIONS = st.dictionaries(IRI, JSON_VALUE, min_size=1, max_size=2)

AGENT = st.builds(
    lambda ifi, extra: {**extra, **ifi},
    st.one_of(
        st.builds(
            lambda local, host: {"mbox": f"mailto:{local}@{host}"},
            st.from_regex(r"[a-z0-9._+-]{1,12}", fullmatch=True),
            HOST,
        ),
        st.fixed_dictionaries(
            {"account": st.fixed_dictionaries({"homePage": HTTP_IRI, "name": NAME})}
        ),
    ),
    st.fixed_dictionaries({}, optional={"objectType": st.just("Agent"), "name": NAME}),
)
VERB = st.fixed_dictionaries({"id": IRI, "display": LANGUAGE_MAP})
DEFINITION = st.fixed_dictionaries(
    {"name": LANGUAGE_MAP},
    optional={"description": LANGUAGE_MAP, "type": IRI, "moreInfo": HTTP_IRI},
)
ACTIVITY = st.fixed_dictionaries(
    {"id": IRI, "definition": DEFINITION}, optional={"objectType": st.just("Activity")}
)
CONTEXT_ACTIVITY = st.fixed_dictionaries(
    {"id": IRI}, optional={"objectType": st.just("Activity"), "definition": DEFINITION}
)


@st.composite
def scores(draw):
    score = {}
    if draw(st.booleans()):
        score["scaled"] = draw(st.one_of(st.floats(-1, 1), st.sampled_from([-1, 0, 1])))
    low, raw, high = sorted(draw(st.lists(NUMBER, min_size=3, max_size=3)))
    for key, value in (("min", low), ("raw", raw), ("max", high)):
        if draw(st.booleans()):
            score[key] = value
    return score


@st.composite
def durations(draw):
    date = draw(st.sampled_from(["", "1D", "2W", "1Y2M3D", "0D"]))
    parts = []
    for unit, values in (
        ("H", st.integers(0, 99)),
        ("M", st.integers(0, 59)),
        ("S", st.integers(0, 5999).map(lambda c: f"{c // 100}.{c % 100:02d}") | st.integers(0, 59)),
    ):
        value = draw(st.none() | values)
        if value is not None:
            parts.append(f"{value}{unit}")
    if not date and not parts:
        parts = ["0S"]
    return "P" + date + ("T" + "".join(parts) if parts else "")


RESULT = st.fixed_dictionaries(
    {},
    optional={
        "score": scores(),
        "success": st.booleans(),
        "completion": st.booleans(),
        "duration": durations(),
        "response": TEXT,
        "extensions": EXTENSIONS,
    },
)
CONTEXT = st.fixed_dictionaries(
    {},
    optional={
        "registration": UUID,
        "contextActivities": st.fixed_dictionaries(
            {},
            optional={
                kind: st.lists(CONTEXT_ACTIVITY, min_size=1, max_size=2)
                for kind in ("parent", "grouping", "category", "other")
            },
        ),
        "instructor": AGENT,
        "language": LANGUAGES,
        "platform": TEXT,
        "revision": TEXT,
        "extensions": EXTENSIONS,
    },
)
ZONES = st.sampled_from(
    [UTC, timezone(timedelta(hours=2)), timezone(timedelta(hours=-5, minutes=-30))]
)
TIMESTAMP = st.datetimes(
    min_value=datetime(1971, 1, 1), max_value=datetime(2099, 12, 31), timezones=ZONES
).flatmap(
    lambda moment: st.sampled_from([moment.isoformat(), moment.isoformat().replace("+00:00", "Z")])
)
STATEMENT = st.fixed_dictionaries(
    {"actor": AGENT, "verb": VERB, "object": ACTIVITY},
    optional={
        "id": UUID,
        "timestamp": TIMESTAMP,
        "result": RESULT,
        "context": CONTEXT,
        "version": st.sampled_from(["1.0.0", "1.0.3"]),
    },
)

NOT_IRIS = [
    "not an iri",
    "",
    "www.example.org/no-scheme",
    "/relative/path",
    "http://",
    "http:///path",
    "1http://example.org",
    "http://exa mple.org/v",
    "http://example.org/<v>",
    "http://example.org/\x07",
    "http://[oops",
    42,
    None,
]
BAD_UUIDS = [
    "not-a-uuid",
    "1234",
    "3b241101e2bb42558caf4136c566a962",
    "{3b241101-e2bb-4255-8caf-4136c566a962}",
    "urn:uuid:3b241101-e2bb-4255-8caf-4136c566a962",
    "3b241101-e2bb-4255-8caf-4136c566a96",
    "3b241101-e2bb-4255-8caf-4136c566a962\n",
    42,
]
BAD_LANGUAGE_MAPS = [
    {"en_US": "x"},
    {"": "x"},
    {"en US": "x"},
    {"toolongtag9": "x"},
    {"en-": "x"},
    {"-en": "x"},
    {"en\n": "x"},
    {"en": 5},
    "completed",
]
# Each mutation makes any valid statement of STATEMENT invalid:
# ("remove", path) or ("set", path, value); missing parents are created.
MUTATIONS = [
    ("remove", ("actor",)),
    ("remove", ("verb",)),
    ("remove", ("object",)),
    ("remove", ("verb", "id")),
    ("remove", ("object", "id")),
    *(
        ("set", path, value)
        for path, values in [
            (("actor",), ["me", 1, [], None, True]),
            (("verb",), ["completed", 3, [COMPLETED], {"id": VOIDED}]),
            (
                ("object",),
                ["http://example.org/a", 1.5, [], {"objectType": "Activityy", "id": "urn:x:y"}],
            ),
            (
                ("actor",),
                [
                    {"mbox": "samir@example.org"},
                    {"mbox": "mailto:samir@example.org\n"},
                    {"mbox_sha1sum": "a" * 40 + "\n"},
                    {"name": "Samir"},
                    {"account": {"name": "samir"}},
                    {"mbox": "mailto:a@example.org", "openid": "http://example.org/me"},
                    {"objectType": "Person", "mbox": "mailto:a@example.org"},
                    {"objectType": "Group"},
                ],
            ),
            (("verb", "id"), NOT_IRIS),
            (("object", "id"), NOT_IRIS),
            (("id",), BAD_UUIDS),
            (("context", "registration"), BAD_UUIDS),
            (("result", "score", "scaled"), [2.5, -1.01, 1.000001, "0.5", True]),
            (
                ("result", "score"),
                [
                    {"raw": 11, "min": 0, "max": 10},
                    {"raw": -0.5, "min": 0},
                    {"raw": 100, "max": 99.5},
                    {"min": 5, "max": 1},
                    {"raw": "5"},
                    {"raw": 5, "best": 10},
                ],
            ),
            (
                ("timestamp",),
                [
                    "2024-05-01T10:00:00",
                    "2024-05-01",
                    "yesterday",
                    "2024-13-01T00:00:00Z",
                    "2024-05-01T10:00:00+25:00",
                    "",
                    1714557600,
                ],
            ),
            (
                ("result", "duration"),
                ["1H", "PT", "P", "PT1.5", "P1H", "PTH", "1 hour", "PT-1S", "", "PT1S\n", 5],
            ),
            (("verb", "display"), BAD_LANGUAGE_MAPS),
            (("object", "definition", "name"), BAD_LANGUAGE_MAPS),
            (("result", "success"), ["true", 1, None]),
            (("result", "completion"), ["false", 0]),
            (("version",), ["2.0.0", "0.95", 1.0, "1.0.0\n"]),
            (("foo",), [1, "bar"]),
            (("Actor",), [{"mbox": "mailto:a@example.org"}]),
            (("objectType",), ["Statement"]),
            (("attachments",), [[]]),
            (("stored",), ["not a date"]),
            (("authority",), ["me"]),
            (("result",), ["passed", []]),
            (("context",), [[], "ctx"]),
            (("context", "contextActivities"), [{"parents": []}, {"parent": COMPLETED}]),
            (("context", "team"), [{"mbox": "mailto:team@example.org"}]),
            (("context", "language"), ["fr_FR", "fr\n"]),
            (("object", "definition", "interactionType"), ["multiple-choice"]),
            (("object", "definition", "bogus"), [1]),
        ]
        for value in values
    ),
]


def mutate(valid, mutation):
    broken = copy.deepcopy(valid)
    *parents, last = mutation[1]
    target = broken
    for key in parents:
        if not isinstance(target.get(key), dict):
            target[key] = {}
        target = target[key]
    if mutation[0] == "remove":
        del target[last]
    else:
        target[last] = mutation[2]
    return broken


PROPERTY_SETTINGS = hypothesis_settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.mark.django_db
@PROPERTY_SETTINGS
@given(sent=STATEMENT, use_put=st.booleans())
def test_valid_statements_are_stored_and_come_back_as_sent_plus_server_fields(tool, sent, use_put):
    client = Client()
    with transaction.atomic():
        if use_put and "id" in sent:
            response = put(client, sent, tool.auth, sent["id"])
            assert response.status_code == 204, response.content
            statement_id = sent["id"]
        else:
            response = post(client, sent, tool.auth)
            assert response.status_code == 200, response.content
            [statement_id] = response.json()
        assert response["X-Experience-API-Version"] == "1.0.3"
        assert StoredStatement.objects.count() == 1
        if "id" in sent:
            assert statement_id == sent["id"]
        uuid.UUID(statement_id)

        got = get(client, tool.auth, statementId=statement_id)
        assert got.status_code == 200, got.content
        back = got.json()
        transaction.set_rollback(True)

    assert_aware_timestamp(back.pop("stored"))
    assert back.pop("authority") == authority_of(tool)
    expected = {"id": statement_id, "version": "1.0.0", **sent}
    if "timestamp" not in sent:
        assert_aware_timestamp(back["timestamp"])
        expected["timestamp"] = back["timestamp"]
    assert back == expected


@pytest.mark.django_db
@PROPERTY_SETTINGS
@given(
    valid=STATEMENT,
    mutation=st.sampled_from(MUTATIONS),
    neighbours=st.lists(STATEMENT, max_size=2),
    position=st.integers(0, 2),
    as_batch=st.booleans(),
)
def test_broken_statements_are_refused_with_a_json_error_and_nothing_stored(
    tool, valid, mutation, neighbours, position, as_batch
):
    broken = mutate(valid, mutation)
    client = Client()
    with transaction.atomic():
        before = StoredStatement.objects.count()
        if as_batch:
            batch = list(neighbours)
            batch.insert(min(position, len(batch)), broken)
            response = post(client, batch, tool.auth)
        else:
            response = post(client, broken, tool.auth)
        assert_error(response, 400)
        assert StoredStatement.objects.count() == before
        transaction.set_rollback(True)


RICH_STATEMENT = statement(
    id="8f2b6c1e-3d4a-4b5c-9e6f-7a8b9c0d1e2f",
    timestamp="2026-05-04T10:11:12.5+02:00",
    result={
        "score": {"scaled": 0.5, "raw": 5, "min": 0, "max": 10},
        "success": True,
        "completion": True,
        "duration": "PT1H2M3S",
        "response": "gauche",
    },
    context={
        "registration": "0b3c1f5e-2a4d-4c6b-8e9f-1a2b3c4d5e6f",
        "contextActivities": {"parent": [{"id": "http://example.org/activities/module"}]},
        "language": "fr-FR",
    },
)


@pytest.mark.django_db
def test_the_rich_statement_used_below_is_valid(client, tool):
    assert post(client, RICH_STATEMENT, tool.auth).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("mutation", MUTATIONS, ids=repr)
def test_every_mutation_breaks_a_valid_statement(client, tool, mutation):
    assert_error(post(client, mutate(RICH_STATEMENT, mutation), tool.auth), 400)
    assert StoredStatement.objects.count() == 0


# --- 3. Bad input matrix ------------------------------------------------------------


def nested(depth):
    return "[" * depth + "]" * depth


def with_raw_score(raw):
    text = json.dumps(statement(result={"score": {"raw": 1}}))
    return text.replace('"raw": 1', f'"raw": {raw}')


BAD_BODIES = {
    "malformed JSON": ('{"actor": {"mbox": ', "application/json"),
    "truncated array": ("[", "application/json"),
    "not UTF-8": (b'{"actor": "\xff\xfe"}', "application/json"),
    "a JSON string": ('"I did it"', "application/json"),
    "a JSON number": ("42", "application/json"),
    "JSON null": ("null", "application/json"),
    "JSON true": ("true", "application/json"),
    "an empty batch": ("[]", "application/json"),
    "a batch of numbers": ("[1, 2]", "application/json"),
    "a batch of batches": (json.dumps([[statement()]]), "application/json"),
    "an empty body": ("", "application/json"),
    "text/plain": (json.dumps(statement()), "text/plain"),
    "a form": ("actor=me&verb=did", "application/x-www-form-urlencoded"),
    "NaN": (with_raw_score("NaN"), "application/json"),
    "Infinity": (with_raw_score("Infinity"), "application/json"),
    "-Infinity": (with_raw_score("-Infinity"), "application/json"),
    "a number too big for a float": (with_raw_score("1e400"), "application/json"),
    "a NUL character": (
        json.dumps(statement() | {"verb": {"id": COMPLETED, "display": {"fr": "a\u0000b"}}}),
        "application/json",
    ),
    "a NUL character in an extension": (
        json.dumps(statement(result={"extensions": {"http://example.org/x": {"k": "\u0000"}}})),
        "application/json",
    ),
    "a NUL character in a key": (
        json.dumps(statement(result={"extensions": {"http://example.org/x": {"\u0000": 1}}})),
        "application/json",
    ),
    "a NUL character in an account name": (
        json.dumps(
            statement() | {"actor": {"account": {"homePage": HOME_PAGE, "name": "a\u0000"}}}
        ),
        "application/json",
    ),
    "an unpaired surrogate": (
        json.dumps(statement(), ensure_ascii=False).replace("a terminé", "\\ud800"),
        "application/json",
    ),
    "a deeply nested body": (nested(100_000), "application/json"),
    "a deeply nested extension": (
        json.dumps(statement(result={"extensions": {"http://example.org/x": "DEEP"}})).replace(
            '"DEEP"', nested(900)
        ),
        "application/json",
    ),
    "an IRI Python cannot split (IPv6)": (
        json.dumps(statement(verb="http://[oops")),
        "application/json",
    ),
    "an IRI Python cannot split (NFKC)": (
        json.dumps(statement(activity="http://example.org\uff03x@y/a")),
        "application/json",
    ),
    "a verb id with a space": (
        json.dumps(statement(verb="http://example.org/a verb")),
        "application/json",
    ),
    "a relative verb id": (json.dumps(statement(verb="completed")), "application/json"),
    "an activity id without host": (
        json.dumps(statement(activity="https:///x")),
        "application/json",
    ),
    "an extension key that is not an IRI": (
        json.dumps(statement(result={"extensions": {"temps passé": 3}})),
        "application/json",
    ),
    "a timestamp before year 1 in UTC": (
        json.dumps(statement(timestamp="0001-01-01T00:00:00+01:00")),
        "application/json",
    ),
    "a timestamp after year 9999 in UTC": (
        json.dumps(statement(timestamp="9999-12-31T23:59:59-01:00")),
        "application/json",
    ),
    "a voiding statement about an activity": (
        json.dumps(statement(verb=VOIDED)),
        "application/json",
    ),
    "a SubStatement in a SubStatement": (
        json.dumps(
            statement()
            | {
                "object": {
                    "objectType": "SubStatement",
                    **statement(),
                    "object": {"objectType": "SubStatement", **statement()},
                }
            }
        ),
        "application/json",
    ),
}


@pytest.mark.django_db
@pytest.mark.parametrize("body, content_type", BAD_BODIES.values(), ids=BAD_BODIES.keys())
def test_bad_bodies_are_refused_with_400_and_nothing_stored(client, tool, body, content_type):
    assert_error(post(client, body, tool.auth, content_type=content_type), 400)
    assert StoredStatement.objects.count() == 0


@pytest.mark.django_db
def test_a_body_over_one_megabyte_is_refused_with_a_json_400(client, tool):
    padding = "x" * 1_100_000
    big = statement(result={"response": padding})
    assert_error(post(client, big, tool.auth), 400)
    # Beyond Django's own limit (2.5 MB) too: still our JSON error.
    huge = statement(result={"response": padding * 3})
    assert_error(post(client, huge, tool.auth), 400)
    assert StoredStatement.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    "headers",
    [{}, {"HTTP_X_EXPERIENCE_API_VERSION": "0.95"}, {"HTTP_X_EXPERIENCE_API_VERSION": "2.0.0"}],
    ids=["missing", "0.95", "2.0.0"],
)
def test_a_missing_or_unsupported_version_header_is_refused(client, tool, headers):
    assert_error(post(client, statement(), tool.auth, headers=headers), 400)
    assert_error(client.get(URL, **headers, **tool.auth), 400)
    assert StoredStatement.objects.count() == 0


@pytest.mark.django_db
def test_version_header_is_sent_back_and_about_lists_our_versions(client, tool):
    answer = client.get("/xapi/about")
    assert answer.status_code == 200
    assert "1.0.3" in answer.json()["version"]
    answer = get(client, tool.auth)
    assert answer.status_code == 200
    assert answer["X-Experience-API-Version"] == "1.0.3"
    assert_aware_timestamp(answer["X-Experience-API-Consistent-Through"])


@pytest.mark.django_db
def test_a_batch_whose_third_statement_is_invalid_stores_none_of_them(client, tool):
    batch = [statement(id=str(uuid.uuid4())) for _ in range(5)]
    batch[2]["verb"]["id"] = "not an iri"
    answer = post(client, batch, tool.auth)
    assert_error(answer, 400)
    assert "verb.id" in answer.json()["error"]
    assert StoredStatement.objects.count() == 0
    for item in batch:
        assert get(client, tool.auth, statementId=item["id"]).status_code == 404


@pytest.mark.django_db
def test_duplicate_ids_in_one_batch_store_nothing(client, tool):
    same = str(uuid.uuid4())
    batch = [statement(id=same), statement(id=str(uuid.uuid4())), statement(id=same.upper())]
    assert_error(post(client, batch, tool.auth), 400)
    assert StoredStatement.objects.count() == 0


@pytest.mark.django_db
def test_put_needs_a_statement_id_matching_the_body(client, tool):
    body = statement(id=str(uuid.uuid4()))
    assert_error(put(client, body, tool.auth), 400)
    assert_error(put(client, body, tool.auth, "not-a-uuid"), 400)
    assert_error(put(client, body, tool.auth, str(uuid.uuid4())), 400)
    assert_error(put(client, [body], tool.auth, body["id"]), 400)
    assert StoredStatement.objects.count() == 0
    answer = put(client, body, tool.auth, body["id"].upper())
    assert answer.status_code == 204
    assert StoredStatement.objects.get().statement_id == uuid.UUID(body["id"])


@pytest.mark.django_db
def test_other_methods_are_refused_with_405(client, tool):
    assert_error(client.delete(URL, **VERSION, **tool.auth), 405)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "auth",
    [
        {},
        {"HTTP_AUTHORIZATION": "Basic ###"},
        {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(b"\xff\xfe:x").decode()},
        {"HTTP_AUTHORIZATION": "Bearer abc"},
        "wrong secret",
        "unknown key",
        "inactive credential",
    ],
    ids=["none", "bad base64", "not UTF-8", "bearer", "wrong secret", "unknown key", "inactive"],
)
def test_bad_or_missing_credentials_get_401(client, tool, auth):
    if auth == "wrong secret":
        auth = basic(tool.key, "not the secret")
    elif auth == "unknown key":
        auth = basic("nobody", tool.secret)
    elif auth == "inactive credential":
        inactive = make_tool(active=False)
        auth = inactive.auth
    assert_error(post(client, statement(), auth), 401)
    assert_error(put(client, statement(), auth, str(uuid.uuid4())), 401)
    assert_error(get(client, auth), 401)
    assert StoredStatement.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    "params",
    [
        {"since": "2024-02-30T00:00:00Z"},
        {"until": "2024-13-01T00:00:00Z"},
        {"since": "yesterday"},
        {"since": "2024-05-01T10:00:00"},
        {"since": "9999-12-31T23:59:59-01:00"},
        {"offset": "-1"},
        {"limit": "-1"},
        {"limit": "ten"},
        {"limit": "9" * 5000},
        {"ascending": "maybe"},
        {"format": "xml"},
        {"colour": "blue"},
        {"agent": "{not json"},
        {"agent": '{"mbox": "samir@example.org"}'},
        {"agent": "[]"},
        {"verb": "completed"},
        {"activity": "http://[oops"},
        {"registration": "not-a-uuid"},
        {"statementId": "not-a-uuid"},
        {"statementId": str(uuid.uuid4()), "verb": COMPLETED},
    ],
    ids=lambda params: "&".join(f"{key}={value[:40]}" for key, value in params.items()),
)
def test_bad_queries_are_refused_with_400(client, tool, params):
    post(client, statement(), tool.auth)
    assert_error(get(client, tool.auth, **params), 400)


@pytest.mark.django_db
def test_a_huge_offset_just_finds_nothing(client, tool):
    post(client, statement(), tool.auth)
    for offset in (str(10**9), "9" * 30):
        assert ids_of(get(client, tool.auth, offset=offset)) == []


# --- Signed-in learners: session, CSRF and actor ----------------------------------


@pytest.mark.django_db
def test_a_session_post_needs_the_csrf_token_and_stores_the_learners_public_id():
    pupil, _pictures = learner()
    client = Client(enforce_csrf_checks=True)
    assert client.get("/connexion/").status_code == 200
    token = client.cookies["csrftoken"].value
    client.force_login(pupil.user)

    sent = statement(actor={"mbox": "mailto:someone@example.org"})
    refused = post(client, sent, {})
    assert_error(refused, 403)
    assert_error(put(client, sent, {}, str(uuid.uuid4())), 403)
    assert StoredStatement.objects.count() == 0

    accepted = post(client, sent, {"HTTP_X_CSRFTOKEN": token})
    assert accepted.status_code == 200, accepted.content
    row = StoredStatement.objects.get()
    assert row.learner == pupil.user
    assert row.data["actor"] == agent_of(pupil.user)
    as_text = json.dumps(row.data)
    assert pupil.code.code not in as_text
    assert pupil.user.username not in as_text
    assert "someone@example.org" not in as_text

    # Reads need no token; the learner reads their statement back.
    [statement_id] = accepted.json()
    answer = get(client, {}, statementId=statement_id)
    assert answer.status_code == 200
    assert answer.json()["actor"] == agent_of(pupil.user)


@pytest.mark.django_db
def test_a_learner_cannot_post_as_another_learner(client):
    pupil, _ = learner()
    other, _ = learner(structure=pupil.structure)
    client.force_login(pupil.user)
    impostor = statement(actor=agent_of(other.user))
    assert_error(post(client, impostor, {}), 403)
    # Not even hidden in a batch.
    assert_error(post(client, [statement(), impostor], {}), 403)
    assert StoredStatement.objects.count() == 0
    # Naming oneself is fine.
    assert post(client, statement(actor=agent_of(pupil.user)), {}).status_code == 200


@pytest.mark.django_db
def test_basic_credentials_win_over_a_session(client, tool):
    pupil, _ = learner()
    client.force_login(pupil.user)
    answer = post(client, statement(), tool.auth)
    assert answer.status_code == 200
    row = StoredStatement.objects.get()
    assert row.learner is None
    assert row.credential == tool.credential
    assert row.data["actor"]["mbox"] == "mailto:samir@example.org"


# --- 4. Same id, and who sees what ---------------------------------------------------


@pytest.mark.django_db
def test_the_same_statement_sent_twice_is_stored_once(client, tool):
    sent = statement(id=str(uuid.uuid4()), result={"success": True})
    assert put(client, sent, tool.auth, sent["id"]).status_code == 204
    assert put(client, sent, tool.auth, sent["id"]).status_code == 204
    answer = post(client, sent, tool.auth)
    assert answer.status_code == 200
    assert answer.json() == [sent["id"]]
    answer = post(client, [sent, statement()], tool.auth)
    assert answer.status_code == 200
    assert answer.json()[0] == sent["id"]
    assert StoredStatement.objects.filter(statement_id=sent["id"]).count() == 1
    assert StoredStatement.objects.count() == 2


@pytest.mark.django_db
def test_the_same_id_with_other_content_is_a_409_and_changes_nothing(client, tool):
    sent = statement(id=str(uuid.uuid4()), result={"success": True})
    assert post(client, sent, tool.auth).status_code == 200
    changed = copy.deepcopy(sent)
    changed["result"]["success"] = False
    assert_error(put(client, changed, tool.auth, sent["id"]), 409)
    assert_error(post(client, changed, tool.auth), 409)
    # In a batch, the conflict stops the whole batch.
    assert_error(post(client, [statement(), changed], tool.auth), 409)
    assert StoredStatement.objects.count() == 1
    answer = get(client, tool.auth, statementId=sent["id"])
    assert answer.json()["result"] == {"success": True}


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite serialises writers")
def test_the_same_id_sent_at_once_by_several_clients_is_stored_once(live_server):
    """A client retrying while its first request is still running, two tabs..."""
    tool = make_tool()
    host, port = live_server.thread.host, live_server.thread.port
    headers = {
        "Authorization": tool.auth["HTTP_AUTHORIZATION"],
        "X-Experience-API-Version": "1.0.3",
        "Content-Type": "application/json",
    }

    def send_at_once(bodies):
        start, statuses = threading.Barrier(len(bodies)), []

        def send(body):
            client = http.client.HTTPConnection(host, port, timeout=30)
            start.wait(timeout=10)
            client.request("POST", URL, body=json.dumps(body), headers=headers)
            statuses.append(client.getresponse().status)
            client.close()

        threads = [threading.Thread(target=send, args=(body,)) for body in bodies]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        return sorted(statuses)

    for _round in range(3):
        same = statement(id=str(uuid.uuid4()))
        assert send_at_once([same] * 4) == [200] * 4
        assert StoredStatement.objects.filter(statement_id=same["id"]).count() == 1

    # Different content under one new id: one is stored, the others are conflicts.
    contested = str(uuid.uuid4())
    bodies = [statement(id=contested, result={"response": str(n)}) for n in range(4)]
    assert send_at_once(bodies) == [200, 409, 409, 409]
    assert StoredStatement.objects.filter(statement_id=contested).count() == 1


@pytest.fixture
def two_structures(db):
    """Learners and tools of two structures, each learner with one statement."""
    first, second = StructureFactory(), StructureFactory()
    anna, _ = learner(structure=first, first_name="Anna")
    bruno, _ = learner(structure=second, first_name="Bruno")
    ids = {}
    for person in (anna, bruno):
        browser = Client()
        browser.force_login(person.user)
        answer = post(browser, statement(), {})
        assert answer.status_code == 200
        [ids[person.first_name]] = answer.json()
    return {
        "anna": anna,
        "bruno": bruno,
        "tool_a": make_tool(first),
        "other_tool_a": make_tool(first),
        "tool_b": make_tool(second),
        "ids": ids,
    }


@pytest.mark.django_db
def test_a_credential_sees_its_structures_learners_and_its_own_statements_only(
    client, two_structures
):
    world = two_structures
    anna_id, bruno_id = world["ids"]["Anna"], world["ids"]["Bruno"]
    tool_a, other_tool_a = world["tool_a"], world["other_tool_a"]
    [posted_by_a] = post(client, statement(), tool_a.auth).json()
    [posted_by_b] = post(client, statement(), world["tool_b"].auth).json()

    assert set(ids_of(get(client, tool_a.auth))) == {anna_id, posted_by_a}
    assert get(client, tool_a.auth, statementId=anna_id).status_code == 200
    assert_error(get(client, tool_a.auth, statementId=bruno_id), 404)
    assert_error(get(client, tool_a.auth, statementId=posted_by_b), 404)
    # Filters do not widen what one sees.
    bruno_agent = json.dumps(agent_of(world["bruno"].user))
    assert ids_of(get(client, tool_a.auth, agent=bruno_agent)) == []

    # Another tool of the same structure sees the learners, not the first tool's posts.
    assert set(ids_of(get(client, other_tool_a.auth))) == {anna_id}
    assert set(ids_of(get(client, world["tool_b"].auth))) == {bruno_id, posted_by_b}


@pytest.mark.django_db
def test_a_learner_sees_only_their_own_statements(client, two_structures):
    world = two_structures
    anna_id, bruno_id = world["ids"]["Anna"], world["ids"]["Bruno"]
    neighbour, _ = learner(structure=world["anna"].structure, first_name="Chloé")
    post(client, statement(), world["tool_a"].auth)

    client.force_login(world["anna"].user)
    assert ids_of(get(client, {})) == [anna_id]
    assert_error(get(client, {}, statementId=bruno_id), 404)
    client.force_login(neighbour.user)
    assert ids_of(get(client, {})) == []
    assert_error(get(client, {}, statementId=anna_id), 404)


@pytest.mark.django_db
def test_a_credential_cannot_void_another_structures_statement(client, two_structures):
    world = two_structures
    bruno_id = world["ids"]["Bruno"]
    voiding = statement(verb=VOIDED) | {"object": {"objectType": "StatementRef", "id": bruno_id}}
    answer = post(client, voiding, world["tool_a"].auth)
    assert answer.status_code == 200  # a target one cannot see is as good as absent
    assert StoredStatement.objects.get(statement_id=bruno_id).voided is False
    assert get(client, world["tool_b"].auth, statementId=bruno_id).status_code == 200

    # Its own structure's tool can.
    answer = post(client, voiding, world["tool_b"].auth)
    assert answer.status_code == 200
    assert_error(get(client, world["tool_b"].auth, statementId=bruno_id), 404)
    assert get(client, world["tool_b"].auth, voidedStatementId=bruno_id).status_code == 200


@pytest.mark.django_db
def test_a_voiding_statement_cannot_be_voided(client, tool):
    [target] = post(client, statement(), tool.auth).json()
    voiding = statement(verb=VOIDED) | {"object": {"objectType": "StatementRef", "id": target}}
    [voiding_id] = post(client, voiding, tool.auth).json()
    again = statement(verb=VOIDED) | {"object": {"objectType": "StatementRef", "id": voiding_id}}
    assert_error(post(client, again, tool.auth), 400)
    assert StoredStatement.objects.count() == 2


@pytest.mark.django_db
def test_queries_filter_page_and_format(client, tool):
    registration = str(uuid.uuid4())
    first = post(client, statement(context={"registration": registration}), tool.auth).json()
    others = post(client, [statement(verb=ATTEMPTED) for _ in range(3)], tool.auth).json()

    assert ids_of(get(client, tool.auth, registration=registration)) == first
    assert set(ids_of(get(client, tool.auth, verb=ATTEMPTED))) == set(others)

    page = get(client, tool.auth, limit="2", ascending="true")
    assert ids_of(page) == [*first, others[0]]
    more = page.json()["more"]
    assert more.startswith(URL)
    rest = client.get(more, **VERSION, **tool.auth)
    assert ids_of(rest) == others[1:]
    assert rest.json()["more"] == ""

    reduced = get(client, tool.auth, statementId=first[0], format="ids").json()
    assert reduced["object"] == {
        "objectType": "Activity",
        "id": "http://example.org/activities/souris",
    }
    assert reduced["actor"] == {"objectType": "Agent", "mbox": "mailto:samir@example.org"}

    stored = StoredStatement.objects.get(statement_id=first[0]).stored
    assert ids_of(get(client, tool.auth, until=stored.isoformat(), verb=COMPLETED)) == first
    assert ids_of(get(client, tool.auth, since=stored.isoformat(), verb=COMPLETED)) == []
