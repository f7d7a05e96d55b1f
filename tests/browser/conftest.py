"""Fixtures for the browser tests: the shipped curriculum behind pytest-django's live server."""

import io
import sqlite3
import threading
import time

import pytest
from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, connections
from wagtail.models import Page

from modules.crcn import seed_competences
from modules.models import Competence
from tests.conftest import reset_sequences_to_rows


@pytest.fixture(scope="session", autouse=True)
def migrated_db_contents(django_db_setup):
    """What the migrations put in the test database (Locale, root page, default Site,
    root Collection, CRCN competences...), as Django serialized it at creation.

    Read here, before Playwright starts: once Playwright's event loop runs in the main
    thread, asgiref hands Django another connection object, which lacks it.
    """
    return getattr(connections[DEFAULT_DB_ALIAS], "_test_serialized_contents", None)


@pytest.fixture(scope="session")
def browser_media_root(tmp_path_factory):
    return tmp_path_factory.mktemp("browser-media")


@pytest.fixture(autouse=True)
def _media_root(settings, browser_media_root):
    """One media folder for the whole browser session (overrides tests/conftest.py's).

    The curriculum snapshot below refers to the image files of the first load, and the
    live server's /media/ view keeps the MEDIA_ROOT it saw when the URLs were imported.
    """
    settings.MEDIA_ROOT = browser_media_root


@pytest.fixture(scope="session")
def curriculum_snapshot():
    """The database once the curriculum is loaded, serialized by the first test."""
    return {}


@pytest.fixture
def live_curriculum(
    migrated_db_contents,
    curriculum_snapshot,
    django_db_serialized_rollback,
    transactional_db,
    live_server,
):
    """The real content (`manage.py load_curriculum`), served by `live_server`.

    `live_server` needs a transactional database, flushed after each test: this is
    `wagtail_root` + `curriculum` for it. The first test loads the curriculum; the
    next ones restore the database as it was then (≈ 0.5 s instead of ≈ 3 s).
    """
    connection = connections[DEFAULT_DB_ALIAS]
    if not hasattr(connection, "_test_serialized_contents"):
        # Give Playwright's connection the serialized contents, so that Django restores
        # them after its flush (and inhibits post_migrate) as for any serialized rollback.
        connection._test_serialized_contents = migrated_db_contents
    if "data" in curriculum_snapshot:
        call_command("flush", interactive=False, inhibit_post_migrate=True, verbosity=0)
        connection.creation.deserialize_db_from_string(curriculum_snapshot["data"])
        reset_sequences_to_rows()
        yield live_server
        wait_for_requests_in_flight()
        return
    if Page.get_first_root_node() is None:
        # An earlier transactional test flushed the database without restoring it.
        call_command("flush", interactive=False, inhibit_post_migrate=True, verbosity=0)
        connection.creation.deserialize_db_from_string(migrated_db_contents)
        reset_sequences_to_rows()
    if not Competence.objects.exists():
        seed_competences(Competence)
    call_command("load_curriculum", stdout=io.StringIO())
    curriculum_snapshot["data"] = connection.creation.serialize_db_to_string()
    yield live_server
    wait_for_requests_in_flight()


@pytest.fixture(autouse=True)
def _sqlite_waits_for_table_locks(request, monkeypatch):
    """On SQLite the live server and the test share an in-memory database in shared-cache
    mode. There a table locked by another connection fails at once ("database table is
    locked"), where a file database would wait for it. A lesson page's heartbeat can be
    writing the session just when the test reads or writes the database: every
    statement, the test's and the server's, waits for the lock instead, up to 15 s
    (CI runs the SQLite and PostgreSQL suites side by side: a busy core is slow).
    """
    if "live_server" not in request.fixturenames:
        return
    from django.db.backends.sqlite3.base import SQLiteCursorWrapper

    for name in ("execute", "executemany"):
        monkeypatch.setattr(
            SQLiteCursorWrapper, name, _retry_while_table_locked(getattr(SQLiteCursorWrapper, name))
        )


def _retry_while_table_locked(method, timeout=15.0):
    def patient(self, *args, **kwargs):
        deadline = time.monotonic() + timeout
        while True:
            try:
                return method(self, *args, **kwargs)
            except sqlite3.OperationalError as error:
                if "locked" not in str(error) or time.monotonic() > deadline:
                    raise
                time.sleep(0.02)

    return patient


def wait_for_requests_in_flight(timeout=10.0):
    """Closing the page sends the lesson's last heartbeat (a beacon on `pagehide`).
    Let the live server finish such requests before the database is flushed: on
    SQLite's shared in-memory database, a write in flight locks the flush out."""
    time.sleep(0.2)  # the beacon leaves the browser after the page is gone
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and any(
        "process_request_thread" in thread.name for thread in threading.enumerate()
    ):
        time.sleep(0.05)


def wait_until(page, expression, *, timeout=10.0):
    """Waits until the JavaScript `expression` is true in the page.

    Playwright's `wait_for_function` polls with `eval` inside the page, which the
    site's Content-Security-Policy forbids (no 'unsafe-eval', rightly); the browser
    tests keep that policy on, so they poll from outside through `page.evaluate`.
    """
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout} s: {expression}")
        page.wait_for_timeout(50)
