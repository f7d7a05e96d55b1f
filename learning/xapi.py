"""Our own xAPI statements, built with tincan (the only module that builds them).

Activity IRIs live under the site's address; verbs are ADL's.
"""

import copy
import http.client
import json
import logging
import uuid
from urllib.parse import urlencode, urlsplit

import tincan
from django.conf import settings
from tincan import (
    Activity,
    ActivityDefinition,
    Agent,
    AgentAccount,
    Context,
    ContextActivities,
    LanguageMap,
    Result,
    Score,
    Statement,
    Verb,
)

from .lrs import site_home_page

logger = logging.getLogger(__name__)
REMOTE_TIMEOUT = 10  # seconds, for the connection and for each read and write on it

ADL = "http://adlnet.gov/expapi/verbs/"
VERBS = {
    "attempted": {"fr-FR": "a commencé", "en-US": "attempted"},
    "answered": {"fr-FR": "a répondu", "en-US": "answered"},
    "completed": {"fr-FR": "a terminé", "en-US": "completed"},
}
ACTIVITY_TYPES = {
    "lesson": "http://adlnet.gov/expapi/activities/lesson",
    "module": "http://adlnet.gov/expapi/activities/module",
    "exercise": "http://adlnet.gov/expapi/activities/cmi.interaction",
}


def activity_iri(kind, key):
    return f"{site_home_page()}/xapi/activities/{kind}/{key}"


def _activity(kind, key, title):
    return Activity(
        id=activity_iri(kind, key),
        definition=ActivityDefinition(
            name=LanguageMap({"fr-FR": title or key}), type=ACTIVITY_TYPES[kind]
        ),
    )


def _statement(user, verb, target, **extra):
    actor = Agent(account=AgentAccount(home_page=site_home_page(), name=str(user.public_id)))
    verb_value = Verb(id=ADL + verb, display=LanguageMap(VERBS[verb]))
    statement = Statement(actor=actor, verb=verb_value, object=target, **extra)
    data = json.loads(statement.to_json())
    data.pop("version", None)  # the store sets it
    return data


def lesson_started(*, user, lesson):
    return _statement(user, "attempted", _activity("lesson", lesson.stable_key, lesson.title))


def lesson_completed(*, user, lesson):
    return _statement(
        user,
        "completed",
        _activity("lesson", lesson.stable_key, lesson.title),
        result=Result(completion=True),
    )


def module_completed(*, user, module):
    return _statement(
        user,
        "completed",
        _activity("module", module.stable_key, module.title),
        result=Result(completion=True),
    )


def exercise_answered(*, user, lesson, exercise, grade, response):
    name = exercise.value.get("question") or exercise.value.get("instruction") or ""
    target = _activity("exercise", exercise.id, name)
    return _statement(
        user,
        "answered",
        target,
        result=Result(
            success=grade.passed,
            score=Score(scaled=round(grade.score, 4)),
            response=response,
        ),
        # A child of the lesson: not top-level, so it never moves progress twice.
        context=Context(
            context_activities=ContextActivities(
                parent=[Activity(id=activity_iri("lesson", lesson.stable_key))]
            )
        ),
    )


# --- Sending to an external LRS (used by learning.forwarding) -------------------


class _RemoteLRS(tincan.RemoteLRS):
    """tincan's RemoteLRS, with timeouts.

    tincan 1.0.0 opens its http.client connections with no timeout, so a remote
    that accepts the connection and never answers would hang the worker forever.
    socket.setdefaulttimeout() would fix that, but for the whole process (every
    thread, every library), so this repeats tincan's `_send_request` with a
    timeout on the connection instead. The timeout applies to the connection and
    to each read or write, not to the whole exchange: a remote that trickles its
    answer byte by byte can take longer, which the outbox lease (LEASE) covers.
    Also fixed on the way: tincan joins a query string to the path with no "&",
    and sends a str body as Latin-1.
    """

    def _send_request(self, request):
        headers = {"X-Experience-API-Version": self.version}
        if self.auth is not None:
            headers["Authorization"] = self.auth
        headers.update(request.headers)
        resource = request.resource
        url = resource if resource.startswith("http") else self.endpoint + resource
        parsed = urlsplit(url)
        query = "&".join(
            part
            for part in (
                parsed.query,
                urlencode({key: str(value) for key, value in request.query_params.items()}),
            )
            if part
        )
        path = parsed.path + (f"?{query}" if query else "")
        body = request.content
        if isinstance(body, str):
            body = body.encode("utf-8")
        connection_class = (
            http.client.HTTPSConnection if parsed.scheme == "https" else http.client.HTTPConnection
        )
        connection = connection_class(parsed.hostname, parsed.port, timeout=REMOTE_TIMEOUT)
        try:
            connection.request(request.method, path, body=body, headers=headers)
            response = connection.getresponse()
            data = response.read()
        finally:
            connection.close()
        success = 200 <= response.status < 300 or (
            response.status == 404 and bool(request.ignore404)
        )
        return tincan.LRSResponse(success=success, request=request, response=response, data=data)


def remote_lrs():
    return _RemoteLRS(
        endpoint=settings.PASAPAS_XAPI_FORWARD_ENDPOINT,
        username=settings.PASAPAS_XAPI_FORWARD_USERNAME,
        password=settings.PASAPAS_XAPI_FORWARD_PASSWORD,
        version="1.0.3",
    )


class _Verbatim(tincan.Statement):
    """A statement tincan cannot model (e.g. a SubStatement with a result), sent as stored."""

    _props = [*tincan.Statement._props, "stored_json"]

    def __init__(self, data):
        super().__init__(id=uuid.UUID(data["id"]))
        self.stored_json = data

    def as_version(self, version=tincan.Version.latest):
        return copy.deepcopy(self.stored_json)


def to_tincan(data):
    """The tincan Statement for a statement as we stored it (JSON), as faithful as can be.

    tincan parses durations and dates and writes them back its own way ("PT0.5S"
    becomes "PT00.5S", "P1Y" becomes "P365D…"), and refuses UUIDs of version 6–8
    given as strings (it takes any uuid.UUID): it gets UUID objects, and the
    durations and dates are put back as stored. What tincan cannot model at all
    goes verbatim. Adding the default objectType ("Agent", "Activity") is the only
    change left; xAPI says the two forms are the same statement.
    """
    raw = copy.deepcopy(data)  # tincan's setters pop keys from the dicts they get
    try:
        kept = _prepare_for_tincan(raw)
        statement = tincan.Statement(raw)
        for path, value in kept:
            target = statement
            for name in path[:-1]:
                target = getattr(target, name)
            setattr(target, f"_{path[-1]}", value)
        return statement
    except Exception as error:  # tincan's setters raise whatever they meet
        logger.info("xAPI forwarding: statement %s sent verbatim (%s)", data.get("id"), error)
        return _Verbatim(data)


def _prepare_for_tincan(statement, path=()):
    """Turn UUID strings into UUIDs and take out durations and dates.

    Returns [(attribute path, stored string)] to put back once tincan is done.
    """
    kept = []
    if isinstance(statement.get("id"), str) and not path:
        statement["id"] = uuid.UUID(statement["id"])
    for key in ("timestamp", "stored"):
        if key in statement:
            kept.append(((*path, key), statement.pop(key)))
    result = statement.get("result")
    if isinstance(result, dict) and "duration" in result:
        kept.append(((*path, "result", "duration"), result.pop("duration")))
    context = statement.get("context")
    if isinstance(context, dict):
        if isinstance(context.get("registration"), str):
            context["registration"] = uuid.UUID(context["registration"])
        reference = context.get("statement")
        if isinstance(reference, dict) and isinstance(reference.get("id"), str):
            reference["id"] = uuid.UUID(reference["id"])
    target = statement.get("object")
    if isinstance(target, dict):
        kind = target.get("objectType")
        if kind == "StatementRef" and isinstance(target.get("id"), str):
            target["id"] = uuid.UUID(target["id"])
        elif kind == "SubStatement" and not path:
            kept.extend(_prepare_for_tincan(target, ("object",)))
    return kept
