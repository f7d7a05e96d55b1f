"""Validation of xAPI 1.0.3 statements, as the statement resource receives them.

Strict on structure (unknown properties, wrong types, bad IRIs, UUIDs, dates,
durations and scores are refused with a message naming the property) and
silent on meaning: what a statement says is the sender's business.
"""

import re
import uuid
from datetime import UTC, datetime
from urllib.parse import urlsplit

VOIDED = "http://adlnet.gov/expapi/verbs/voided"
DURATION = re.compile(
    r"^P(?!\Z)(\d+(?:\.\d+)?Y)?(\d+(?:\.\d+)?M)?(\d+(?:\.\d+)?W)?(\d+(?:\.\d+)?D)?"
    r"(T(?=\d)(\d+(?:\.\d+)?H)?(\d+(?:\.\d+)?M)?(\d+(?:\.\d+)?S)?)?\Z"
)
# \Z, not $: $ also matches before a final newline ("en\n" is no language tag).
LANGUAGE_TAG = re.compile(r"^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*\Z")
MBOX = re.compile(r"^mailto:[^@\s]+@[^@\s]+\Z")
SHA1 = re.compile(r"^[0-9a-f]{40}\Z")


class StatementError(ValueError):
    """A statement that is not valid xAPI: the message names the property."""


def _fail(path, message):
    raise StatementError(f"{path}: {message}")


def _object(value, path):
    if not isinstance(value, dict):
        _fail(path, "must be a JSON object")
    return value


def _only(value, allowed, path):
    for key in value:
        if key not in allowed:
            _fail(f"{path}.{key}", "unknown property")


def _string(value, path):
    if not isinstance(value, str):
        _fail(path, "must be a string")
    return value


def iri(value, path):
    _string(value, path)
    try:
        parts = urlsplit(value)
    except ValueError:  # e.g. "http://[oops", or a netloc that changes under NFKC
        _fail(path, "is not a valid IRI")
    if not parts.scheme or not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*$", parts.scheme):
        _fail(path, "must be an absolute IRI")
    if parts.scheme in ("http", "https") and not parts.netloc:
        _fail(path, "must be an absolute IRI")
    if any(char in value for char in ' <>"{}|\\^`') or any(ord(c) < 32 for c in value):
        _fail(path, "is not a valid IRI")
    return value


def uuid_string(value, path):
    _string(value, path)
    try:
        parsed = uuid.UUID(value)
    except ValueError:
        _fail(path, "must be a UUID")
    if str(parsed) != value.lower() or not re.match(r"^[0-9a-fA-F-]{36}$", value):
        _fail(path, "must be a UUID in its canonical form")
    return value


def timestamp(value, path):
    _string(value, path)
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        _fail(path, "must be an ISO 8601 date and time")
    if parsed.tzinfo is None:
        _fail(path, "must give a time zone")
    try:
        parsed.astimezone(UTC)  # stored in UTC: 0001-01-01T00:00+01:00 is not storable
    except OverflowError:
        _fail(path, "is out of range")
    return parsed


def _language_map(value, path):
    _object(value, path)
    for tag, text in value.items():
        if not LANGUAGE_TAG.match(tag):
            _fail(f"{path}.{tag}", "is not a language tag")
        _string(text, f"{path}.{tag}")


def _extensions(value, path):
    _object(value, path)
    for key in value:
        iri(key, f"{path}.{key}")


def agent(value, path, *, allow_group=True):
    _object(value, path)
    kind = value.get("objectType", "Agent")
    if kind == "Group" and allow_group:
        _only(value, {"objectType", "name", "member", *IFI}, path)
        if "member" in value:
            if not isinstance(value["member"], list):
                _fail(f"{path}.member", "must be an array")
            for index, member in enumerate(value["member"]):
                agent(member, f"{path}.member[{index}]", allow_group=False)
        if not any(key in value for key in IFI) and "member" not in value:
            _fail(path, "an anonymous group needs members")
        if sum(key in value for key in IFI) > 1:
            _fail(path, "must have at most one identifier")
        return
    if kind != "Agent":
        _fail(f"{path}.objectType", "must be Agent or Group")
    _only(value, {"objectType", "name", *IFI}, path)
    if sum(key in value for key in IFI) != 1:
        _fail(path, "must have exactly one of mbox, mbox_sha1sum, openid, account")
    _ifi(value, path)
    if "name" in value:
        _string(value["name"], f"{path}.name")


IFI = ("mbox", "mbox_sha1sum", "openid", "account")


def _ifi(value, path):
    if "mbox" in value and not MBOX.match(_string(value["mbox"], f"{path}.mbox")):
        _fail(f"{path}.mbox", "must be a mailto: address")
    if "mbox_sha1sum" in value and not SHA1.match(
        _string(value["mbox_sha1sum"], f"{path}.mbox_sha1sum")
    ):
        _fail(f"{path}.mbox_sha1sum", "must be a SHA-1 hex digest")
    if "openid" in value:
        iri(value["openid"], f"{path}.openid")
    if "account" in value:
        account = _object(value["account"], f"{path}.account")
        _only(account, {"homePage", "name"}, f"{path}.account")
        if "homePage" not in account or "name" not in account:
            _fail(f"{path}.account", "needs homePage and name")
        iri(account["homePage"], f"{path}.account.homePage")
        _string(account["name"], f"{path}.account.name")


def actor_key(value):
    """A stable text key for an agent, for indexing and filtering."""
    for key in IFI:
        if key in value:
            ident = value[key]
            if key == "account":
                return f"account:{ident['homePage']}|{ident['name']}"[:300]
            return f"{key}:{ident}"[:300]
    return "group:" + ",".join(sorted(actor_key(m) for m in value.get("member", [])))[:294]


def verb(value, path):
    _object(value, path)
    _only(value, {"id", "display"}, path)
    if "id" not in value:
        _fail(f"{path}.id", "is required")
    iri(value["id"], f"{path}.id")
    if "display" in value:
        _language_map(value["display"], f"{path}.display")


INTERACTION_TYPES = {
    "true-false",
    "choice",
    "fill-in",
    "long-fill-in",
    "matching",
    "performance",
    "sequencing",
    "likert",
    "numeric",
    "other",
}


def activity(value, path):
    _object(value, path)
    _only(value, {"objectType", "id", "definition"}, path)
    if "id" not in value:
        _fail(f"{path}.id", "is required")
    iri(value["id"], f"{path}.id")
    definition = value.get("definition")
    if definition is None:
        return
    _object(definition, f"{path}.definition")
    allowed = {
        "name",
        "description",
        "type",
        "moreInfo",
        "extensions",
        "interactionType",
        "correctResponsesPattern",
        "choices",
        "scale",
        "source",
        "target",
        "steps",
    }
    _only(definition, allowed, f"{path}.definition")
    for key in ("name", "description"):
        if key in definition:
            _language_map(definition[key], f"{path}.definition.{key}")
    for key in ("type", "moreInfo"):
        if key in definition:
            iri(definition[key], f"{path}.definition.{key}")
    if "extensions" in definition:
        _extensions(definition["extensions"], f"{path}.definition.extensions")
    if "interactionType" in definition and definition["interactionType"] not in INTERACTION_TYPES:
        _fail(f"{path}.definition.interactionType", "is not an xAPI interaction type")
    if "correctResponsesPattern" in definition:
        pattern = definition["correctResponsesPattern"]
        if not isinstance(pattern, list) or not all(isinstance(p, str) for p in pattern):
            _fail(f"{path}.definition.correctResponsesPattern", "must be an array of strings")
    for key in ("choices", "scale", "source", "target", "steps"):
        if key in definition:
            items = definition[key]
            if not isinstance(items, list):
                _fail(f"{path}.definition.{key}", "must be an array")
            for index, item in enumerate(items):
                item_path = f"{path}.definition.{key}[{index}]"
                _object(item, item_path)
                _only(item, {"id", "description"}, item_path)
                _string(item.get("id"), f"{item_path}.id")
                if "description" in item:
                    _language_map(item["description"], f"{item_path}.description")


def statement_object(value, path, *, sub=False):
    _object(value, path)
    kind = value.get("objectType", "Activity")
    if kind == "Activity":
        activity(value, path)
    elif kind in ("Agent", "Group"):
        agent(value, path)
    elif kind == "StatementRef":
        _only(value, {"objectType", "id"}, path)
        uuid_string(value.get("id"), f"{path}.id")
    elif kind == "SubStatement":
        if sub:
            _fail(path, "a SubStatement cannot hold another SubStatement")
        _only(
            value,
            {"objectType", "actor", "verb", "object", "result", "context", "timestamp"},
            path,
        )
        _core(value, path, sub=True)
    else:
        _fail(f"{path}.objectType", "is not an xAPI object type")


def result(value, path):
    _object(value, path)
    _only(value, {"score", "success", "completion", "response", "duration", "extensions"}, path)
    if "score" in value:
        score = _object(value["score"], f"{path}.score")
        _only(score, {"scaled", "raw", "min", "max"}, f"{path}.score")
        for key, number in score.items():
            if isinstance(number, bool) or not isinstance(number, (int, float)):
                _fail(f"{path}.score.{key}", "must be a number")
        if "scaled" in score and not -1 <= score["scaled"] <= 1:
            _fail(f"{path}.score.scaled", "must be between -1 and 1")
        if "min" in score and "max" in score and score["min"] > score["max"]:
            _fail(f"{path}.score", "min is above max")
        if "raw" in score:
            if "min" in score and score["raw"] < score["min"]:
                _fail(f"{path}.score.raw", "is below min")
            if "max" in score and score["raw"] > score["max"]:
                _fail(f"{path}.score.raw", "is above max")
    for key in ("success", "completion"):
        if key in value and not isinstance(value[key], bool):
            _fail(f"{path}.{key}", "must be true or false")
    if "response" in value:
        _string(value["response"], f"{path}.response")
    if "duration" in value and not DURATION.match(_string(value["duration"], f"{path}.duration")):
        _fail(f"{path}.duration", "must be an ISO 8601 duration")
    if "extensions" in value:
        _extensions(value["extensions"], f"{path}.extensions")


def context(value, path, object_kind):
    _object(value, path)
    allowed = {
        "registration",
        "instructor",
        "team",
        "contextActivities",
        "revision",
        "platform",
        "language",
        "statement",
        "extensions",
    }
    _only(value, allowed, path)
    if "registration" in value:
        uuid_string(value["registration"], f"{path}.registration")
    if "instructor" in value:
        agent(value["instructor"], f"{path}.instructor")
    if "team" in value:
        agent(value["team"], f"{path}.team")
        if value["team"].get("objectType") != "Group":
            _fail(f"{path}.team", "must be a Group")
    if "contextActivities" in value:
        activities = _object(value["contextActivities"], f"{path}.contextActivities")
        _only(activities, {"parent", "grouping", "category", "other"}, f"{path}.contextActivities")
        for key, items in activities.items():
            items = items if isinstance(items, list) else [items]
            for index, item in enumerate(items):
                activity(item, f"{path}.contextActivities.{key}[{index}]")
    for key in ("revision", "platform"):
        if key in value:
            _string(value[key], f"{path}.{key}")
            if object_kind != "Activity":
                _fail(f"{path}.{key}", "only for statements about an activity")
    if "language" in value and not LANGUAGE_TAG.match(_string(value["language"], path)):
        _fail(f"{path}.language", "is not a language tag")
    if "statement" in value:
        ref = _object(value["statement"], f"{path}.statement")
        if ref.get("objectType") != "StatementRef":
            _fail(f"{path}.statement", "must be a StatementRef")
        statement_object(ref, f"{path}.statement")
    if "extensions" in value:
        _extensions(value["extensions"], f"{path}.extensions")


def _core(value, path, *, sub=False):
    for key in ("actor", "verb", "object"):
        if key not in value:
            _fail(f"{path}.{key}" if path else key, "is required")
    prefix = f"{path}." if path else ""
    agent(value["actor"], f"{prefix}actor")
    verb(value["verb"], f"{prefix}verb")
    statement_object(value["object"], f"{prefix}object", sub=sub)
    if "result" in value:
        result(value["result"], f"{prefix}result")
    if "context" in value:
        context(value["context"], f"{prefix}context", value["object"].get("objectType", "Activity"))
    if "timestamp" in value:
        timestamp(value["timestamp"], f"{prefix}timestamp")


def validate_statement(value):
    """Raise StatementError unless `value` is a valid statement as a client may send it."""
    _object(value, "statement")
    allowed = {
        "id",
        "actor",
        "verb",
        "object",
        "result",
        "context",
        "timestamp",
        "stored",
        "authority",
        "version",
        "attachments",
    }
    _only(value, allowed, "statement")
    if "attachments" in value:
        _fail("attachments", "are not supported by this LRS")
    if "id" in value:
        uuid_string(value["id"], "id")
    if "version" in value and not re.match(
        r"^1\.0(\.\d+)?\Z", _string(value["version"], "version")
    ):
        _fail("version", "must be 1.0.x")
    if "stored" in value:
        timestamp(value["stored"], "stored")
    if "authority" in value:
        agent(value["authority"], "authority")
    _core(value, "")
    if value["verb"]["id"] == VOIDED:
        target = value["object"]
        if target.get("objectType") != "StatementRef":
            _fail("object", "a voiding statement's object must be a StatementRef")
    return value


def is_top_level(value):
    """Only top-level statements move progress: no context.contextActivities.parent."""
    activities = value.get("context", {}).get("contextActivities", {})
    return not activities.get("parent")
