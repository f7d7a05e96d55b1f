import re
import subprocess
from html import unescape

import pytest
from axes.models import AccessAttempt
from django.urls import reverse

from learning.codes import ALPHABET, normalize_code
from learning.models import IssuedCode, Learner, LessonProgress
from learning.pictures import PICTURES
from modules.models import LessonPage
from tests.factories import StructureFactory, UserFactory, learner, trainer

pytestmark = pytest.mark.django_db

SIGNIN = "/connexion/images/"


def sign_in(client, code, pictures, **extra):
    """Posts the pictures one by one, as the picker does; returns the last response."""
    picks = []
    response = None
    for picture in pictures:
        response = client.post(SIGNIN, {"code": code, "picks": picks, "pick": picture}, **extra)
        picks.append(picture)
    return response


def test_a_learner_code_is_six_unambiguous_characters_shown_with_a_dash():
    someone, _pictures = learner()
    assert re.fullmatch(rf"[{ALPHABET}]{{6}}", someone.code_id)
    assert not set("0O1IL2Z5S8B") & set(ALPHABET)
    assert someone.display_code == f"{someone.code_id[:3]}-{someone.code_id[3:]}"
    assert someone.user.email == "" and not someone.user.has_usable_password()


@pytest.mark.parametrize("typed", ["kp7-4qx", " KP7 4QX ", "kp74qx", "KP7.4QX"])
def test_a_code_is_understood_in_any_case_with_or_without_the_dash(typed):
    assert normalize_code(typed) == "KP74QX"


@pytest.mark.parametrize("typed", ["", "KP74Q", "KP74QXX", "KP74Q0", "<script>", None, "x" * 500])
def test_a_malformed_code_is_refused(typed):
    assert normalize_code(typed) is None


def test_codes_are_never_given_twice_even_after_an_erasure():
    first, _ = learner()
    code = first.code_id
    first.user.delete()  # the learner row goes with the user
    assert not Learner.objects.filter(code_id=code).exists()
    assert IssuedCode.objects.filter(code=code).exists()  # the code stays taken


def test_the_picture_password_is_hashed_never_in_clear():
    someone, pictures = learner(pin="4821")
    stored = Learner.objects.get(pk=someone.pk)
    for secret in ("soleil", "chat", "coeur", "4821"):
        assert secret not in stored.picture_password and secret not in stored.pin
    assert stored.picture_password.startswith(("md5$", "pbkdf2", "argon2", "scrypt"))


def test_a_learner_signs_in_with_code_and_pictures_in_order(client):
    someone, pictures = learner()
    response = sign_in(client, someone.display_code.lower(), pictures)
    assert response.status_code == 302
    assert client.get("/moi/").context["learner"] == someone


def test_pictures_in_the_wrong_order_are_refused_without_saying_if_the_code_exists(client):
    someone, pictures = learner()
    wrong_order = sign_in(client, someone.code_id, list(reversed(pictures)))
    unknown_code = sign_in(client, "ACDEFG", pictures)
    assert wrong_order.status_code == unknown_code.status_code == 200
    for response in (wrong_order, unknown_code):
        assert "Ce ne sont pas les bonnes images" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_pin_is_an_alternative(client):
    someone, _pictures = learner(pin="4821")
    wrong = client.post(SIGNIN, {"code": someone.code_id, "mode": "pin", "pin": "1111"})
    assert "Ce n'est pas le bon code secret" in unescape(wrong.content.decode())
    right = client.post(SIGNIN, {"code": someone.code_id, "mode": "pin", "pin": "4821"})
    assert right.status_code == 302


def test_twenty_wrong_tries_never_succeed_and_lock_the_code_from_that_ip(client):
    someone, pictures = learner()
    others = [p for p in PICTURES if p not in pictures]
    statuses = []
    for attempt in range(20):
        wrong = [others[attempt % len(others)], pictures[1], pictures[2]]
        statuses.append(sign_in(client, someone.code_id, wrong).status_code)
        assert "_auth_user_id" not in client.session
    assert statuses[:4] == [200] * 4  # still trying
    assert set(statuses[5:]) == {429}  # locked
    locked = sign_in(client, someone.code_id, pictures)
    assert locked.status_code == 429
    assert "Demandez à votre formateur" in unescape(locked.content.decode())
    assert "_auth_user_id" not in client.session


def test_a_lock_is_per_code_and_ip_so_a_library_is_not_locked_out(client):
    someone, pictures = learner()
    neighbour, neighbour_pictures = learner(structure=someone.structure, first_name="Awa")
    for _ in range(6):
        sign_in(client, someone.code_id, ["lune", "lune", "lune"])
    assert sign_in(client, someone.code_id, pictures).status_code == 429
    # Same library IP, another code: not locked.
    assert sign_in(client, neighbour.code_id, neighbour_pictures).status_code == 302
    # Same code from another IP: not locked either.
    client.logout()
    other_ip = sign_in(client, someone.code_id, pictures, REMOTE_ADDR="10.0.0.9")
    assert other_ip.status_code == 302


def test_a_trainer_unlocks_and_the_right_pictures_work_again(client):
    someone, pictures = learner()
    staff = trainer()
    someone.structure.members.add(staff)
    for _ in range(5):
        sign_in(client, someone.code_id, ["lune", "lune", "lune"])
    assert sign_in(client, someone.code_id, pictures).status_code == 429

    client.force_login(staff)
    client.post(reverse("learner_unlock", args=[someone.pk]))
    client.logout()

    assert not AccessAttempt.objects.filter(username=someone.code_id).exists()
    assert sign_in(client, someone.code_id, pictures).status_code == 302


def test_a_trainer_resets_the_pictures(client):
    someone, pictures = learner()
    staff = trainer()
    someone.structure.members.add(staff)
    client.force_login(staff)
    client.post(reverse("learner_reset", args=[someone.pk]))
    page = client.get(reverse("learner_access", args=[someone.pk])).content.decode()
    client.logout()

    new = [p for p in PICTURES if f"{PICTURES[p]}</li>" in page]
    assert len(new) == 3
    assert sign_in(client, someone.code_id, pictures).status_code == 200  # old ones refused
    order = sorted(new, key=lambda p: page.index(f"{PICTURES[p]}</li>"))
    assert sign_in(client, someone.code_id, order).status_code == 302


def test_a_trainer_creates_a_learner_in_the_admin_and_sees_the_pictures_once(client):
    staff = trainer()
    structure = StructureFactory()
    structure.members.add(staff)
    client.force_login(staff)

    response = client.post(
        "/admin/apprenants/new/",
        {"first_name": "Fatou", "last_initial": "d", "structure": structure.pk, "language": "fr"},
    )

    created = Learner.objects.get(first_name="Fatou")
    assert response.status_code == 302
    assert response["Location"] == reverse("learner_access", args=[created.pk])
    assert created.last_initial == "D" and created.created_by == staff
    page = client.get(response["Location"]).content.decode()
    assert created.display_code in page
    assert sum(f"{label}</li>" in page for label in map(str, PICTURES.values())) == 3


def test_a_trainer_cannot_create_a_learner_in_another_structure(client):
    staff = trainer()
    mine, theirs = StructureFactory(), StructureFactory()
    mine.members.add(staff)
    client.force_login(staff)
    response = client.post(
        "/admin/apprenants/new/",
        {"first_name": "X", "structure": theirs.pk, "language": "fr"},
    )
    assert response.status_code == 200  # the form refuses the structure
    assert not Learner.objects.filter(first_name="X").exists()


def test_a_trainer_never_sees_another_structures_learners(client):
    staff = trainer()
    mine, theirs = StructureFactory(), StructureFactory()
    mine.members.add(staff)
    own, _ = learner(structure=mine, first_name="Moi")
    other, _ = learner(structure=theirs, first_name="Ailleurs")
    client.force_login(staff)

    listing = client.get("/admin/apprenants/").content.decode()
    assert "Moi" in listing and "Ailleurs" not in listing
    for url in (
        reverse("learner_access", args=[other.pk]),
        f"/admin/apprenants/edit/{other.pk}/",
        f"/admin/apprenants/history/{other.pk}/",
        f"/admin/apprenants/usage/{other.pk}/",
    ):
        response = client.get(url)
        assert response.status_code == 404 and b"Ailleurs" not in response.content
    # Copying a learner makes no sense (and would show another structure's learner).
    assert client.get(f"/admin/apprenants/copy/{own.pk}/").status_code == 404
    assert client.post(reverse("learner_reset", args=[other.pk])).status_code == 404
    cards = client.get(reverse("learner_cards"), {"id": [own.pk, other.pk]}).content.decode()
    assert own.display_code in cards and other.display_code not in cards


def test_learners_and_anonymous_visitors_cannot_reach_trainer_actions(client):
    someone, pictures = learner()
    for url in (reverse("learner_access", args=[someone.pk]), "/admin/apprenants/"):
        assert client.get(url).status_code == 302  # to the admin login
    sign_in(client, someone.code_id, pictures)
    assert client.get(reverse("learner_access", args=[someone.pk])).status_code in (302, 403)


@pytest.mark.parametrize(
    "query",
    ["?code=", "?code=%3Cscript%3E", "?code=KP7-4Q", "?code=" + "A" * 300, "?code=ACDEFG%00"],
)
def test_a_tampered_qr_url_gets_a_clear_message(client, query):
    response = client.get(f"/connexion/{query}")
    assert response.status_code == 200
    assert "Ce code n'est pas valable" in unescape(response.content.decode())
    assert "<script>" not in response.content.decode()


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"code": "ACDEFG", "pick": "<img onerror=alert(1)>"},
        {"code": "ACDEFG", "picks": ["soleil"] * 9, "pick": "chat"},
        {"code": "ACDEFG", "mode": "pin", "pin": "' OR 1=1 --"},
    ],
)
def test_broken_sign_in_posts_never_fail(client, data):
    response = client.post(SIGNIN, data)
    assert response.status_code in (200, 302)
    assert "onerror" not in response.content.decode()


def test_the_qr_url_fills_in_the_code_and_goes_to_the_pictures(client):
    someone, _ = learner()
    html = client.get(f"/connexion/?code={someone.code_id}").content.decode()
    assert someone.display_code in html
    assert html.count('class="picture-button"') == 12


def test_sign_out_clears_the_site_data_and_back_shows_nothing_personal(client):
    someone, pictures = learner(first_name="Zoubida")
    sign_in(client, someone.code_id, pictures)
    home = client.get("/moi/")
    assert "Zoubida" in home.content.decode()
    assert "no-store" in home["Cache-Control"]

    response = client.post("/deconnexion/")

    assert '"cache"' in response["Clear-Site-Data"] and '"cookies"' in response["Clear-Site-Data"]
    assert "laisser l'ordinateur" in unescape(response.content.decode())
    again = client.get("/moi/")
    assert again.status_code == 302 and "Zoubida" not in again.content.decode()


def test_inactivity_signs_the_learner_out_and_keeps_the_progress(client, curriculum):
    someone, pictures = learner()
    lesson = LessonPage.objects.get(source_key="lecon-souris-tenir")
    sign_in(client, someone.code_id, pictures)
    client.get(f"{lesson.url}?etape=3")
    session = client.session
    session["last_activity"] -= 21 * 60
    session.save()

    response = client.get(f"{lesson.url}?etape=4")

    assert response.status_code == 302
    assert response["Location"] == "/connexion/?expire=1"
    assert "_auth_user_id" not in client.session
    assert "Vous n'avez rien fait" in unescape(client.get(response["Location"]).content.decode())
    back = sign_in(client, someone.code_id, pictures)
    assert back["Location"] == f"{lesson.url}?etape=3"


def test_a_lesson_left_open_does_not_keep_the_learner_signed_in(client, curriculum):
    """The lesson page sends its time every 30 s while it is visible. On a library
    computer left with a lesson open, that must not keep the session alive."""
    someone, pictures = learner()
    lesson = LessonPage.objects.get(source_key="lecon-souris-tenir")
    sign_in(client, someone.code_id, pictures)
    client.get(f"{lesson.url}?etape=2")
    session = client.session
    session["last_activity"] -= 19 * 60
    session.save()
    last_activity = session["last_activity"]

    for _beat in range(3):
        beat = client.post("/progression/temps/", {"lesson": lesson.pk, "seconds": 30})
        assert beat.status_code == 204
    assert client.session["last_activity"] == last_activity
    session = client.session
    session["last_activity"] -= 2 * 60  # the heartbeats went on: 21 minutes now
    session.save()
    client.post("/progression/temps/", {"lesson": lesson.pk, "seconds": 30})

    assert "_auth_user_id" not in client.session
    assert client.get(f"{lesson.url}?etape=2").status_code == 200  # a guest's page now
    assert client.get("/moi/").status_code == 302


def test_guest_progress_is_merged_at_sign_in_without_duplicates(client, curriculum):
    someone, pictures = learner()
    lesson = LessonPage.objects.get(source_key="lecon-souris-tenir")
    # As an account: step 1 and 2 seen.
    sign_in(client, someone.code_id, pictures)
    client.get(f"{lesson.url}?etape=1")
    client.get(f"{lesson.url}?etape=2")
    client.post("/deconnexion/")
    # As a guest on the same computer: steps 2, 3 and 4.
    for number in (2, 3, 4):
        client.get(f"{lesson.url}?etape={number}")

    response = sign_in(client, someone.code_id, pictures)

    progress = LessonProgress.objects.get(learner=someone.user)
    assert LessonProgress.objects.filter(learner=someone.user).count() == 1
    assert progress.completed_steps == [1, 2, 3, 4]
    assert progress.current_step == 4
    assert progress.progress == pytest.approx(4 / lesson.step_count)
    assert response["Location"] == f"{lesson.url}?etape=4"
    assert "guest_progress" not in client.session


def test_self_signup_is_off_unless_the_site_allows_it(client):
    response = client.get("/inscription/")
    assert response.status_code == 404
    assert "un formateur crée votre compte" in response.content.decode()


def test_self_signup_creates_an_account_with_chosen_pictures_and_shows_the_card(
    client, curriculum, site_settings_signup
):
    lesson = LessonPage.objects.get(source_key="lecon-souris-tenir")
    client.get(f"{lesson.url}?etape=2")  # as a guest first
    data = {"first_name": "Nadia", "last_initial": ""}
    client.post("/inscription/", data)
    picks = []
    for picture in ("pomme", "bateau", "cle"):
        response = client.post("/inscription/", {**data, "picks": picks, "pick": picture})
        picks.append(picture)

    assert response["Location"] == "/moi/carte/"
    created = Learner.objects.get(first_name="Nadia")
    card = client.get("/moi/carte/").content.decode()
    assert created.display_code in card and "pomme" in card
    assert LessonProgress.objects.get(learner=created.user).completed_steps == [2]
    client.post("/deconnexion/")
    assert sign_in(client, created.code_id, ["pomme", "bateau", "cle"]).status_code == 302


@pytest.mark.parametrize("name", ["", "   ", "<script>alert(1)</script>", "x" * 61])
def test_self_signup_refuses_a_bad_name_with_a_message(client, site_settings_signup, name):
    response = client.post("/inscription/", {"first_name": name})
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    assert not Learner.objects.exists()


@pytest.fixture
def site_settings_signup(db):
    from wagtail.models import Site

    from learning.models import LearnerSettings

    settings = LearnerSettings.for_site(Site.objects.get(is_default_site=True))
    settings.self_signup = True
    settings.signup_structure = StructureFactory(name="Bibliothèque Václav Havel")
    settings.save()
    return settings


# --- Cards ------------------------------------------------------------------------


def pdf_text_and_qr(pdf_bytes, tmp_path):
    from io import BytesIO

    from pypdf import PdfReader

    text = "".join(page.extract_text() for page in PdfReader(BytesIO(pdf_bytes)).pages)
    (tmp_path / "cards.pdf").write_bytes(pdf_bytes)
    subprocess.run(
        ["pdftoppm", "-r", "200", "-png", str(tmp_path / "cards.pdf"), str(tmp_path / "page")],
        check=True,
    )
    decoded = subprocess.run(
        ["zbarimg", "--quiet", "--raw", *sorted(map(str, tmp_path.glob("page*.png")))],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.split()
    return text, decoded


def test_the_card_pdf_holds_the_code_and_a_qr_code_to_the_sign_in_page(client, tmp_path):
    staff = trainer()
    someone, pictures = learner(first_name="Ibrahim")
    someone.structure.members.add(staff)
    client.force_login(staff)

    response = client.get(reverse("learner_cards_pdf"), {"id": someone.pk})

    assert response["Content-Type"] == "application/pdf"
    text, decoded = pdf_text_and_qr(response.content, tmp_path)
    assert "Ibrahim" in text and someone.display_code in text
    assert someone.structure.help_phone in text
    assert decoded == [f"http://testserver/connexion/?code={someone.code_id}"]
    assert not any(str(PICTURES[p]) in text for p in pictures)  # not ticked: no password


def test_the_password_is_printed_only_when_ticked_and_fresh(client, tmp_path):
    staff = trainer()
    structure = StructureFactory()
    structure.members.add(staff)
    client.force_login(staff)
    client.post(
        "/admin/apprenants/new/",
        {
            "first_name": "Lucie",
            "structure": structure.pk,
            "language": "fr",
            "picture_1": "arbre",
            "picture_2": "maison",
            "picture_3": "poisson",
        },
    )
    created = Learner.objects.get(first_name="Lucie")
    url = reverse("learner_cards")

    assert "maison" not in client.get(url, {"id": created.pk}).content.decode()
    assert "maison" in client.get(url, {"id": created.pk, "mot_de_passe": "1"}).content.decode()
    pdf = client.get(reverse("learner_cards_pdf"), {"id": created.pk, "mot_de_passe": "1"})
    text, _decoded = pdf_text_and_qr(pdf.content, tmp_path)
    assert "maison" in text
    # Another trainer's session never had the secret: nothing to print.
    other = trainer()
    structure.members.add(other)
    client.force_login(other)
    assert "maison" not in client.get(url, {"id": created.pk, "mot_de_passe": "1"}).content.decode()


def test_ten_cards_fit_one_a4_page(client, tmp_path):
    from io import BytesIO

    from pypdf import PdfReader

    staff = trainer()
    structure = StructureFactory()
    structure.members.add(staff)
    ids = [learner(structure=structure, first_name=f"P{chr(97 + n)}")[0].pk for n in range(12)]
    client.force_login(staff)

    pdf = client.get(reverse("learner_cards_pdf"), {"id": ids}).content

    reader = PdfReader(BytesIO(pdf))
    assert len(reader.pages) == 2
    assert reader.pages[0].extract_text().count("P") >= 10
    width, height = (float(v) for v in reader.pages[0].mediabox[2:])
    assert (round(width), round(height)) == (595, 842)  # A4 in points
    assert UserFactory  # keep the import used for readers of this module


def test_the_interface_switches_to_the_learners_language_at_sign_in(client):
    someone, pictures = learner(language="en")
    client.cookies["django_language"] = "fr"
    response = sign_in(client, someone.code_id, pictures)
    assert response.cookies["django_language"].value == "en"
    assert 'lang="en"' in client.get("/moi/").content.decode()


def test_the_demo_prints_working_credentials(client, settings):
    import io

    from django.core.management import call_command

    from learning.pictures import PICTURES

    settings.DEBUG = True
    out = io.StringIO()
    call_command("setup_demo", stdout=out)

    line = next(row for row in out.getvalue().splitlines() if "apprenant" in row)
    code = re.search(r"code : (\S+)", line).group(1)
    labels = re.search(r"images : (.+)$", line).group(1).split(", ")
    by_label = {str(label): key for key, label in PICTURES.items()}
    assert sign_in(client, code, [by_label[label] for label in labels]).status_code == 302
    trainer_line = next(row for row in out.getvalue().splitlines() if "formateur" in row)
    email, password = re.search(r"identifiant : (\S+)  mot de passe : (\S+)", trainer_line).groups()
    client.post("/deconnexion/")
    response = client.post("/admin/login/", {"username": email, "password": password})
    assert response.status_code == 302 and response["Location"] == "/admin/"
