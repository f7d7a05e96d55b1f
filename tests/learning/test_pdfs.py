"""Every PDF is built by `learning.pdf.html_to_pdf`, which fetches nothing.

A PDF built from HTML that names a URL (an image, a stylesheet, a CSS `url()`)
must never make the server request it (SSRF) or read a local file: only `data:`
URLs are read. The templates escape what people type, so the builder is tested
directly with hostile HTML, and each PDF view is checked to still give a real PDF
through the same restricted fetcher.
"""

import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
import weasyprint
from django.urls import reverse

from learning.models import Attendance
from learning.pdf import html_to_pdf
from learning.simulators.account import certificate_pdf
from tests.factories import GroupFactory, TrainingSessionFactory, learner, manager, staff_member

pytestmark = pytest.mark.django_db

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000105fe02fea70000000049454e44ae426082"
)


@pytest.fixture
def web_server():
    """A web server on this machine that counts what it is asked: (base URL, hits)."""
    hits = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.end_headers()
            self.wfile.write(PNG)

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", hits
    server.shutdown()
    server.server_close()


def hostile_html(base, secret_file):
    return f"""<!doctype html><html><head>
    <link rel="stylesheet" href="{base}/style.css">
    <style>@import url("{base}/import.css"); body {{ background: url("{base}/bg.png"); }}</style>
    </head><body>
    <p>Bonjour</p>
    <img src="{base}/tracker.png" alt="">
    <img src="file://{secret_file}" alt="">
    <object data="{base}/object.svg"></object>
    </body></html>"""


def test_the_server_in_this_test_does_count_requests(web_server, tmp_path):
    # Without our fetcher weasyprint would fetch them all: the test can see a request.
    base, hits = web_server
    weasyprint.HTML(string=hostile_html(base, tmp_path / "x.css")).write_pdf()
    assert "/tracker.png" in hits


def test_a_pdf_never_fetches_a_url_named_in_its_html(web_server, tmp_path):
    base, hits = web_server
    secret = tmp_path / "secret.png"
    secret.write_bytes(PNG)

    pdf = html_to_pdf(hostile_html(base, secret))

    assert pdf.startswith(b"%PDF")
    assert hits == []


def test_inline_images_still_show_in_a_pdf():
    data_url = "data:image/png;base64," + __import__("base64").b64encode(PNG).decode()
    pdf = html_to_pdf(f'<p>Bonjour</p><img src="{data_url}" alt="">')
    assert pdf.startswith(b"%PDF") and b"/Image" in pdf


# --- Each PDF, through the same fetcher -------------------------------------------


@pytest.fixture
def fetchers(monkeypatch):
    """The url_fetcher of every weasyprint document built during the test."""
    seen = []
    original = weasyprint.HTML

    def recording(*args, **kwargs):
        seen.append(kwargs.get("url_fetcher"))
        return original(*args, **kwargs)

    monkeypatch.setattr(weasyprint, "HTML", recording)
    return seen


def assert_fetches_nothing(fetchers, web_server, tmp_path):
    base, hits = web_server
    assert fetchers, "no PDF was built"
    for fetcher in fetchers:
        assert fetcher is not None, "weasyprint's default fetcher reads any URL"
        for url in (f"{base}/x.png", f"file://{tmp_path}/x.png"):
            with pytest.raises(ValueError):
                fetcher.fetch(url)
    assert hits == []


@pytest.fixture
def world():
    class World:
        pass

    world = World()
    world.manager = manager()
    world.learner, _pictures = learner(first_name="Aminata")
    world.learner.structure.members.add(world.manager)
    world.group = GroupFactory(structure=world.learner.structure, name="Emploi du lundi")
    world.group.learners.add(world.learner)
    world.session = TrainingSessionFactory(group=world.group)
    Attendance.objects.create(
        session=world.session, learner=world.learner, status=Attendance.Status.PRESENT
    )
    return world


def pdf_of(response):
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    return response.content


def test_the_trainers_cards_pdf_fetches_nothing(
    client, world, fetchers, web_server, tmp_path, pdf_text
):
    client.force_login(staff_member(world.learner.structure))
    url = reverse("learner_cards_pdf") + f"?id={world.learner.pk}"
    assert "Aminata" in pdf_text(pdf_of(client.get(url)))
    assert_fetches_nothing(fetchers, web_server, tmp_path)


def test_the_learners_own_card_pdf_fetches_nothing(
    client, world, fetchers, web_server, tmp_path, pdf_text
):
    client.force_login(world.learner.user)
    assert "Aminata" in pdf_text(pdf_of(client.get(reverse("learning:my_card_pdf"))))
    assert_fetches_nothing(fetchers, web_server, tmp_path)


def test_the_attendance_sheet_fetches_nothing(
    client, world, fetchers, web_server, tmp_path, pdf_text
):
    client.force_login(world.manager)
    url = reverse("session_attendance_sheet", args=[world.session.pk])
    assert "Aminata" in pdf_text(pdf_of(client.get(url)))
    assert_fetches_nothing(fetchers, web_server, tmp_path)


def test_the_attestation_fetches_nothing(client, world, fetchers, web_server, tmp_path, pdf_text):
    client.force_login(world.manager)
    url = reverse("learner_attestation", args=[world.learner.pk])
    assert "Aminata" in pdf_text(pdf_of(client.get(url)))
    assert_fetches_nothing(fetchers, web_server, tmp_path)


def test_the_account_simulators_certificate_fetches_nothing(
    fetchers, web_server, tmp_path, pdf_text
):
    state = {
        "settings": {
            "organisation": "Caisse de test",
            "certificate_title": "Attestation de droits",
            "site_name": "Mon compte",
        },
        "account": {"email": "lea@exemple.fr"},
    }
    assert "lea@exemple.fr" in pdf_text(certificate_pdf(state))
    assert_fetches_nothing(fetchers, web_server, tmp_path)
