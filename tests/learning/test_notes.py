"""Trainer notes: who reads them, who edits them, their history, and that what
people type renders inert on the file and in the PDFs."""

import io
import json

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from pypdf import PdfReader

from learning import attestations, services
from learning.models import TrainerNote, TrainerNoteVersion
from tests.factories import (
    GroupFactory,
    StructureFactory,
    TrainingSessionFactory,
    learner,
    manager,
    trainer,
)

pytestmark = pytest.mark.django_db

AUTHOR_ONLY, TEAM = TrainerNote.Visibility.AUTHOR, TrainerNote.Visibility.TEAM


@pytest.fixture
def structure():
    return StructureFactory()


@pytest.fixture
def author(structure):
    user = trainer(first_name="Alice", last_name="Martin")
    structure.members.add(user)
    return user


@pytest.fixture
def colleague(structure):
    user = trainer(first_name="Bruno", last_name="Petit")
    structure.members.add(user)
    return user


@pytest.fixture
def boss(structure):
    user = manager(first_name="Chloé", last_name="Roux")
    structure.members.add(user)
    return user


@pytest.fixture
def someone(structure):
    return learner(structure=structure, first_name="Zéphyrine")[0]


def assert_forbidden(response):
    """Wagtail's admin answers "permission denied" with a redirect to its dashboard."""
    assert response.status_code == 403 or (
        response.status_code == 302 and response["Location"] == reverse("wagtailadmin_home")
    ), response


def file_page(client, user, learner_):
    client.force_login(user)
    response = client.get(reverse("learner_file", args=[learner_.pk]))
    assert response.status_code == 200
    return response.content.decode()


def create_url(learner_):
    return reverse("learner_note_create", args=[learner_.pk])


def edit_url(note):
    return reverse("learner_note_edit", args=[note.learner_id, note.pk])


def contentstate(*blocks, entity_map=None):
    """What Draftail posts: blocks of (type, text, inline styles, entity ranges)."""
    return json.dumps(
        {
            "blocks": [
                {
                    "key": f"k{number}",
                    "type": kind,
                    "depth": 0,
                    "text": text,
                    "inlineStyleRanges": styles,
                    "entityRanges": entities,
                    "data": {},
                }
                for number, (kind, text, styles, entities) in enumerate(blocks)
            ],
            "entityMap": entity_map or {},
        }
    )


# --- Visibility -------------------------------------------------------------------


def test_an_author_only_note_is_seen_by_its_author_and_nobody_else(
    client, author, colleague, boss, someone
):
    services.note_create(
        learner=someone, author=author, body="<p>Secret de l'autrice</p>", visibility=AUTHOR_ONLY
    )
    services.note_create(
        learner=someone, author=author, body="<p>Pour toute l'équipe</p>", visibility=TEAM
    )
    admin = get_user_model().objects.create_superuser("root@example.org", "root@example.org", "x")

    mine = file_page(client, author, someone)
    assert "Secret de l&#x27;autrice" in mine or "Secret de l'autrice" in mine
    assert "Pour toute l" in mine
    for other in (colleague, boss, admin):
        page = file_page(client, other, someone)
        assert "Secret de l" not in page, other
        assert "Pour toute l" in page, other


def test_team_notes_stay_in_their_structure(client, author, someone):
    services.note_create(learner=someone, author=author, body="Équipe", visibility=TEAM)
    elsewhere = trainer()
    StructureFactory().members.add(elsewhere)
    client.force_login(elsewhere)
    assert client.get(reverse("learner_file", args=[someone.pk])).status_code == 404


def test_the_form_explains_who_reads_notes_and_reminds_that_the_person_may_read_them(
    client, author, someone
):
    client.force_login(author)
    page = client.get(create_url(someone)).content.decode()
    assert "La personne peut demander à lire son dossier." in page
    assert "Écrivez des faits utiles, avec respect." in page
    assert "même pas les responsables" in page
    assert "elle reçoit toutes les notes" in page


# --- Writing and editing ------------------------------------------------------------


def test_a_trainer_writes_a_note_with_bold_a_list_and_a_link_in_the_editor(client, author, someone):
    client.force_login(author)
    body = contentstate(
        ("unstyled", "Très motivée", [{"offset": 0, "length": 4, "style": "BOLD"}], []),
        ("unordered-list-item", "Vient à l'heure", [], []),
        ("unordered-list-item", "Pose des questions", [], []),
        ("unstyled", "Voir le site", [], [{"offset": 8, "length": 4, "key": 0}]),
        entity_map={
            "0": {"type": "LINK", "mutability": "MUTABLE", "data": {"url": "https://ok.example"}}
        },
    )
    response = client.post(create_url(someone), {"body": body, "visibility": TEAM})
    assert response.status_code == 302
    assert response["Location"].endswith(reverse("learner_file", args=[someone.pk]) + "#notes")
    note = TrainerNote.objects.get()
    assert note.author == author and note.visibility == TEAM
    assert "<b>Très</b>" in note.body or "<strong>Très</strong>" in note.body
    assert "<ul><li>Vient à l'heure</li><li>Pose des questions</li></ul>" in note.body
    assert '<a href="https://ok.example">site</a>' in note.body
    assert "data-block-key" not in note.body
    page = file_page(client, author, someone)
    assert "<li>Vient à l&#x27;heure</li>" in page or "<li>Vient à l'heure</li>" in page


def test_an_empty_note_is_refused_with_a_message(client, author, someone):
    client.force_login(author)
    for body in ("", "<p> </p>", contentstate(("unstyled", "", [], []))):
        response = client.post(create_url(someone), {"body": body, "visibility": TEAM})
        assert response.status_code == 200
        assert "Écrivez la note." in response.content.decode()
    assert not TrainerNote.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        {"body": "Bien", "visibility": "tout-le-monde"},
        {"body": "Bien", "visibility": TEAM, "session": "abc"},
        {"body": '{"blocks": "oops"}', "visibility": TEAM, "session": "999999"},
        {"body": "x" * 20001, "visibility": TEAM},
    ],
)
def test_tampered_note_forms_get_a_message_not_a_500(client, author, someone, data):
    client.force_login(author)
    response = client.post(create_url(someone), data)
    assert response.status_code == 200
    assert response.context["form"].errors  # shown beside the field
    assert not TrainerNote.objects.exists()


def test_the_session_is_one_of_the_learners_groups(client, structure, author, someone):
    own_group = GroupFactory(structure=structure, name="Groupe de la personne")
    own_group.learners.add(someone)
    own = TrainingSessionFactory(group=own_group)
    other = TrainingSessionFactory(group=GroupFactory(structure=structure, name="Autre groupe"))
    client.force_login(author)

    form = client.get(create_url(someone)).content.decode()
    assert "Groupe de la personne" in form and "Autre groupe" not in form
    refused = client.post(
        create_url(someone), {"body": "Bien", "visibility": TEAM, "session": other.pk}
    )
    assert refused.status_code == 200 and not TrainerNote.objects.exists()
    client.post(create_url(someone), {"body": "Bien", "visibility": TEAM, "session": own.pk})
    assert TrainerNote.objects.get().session == own
    with pytest.raises(ValidationError):
        services.note_create(
            learner=someone, author=author, body="Bien", visibility=TEAM, session=other
        )


def test_only_the_author_edits_a_note(client, author, colleague, boss, someone):
    team_note = services.note_create(learner=someone, author=author, body="A", visibility=TEAM)
    private = services.note_create(learner=someone, author=author, body="B", visibility=AUTHOR_ONLY)
    admin = get_user_model().objects.create_superuser("root@example.org", "root@example.org", "x")

    for other in (colleague, boss, admin):
        client.force_login(other)
        # A note they can read: forbidden. A note they can't even read: not found.
        assert_forbidden(client.get(edit_url(team_note)))
        assert_forbidden(client.post(edit_url(team_note), {"body": "Z", "visibility": TEAM}))
        assert client.get(edit_url(private)).status_code == 404
        assert client.post(edit_url(private), {"body": "Z", "visibility": TEAM}).status_code == 404
    assert TrainerNote.objects.get(pk=team_note.pk).body == "A"
    assert TrainerNote.objects.get(pk=private.pk).body == "B"
    assert not TrainerNoteVersion.objects.exists()
    with pytest.raises(PermissionDenied):
        services.note_update(
            note=team_note, editor=colleague, body="Z", visibility=TEAM, session=None
        )

    page = file_page(client, colleague, someone)
    assert edit_url(team_note) not in page
    page = file_page(client, author, someone)
    assert edit_url(team_note) in page and edit_url(private) in page


def test_editing_keeps_the_previous_text_in_the_history_seen_by_the_author(client, author, someone):
    note = services.note_create(
        learner=someone, author=author, body="<p>Première version</p>", visibility=AUTHOR_ONLY
    )
    client.force_login(author)
    response = client.post(edit_url(note), {"body": "<p>Deuxième version</p>", "visibility": TEAM})
    assert response.status_code == 302
    client.post(edit_url(note), {"body": "<p>Troisième version</p>", "visibility": TEAM})

    note.refresh_from_db()
    assert note.body == "<p>Troisième version</p>" and note.visibility == TEAM
    versions = list(note.versions.order_by("saved_at", "pk").values_list("body", "visibility"))
    assert versions == [
        ("<p>Première version</p>", AUTHOR_ONLY),
        ("<p>Deuxième version</p>", TEAM),
    ]
    history = client.get(edit_url(note)).content.decode()
    assert "Versions précédentes" in history
    assert "Première version" in history and "Deuxième version" in history
    # The editor opens on the current text (as Draftail's JSON, accents escaped).
    assert "Troisi" in history


def test_saving_the_same_text_again_adds_no_version(author, someone):
    note = services.note_create(learner=someone, author=author, body="Pareil", visibility=TEAM)
    services.note_update(note=note, editor=author, body="Pareil", visibility=TEAM, session=None)
    assert not note.versions.exists()


# --- What people type renders inert ---------------------------------------------------

XSS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    "<svg onload=alert(1)>",
    '"><iframe src=//evil>',
    '<a href="https://ok.example" onclick="x">ok</a>',
    '<p style="background:url(//evil)">stylé</p>',
    "<b onmouseover=alert(1)>gras</b>",
    '<a href="JaVaScRiPt:alert(1)">y</a>',
    '<a href="data:text/html,<script>alert(1)</script>">z</a>',
    "<math><mi xlink:href=javascript:alert(1)>m</mi></math>",
    "<!-- <script>alert(1)</script> -->",
    "<object data=//evil></object><embed src=//evil>",
    '<form action="//evil"><button>go</button></form>',
    "<style>body{display:none}</style>",
]
DANGEROUS = [
    "<script",
    "onerror",
    "onload",
    "onclick",
    "onmouseover",
    "javascript:",
    "<iframe",
    "<svg",
    "<img",
    "style=",
    "<style",
    "<object",
    "<embed",
    "<form",
    "<math",
    "data:text",
    "//evil",
]


def note_area(page):
    """The notes part of the file page (Wagtail's own chrome has scripts and styles)."""
    start = page.index('id="notes"')
    return page[start : page.index("</section>", start)]


def test_every_xss_attempt_renders_inert_on_the_file_and_in_the_pdfs(client, author, someone):
    client.force_login(author)
    for attempt in XSS:
        body = f"{attempt} texte"  # a note of markup alone is empty, hence refused
        response = client.post(create_url(someone), {"body": body, "visibility": TEAM})
        assert response.status_code == 302, attempt
    # And a row written around the services is cleaned on the way out too.
    TrainerNote.objects.create(
        learner=someone, author=author, body="<script>alert(2)</script>brut", visibility=TEAM
    )
    assert TrainerNote.objects.count() == len(XSS) + 1
    for note in TrainerNote.objects.exclude(body__contains="brut"):
        for bad in DANGEROUS:
            assert bad not in note.body.lower(), (bad, note.body)

    notes = note_area(file_page(client, author, someone))
    for bad in DANGEROUS:
        assert bad not in notes.lower(), bad
    assert '<a href="https://ok.example">ok</a>' in notes
    assert "stylé" in notes and "<b>gras</b>" in notes

    boss = manager()
    someone.structure.members.add(boss)
    export_html = attestations.learner_export_html(someone)
    body = export_html[export_html.index("<body>") :]
    for bad in DANGEROUS:
        assert bad not in body.lower(), bad
    client.force_login(boss)
    pdf = client.get(reverse("learner_export_pdf", args=[someone.pk]))
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "stylé" in text and "gras" in text and "ok" in text


def test_weasyprint_fetches_nothing_for_a_note(monkeypatch, author, someone):
    """Even if a note held an image, making the PDF would request nothing."""
    import urllib.request

    requested = []

    def no_network(self, request, *args, **kwargs):
        requested.append(getattr(request, "full_url", request))
        raise OSError("no network in tests")

    monkeypatch.setattr(urllib.request.OpenerDirector, "open", no_network)
    monkeypatch.setattr(
        "learning.templatetags.learner_file.clean_html",
        lambda html: html,  # as if the sanitizer let an image through
    )
    TrainerNote.objects.create(
        learner=someone,
        author=author,
        body='<img src="http://127.0.0.1:9/pixel.png" alt="">',
        visibility=TEAM,
    )
    pdf = attestations.learner_export_pdf(someone)
    assert pdf.startswith(b"%PDF")
    assert requested == []
