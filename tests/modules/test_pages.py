from html import unescape

import pytest
from wagtail.models import Page, Site

from learning.roles import TRAINERS
from modules.models import (
    CatalogPage,
    Competence,
    LessonPage,
    ModuleIndexPage,
    ModulePage,
    ParcoursPage,
)
from tests.factories import UserFactory, trainer

pytestmark = pytest.mark.django_db


def test_every_page_of_the_shipped_content_answers_200(client, curriculum):
    pages = Page.objects.live().type(
        CatalogPage, ParcoursPage, ModuleIndexPage, ModulePage, LessonPage
    )
    assert pages.count() > 20
    for page in pages.specific():
        response = client.get(page.url)
        assert response.status_code == 200, page.url
        if isinstance(page, LessonPage):
            for number in range(2, page.step_count + 1):
                assert client.get(f"{page.url}?etape={number}").status_code == 200


def test_the_site_root_is_the_catalogue_with_the_three_parcours_in_order(client, curriculum):
    response = client.get("/")

    html = response.content.decode()
    positions = [
        html.index(title)
        for title in ("Initiation au numérique", "trouver un emploi", "E-parentalité")
    ]
    assert positions == sorted(positions)


def test_the_shipped_mouse_module_is_complete(curriculum):
    module = ModulePage.objects.get(source_key="module-la-souris")
    assert len(module.lessons) >= 3
    for lesson in module.lessons:
        exercises = [e for step in lesson.steps for e in step.value["exercise"]]
        assert exercises, f"{lesson.title} has no exercise"
    assert module.estimated_minutes == sum(lesson.estimated_minutes for lesson in module.lessons)


def test_one_module_serves_several_parcours(curriculum):
    mouse = ModulePage.objects.get(source_key="module-la-souris")
    using = ParcoursPage.objects.filter(parcours_modules__module=mouse)
    assert set(using.values_list("kind", flat=True)) == {"initiation", "emploi", "parentalite"}
    assert ModulePage.objects.filter(title=mouse.title).count() == 1


def test_the_parcours_page_lists_its_modules_in_order(client, curriculum):
    parcours = ParcoursPage.objects.get(source_key="parcours-initiation")
    titles = [link.module.title for link in parcours.parcours_modules.order_by("sort_order")]

    html = unescape(client.get(parcours.url).content.decode())

    assert [html.index(title) for title in titles] == sorted(html.index(t) for t in titles)


def test_the_tree_only_allows_its_own_shape(curriculum):
    catalog = CatalogPage.objects.get()
    module = ModulePage.objects.first()
    assert not LessonPage.can_create_at(catalog)
    assert not ModulePage.can_create_at(catalog)
    assert LessonPage.can_create_at(module)
    assert ParcoursPage.can_create_at(catalog)
    assert not ParcoursPage.can_create_at(module)
    assert ParcoursPage.allowed_subpage_models() == []
    assert LessonPage.allowed_subpage_models() == []
    # One module index per catalogue.
    assert not ModuleIndexPage.can_create_at(catalog)


def test_the_crcn_framework_is_seeded_with_its_16_competences(db):
    assert Competence.objects.count() == 16
    assert sorted(set(Competence.objects.values_list("domain", flat=True))) == [1, 2, 3, 4, 5]


def test_trainer_tips_are_shown_to_trainers_only(client, curriculum):
    lesson = LessonPage.objects.get(source_key="lecon-souris-tenir")
    assert lesson.trainer_tips

    assert "Pour le formateur" not in client.get(lesson.url).content.decode()

    client.force_login(UserFactory())
    assert "Pour le formateur" not in client.get(lesson.url).content.decode()

    client.force_login(trainer())
    assert "Pour le formateur" in client.get(lesson.url).content.decode()


def test_trainers_group_exists_with_admin_access(db):
    user = trainer()
    assert user.groups.filter(name=TRAINERS).exists()
    assert user.has_perm("wagtailadmin.access_admin")


def test_a_step_number_out_of_range_or_garbage_shows_a_real_step(client, curriculum):
    lesson = LessonPage.objects.get(source_key="lecon-souris-tenir")
    for value in ("0", "-3", "999", "abc", "1e9"):
        response = client.get(f"{lesson.url}?etape={value}")
        assert response.status_code == 200
        assert "Étape" in response.content.decode()


def test_unknown_pages_get_a_friendly_404(client, curriculum):
    response = client.get("/modules/la-souris/nexiste-pas/")
    assert response.status_code == 404
    assert "Cette page n'existe pas." in response.content.decode()


def test_editors_can_open_every_kind_of_page_in_the_admin(client, curriculum):
    from tests.factories import editor

    client.force_login(editor())
    for model in (CatalogPage, ParcoursPage, ModuleIndexPage, ModulePage, LessonPage):
        page = model.objects.first()
        response = client.get(f"/admin/pages/{page.pk}/edit/")
        assert response.status_code == 200, model.__name__


def test_the_lesson_preview_shows_a_step_without_learner_progress(curriculum):
    lesson = LessonPage.objects.get(source_key="lecon-souris-tenir")

    response = lesson.make_preview_request()

    assert response.status_code == 200
    assert lesson.steps[0].value["title"] in response.content.decode()


def test_a_server_error_shows_a_calm_page(rf):
    from django.views.defaults import server_error

    response = server_error(rf.get("/"))

    assert response.status_code == 500
    assert "Le site a un problème." in response.content.decode()


def test_a_module_page_names_its_competences_and_only_trainers_see_the_crcn_codes(
    client, curriculum
):
    mouse = ModulePage.objects.get(source_key="module-la-souris")
    competence = mouse.competences.first()

    page = unescape(client.get(mouse.url).content.decode())
    assert competence.name in page and "Vous allez apprendre à" in page
    assert f"CRCN {competence.code}" not in page

    client.force_login(trainer())
    assert f"CRCN {competence.code}" in unescape(client.get(mouse.url).content.decode())


def test_a_module_still_being_written_promises_nothing_it_does_not_teach(client, curriculum):
    empty = next(module for module in ModulePage.objects.live() if not module.lessons)
    assert empty.objective_list or empty.competences.exists()

    page = unescape(client.get(empty.url).content.decode())

    assert "Ce module est en cours d'écriture. Il arrive bientôt." in page
    assert "Vous allez apprendre à" not in page
    assert "Compétences travaillées" not in page and "CRCN" not in page


def test_the_catalogue_and_each_parcours_say_what_exists_beside_what_is_planned(
    client, wagtail_root
):
    from modules.models import ParcoursModule
    from modules.templatetags.durations import hours_minutes
    from tests.factories import parcours_with_lessons

    root = Site.objects.get(is_default_site=True).root_page
    catalogue = root.add_child(instance=CatalogPage(title="Catalogue", slug="catalogue"))
    parcours = parcours_with_lessons(modules=2, lessons=2)
    parcours.move(catalogue, pos="last-child")
    index = ModuleIndexPage.objects.get()
    for number in (1, 2):  # announced, not written yet
        empty = index.add_child(
            instance=ModulePage(title=f"À venir {number}", slug=f"a-venir-{number}", summary=".")
        )
        ParcoursModule.objects.create(page=parcours, module=empty)
    parcours.refresh_from_db()
    lessons = LessonPage.objects.live().descendant_of(index)
    minutes = sum(lesson.estimated_minutes for lesson in lessons)

    for url in (catalogue.url, parcours.url):
        page = " ".join(unescape(client.get(url).content.decode()).split())
        assert f"{hours_minutes(minutes)} de leçons disponibles." in page, url
        assert "2 modules sont en cours d'écriture." in page, url


@pytest.mark.parametrize(
    ("minutes", "said"), [(0, "0 min"), (45, "45 min"), (120, "2 h"), (330, "5 h 30")]
)
def test_durations_read_as_people_say_them(minutes, said):
    from modules.templatetags.durations import hours_minutes

    assert hours_minutes(minutes) == said
