"""A module or a parcours is complete only when every module it lists is: a module
with no lesson yet ("Bientôt disponible") is never complete, everywhere it shows."""

from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from learning import reports, selectors, services, xapi
from learning.models import Statement
from modules.models import ModuleIndexPage, ModulePage, ParcoursModule
from tests.factories import UserFactory, learner, parcours_with_lessons

pytestmark = pytest.mark.django_db


def add_empty_module(parcours, title="Le smartphone"):
    """A module listed in the parcours but still being written: no lesson."""
    index = ModuleIndexPage.objects.first()
    module = index.add_child(
        instance=ModulePage(title=title, slug=f"vide-{parcours.pk}", summary="Bientôt.")
    )
    ParcoursModule.objects.create(page=parcours, module=module, sort_order=99)
    return module


def finish_every_lesson(user, parcours):
    for link in parcours.parcours_modules.all():
        for lesson in link.module.specific.lessons:
            for number in range(1, lesson.step_count + 1):
                services.lesson_step_view(user=user, lesson=lesson, step_number=number)


@pytest.fixture
def unfinished(wagtail_root):
    """A parcours whose two modules have lessons and whose third has none yet."""
    parcours = parcours_with_lessons(modules=2, lessons=2, steps=1, title="Initiation")
    add_empty_module(parcours)
    return parcours


@pytest.fixture
def finished(wagtail_root):
    """A parcours whose every module has lessons."""
    return parcours_with_lessons(modules=1, lessons=1, steps=1, title="Court")


def this_year(structure):
    today = timezone.localdate()
    return reports.structure_report(
        structure=structure,
        period=reports.Period(start=today.replace(month=1, day=1), end=today),
    )


def test_the_home_does_not_congratulate_a_learner_while_a_module_is_still_being_written(
    client, unfinished, finished
):
    person, _pictures = learner()
    finish_every_lesson(person.user, unfinished)
    finish_every_lesson(person.user, finished)

    client.force_login(person.user)
    page = unescape(client.get("/moi/").content.decode())

    # Only the parcours whose every module is done says so.
    assert page.count("Parcours terminé. Bravo !") == 1
    initiation = page[page.index("Initiation") : page.index("Court")]
    assert "Parcours terminé" not in initiation
    assert "Bientôt disponible" in initiation


def test_progress_never_says_100_percent_while_a_listed_module_has_no_lesson(unfinished):
    person, _pictures = learner()
    finish_every_lesson(person.user, unfinished)

    (progress,) = selectors.learner_parcours_progress(user=person.user, parcours_list=[unfinished])

    assert not progress.is_complete
    assert progress.percent < 100
    empty = progress.modules[-1]
    assert empty.lesson_count == 0 and not empty.is_complete


def test_the_report_counts_a_parcours_completion_only_when_every_module_is_done(
    unfinished, finished
):
    person, _pictures = learner()
    finish_every_lesson(person.user, unfinished)
    finish_every_lesson(person.user, finished)

    by_title = {row.title: row for row in this_year(person.structure).parcours}

    assert by_title["Initiation"].lessons_completed == 4
    assert by_title["Initiation"].modules_completed == 2  # not the empty one
    assert by_title["Initiation"].parcours_completed == 0
    assert by_title["Court"].parcours_completed == 1


def test_the_learner_file_does_not_say_100_percent_for_an_unfinished_parcours(client, unfinished):
    person, _pictures = learner()
    finish_every_lesson(person.user, unfinished)
    staff = UserFactory(is_superuser=True)

    client.force_login(staff)
    page = unescape(client.get(reverse("learner_file", args=[person.pk])).content.decode())

    assert "100 % fait" not in page
    assert "pas encore de leçon" in page


def test_the_attestation_never_lists_a_module_without_lessons(unfinished):
    person, _pictures = learner()
    finish_every_lesson(person.user, unfinished)

    (attestation,) = selectors.learner_attestations(learners=[person])

    titles = [each.module.title for each in attestation.modules]
    assert titles == ["Initiation · module 1", "Initiation · module 2"]


def test_no_module_completed_statement_for_a_module_with_no_live_lesson(wagtail_root):
    parcours = parcours_with_lessons(modules=1, lessons=1, steps=1, title="Brouillon")
    module = parcours.parcours_modules.get().module.specific
    lesson = module.lessons[0]
    lesson.unpublish()  # the module is back to being written
    person, _pictures = learner()

    services.lesson_step_view(user=person.user, lesson=lesson, step_number=1)

    module_iri = xapi.activity_iri("module", module.stable_key)
    assert not Statement.objects.filter(learner=person.user, activity_id=module_iri).exists()


def test_the_module_completed_statement_is_sent_when_its_last_live_lesson_is_done(
    wagtail_root,
):
    parcours = parcours_with_lessons(modules=1, lessons=2, steps=1, title="Deux")
    module = parcours.parcours_modules.get().module.specific
    person, _pictures = learner()
    module_iri = xapi.activity_iri("module", module.stable_key)

    first, second = module.lessons
    services.lesson_step_view(user=person.user, lesson=first, step_number=1)
    assert not Statement.objects.filter(learner=person.user, activity_id=module_iri).exists()
    services.lesson_step_view(user=person.user, lesson=second, step_number=1)
    assert Statement.objects.filter(learner=person.user, activity_id=module_iri).count() == 1


def test_the_group_export_does_not_say_100_percent_while_a_module_has_no_lesson(unfinished):
    from tests.factories import GroupFactory

    person, _pictures = learner()
    group = GroupFactory(structure=person.structure, parcours=unfinished)
    group.learners.add(person)
    finish_every_lesson(person.user, unfinished)

    (row,) = reports.group_progress_rows(group=group)

    assert (row.lessons_completed, row.lessons_total) == (4, 4)
    assert row.progress_percent < 100


def test_one_definition_of_complete():
    from learning.completion import module_is_complete, parcours_is_complete

    assert not module_is_complete(lesson_count=0, completed_count=0)
    assert not module_is_complete(lesson_count=3, completed_count=2)
    assert module_is_complete(lesson_count=3, completed_count=3)
    assert not parcours_is_complete([])
    assert not parcours_is_complete([True, False])
    assert parcours_is_complete([True, True])
