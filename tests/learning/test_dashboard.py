"""The live group dashboard, "J'ai besoin d'aide" and "Proposer cette leçon au groupe"."""

import datetime
import re
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from learning import selectors, services
from learning.models import HelpRequest, LessonProgress
from modules.models import LessonPage, ParcoursPage
from tests.factories import (
    GroupFactory,
    StructureFactory,
    UserFactory,
    learner,
    parcours_with_lessons,
    trainer,
)

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}
SOURIS = [
    "lecon-souris-tenir",
    "lecon-souris-cliquer",
    "lecon-souris-double-clic-clic-droit",
    "lecon-souris-defiler-glisser",
]


# --- Fixtures and helpers ---------------------------------------------------------


@pytest.fixture
def structure(db):
    return StructureFactory(name="Antenne du Centre")


@pytest.fixture
def staff(structure):
    user = trainer(username="formatrice@example.org")
    structure.members.add(user)
    return user


@pytest.fixture
def initiation(curriculum):
    return ParcoursPage.objects.get(source_key="parcours-initiation")


@pytest.fixture
def group(structure, initiation):
    return GroupFactory(structure=structure, parcours=initiation, name="Mardi matin")


def lesson(key):
    return LessonPage.objects.get(source_key=key)


def parcours_lesson_keys(parcours):
    """The live lessons of a parcours, module by module, in the parcours' order."""
    keys = []
    for link in parcours.parcours_modules.order_by("sort_order"):
        keys += [page.source_key for page in link.module.get_children().live().specific()]
    return keys


def member(group, first_name="Samir"):
    person, _pictures = learner(structure=group.structure, first_name=first_name)
    group.learners.add(person)
    return person


def complete(person, page):
    """A finished lesson, as the services leave it."""
    for number in range(1, page.step_count + 1):
        services.lesson_step_view(user=person.user, lesson=page, step_number=number)
    LessonProgress.objects.filter(learner=person.user, lesson_key=page.stable_key).update(
        status=LessonProgress.Status.COMPLETED, completed_at=timezone.now(), progress=1.0
    )


def text(response):
    """The page's HTML with entities decoded (apostrophes come escaped or not)."""
    return unescape(response.content.decode())


def dashboard_url(group):
    return reverse("group_dashboard", args=[group.pk])


def cells(html, name):
    """The matrix cells of one learner's row, as their accessible text."""
    row = re.search(rf'<th scope="row" class="gd-name">\s*{re.escape(name)}.*?</tr>', html, re.S)
    assert row, f"no row for {name}"
    texts = re.findall(r'<td class="gd-cell[^"]*">(.*?)</td>', row.group(0), re.S)
    return [
        re.sub(r"\s+", " ", re.sub(r'<span aria-hidden="true">.*?</span>|<[^>]+>', "", t)).strip()
        for t in texts
    ]


# --- 1. The matrix ----------------------------------------------------------------


def test_the_matrix_shows_each_learner_lesson_by_lesson_in_parcours_order(client, staff, group):
    amina, samir = member(group, "Amina"), member(group, "Samir")
    member(group, "Zoé")
    first, second = lesson(SOURIS[0]), lesson(SOURIS[1])
    complete(amina, first)
    services.lesson_step_view(user=amina.user, lesson=second, step_number=1)
    services.lesson_step_view(user=amina.user, lesson=second, step_number=2)
    # A lesson outside the parcours is no column, but it is where Samir is now.
    parcours_with_lessons(modules=1, lessons=1, title="Ailleurs")
    elsewhere = LessonPage.objects.get(title="Leçon 1.1")
    services.lesson_step_view(user=samir.user, lesson=elsewhere, step_number=2)

    matrix = selectors.group_progress_matrix(group=group)
    expected = parcours_lesson_keys(group.parcours)
    assert expected[: len(SOURIS)] == SOURIS
    assert [page.source_key for page in matrix.lessons] == expected
    others = len(expected) - 2
    by_name = {row.learner.first_name: row for row in matrix.rows}
    second_percent = round(100 * 2 / second.step_count)
    assert [(c.status, c.percent) for c in by_name["Amina"].cells] == [
        ("completed", 100),
        ("started", second_percent),
    ] + [("not_started", 0)] * others
    assert all(c.status == "not_started" for c in by_name["Samir"].cells)
    assert by_name["Amina"].current_lesson == second and by_name["Amina"].current_step == 2
    assert by_name["Samir"].current_lesson == elsewhere and by_name["Samir"].current_step == 2
    assert by_name["Amina"].is_active and by_name["Zoé"].current_lesson is None

    client.force_login(staff)
    html = text(client.get(dashboard_url(group)))
    assert (
        cells(html, "Amina")
        == ["Terminée", f"En cours : {second_percent} %"] + ["Pas commencée"] * others
    )
    assert cells(html, "Samir") == ["Pas commencée"] * len(expected)
    assert f"{second.title}, étape 2" in html and "Actif maintenant" in html
    assert "Leçon 1.1, étape 2" in html
    assert "Pas encore commencé" in html  # Zoé
    # Module headers, then lesson headers, in the parcours order.
    headers = re.findall(r'<th scope="col" class="gd-lesson[^"]*"><span>(.*?)</span>', html)
    assert headers == [lesson(key).title for key in expected]


def test_an_idle_learner_shows_since_when(client, staff, group):
    amina = member(group, "Amina")
    services.lesson_step_view(user=amina.user, lesson=lesson(SOURIS[0]), step_number=3)
    LessonProgress.objects.filter(learner=amina.user).update(
        last_seen_at=timezone.now() - datetime.timedelta(minutes=7, seconds=10)
    )
    client.force_login(staff)
    html = text(client.get(dashboard_url(group)))
    assert "Inactif depuis 7 min" in html and "Actif maintenant" not in html


def test_the_dashboard_shows_how_long_each_learner_has_been_on_their_step(client, staff, group):
    now = timezone.now()
    amina, bruno = member(group, "Amina"), member(group, "Bruno")
    for person in (amina, bruno):
        services.lesson_step_view(user=person.user, lesson=lesson(SOURIS[0]), step_number=2)
    # Amina came to step 2 twelve minutes ago and is still on it.
    LessonProgress.objects.filter(learner=amina.user).update(
        step_started_at=now - datetime.timedelta(minutes=12, seconds=5)
    )
    # Bruno spent 3 minutes on step 2, then left an hour ago: the clock stopped.
    LessonProgress.objects.filter(learner=bruno.user).update(
        step_started_at=now - datetime.timedelta(minutes=63),
        last_seen_at=now - datetime.timedelta(minutes=60),
    )
    client.force_login(staff)
    html = text(client.get(dashboard_url(group)))
    assert "12 min sur cette étape" in html
    assert "3 min sur cette étape" in html and "Inactif depuis 1 h 00" in html

    # Seeing the same step again keeps the clock; the next step restarts it.
    services.lesson_step_view(user=amina.user, lesson=lesson(SOURIS[0]), step_number=2)
    assert "12 min sur cette étape" in text(client.get(dashboard_url(group)))
    services.lesson_step_view(user=amina.user, lesson=lesson(SOURIS[0]), step_number=3)
    html = text(client.get(dashboard_url(group)))
    assert "étape 3" in html and "moins d'1 min sur cette étape" in html


def test_the_dashboard_costs_the_same_queries_for_3_or_12_learners(client, staff, structure):
    small = GroupFactory(structure=structure, parcours=parcours_with_lessons(modules=1, lessons=2))
    big = GroupFactory(
        structure=structure, parcours=parcours_with_lessons(modules=3, lessons=5, title="Grand")
    )
    for group, count in ((small, 3), (big, 12)):
        lessons = selectors.group_progress_matrix(group=group).lessons
        for number in range(count):
            person = member(group, f"Personne {chr(65 + number)}")
            for page in lessons[: number % len(lessons) + 1]:
                services.lesson_step_view(user=person.user, lesson=page, step_number=2)
            if number % 2:
                services.help_request_raise(learner=person, lesson=lessons[0], step_number=1)
    assert len(selectors.group_progress_matrix(group=big).lessons) == 15

    counts = {}
    for group in (small, big):
        with CaptureQueriesContext(connection) as queries:
            matrix = selectors.group_progress_matrix(group=group)
            [cell.status for row in matrix.rows for cell in row.cells]
            [(row.current_lesson and row.current_lesson.title, row.hand) for row in matrix.rows]
        counts[group.pk] = len(queries)
    assert counts[small.pk] == counts[big.pk] <= 6, counts

    client.force_login(staff)
    client.get(dashboard_url(small), headers=HTMX)  # warms the caches (site, permissions)
    views = {}
    for group in (small, big):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(dashboard_url(group), headers=HTMX)
        assert response.status_code == 200
        views[group.pk] = len(queries)
    assert views[small.pk] == views[big.pk], views


def test_django_assert_max_num_queries_holds_at_both_sizes(
    client, staff, structure, django_assert_max_num_queries
):
    for modules, lessons, learners in ((1, 3, 3), (4, 6, 11)):
        group = GroupFactory(
            structure=structure,
            parcours=parcours_with_lessons(modules=modules, lessons=lessons, title=f"P{modules}"),
        )
        pages = selectors.group_progress_matrix(group=group).lessons
        for number in range(learners):
            person = member(group, f"Personne {chr(65 + number)}")
            services.lesson_step_view(
                user=person.user, lesson=pages[number % len(pages)], step_number=1
            )
        with django_assert_max_num_queries(6):
            matrix = selectors.group_progress_matrix(group=group)
        assert len(matrix.rows) == learners and len(matrix.lessons) == modules * lessons
        client.force_login(staff)
        with django_assert_max_num_queries(14):
            assert client.get(dashboard_url(group), headers=HTMX).status_code == 200


def test_htmx_polls_every_10_seconds_and_gets_only_the_fragment(client, staff, group):
    member(group)
    client.force_login(staff)
    page = client.get(dashboard_url(group))
    html = text(page)
    assert page.status_code == 200 and "<html" in html
    assert f'hx-get="{dashboard_url(group)}"' in html
    assert 'hx-trigger="every 10s"' in html
    assert "htmx" in html and 'aria-live="polite"' in html
    assert "no-store" in page["Cache-Control"]

    fragment = text(client.get(dashboard_url(group), headers=HTMX))
    assert "<html" not in fragment and fragment.startswith('<div id="gd-live"')
    assert 'hx-trigger="every 10s"' in fragment  # the new fragment keeps polling


# --- 2. Who may see it ------------------------------------------------------------


def test_a_trainer_of_another_structure_gets_404_everywhere(client, group):
    hand_raiser = member(group)
    hand = services.help_request_raise(learner=hand_raiser, lesson=lesson(SOURIS[0]), step_number=1)
    other = trainer(username="ailleurs@example.org")
    StructureFactory(name="Autre antenne").members.add(other)
    client.force_login(other)

    assert client.get(dashboard_url(group)).status_code == 404
    assert client.get(dashboard_url(group), headers=HTMX).status_code == 404
    propose = reverse("group_propose_lesson", args=[group.pk])
    assert client.post(propose, {"lesson": lesson(SOURIS[0]).pk}).status_code == 404
    resolve = reverse("help_request_resolve", args=[hand.pk])
    assert client.post(resolve, {"group": group.pk}).status_code == 404
    group.refresh_from_db()
    hand.refresh_from_db()
    assert group.current_lesson is None and hand.resolved_at is None
    listing = text(client.get(reverse("group_dashboards")))
    assert group.name not in listing


def test_a_hand_of_another_group_cannot_be_resolved_through_mine(client, staff, group, structure):
    member(group)
    stranger_group = GroupFactory(name="Autre groupe")  # another structure
    stranger, _pictures = learner(structure=stranger_group.structure, first_name="Zoé")
    stranger_group.learners.add(stranger)
    hand = services.help_request_raise(learner=stranger, lesson=lesson(SOURIS[0]), step_number=1)

    client.force_login(staff)
    resolve = reverse("help_request_resolve", args=[hand.pk])
    assert client.post(resolve, {"group": group.pk}).status_code == 404
    assert client.post(resolve, {"group": stranger_group.pk}).status_code == 404
    assert client.post(resolve, {"group": "x"}).status_code == 404
    hand.refresh_from_db()
    assert hand.resolved_at is None


def test_a_learner_or_a_guest_never_reaches_the_dashboard(client, group):
    person = member(group)
    assert client.get(dashboard_url(group)).status_code == 302  # to the admin sign-in
    client.force_login(person.user)
    response = client.get(dashboard_url(group))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    response = client.post(reverse("group_propose_lesson", args=[group.pk]), {"stop": "1"})
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_a_superuser_sees_every_group_and_the_menu_shows_the_dashboards(client, staff, group):
    admin = UserFactory(username="admin@example.org", is_superuser=True, is_staff=True)
    client.force_login(admin)
    assert client.get(dashboard_url(group)).status_code == 200

    client.force_login(staff)
    home = text(client.get(reverse("wagtailadmin_home")))
    assert "Tableau de bord des groupes" in home
    listing = text(client.get(reverse("group_dashboards")))
    assert dashboard_url(group) in listing and "Mardi matin" in listing


def test_a_member_without_the_group_permission_is_refused(client, structure, group):
    from django.contrib.auth.models import Permission

    someone = UserFactory(username="benevole@example.org")
    someone.user_permissions.add(Permission.objects.get(codename="access_admin"))
    structure.members.add(someone)
    client.force_login(someone)
    response = client.get(dashboard_url(group))
    assert response.status_code == 302 and response["Location"] == reverse("wagtailadmin_home")
    assert client.get(reverse("group_dashboards")).status_code == 302
    home = text(client.get(reverse("wagtailadmin_home")))
    assert "Tableau de bord des groupes" not in home


# --- 3. Raised hands --------------------------------------------------------------


def test_pressing_help_twice_raises_one_hand_which_the_dashboard_shows_first(client, staff, group):
    member(group, "Amina")
    samir = member(group, "Samir")
    page = lesson(SOURIS[1])
    first = services.help_request_raise(learner=samir, lesson=page, step_number=2)
    again = services.help_request_raise(learner=samir, lesson=page, step_number=3)
    assert first.pk == again.pk and again.step_number == 3
    assert HelpRequest.objects.filter(learner=samir).count() == 1
    assert HelpRequest.objects.get().group == group

    client.force_login(staff)
    html = text(client.get(dashboard_url(group)))
    names = re.findall(r'<th scope="row" class="gd-name">\s*([^<\s]+)', html)
    assert names == ["Samir", "Amina"]  # the raised hand first
    hands = re.search(r'<ul class="gd-hand-list">.*?</ul>', html, re.S).group(0)
    assert "Samir" in hands and "Demande de l'aide" in hands
    assert "depuis moins d'1 min" in hands and f"{page.title}, étape 3" in hands
    assert "C'est fait" in hands


def test_the_trainer_resolves_a_hand_with_or_without_htmx(client, staff, group):
    samir = member(group, "Samir")
    hand = services.help_request_raise(learner=samir, lesson=lesson(SOURIS[0]), step_number=1)
    client.force_login(staff)
    resolve = reverse("help_request_resolve", args=[hand.pk])

    fragment = text(client.post(resolve, {"group": group.pk}, headers=HTMX))
    assert fragment.startswith('<div id="gd-live"')
    assert "Personne ne demande d'aide pour le moment." in fragment
    hand.refresh_from_db()
    assert hand.resolved_at is not None and hand.resolved_by == staff

    # A new hand, resolved without JavaScript: back to the dashboard.
    hand = services.help_request_raise(learner=samir, lesson=lesson(SOURIS[0]), step_number=2)
    response = client.post(reverse("help_request_resolve", args=[hand.pk]), {"group": group.pk})
    assert response.status_code == 302 and response["Location"] == dashboard_url(group)
    hand.refresh_from_db()
    assert hand.resolved_at is not None
    # Resolving twice changes nothing and fails nothing.
    resolved_at = hand.resolved_at
    client.post(reverse("help_request_resolve", args=[hand.pk]), {"group": group.pk})
    hand.refresh_from_db()
    assert hand.resolved_at == resolved_at


def test_a_group_learner_raises_and_cancels_from_the_lesson_without_javascript(client, group):
    samir = member(group)
    page = lesson(SOURIS[0])
    client.force_login(samir.user)
    html = text(client.get(f"{page.url}?etape=2"))
    assert "J'ai besoin d'aide" in html

    response = client.post(reverse("learning:help_request_raise"), {"lesson": page.pk, "step": 2})
    assert response.status_code == 302
    assert response["Location"] == f"{page.url}?etape=2#help-request"
    hand = HelpRequest.objects.get(learner=samir, resolved_at__isnull=True)
    assert (hand.lesson, hand.step_number) == (page, 2)
    html = text(client.get(response["Location"]))
    assert 'role="status"' in html and "Un formateur arrive. Continuez si vous pouvez." in html
    assert "Je n'ai plus besoin d'aide" in html

    client.post(reverse("learning:help_request_raise"), {"lesson": page.pk, "step": 2})
    assert HelpRequest.objects.filter(learner=samir).count() == 1

    response = client.post(reverse("learning:help_request_cancel"), {"lesson": page.pk, "step": 2})
    assert response.status_code == 302
    hand.refresh_from_db()
    assert hand.resolved_at is not None and hand.resolved_by == samir.user
    html = text(client.get(f"{page.url}?etape=2"))
    assert "J'ai besoin d'aide" in html and "Un formateur arrive" not in html


def test_with_htmx_the_button_becomes_the_answer_in_place(client, group):
    samir = member(group)
    page = lesson(SOURIS[0])
    client.force_login(samir.user)
    url = reverse("learning:help_request_raise")
    fragment = text(client.post(url, {"lesson": page.pk, "step": 3}, headers=HTMX))
    assert fragment.startswith('<div id="help-request"') and "<html" not in fragment
    assert 'role="status"' in fragment and "Un formateur arrive." in fragment
    cancel = reverse("learning:help_request_cancel")
    fragment = text(client.post(cancel, {"lesson": page.pk, "step": 3}, headers=HTMX))
    assert "J'ai besoin d'aide" in fragment and 'role="status"' not in fragment
    assert not HelpRequest.objects.filter(resolved_at__isnull=True).exists()


@pytest.mark.parametrize(
    "data", [{}, {"lesson": "abc"}, {"lesson": "999999"}, {"lesson": "-1", "step": "2"}]
)
def test_a_tampered_help_form_is_a_404(client, group, data):
    samir = member(group)
    client.force_login(samir.user)
    assert client.post(reverse("learning:help_request_raise"), data).status_code == 404
    assert not HelpRequest.objects.exists()


def test_a_silly_step_number_is_clamped(client, group):
    samir = member(group)
    page = lesson(SOURIS[0])
    client.force_login(samir.user)
    client.post(reverse("learning:help_request_raise"), {"lesson": page.pk, "step": "9999"})
    assert HelpRequest.objects.get().step_number == page.step_count


def test_no_help_button_outside_a_running_group_nor_for_guests(client, structure, curriculum):
    page = lesson(SOURIS[0])
    raise_url = reverse("learning:help_request_raise")

    # A guest.
    assert "besoin d'aide" not in text(client.get(page.url))
    assert client.post(raise_url, {"lesson": page.pk}).status_code == 403

    # A learner in no group.
    alone, _pictures = learner(structure=structure, first_name="Léa")
    client.force_login(alone.user)
    assert "besoin d'aide" not in text(client.get(page.url))
    assert client.post(raise_url, {"lesson": page.pk}).status_code == 403

    # A learner whose group ended yesterday, or starts tomorrow.
    today = datetime.date.today()
    ended = GroupFactory(
        structure=structure,
        start_date=today - datetime.timedelta(days=10),
        end_date=today - datetime.timedelta(days=1),
    )
    ended.learners.add(alone)
    assert "besoin d'aide" not in text(client.get(page.url))
    later = GroupFactory(structure=structure, start_date=today + datetime.timedelta(days=1))
    later.learners.add(alone)
    assert "besoin d'aide" not in text(client.get(page.url))
    assert client.post(raise_url, {"lesson": page.pk}).status_code == 403
    assert not HelpRequest.objects.exists()

    # A group without dates counts as running.
    GroupFactory(structure=structure, start_date=None).learners.add(alone)
    assert "besoin d'aide" in text(client.get(page.url))

    # A trainer sees no button on lessons either.
    client.force_login(trainer())
    assert "besoin d'aide" not in text(client.get(page.url))


# --- 4. "Proposer cette leçon au groupe" --------------------------------------------


def test_a_proposed_lesson_shows_on_the_learners_home_until_withdrawn(client, staff, group):
    samir = member(group)
    page = lesson(SOURIS[2])
    client.force_login(staff)
    propose = reverse("group_propose_lesson", args=[group.pk])
    response = client.post(propose, {"lesson": page.pk}, follow=True)
    html = text(response)
    assert "Leçon proposée au groupe" in html and f"<strong>{page.title}</strong>" in html
    group.refresh_from_db()
    assert group.current_lesson == page and group.current_lesson_set_at is not None

    client.force_login(samir.user)
    home = text(client.get(reverse("learning:home")))
    card = re.search(r'<section class="card proposed-lesson".*?</section>', home, re.S).group(0)
    assert f"Votre formateur vous propose : {page.title}" in card
    assert f'href="{page.url}"' in card and ">Commencer</a>" in card

    # Started: "Continuer" at the step where the learner stopped.
    client.get(f"{page.url}?etape=2")
    home = text(client.get(reverse("learning:home")))
    card = re.search(r'<section class="card proposed-lesson".*?</section>', home, re.S).group(0)
    assert f'href="{page.url}?etape=2"' in card and ">Continuer</a>" in card

    client.force_login(staff)
    client.post(propose, {"stop": "1"})
    group.refresh_from_db()
    assert group.current_lesson is None and group.current_lesson_set_at is None
    client.force_login(samir.user)
    home = text(client.get(reverse("learning:home")))
    assert "Votre formateur vous propose" not in home


def test_a_lesson_outside_the_groups_parcours_is_refused_with_a_message(client, staff, group):
    other = parcours_with_lessons(modules=1, lessons=1, title="Autre parcours")
    outside = LessonPage.objects.live().filter(title="Leçon 1.1").get()
    assert outside.get_parent().specific.title.startswith(other.title)
    client.force_login(staff)
    propose = reverse("group_propose_lesson", args=[group.pk])

    html = text(client.post(propose, {"lesson": outside.pk}, follow=True))
    assert "Cette leçon ne fait pas partie du parcours du groupe." in html
    for bad in ({"lesson": "x"}, {"lesson": "99999"}, {}):
        html = text(client.post(propose, bad, follow=True))
        assert "Choisissez une leçon dans la liste." in html
    group.refresh_from_db()
    assert group.current_lesson is None


def test_the_proposed_lesson_is_for_the_groups_learners_only(client, staff, group, structure):
    samir = member(group)
    services.group_lesson_propose(group=group, lesson=lesson(SOURIS[0]), by=staff)
    outsider, _pictures = learner(structure=structure, first_name="Léa")
    client.force_login(outsider.user)
    assert "Votre formateur vous propose" not in text(client.get(reverse("learning:home")))
    # A group that has ended offers nothing any more.
    group.start_date = datetime.date.today() - datetime.timedelta(days=30)
    group.end_date = datetime.date.today() - datetime.timedelta(days=1)
    group.save()
    client.force_login(samir.user)
    assert "Votre formateur vous propose" not in text(client.get(reverse("learning:home")))


def test_proposing_is_logged_in_the_groups_history(staff, group):
    from wagtail.models import ModelLogEntry

    page = lesson(SOURIS[0])
    services.group_lesson_propose(group=group, lesson=page, by=staff)
    services.group_lesson_withdraw(group=group, by=staff)
    entries = ModelLogEntry.objects.filter(object_id=str(group.pk)).order_by("timestamp")
    assert [(e.action, e.user_id) for e in entries] == [
        ("learning.lesson_proposed", staff.pk),
        ("learning.lesson_withdrawn", staff.pk),
    ]
    assert page.title in entries[0].message
