"""Fixtures for the browser tests: the shipped curriculum behind pytest-django's live server."""

import io

import pytest
from django.core.management import call_command

from modules.crcn import seed_competences
from modules.models import Competence


@pytest.fixture
def live_curriculum(django_db_serialized_rollback, transactional_db, live_server):
    """The real content (`manage.py load_curriculum`), served by `live_server`.

    `live_server` needs a transactional database, flushed after each test. The
    serialized rollback restores what Wagtail's migrations made (Locale, root page,
    default Site, root Collection...) before each test; the CRCN competences are
    seeded if missing, as the `wagtail_root` fixture does.
    """
    if not Competence.objects.exists():
        seed_competences(Competence)
    call_command("load_curriculum", stdout=io.StringIO())
    return live_server
