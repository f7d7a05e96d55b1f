"""The Content-Security-Policy in a real browser (issue 10).

Every page a learner or a trainer uses works under its policy: a violation the
browser reports (console "Content Security Policy", `securitypolicyviolation`) fails
the test. And a hostile SVG never runs script on the site's origin: sanitized on
upload, and sandboxed by the /media/ headers even when written there directly."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import expect
from wagtail.images import get_image_model

from learning.models import User
from modules.models import ParcoursPage
from tests.browser.test_accounts import sign_in
from tests.factories import (
    GroupFactory,
    StructureFactory,
    TrainingSessionFactory,
    UserFactory,
    editor,
    learner,
    staff_member,
)

pytestmark = pytest.mark.browser

PASSWORD = "a long test password"  # tests/factories.py

# What the SVG's script would do if it ran: rename the page and call home to the
# server (the same request an attacker's script would use to create a superuser).
HOSTILE_SVG = b"""<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 40" width="40" height="40"
     onload="document.title = 'pwned'; fetch('/script-ran/onload/')">
  <script>document.title = 'pwned'; fetch('/script-ran/script/', {method: 'POST'});</script>
  <rect width="40" height="40" fill="teal"/>
</svg>"""

COLLECT_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (event) => {
  window.__cspViolations.push(
    `${event.violatedDirective} blocked ${event.blockedURI || 'inline'}`
    + ` at ${event.sourceFile}:${event.lineNumber}`
  );
});
"""


class Violations:
    """Every CSP violation the browser reports, page after page."""

    def __init__(self, page):
        self.page = page
        self.found = []
        page.add_init_script(COLLECT_VIOLATIONS)
        page.on("console", self.on_console)

    def on_console(self, message):
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            self.found.append(f"{self.page.url}: {message.text}")

    def visit(self, url, what):
        response = self.page.goto(url)
        assert response.status < 400, f"{what}: {response.status} at {url}"
        self.page.wait_for_load_state("load")
        self.check(what)
        return response

    def check(self, what):
        self.page.wait_for_timeout(300)  # violations are reported asynchronously
        seen = self.page.evaluate("window.__cspViolations || []")
        self.found.extend(f"{what} ({self.page.url}): {text}" for text in seen)
        self.page.evaluate("window.__cspViolations = []")

    def assert_none(self):
        assert self.found == [], "\n".join(self.found)


@pytest.fixture
def media_through_the_site(monkeypatch):
    """Django's live server answers /media/ itself (_MediaFilesHandler), before the
    site's URLs: send those requests to the site's own media view instead."""
    from django.test.testcases import _MediaFilesHandler

    monkeypatch.setattr(_MediaFilesHandler, "_should_handle", lambda self, path: False)


def sign_in_to_admin(page, base_url, user):
    page.goto(f"{base_url}/admin/login/")
    page.locator("#id_username").fill(user.username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#id_password").press("Enter")
    expect(page).to_have_url(f"{base_url}/admin/")


def script_calls(page):
    """Requests the SVG's script would send, if it ever ran."""
    calls = []
    page.on("request", lambda request: "/script-ran/" in request.url and calls.append(request.url))
    return calls


# --- 1. The hostile SVG ----------------------------------------------------------


def test_a_hostile_svg_uploaded_by_an_editor_runs_nothing_when_a_superuser_opens_it(
    live_curriculum, page, new_context, media_through_the_site
):
    base_url = live_curriculum.url
    upload = Path(settings.MEDIA_ROOT) / "piege.svg"
    upload.write_bytes(HOSTILE_SVG)
    # Both accounts exist before any page talks to the live server (on SQLite, a
    # server thread may hold the users table while the test writes it).
    author = editor()
    boss = UserFactory(is_superuser=True, is_staff=True)
    users_before = User.objects.count()

    # The editor uploads it through the admin's form.
    sign_in_to_admin(page, base_url, author)
    violations = Violations(page)
    violations.visit(f"{base_url}/admin/images/add/", "image upload page")
    page.locator("#id_title").fill("Un piège")
    page.locator("#id_file").set_input_files(str(upload))
    page.locator("#id_title").press("Enter")
    expect(page).to_have_url(re.compile(r"/admin/images/"))
    image = get_image_model().objects.get(title="Un piège")
    upload.unlink()

    # A superuser opens the image page, the original file link Wagtail shows, and the
    # file itself.
    admin = new_context().new_page()
    calls = script_calls(admin)
    sign_in_to_admin(admin, base_url, boss)
    admin.goto(f"{base_url}/admin/images/{image.pk}/")
    original = admin.get_by_role("link", name=re.compile(r"^piege.*\.svg$")).first
    expect(original).to_be_attached()
    href = original.get_attribute("href")
    admin.goto(href if href.startswith("http") else base_url + href)
    admin.wait_for_timeout(500)
    assert admin.title() != "pwned"
    admin.goto(f"{base_url}{image.file.url}")
    admin.wait_for_timeout(500)
    assert admin.title() != "pwned"
    # A rendition, as lessons show it.
    admin.goto(f"{base_url}{image.get_rendition('max-800x600').url}")
    admin.wait_for_timeout(500)

    assert admin.title() != "pwned"
    assert calls == []
    assert User.objects.count() == users_before
    violations.assert_none()


def test_an_svg_written_to_media_without_sanitising_is_still_sandboxed(
    live_curriculum, page, media_through_the_site
):
    """The second lock alone: the file as an attacker wrote it, served by /media/."""
    base_url = live_curriculum.url
    raw = Path(settings.MEDIA_ROOT) / "original_images" / "brut.svg"
    raw.parent.mkdir(parents=True, exist_ok=True)
    raw.write_bytes(HOSTILE_SVG)  # straight to disk: no storage, no sanitizer
    calls = script_calls(page)

    # The detector works: the same file from the site's origin without the headers runs.
    page.route(
        "**/sans-politique.svg",
        lambda route: route.fulfill(body=HOSTILE_SVG, content_type="image/svg+xml"),
    )
    page.goto(f"{base_url}/sans-politique.svg")
    expect(page).to_have_title("pwned")
    page.wait_for_timeout(500)
    assert calls, "without the policy the script runs: the test can see it"
    calls.clear()

    response = page.goto(f"{base_url}/media/original_images/brut.svg")
    page.wait_for_timeout(500)

    assert response.status == 200
    assert "sandbox" in response.headers["content-security-policy"]
    assert page.title() != "pwned"
    assert calls == []


# --- 2. Learner pages under the site's policy ------------------------------------


def test_the_learner_pages_work_under_the_sites_policy(live_curriculum, page):
    base_url = live_curriculum.url
    violations = Violations(page)
    person, pictures = learner(first_name="Awa")

    violations.visit(f"{base_url}/", "home and catalogue, as a guest")
    parcours = ParcoursPage.objects.live().first()
    violations.visit(f"{base_url}{parcours.url}", "a parcours")
    violations.visit(f"{base_url}/connexion/", "sign-in")
    sign_in(page, base_url, person.code_id, pictures)
    expect(page.get_by_role("button", name="J'ai fini")).to_be_visible()
    violations.check("signed in: the learner's home")

    lesson = "/modules/la-souris/tenir-la-souris/"
    violations.visit(f"{base_url}{lesson}", "a lesson")
    for number in (2, 3, 4):
        violations.visit(f"{base_url}{lesson}?etape={number}", f"lesson step {number}")
    # A quiz answered through htmx (swapped in, no reload).
    quiz = page.locator("form.quiz")
    if quiz.count():
        quiz.locator("input[name=choice]").first.check()
        quiz.locator("button[type=submit]").click()
        page.wait_for_timeout(500)
        violations.check("a quiz answered")
    # A practice site (the job board).
    jobs = "/modules/chercher-un-emploi/chercher-une-offre/?etape=5"
    violations.visit(f"{base_url}{jobs}", "a simulation lesson")
    open_button = page.get_by_role("button", name="Ouvrir la simulation")
    if open_button.count():
        open_button.first.click()
        page.wait_for_load_state("load")
        violations.check("a simulator")
    violations.assert_none()


# --- 3. The admin under its own policy --------------------------------------------


def test_the_admin_and_the_trainer_space_work_under_the_admins_policy(live_curriculum, page):
    from modules.models import LessonPage

    base_url = live_curriculum.url
    structure = StructureFactory(name="Antenne du Centre")
    boss = UserFactory(is_superuser=True, is_staff=True)
    structure.members.add(boss)
    staff_member(structure)
    parcours = ParcoursPage.objects.live().first()
    group = GroupFactory(structure=structure, parcours=parcours, name="Groupe du lundi")
    person, _pictures = learner(structure=structure, first_name="Awa")
    group.learners.add(person)
    session = TrainingSessionFactory(group=group)
    lesson = LessonPage.objects.live().get(slug="tenir-la-souris")

    sign_in_to_admin(page, base_url, boss)
    violations = Violations(page)
    pages = {
        "dashboard": "/admin/",
        "page explorer": f"/admin/pages/{parcours.get_parent().pk}/",
        "lesson editor (StreamField, Draftail)": f"/admin/pages/{lesson.pk}/edit/",
        "image upload": "/admin/images/add/",
        "images": "/admin/images/",
        "snippets": "/admin/snippets/",
        "learners": "/admin/apprenants/",
        "a learner's file": f"/admin/apprenants/{person.pk}/dossier/",
        "a learner's form": f"/admin/apprenants/edit/{person.pk}/",
        "groups": "/admin/groupes/",
        "a group": f"/admin/groupes/inspect/{group.pk}/",
        "a group's form (date and inline widgets)": f"/admin/groupes/edit/{group.pk}/",
        "the group dashboard": f"/admin/groupes/{group.pk}/tableau/",
        "a session's form": f"/admin/seances/edit/{session.pk}/",
        "attendance": f"/admin/seances/{session.pk}/presences/",
        "the structure report": "/admin/rapport/",
        "learner cards": f"/admin/apprenants/cartes/?id={person.pk}",
    }
    for what, url in pages.items():
        violations.visit(base_url + url, what)

    # The lesson editor's preview: Wagtail frames the page being edited.
    page.goto(f"{base_url}/admin/pages/{lesson.pk}/edit/")
    preview = page.get_by_role("button", name=re.compile("Aperçu|Preview", re.I))
    if preview.count():
        preview.first.click()
        page.wait_for_timeout(1500)
        violations.check("lesson preview")
    violations.assert_none()
