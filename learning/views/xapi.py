"""The xAPI 1.0.3 statement resource at /xapi/statements, and /xapi/about.

Browsers authenticate with their session (and CSRF); external tools with HTTP
Basic credentials created by an admin. Every error is a JSON body with a 4xx
status; nothing is half-stored.
"""

import base64
import binascii
import json
import math
import re
from urllib.parse import urlencode

from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponse, JsonResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from cms.cache import private_no_store

from .. import lrs
from ..models import XapiCredential
from ..xapi_validation import StatementError, actor_key, agent, iri, timestamp, uuid_string

MAX_BODY_BYTES = 1_000_000
MAX_LIMIT = 500
MAX_DEPTH = 100  # JSON nesting; deeper bodies would overflow the encoder when stored
UNPAIRED_SURROGATE = re.compile(r"[\ud800-\udfff]")


def _response(response):
    response["X-Experience-API-Version"] = lrs.VERSION
    return private_no_store(response)


def _error(status, message):
    return _response(JsonResponse({"error": message}, status=status))


def _sender(request):
    """(Sender, None) or (None, error response)."""
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if header.startswith("Basic "):
        try:
            key, _, secret = base64.b64decode(header[6:]).decode("utf-8").partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return None, _error(401, "malformed Basic credentials")
        credential = XapiCredential.objects.filter(key=key, active=True).first()
        if credential is None or not credential.check_secret(secret):
            return None, _error(401, "unknown credentials")
        return lrs.Sender(credential=credential), None
    if request.user.is_authenticated:
        if request.method != "GET":
            failure = CsrfViewMiddleware(lambda r: None).process_view(request, None, (), {})
            if failure is not None:
                return None, _error(403, "CSRF check failed")
        return lrs.Sender(user=request.user), None
    return None, _error(401, "authentication required")


def _finite_float(text):
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"number out of range: {text}")
    return value


def _refuse_constant(name):
    raise ValueError(f"{name} is not JSON")


def _parse_body(raw):
    """Strict JSON that the database can store, or ValueError.

    Python's json accepts NaN and Infinity and reads 1e400 as infinity; no JSON
    column stores them. PostgreSQL stores no NUL character nor unpaired surrogate.
    """
    try:
        body = json.loads(raw, parse_float=_finite_float, parse_constant=_refuse_constant)
    except RecursionError:
        raise ValueError("nested too deeply") from None
    stack = [(body, 0)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise ValueError("nested too deeply")
        if isinstance(value, dict):
            stack.extend((item, depth + 1) for pair in value.items() for item in pair)
        elif isinstance(value, list):
            stack.extend((item, depth + 1) for item in value)
        elif isinstance(value, str) and ("\x00" in value or UNPAIRED_SURROGATE.search(value)):
            raise ValueError("strings must not hold NUL characters or unpaired surrogates")
    return body


def _version_ok(request):
    version = request.headers.get("X-Experience-API-Version", "")
    return version.startswith("1.0.") or version == "1.0"


def about(request):
    return _response(JsonResponse({"version": ["1.0.3", "1.0.0"]}))


@csrf_exempt  # checked in _sender for session requests; Basic auth needs none
def statements(request):
    if request.method not in ("GET", "PUT", "POST"):
        return _error(405, "method not allowed")
    if not _version_ok(request):
        return _error(400, "X-Experience-API-Version header missing or unsupported")
    sender, failure = _sender(request)
    if failure:
        return failure
    if request.method == "GET":
        return _get(request, sender)
    try:
        too_big = len(request.body) > MAX_BODY_BYTES
    except RequestDataTooBig:  # beyond DATA_UPLOAD_MAX_MEMORY_SIZE, Django won't read it
        too_big = True
    if too_big:
        return _error(400, f"body larger than {MAX_BODY_BYTES} bytes")
    if not request.content_type.startswith("application/json"):
        return _error(400, "Content-Type must be application/json")
    try:
        body = _parse_body(request.body)
    except ValueError as error:  # also JSONDecodeError and UnicodeDecodeError
        return _error(400, f"malformed JSON: {error}")
    try:
        if request.method == "PUT":
            statement_id = request.GET.get("statementId", "")
            uuid_string(statement_id, "statementId")
            if not isinstance(body, dict):
                raise StatementError("PUT takes one statement")
            lrs.statements_store([body], sender=sender, statement_id=statement_id)
            return _response(HttpResponse(status=204))
        batch = body if isinstance(body, list) else [body]
        ids = lrs.statements_store(batch, sender=sender)
        return _response(JsonResponse(ids, safe=False))
    except StatementError as error:
        return _error(400, str(error))
    except lrs.Forbidden as error:
        return _error(403, str(error))
    except lrs.Conflict as error:
        return _error(409, str(error))


def _get(request, sender):
    params = request.GET
    try:
        if "statementId" in params or "voidedStatementId" in params:
            voided = "voidedStatementId" in params
            statement_id = params["voidedStatementId" if voided else "statementId"]
            uuid_string(statement_id, "statementId")
            others = set(params) - {"statementId", "voidedStatementId", "format", "attachments"}
            if others:
                raise StatementError("statementId takes no other filter")
            data = lrs.statement_get(sender=sender, statement_id=statement_id, voided=voided)
            if data is None:
                return _error(404, "no such statement")
            return _response(JsonResponse(_format(data, params.get("format", "exact"))))
        query = _query(params)
    except StatementError as error:
        return _error(400, str(error))
    found, more = lrs.statements_query(sender=sender, query=query)
    body = {
        "statements": [_format(data, params.get("format", "exact")) for data in found],
        "more": "",
    }
    if more:
        following = {**params.dict(), "offset": str(query.offset + query.limit)}
        body["more"] = f"{request.path}?{urlencode(following)}"
    response = JsonResponse(body)
    response["X-Experience-API-Consistent-Through"] = timezone.now().isoformat()
    return _response(response)


def _query(params):
    allowed = {
        "agent",
        "verb",
        "activity",
        "registration",
        "since",
        "until",
        "limit",
        "ascending",
        "format",
        "offset",
        "attachments",
        "related_activities",
        "related_agents",
    }
    unknown = set(params) - allowed
    if unknown:
        raise StatementError(f"{sorted(unknown)[0]}: unknown parameter")
    query = lrs.Query()
    if "agent" in params:
        try:
            value = json.loads(params["agent"])
        except json.JSONDecodeError:
            raise StatementError("agent: malformed JSON") from None
        agent(value, "agent")
        query.agent = actor_key(value)
    if "verb" in params:
        query.verb = iri(params["verb"], "verb")
    if "activity" in params:
        query.activity = iri(params["activity"], "activity")
    if "registration" in params:
        query.registration = uuid_string(params["registration"], "registration")
    for key in ("since", "until"):
        if key in params:
            value = params[key]
            try:  # tincan sends str(datetime), with a space before the time
                setattr(query, key, timestamp(value, key))
            except StatementError:  # or a "+" of the zone was decoded as a space
                setattr(query, key, timestamp(value.replace(" ", "+"), key))
    for key, maximum in (("limit", MAX_LIMIT), ("offset", 10**9)):
        if key in params:
            try:
                number = int(params[key])
            except ValueError:
                raise StatementError(f"{key}: must be a whole number") from None
            if number < 0:
                raise StatementError(f"{key}: must not be negative")
            number = min(number or MAX_LIMIT, maximum) if key == "limit" else min(number, maximum)
            setattr(query, key, number)
    ascending = params.get("ascending", "false").lower()  # tincan sends "True"/"False"
    if ascending not in ("true", "false"):
        raise StatementError("ascending: must be true or false")
    query.ascending = ascending == "true"
    if params.get("format", "exact") not in ("exact", "ids", "canonical"):
        raise StatementError("format: must be exact, ids or canonical")
    return query


def _format(data, fmt):
    if fmt != "ids":
        return data
    reduced = dict(data)
    for key in ("actor", "authority"):
        if key in reduced:
            reduced[key] = _ids_only(reduced[key])
    if reduced["object"].get("objectType", "Activity") == "Activity":
        reduced["object"] = {"objectType": "Activity", "id": reduced["object"]["id"]}
    return reduced


def _ids_only(agent_value):
    kept = {
        k: v
        for k, v in agent_value.items()
        if k in ("objectType", "mbox", "mbox_sha1sum", "openid", "account")
    }
    if "member" in agent_value:
        kept["member"] = [_ids_only(member) for member in agent_value["member"]]
    return kept
