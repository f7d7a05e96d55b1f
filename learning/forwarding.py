"""Forwarding statements to an external LRS (Ralph, Learning Locker…) through an outbox.

Until PASAPAS_XAPI_FORWARD_ENDPOINT is set, nothing happens. Once it is:

- every statement our store accepts gets an `OutboxItem` (`outbox_add`, which
  `learning.lrs` calls on commit) and a drain task is enqueued;
- the drain, `forward_outbox`, runs in the django-tasks worker (`manage.py
  db_worker`). It sends the due items in batches of 50 with tincan's `RemoteLRS`,
  with timeouts, and marks them delivered. A 409 from the remote counts as
  delivered: the remote already holds a statement with that id, and ids never
  change. A batch refused as a whole (409, 400, 413: an LRS stores a batch whole
  or not at all) is sent again one statement at a time. A failure leaves the
  items in the outbox with `attempts`, `last_error` and a `next_attempt_at` that
  backs off exponentially (30 s, 1 min, 2 min, … 1 h), and a later drain is
  scheduled for then. Nothing is dropped while the remote is down.

Delivery is at least once; the remote makes it exactly once, because statements
keep their id and an LRS stores an id once (an identical statement sent again is
accepted without a second copy). A drain that dies after sending but before
recording leaves the items leased for 5 minutes, then sends them again.

This is the only module that sends statements with tincan (learning/xapi.py builds
ours with it).
"""

import copy
import http.client
import logging
import uuid
from datetime import timedelta
from urllib.parse import urlencode, urlsplit

import tincan
from django.conf import settings
from django.db import transaction
from django.db.models import Min, Q
from django.utils import timezone
from django_tasks import TaskResultStatus, task

logger = logging.getLogger(__name__)

BATCH_SIZE = 50
MAX_BATCHES_PER_RUN = 20  # then the task enqueues itself again, so other tasks get a turn
TIMEOUT = 10  # seconds, for the connection and for each read and write on it
LEASE = timedelta(minutes=5)  # a claimed batch is not claimed again for this long
BACKOFF_FIRST = 30  # seconds after the first failure, doubled after each next one
BACKOFF_MAX = 3600
ERROR_MAX_CHARS = 2000

# Answers about the batch as a whole: find the culprit by sending one by one.
SPLIT_ON = {400, 409, 413}


def forwarding_enabled():
    return bool(getattr(settings, "PASAPAS_XAPI_FORWARD_ENDPOINT", ""))


def outbox_add(*, statement_ids):
    """Queue statements for forwarding, and wake the drain up once they are committed.

    Works inside the store's transaction as well as after it (on commit): the
    items are written in the current transaction, the task is enqueued on commit.
    """
    if not forwarding_enabled() or not statement_ids:
        return
    from .models import OutboxItem

    OutboxItem.objects.bulk_create(
        [OutboxItem(statement_id=statement_id) for statement_id in statement_ids],
        ignore_conflicts=True,
    )
    transaction.on_commit(_wake_drain)


def _wake_drain():
    # The items are safe in the outbox: if the queue fails now, a later drain sends them.
    try:
        if not _drain_queued(by=timezone.now()):
            forward_outbox.enqueue()
    except Exception:
        logger.exception("xAPI forwarding: could not enqueue the drain task")


@task()
def forward_outbox():
    """The drain, as a django-tasks task (run by `manage.py db_worker`)."""
    return drain()


def drain():
    """Send the due outbox items to the external LRS, batch after batch (bounded).

    Returns {"delivered": n, "failed": n} for this run.
    """
    if not forwarding_enabled():
        return {"delivered": 0, "failed": 0}
    remote = _remote_lrs()
    delivered = failed = 0
    retry_at = None
    for _ in range(MAX_BATCHES_PER_RUN):
        items = _claim_batch()
        if not items:
            break
        done, failures, remote_failed = _send_batch(remote, items)
        _record(items, done, failures)
        delivered += len(done)
        failed += len(failures)
        if remote_failed:
            # The remote is down or refuses us: stop here, come back at this batch's
            # next attempt rather than hammering it with the other due items.
            retry_at = min(item.next_attempt_at for item in items if item.pk in failures)
            break
    else:
        if _due_items().exists():
            _enqueue_drain(timezone.now())
    _schedule_retry(retry_at)
    if failed:
        logger.warning("xAPI forwarding: %d delivered, %d failed", delivered, failed)
    return {"delivered": delivered, "failed": failed}


def backoff(attempts):
    """Seconds to wait after the `attempts`-th failure: 30, 60, 120, … capped at 1 h."""
    return min(BACKOFF_FIRST * 2 ** min(max(attempts - 1, 0), 20), BACKOFF_MAX)


# --- The outbox -------------------------------------------------------------------


def _due_items(now=None):
    from .models import OutboxItem

    return OutboxItem.objects.filter(
        delivered_at__isnull=True, next_attempt_at__lte=now or timezone.now()
    )


def _claim_batch():
    """Lease up to BATCH_SIZE due items (oldest first); concurrent drains skip them."""
    from .models import OutboxItem

    now = timezone.now()
    with transaction.atomic():
        ids = list(
            _due_items(now)
            .select_for_update(skip_locked=True)
            .order_by("next_attempt_at", "id")
            .values_list("id", flat=True)[:BATCH_SIZE]
        )
        OutboxItem.objects.filter(id__in=ids).update(next_attempt_at=now + LEASE)
    return list(
        OutboxItem.objects.filter(id__in=ids)
        .select_related("statement")
        .order_by("statement__stored", "statement__id")
    )


def _record(items, done, failures):
    from .models import OutboxItem

    now = timezone.now()
    OutboxItem.objects.filter(id__in=done).update(delivered_at=now, last_error="")
    failed = [item for item in items if item.pk in failures]
    for item in failed:
        item.attempts += 1
        item.next_attempt_at = now + timedelta(seconds=backoff(item.attempts))
        item.last_error = failures[item.pk][:ERROR_MAX_CHARS]
    OutboxItem.objects.bulk_update(failed, ["attempts", "next_attempt_at", "last_error"])


# --- The drain task in the queue ----------------------------------------------------


def _drain_queued(*, by):
    """Whether a drain already waits in the queue to start no later than `by`.

    Only the database backend can tell; it saves one task per stored statement.
    """
    from django_tasks_db import DatabaseBackend

    backend = forward_outbox.get_backend()
    if not isinstance(backend, DatabaseBackend):
        return False
    from django_tasks_db.models import DBTaskResult, get_date_max

    return (
        DBTaskResult.objects.filter(
            status=TaskResultStatus.READY,
            backend_name=backend.alias,
            task_path=forward_outbox.module_path,
        )
        .filter(Q(run_after=get_date_max()) | Q(run_after__lte=by))
        .exists()
    )


def _enqueue_drain(when):
    """Enqueue a drain to start at `when`, unless one is already due by then.

    Needs a backend that can defer tasks: the immediate backend would run it
    here and now (recursively), so with it retries wait for the next statement.
    """
    backend = forward_outbox.get_backend()
    if not backend.supports_defer or _drain_queued(by=when):
        return
    if when > timezone.now():
        forward_outbox.using(run_after=when).enqueue()
    else:
        forward_outbox.enqueue()


def _schedule_retry(at=None):
    """Make sure a drain runs when the next undelivered item falls due."""
    from .models import OutboxItem

    if at is None:
        at = OutboxItem.objects.filter(delivered_at__isnull=True).aggregate(
            at=Min("next_attempt_at")
        )["at"]
    if at is not None:
        _enqueue_drain(at)


# --- Sending ----------------------------------------------------------------------


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
        connection = connection_class(parsed.hostname, parsed.port, timeout=TIMEOUT)
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


def _remote_lrs():
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


def _send_batch(remote, items):
    """Send one batch. Returns (delivered item pks, {failed item pk: error}, remote failed)."""
    statements = [to_tincan(item.statement.data) for item in items]
    outcome, error = _send(remote.save_statements, statements)
    if outcome == "delivered" or (outcome == "conflict" and len(items) == 1):
        return [item.pk for item in items], {}, False
    if outcome == "remote" or len(items) == 1 or error.status not in SPLIT_ON:
        return [], {item.pk: error.message for item in items}, outcome == "remote"
    # One statement spoils the batch (a conflict, or one the remote finds invalid),
    # and an LRS stores a batch whole or not at all: send them one by one, so that
    # the others do not wait for it.
    done, failures = [], {}
    for index, (item, statement) in enumerate(zip(items, statements, strict=True)):
        outcome, error = _send(remote.save_statement, statement)
        if outcome in ("delivered", "conflict"):
            done.append(item.pk)
        elif outcome == "remote":
            failures.update({later.pk: error.message for later in items[index:]})
            return done, failures, True
        else:
            failures[item.pk] = error.message
    return done, failures, False


class _Error:
    def __init__(self, message, status=None):
        self.message = message
        self.status = status


def _send(method, payload):
    """('delivered' | 'conflict' | 'rejected' | 'remote', _Error | None).

    'conflict' (409): the remote holds a statement with this id already, so for
    one statement it is delivered. 'rejected': the remote refuses what we sent
    (400, 413…). 'remote': the remote is unreachable, failing or refusing us
    (network, 401, 403, 429, 5xx…).
    """
    try:
        response = method(payload)
    except (OSError, http.client.HTTPException, ValueError) as exc:
        # OSError: refused, unreachable, timed out. ValueError: an answer that is not
        # the JSON list of ids xAPI promises.
        return "remote", _Error(f"{type(exc).__name__}: {exc}")
    status = response.response.status
    if response.success:
        return "delivered", None
    body = response.data if isinstance(response.data, str) else ""
    error = _Error(f"HTTP {status}: {body.strip()[:500]}", status)
    if status == 409:
        return "conflict", error
    if 400 <= status < 500 and status not in (401, 403, 404, 408, 429):
        return "rejected", error
    return "remote", error


__all__ = ["backoff", "drain", "forward_outbox", "forwarding_enabled", "outbox_add", "to_tincan"]
