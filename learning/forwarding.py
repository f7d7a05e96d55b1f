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

tincan is used through learning/xapi.py, the one module that imports it.
"""

import http.client
import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Min, Q
from django.utils import timezone
from django_tasks import TaskResultStatus, task

from .xapi import remote_lrs as _remote_lrs
from .xapi import to_tincan

logger = logging.getLogger(__name__)

BATCH_SIZE = 50
MAX_BATCHES_PER_RUN = 20  # then the task enqueues itself again, so other tasks get a turn
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
