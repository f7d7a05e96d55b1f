"""Our statement store (xAPI 1.0.3 statement resource): writes and reads.

Views parse HTTP; this module decides what is stored, in one transaction per
request, all or nothing.
"""

import uuid
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from .models import Learner, Statement
from .xapi_validation import VOIDED, StatementError, actor_key, is_top_level, validate_statement

VERSION = "1.0.3"
SERVER_SET = ("id", "stored", "authority", "version")


class Conflict(Exception):
    """A statement with this id exists and says something else."""


class Forbidden(Exception):
    """The sender may not say this (e.g. a learner posting as another learner)."""


def site_home_page():
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/")


def learner_agent(user):
    """How our learners appear in xAPI: their public UUID, never their sign-in code."""
    return {
        "objectType": "Agent",
        "account": {"homePage": site_home_page(), "name": str(user.public_id)},
    }


def site_authority(credential=None):
    name = f"credential:{credential.key}" if credential else "pas-a-pas"
    return {"objectType": "Agent", "account": {"homePage": site_home_page(), "name": name}}


@dataclass
class Sender:
    """Who sends: a signed-in user (browser) or an external tool (credential)."""

    user: object = None
    credential: object = None


def _prepare(raw, sender, now):
    """Validate one statement and set what the server sets. Returns (data, learner)."""
    validate_statement(raw)
    data = dict(raw)
    learner = None
    if sender.user is not None:
        given = data.get("actor", {}).get("account", {})
        own = learner_agent(sender.user)
        if given.get("homePage") == own["account"]["homePage"] and given.get("name") != str(
            sender.user.public_id
        ):
            raise Forbidden("actor: you can only send statements about yourself")
        data["actor"] = own
        learner = sender.user
    data.setdefault("id", str(uuid.uuid4()))
    data["id"] = data["id"].lower()
    data.setdefault("timestamp", now.isoformat())
    data["stored"] = now.isoformat()
    data["authority"] = site_authority(sender.credential)
    data.setdefault("version", "1.0.0")
    return data, learner


def _our_account_name(agent_value):
    """The account name when this agent is an account on our site, else None.

    Our address is compared without case and trailing slash: "HTTP://Site/" names
    the same learner as "http://site".
    """
    account = agent_value.get("account")
    if not isinstance(account, dict):
        return None
    home_page = str(account.get("homePage", "")).rstrip("/").lower()
    return account.get("name") if home_page == site_home_page().lower() else None


def _agents_named(statement):
    """Every agent a statement names: its actor, its object when an Agent or Group,
    context.instructor and context.team, every member of those groups, and the same
    inside a SubStatement. The authority is left out: the server sets it."""
    found = []

    def add(value):
        if isinstance(value, dict):
            found.append(value)
            for member in value.get("member") or []:
                add(member)

    def walk(part):
        add(part.get("actor"))
        target = part.get("object") or {}
        kind = target.get("objectType", "Activity")
        if kind in ("Agent", "Group"):
            add(target)
        elif kind == "SubStatement":
            walk(target)
        context = part.get("context") or {}
        add(context.get("instructor"))
        add(context.get("team"))

    walk(statement)
    return found


def _learners_in_scope(sender):
    """The learners a sender may name, or None for anyone (a superuser's session).

    A credential: the learners of its structure. A learner: those of their
    structure. A trainer: those of the structures they are a member of.
    """
    if sender.credential is not None:
        return Learner.objects.filter(structure_id=sender.credential.structure_id)
    user = sender.user
    if user is None or user.is_superuser:
        return None
    own = Learner.objects.filter(user=user).values("structure_id")
    return Learner.objects.filter(Q(structure_id__in=own) | Q(structure__members=user))


def _named_learners_check(statements, sender):
    """Refuse (Forbidden) a batch that names, anywhere `_agents_named` looks, an
    account on our site that is not a learner the sender may name: another
    structure's learner, a deleted learner, a made-up name. Outside agents (an
    mbox, an account on another site) are not ours to check.

    Without this, a structure's tool could write into another structure's
    learner's record (their data export lists statements about them).
    """
    scope = _learners_in_scope(sender)
    if scope is None:
        return
    # A session may always name its own user (the actor the server set): our own
    # statements, sent at every step and answer, need no query.
    themselves = {sender.user.public_id} if sender.user is not None else set()
    names = {
        str(name)
        for data in statements
        for agent_value in _agents_named(data)
        if (name := _our_account_name(agent_value)) is not None and _as_uuid(name) not in themselves
    }
    if not names:
        return
    allowed = set(
        scope.filter(
            user__public_id__in=[_as_uuid(name) for name in names if _as_uuid(name)]
        ).values_list("user__public_id", flat=True)
    )
    for name in sorted(names):
        if _as_uuid(name) not in allowed:
            raise Forbidden(f"agent {name}: not a learner this sender may name")


def _as_uuid(name):
    try:
        return uuid.UUID(str(name))
    except ValueError:
        return None


def _same(stored, data):
    """Statements are the same when they agree on everything the sender set."""

    def sender_part(statement):
        part = {
            key: value for key, value in statement.items() if key not in SERVER_SET + ("timestamp",)
        }
        # objectType may be left out where it has a default: the same statement either way.
        part["actor"] = {"objectType": "Agent", **part.get("actor", {})}
        part["object"] = {"objectType": "Activity", **part.get("object", {})}
        return part

    return sender_part(stored) == sender_part(data)


def statements_store(raws, *, sender, statement_id=None):
    """Store a batch, all or nothing. Returns the ids, in order.

    An id already stored with the same content is accepted and not stored
    twice; with other content it is a Conflict (409).
    """
    try:
        return _store_once(raws, sender=sender, statement_id=statement_id)
    except IntegrityError:
        # Another request stored one of these ids after we looked (a client retrying,
        # two tabs): now that it is committed, look again.
        return _store_once(raws, sender=sender, statement_id=statement_id)


@transaction.atomic
def _store_once(raws, *, sender, statement_id=None):
    if not raws:
        raise StatementError("statements: the batch is empty")
    now = timezone.now()
    prepared = [_prepare(raw, sender, now) for raw in raws]
    _named_learners_check([data for data, _learner in prepared], sender)
    if statement_id is not None:
        data = prepared[0][0]
        if "id" in raws[0] and raws[0]["id"].lower() != statement_id.lower():
            raise StatementError("id: differs from the statementId parameter")
        data["id"] = statement_id.lower()
    ids = [data["id"] for data, _learner in prepared]
    if len(set(ids)) != len(ids):
        raise StatementError("statements: the same id appears twice in the batch")
    existing = {
        str(row.statement_id): row
        for row in Statement.objects.select_for_update().filter(statement_id__in=ids)
    }
    new = []
    for data, learner in prepared:
        if data["id"] in existing:
            if not _same(existing[data["id"]].data, data):
                raise Conflict(f"statement {data['id']} exists with other content")
            continue
        new.append(_row(data, learner, sender.credential))
    _apply_voiding([row for row in new if row.verb_id == VOIDED], sender)
    Statement.objects.bulk_create(new)
    _move_progress(new)
    # In the same transaction: a statement is never stored without its outbox row.
    _after_store([row.statement_id for row in new])
    return ids


def _row(data, learner, credential):
    target = data["object"]
    registration = data.get("context", {}).get("registration")
    return Statement(
        statement_id=data["id"],
        actor_key=actor_key(data["actor"]),
        verb_id=data["verb"]["id"][:500],
        activity_id=target["id"][:500]
        if target.get("objectType", "Activity") == "Activity"
        else "",
        registration=registration,
        voided_target=target["id"] if data["verb"]["id"] == VOIDED else None,
        timestamp=parse_datetime(data["timestamp"].replace("Z", "+00:00")),
        stored=parse_datetime(data["stored"]),
        learner=learner,
        credential=credential,
        data=data,
    )


PASSING_VERBS = {
    "http://adlnet.gov/expapi/verbs/passed",
    "http://adlnet.gov/expapi/verbs/completed",
}


def _move_progress(rows):
    """A learner's top-level statement that passes one of our exercises graded in
    the browser (H5P) counts as passing it. Statements about exercises graded on the
    server (every other kind: see `exercise_pass_from_statement`), child statements
    (with a parent activity), statements from tools and statements about
    activities we don't know are stored and move nothing."""
    from . import services

    prefix = f"{site_home_page()}/xapi/activities/exercise/"
    for row in rows:
        if row.learner is None or not row.activity_id.startswith(prefix):
            continue
        if not is_top_level(row.data):
            continue
        outcome = row.data.get("result", {})
        if outcome.get("success") is False:
            continue
        if outcome.get("success") is True or row.verb_id in PASSING_VERBS:
            services.exercise_pass_from_statement(
                user=row.learner, block_id=row.activity_id[len(prefix) :]
            )


def _apply_voiding(voiding_rows, sender):
    visible = statements_visible_to(sender)
    for row in voiding_rows:
        target = (
            Statement.objects.select_for_update().filter(statement_id=row.voided_target).first()
        )
        # A statement the sender may not see (another structure's) is, for them, absent:
        # the voiding statement is stored and voids nothing.
        if target is not None and not visible.filter(pk=target.pk).exists():
            target = None
        if target is not None and target.verb_id == VOIDED:
            raise StatementError("object: a voiding statement cannot be voided")
        if target is not None:
            target.voided = True
            target.save(update_fields=["voided"])


def _after_store(statement_ids):
    """Queue the new statements for the external LRS (see learning.forwarding)."""
    from .forwarding import outbox_add

    outbox_add(statement_ids=statement_ids)


# --- Reads ----------------------------------------------------------------------


@dataclass
class Query:
    agent: str | None = None  # an actor_key
    verb: str | None = None
    activity: str | None = None
    registration: str | None = None
    since: object = None
    until: object = None
    limit: int = 100
    ascending: bool = False
    offset: int = 0


def statements_visible_to(sender):
    """A learner sees their own statements; a credential, those of its structure."""
    rows = Statement.objects.all()
    if sender.credential is not None:
        structure = sender.credential.structure_id
        return rows.filter(
            Q(learner__learner__structure_id=structure) | Q(credential=sender.credential)
        )
    if sender.user is not None and not sender.user.is_superuser:
        return rows.filter(learner=sender.user)
    return rows


def statement_get(*, sender, statement_id, voided):
    row = statements_visible_to(sender).filter(statement_id=statement_id, voided=voided).first()
    return row.data if row else None


def statements_query(*, sender, query):
    rows = statements_visible_to(sender).filter(voided=False)
    if query.agent:
        rows = rows.filter(actor_key=query.agent)
    if query.verb:
        rows = rows.filter(verb_id=query.verb)
    if query.activity:
        rows = rows.filter(activity_id=query.activity)
    if query.registration:
        rows = rows.filter(registration=query.registration)
    if query.since:
        rows = rows.filter(stored__gt=query.since)
    if query.until:
        rows = rows.filter(stored__lte=query.until)
    order = ("stored", "id") if query.ascending else ("-stored", "-id")
    page = list(rows.order_by(*order)[query.offset : query.offset + query.limit + 1])
    more = len(page) > query.limit
    return [row.data for row in page[: query.limit]], more


__all__ = [
    "Conflict",
    "Forbidden",
    "Query",
    "Sender",
    "StatementError",
    "is_top_level",
    "statements_query",
    "statements_store",
]
