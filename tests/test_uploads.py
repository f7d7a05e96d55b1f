"""Uploaded files never run script on the site's origin (issue 10, item 1).

An editor's SVG is sanitized whatever way it comes in, and every uploaded file is
served with a policy that forbids script, in case something slips through."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Collection

from cms.uploads import sanitize_svg
from modules.loader import ContentErrors, load_curriculum
from tests.factories import UserFactory, editor

HOSTILE_SVG = b"""<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"
     viewBox="0 0 10 10" onload="fetch('/admin/users/new/')">
  <script>document.title = 'pwned'</script>
  <rect width="10" height="10" fill="teal" onclick="alert(1)"/>
  <a xlink:href="javascript:alert(1)"><circle cx="5" cy="5" r="3"/></a>
  <foreignObject width="10" height="10"><iframe xmlns="http://www.w3.org/1999/xhtml"
    src="https://evil.example/"/></foreignObject>
  <image href="https://evil.example/track.png" width="1" height="1"/>
</svg>"""

UNTRUSTED_POLICY = "default-src 'none'; style-src 'unsafe-inline'; sandbox"


def assert_harmless(svg: bytes):
    text = svg.decode()
    assert "<rect" in text and "<circle" in text, "the drawing is kept"
    assert "<script" not in text
    assert not re.search(r"\son\w+\s*=", text), "no event handler"
    assert "javascript:" not in text.lower()
    assert "foreignObject" not in text
    assert "evil.example" not in text


def root_collection():
    return Collection.get_first_root_node()


def test_an_editors_hostile_svg_is_stored_without_anything_that_runs(client, db):
    client.force_login(editor())

    response = client.post(
        "/admin/images/add/",
        {
            "title": "Un piège",
            "collection": root_collection().pk,
            "file": SimpleUploadedFile("piege.svg", HOSTILE_SVG, content_type="image/svg+xml"),
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    image = get_image_model().objects.get(title="Un piège")
    with image.file.open("rb") as stored:
        assert_harmless(stored.read())
    assert image.width == 10 and image.height == 10


def test_the_multiple_upload_sanitizes_the_svg_too(client, db):
    client.force_login(editor())

    response = client.post(
        "/admin/images/multiple/add/",
        {
            "collection": root_collection().pk,
            "files[]": SimpleUploadedFile("piege.svg", HOSTILE_SVG, content_type="image/svg+xml"),
        },
    )

    assert response.status_code == 200 and response.json()["success"], response.content[:500]
    image = get_image_model().objects.get()
    with image.file.open("rb") as stored:
        assert_harmless(stored.read())


def test_an_svg_the_sanitizer_cannot_read_is_refused_with_a_clear_message(client, db):
    client.force_login(editor())

    response = client.post(
        "/admin/images/add/",
        {
            "title": "Abîmée",
            "collection": root_collection().pk,
            "file": SimpleUploadedFile(
                "abimee.svg",
                b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</scr',
                content_type="image/svg+xml",
            ),
        },
    )

    assert response.status_code == 200
    assert not get_image_model().objects.exists()
    # Wagtail's own check may speak first (not a valid image); either way the editor
    # reads why and nothing is stored.
    assert "n'a pas été ajoutée" in response.content.decode() or "valid" in (
        response.content.decode()
    )
    assert not list(Path(settings.MEDIA_ROOT).rglob("*.svg"))


def test_the_image_form_refuses_an_svg_only_wagtail_could_read():
    """Wagtail's own check reads the file leniently; the sanitizer is stricter. The
    editor then reads a French sentence, not a crash."""
    from cms.image_forms import SafeImageForm

    form = SafeImageForm.__new__(SafeImageForm)
    form.changed_data = ["file"]
    form.cleaned_data = {"file": SimpleUploadedFile("x.svg", b"<svg")}

    with pytest.raises(ValidationError) as refused:
        form.clean_file()
    assert refused.value.messages == [
        "Cette image SVG est abîmée ou n'est pas une vraie image. Elle n'a pas été ajoutée."
    ]


def test_a_file_written_to_media_storage_by_any_other_way_is_sanitized(db):
    """Wagtail's multiple upload keeps a file aside (UploadedFile) when another field is
    wrong, then turns it into an image later: the storage is the lock they all share."""
    name = default_storage.save("uploaded_files/piege.svg", ContentFile(HOSTILE_SVG))

    with default_storage.open(name, "rb") as stored:
        assert_harmless(stored.read())


def test_the_storage_refuses_an_svg_it_cannot_read(client, db):
    from django.core.exceptions import SuspiciousFileOperation

    with pytest.raises(SuspiciousFileOperation):
        default_storage.save("uploaded_files/abime.svg", ContentFile(b"<svg"))
    assert not list(Path(settings.MEDIA_ROOT).rglob("*.svg"))


def test_media_files_are_served_with_a_policy_that_forbids_script(client, db):
    name = default_storage.save("original_images/plain.png", ContentFile(b"\x89PNG\r\n"))

    response = client.get(f"/media/{name}")

    assert response.status_code == 200
    assert response["Content-Security-Policy"] == UNTRUSTED_POLICY
    assert response["X-Content-Type-Options"] == "nosniff"


def test_documents_served_by_wagtail_carry_the_same_policy(client, db):
    document = get_document_model().objects.create(
        title="Fiche", file=ContentFile(b"%PDF-1.4\n", name="fiche.pdf")
    )

    response = client.get(document.url)

    assert response.status_code == 200
    assert response["Content-Security-Policy"] == UNTRUSTED_POLICY
    assert response["X-Content-Type-Options"] == "nosniff"


def test_the_shipped_lesson_svgs_keep_their_shapes():
    shapes = re.compile(rb"<(rect|circle|ellipse|path|line|polyline|polygon|text)\b")
    files = sorted(Path(settings.BASE_DIR, "content/modules").glob("*/media/*.svg"))
    assert files
    for path in files:
        raw = path.read_bytes()
        clean = sanitize_svg(raw)
        assert len(shapes.findall(clean)) == len(shapes.findall(raw)), path.name
        assert b"viewBox" in clean or b"width" in clean, path.name


def test_the_loader_stores_content_svgs_sanitized(wagtail_root, content_dir, minimal_content):
    from tests.conftest import MINIMAL_CONTENT

    root = content_dir({**MINIMAL_CONTENT, "modules/souris/media/souris.svg": HOSTILE_SVG})

    load_curriculum(root)

    image = get_image_model().objects.get()
    with image.file.open("rb") as stored:
        assert_harmless(stored.read())


def test_the_loader_names_a_content_svg_it_cannot_read(wagtail_root, content_dir, minimal_content):
    from tests.conftest import MINIMAL_CONTENT

    root = content_dir({**MINIMAL_CONTENT, "modules/souris/media/souris.svg": b"<svg><rect"})

    with pytest.raises(ContentErrors, match="souris.svg"):
        load_curriculum(root)
    assert not get_image_model().objects.exists()


def test_a_lesson_with_a_shipped_svg_renders_and_its_image_is_served(client, curriculum):
    from modules.models import LessonPage

    lesson = LessonPage.objects.live().get(slug="tenir-la-souris")
    pages = [
        client.get(f"{lesson.url}?etape={number}") for number in range(1, lesson.step_count + 1)
    ]
    assert all(page.status_code == 200 for page in pages)
    sources = [
        source
        for page in pages
        for source in re.findall(r'<img[^>]+src="(/media/[^"]+\.svg)"', page.content.decode())
    ]
    assert sources, "the lesson shows its drawings"
    for source in sources:
        image = client.get(source)
        assert image.status_code == 200
        body = b"".join(image.streaming_content)
        assert b"<svg" in body and (b"<path" in body or b"<rect" in body), source


def test_a_superuser_can_still_open_the_admin_image_page(client, db):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    image = get_image_model().objects.create(
        title="Propre", file=ContentFile(HOSTILE_SVG, name="propre.svg")
    )

    response = client.get(f"/admin/images/{image.pk}/")

    assert response.status_code == 200
