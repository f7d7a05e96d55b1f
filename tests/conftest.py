import io
import shutil
import textwrap
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from wagtail.models import Page

CONTENT_DIR = Path(settings.BASE_DIR) / "content"
SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">'
    b'<rect width="10" height="10"/></svg>'
)


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path_factory):
    """Uploaded and imported files go to a temporary folder, never to ./media."""
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: the sign-up limits count in it."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def wagtail_root(db):
    """Wagtail's root page, as its migrations made it (browser tests: see their conftest)."""
    return Page.get_first_root_node()


@pytest.fixture(scope="session")
def _curriculum_snapshot(tmp_path_factory):
    """What loading the curriculum changes in the database, and its media files,
    kept by the first test that asks for it."""
    return {"media": tmp_path_factory.mktemp("curriculum-media")}


def _database_rows():
    """Every row Django would serialize for a test database, by (model, pk)."""
    import json

    from django.db import connection

    rows = json.loads(connection.creation.serialize_db_to_string())
    return {(row["model"], row["pk"]): row for row in rows}


@pytest.fixture
def curriculum(wagtail_root, settings, _curriculum_snapshot):
    """The real shipped content, loaded as `manage.py load_curriculum` does.

    The first test loads it and keeps what the load changed (rows written, rows
    deleted); the next ones replay that change and copy the image files to their own
    media folder (≈ 0.2 s instead of ≈ 1.5 s). Rows that other fixtures made first
    are left alone. Tests of the loader itself call it, never this fixture.
    """
    import json

    from django.apps import apps
    from django.core import serializers
    from django.db import connection

    snapshot = _curriculum_snapshot
    if "written" not in snapshot:
        before = _database_rows()
        call_command("load_curriculum", stdout=io.StringIO())
        after = _database_rows()
        snapshot["deleted"] = [key for key in before if key not in after]
        snapshot["written"] = json.dumps(
            [row for key, row in after.items() if before.get(key) != row]
        )
        shutil.copytree(settings.MEDIA_ROOT, snapshot["media"], dirs_exist_ok=True)
        return
    with connection.constraint_checks_disabled():
        for label, pk in snapshot["deleted"]:
            apps.get_model(label)._base_manager.filter(pk=pk)._raw_delete(connection.alias)
        for row in serializers.deserialize("json", snapshot["written"]):
            row.save()
    reset_sequences_to_rows()
    shutil.copytree(snapshot["media"], settings.MEDIA_ROOT, dirs_exist_ok=True)


@pytest.fixture
def content_dir(tmp_path):
    """Builds a small content tree: content_dir({"path": "text", ...}) -> Path."""

    def build(files, *, base=None):
        root = tmp_path / "content"
        if base is not None:
            shutil.copytree(base, root)
        for name, text in files.items():
            path = root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(text, bytes):
                path.write_bytes(text)
            else:
                path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
        return root

    return build


MINIMAL_CONTENT = {
    "catalog.md": """
        ---
        key: catalog
        title: Catalogue de test
        ---
        Bienvenue.
        """,
    "parcours/1-debut.md": """
        ---
        key: parcours-debut
        title: Débuter
        kind: initiation
        target_hours: 2
        modules:
          - module-souris
        ---
        Un parcours court.
        """,
    "modules/souris/module.md": """
        ---
        key: module-souris
        title: La souris
        slug: souris
        summary: Bouger et cliquer.
        objectives:
          - Cliquer
        competences: ["5.2"]
        ---
        """,
    "modules/souris/01-cliquer.md": """
        ---
        key: lecon-cliquer
        title: Cliquer
        slug: cliquer
        minutes: 12
        trainer_tips: Montrez le geste.
        ---
        ## Le bouton

        Le bouton de **gauche** sert à cliquer.

        ![Une souris vue de dessus](media/souris.svg)

        ```retenir
        On clique avec le bouton de gauche.
        ```

        ## Une question

        ```quiz
        key: quiz-bouton
        question: Quel bouton sert à cliquer ?
        options:
          - text: Celui de droite
          - text: Celui de gauche
            correct: true
        hint: Regardez l'image.
        feedback: Oui, le bouton de gauche.
        ```

        ## Bravo

        Vous savez cliquer.
        """,
    "modules/souris/media/souris.svg": SVG,
}


@pytest.fixture
def minimal_content(content_dir):
    return content_dir(MINIMAL_CONTENT)


# Browser tests drive Debian's Chromium (never `playwright install`).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": shutil.which("chromium") or "/usr/bin/chromium",
        "args": CHROMIUM_ARGS,
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "fr-FR", "viewport": {"width": 1024, "height": 768}}


def reset_sequences_to_rows():
    """After rows are restored with their ids (serialized rollback, snapshots),
    PostgreSQL's sequences may lag behind them: move them past the rows."""
    from django.apps import apps
    from django.core.management.color import no_style
    from django.db import connection

    statements = connection.ops.sequence_reset_sql(no_style(), apps.get_models())
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


@pytest.fixture
def pdf_text():
    """The text of a PDF's pages, as one string: pdf_text(bytes) -> str."""
    from io import BytesIO

    from pypdf import PdfReader

    def extract(content):
        return "\n".join(page.extract_text() for page in PdfReader(BytesIO(content)).pages)

    return extract


def admin_permission_denied(response):
    """Wagtail's answer to a missing permission in the admin: back to the dashboard,
    with "Sorry, you do not have permission…" (a plain 403 for XMLHttpRequest)."""
    if response.status_code == 403:
        return True
    return response.status_code == 302 and response["Location"] == "/admin/"


@pytest.fixture
def small_curriculum(minimal_content, wagtail_root):
    """MINIMAL_CONTENT loaded: one parcours, one module (CRCN 5.2), one lesson with a quiz."""
    from modules.loader import load_curriculum

    load_curriculum(minimal_content)


@pytest.fixture
def simulation_lesson(minimal_content, wagtail_root):
    """The minimal curriculum, with one more step pointing to a scenario."""
    from modules.loader import load_curriculum
    from modules.models import LessonPage, Scenario

    load_curriculum(minimal_content)
    scenario = Scenario.objects.create(key="essai", kind="webmail", title="Ma messagerie")
    lesson = LessonPage.objects.get(source_key="lecon-cliquer")
    steps = list(lesson.steps.raw_data)
    steps.append(
        {
            "type": "step",
            "id": "step-simulation",
            "value": {
                "title": "À vous",
                "content": [],
                "exercise": [
                    {
                        "type": "simulation",
                        "id": "exercise-simulation",
                        "value": {"scenario": scenario.pk, "goals": "", "max_attempts": 3},
                    }
                ],
            },
        }
    )
    lesson.steps = steps
    lesson.save_revision().publish()
    return LessonPage.objects.get(pk=lesson.pk)
