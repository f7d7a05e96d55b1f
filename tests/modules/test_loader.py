import textwrap

import pytest
from django.core.management import CommandError, call_command
from wagtail.images import get_image_model
from wagtail.models import Revision

from modules.loader import ContentErrors, block_id, load_curriculum
from modules.models import LessonPage, ModulePage, ParcoursPage
from tests.conftest import MINIMAL_CONTENT, SVG

pytestmark = pytest.mark.django_db


def line_of(text, needle):
    """The line number of `needle` in a file written by the content_dir fixture."""
    lines = textwrap.dedent(text).lstrip().splitlines()
    return next(n for n, line in enumerate(lines, 1) if needle in line)


def errors_of(root):
    with pytest.raises(ContentErrors) as caught:
        load_curriculum(root)
    return [str(error) for error in caught.value.errors]


def test_first_load_creates_the_page_tree(wagtail_root, minimal_content):
    report = load_curriculum(minimal_content)

    assert report.count("create") == 5  # catalog, module index, module, lesson, parcours
    lesson = LessonPage.objects.get(source_key="lecon-cliquer")
    module = ModulePage.objects.get(source_key="module-souris")
    assert lesson.get_parent().pk == module.pk
    assert lesson.live and lesson.estimated_minutes == 12
    assert [step.value["title"] for step in lesson.steps] == ["Le bouton", "Une question", "Bravo"]
    parcours = ParcoursPage.objects.get(source_key="parcours-debut")
    assert [link.module.pk for link in parcours.parcours_modules.all()] == [module.pk]
    assert [c.code for c in module.competences.all()] == ["5.2"]


def test_a_second_run_changes_nothing(wagtail_root, minimal_content):
    load_curriculum(minimal_content)
    revisions = Revision.objects.count()
    lesson = LessonPage.objects.get(source_key="lecon-cliquer")

    report = load_curriculum(minimal_content)

    assert report.changes == []
    assert report.unchanged == 5
    assert Revision.objects.count() == revisions
    again = LessonPage.objects.get(source_key="lecon-cliquer")
    assert again.latest_revision_id == lesson.latest_revision_id
    assert again.last_published_at == lesson.last_published_at


def test_pages_and_exercises_keep_their_identity_when_a_file_changes(
    wagtail_root, content_dir, minimal_content
):
    load_curriculum(minimal_content)
    lesson = LessonPage.objects.get(source_key="lecon-cliquer")
    quiz_id = lesson.exercise_of(2).id
    changed = MINIMAL_CONTENT["modules/souris/01-cliquer.md"].replace(
        "title: Cliquer", "title: Faire un clic"
    )
    root = content_dir({"modules/souris/01-cliquer.md": changed})

    report = load_curriculum(root)

    assert [c.action for c in report.changes] == ["update"]
    updated = LessonPage.objects.get(source_key="lecon-cliquer")
    assert updated.pk == lesson.pk
    assert updated.title == "Faire un clic"
    assert updated.exercise_of(2).id == quiz_id == block_id("lecon-cliquer", "quiz-bouton")


def test_an_editors_change_stays_until_the_file_changes_or_force(wagtail_root, minimal_content):
    load_curriculum(minimal_content)
    lesson = LessonPage.objects.get(source_key="lecon-cliquer")
    lesson.title = "Titre revu par la rédaction"
    lesson.save_revision().publish()

    load_curriculum(minimal_content)
    assert LessonPage.objects.get(pk=lesson.pk).title == "Titre revu par la rédaction"

    load_curriculum(minimal_content, force=True)
    assert LessonPage.objects.get(pk=lesson.pk).title == "Cliquer"


def test_images_are_imported_once_by_content(wagtail_root, content_dir, minimal_content):
    twin = (
        MINIMAL_CONTENT["modules/souris/01-cliquer.md"]
        .replace("key: lecon-cliquer", "key: lecon-jumelle")
        .replace("slug: cliquer", "slug: jumelle")
        .replace("quiz-bouton", "quiz-jumeau")
    )
    twin = twin.replace("media/souris.svg", "media/copie.svg")
    root = content_dir(
        {"modules/souris/02-jumelle.md": twin, "modules/souris/media/copie.svg": SVG}
    )

    load_curriculum(root)
    load_curriculum(root, force=True)

    assert get_image_model().objects.count() == 1


def test_dry_run_writes_nothing(wagtail_root, minimal_content, settings):
    report = load_curriculum(minimal_content, dry_run=True)

    assert report.count("create") == 5
    assert report.images_imported == 1
    assert not LessonPage.objects.exists()
    assert not get_image_model().objects.exists()
    assert not any(settings.MEDIA_ROOT.rglob("*.svg"))  # no file left in storage


def test_prune_unpublishes_a_page_whose_file_is_gone_and_never_deletes_it(
    wagtail_root, content_dir, minimal_content
):
    load_curriculum(minimal_content)
    (minimal_content / "modules/souris/01-cliquer.md").unlink()

    report = load_curriculum(minimal_content)
    assert [page.source_key for page in report.orphans] == ["lecon-cliquer"]
    assert LessonPage.objects.get(source_key="lecon-cliquer").live

    load_curriculum(minimal_content, prune=True)
    lesson = LessonPage.objects.get(source_key="lecon-cliquer")
    assert not lesson.live


def test_bad_yaml_is_reported_with_file_and_line(wagtail_root, content_dir):
    root = content_dir(
        {
            **MINIMAL_CONTENT,
            "modules/souris/module.md": "---\nkey: module-souris\ntitle: [La souris\n---\n",
        }
    )
    errors = errors_of(root)
    expected = "content/modules/souris/module.md:3: invalid YAML"
    assert any(e.startswith(expected) for e in errors), errors


def test_bad_yaml_inside_a_quiz_points_at_its_line(wagtail_root, content_dir):
    lesson = MINIMAL_CONTENT["modules/souris/01-cliquer.md"].replace(
        "hint: Regardez l'image.", "hint: Regardez: ici"
    )
    errors = errors_of(content_dir({**MINIMAL_CONTENT, "modules/souris/01-cliquer.md": lesson}))
    assert len(errors) == 1
    assert errors[0].startswith("content/modules/souris/01-cliquer.md:")
    line = line_of(lesson, "hint: Regardez: ici")
    assert errors[0].startswith(f"content/modules/souris/01-cliquer.md:{line}: invalid YAML")


def test_missing_image_is_reported(wagtail_root, content_dir):
    lesson = MINIMAL_CONTENT["modules/souris/01-cliquer.md"].replace(
        "media/souris.svg", "media/absente.png"
    )
    errors = errors_of(content_dir({**MINIMAL_CONTENT, "modules/souris/01-cliquer.md": lesson}))
    line = line_of(lesson, "absente.png")
    assert errors == [
        f"content/modules/souris/01-cliquer.md:{line}: file not found: 'media/absente.png'"
    ]


def test_unknown_block_type_and_missing_alt_are_all_reported_at_once(wagtail_root, content_dir):
    lesson = MINIMAL_CONTENT["modules/souris/01-cliquer.md"].replace("```retenir", "```astuce")
    lesson = lesson.replace("![Une souris vue de dessus]", "![]")
    errors = errors_of(content_dir({**MINIMAL_CONTENT, "modules/souris/01-cliquer.md": lesson}))
    assert len(errors) == 2
    assert any("unknown block type 'astuce'" in e for e in errors)
    assert any("the image needs a description" in e for e in errors)


def test_duplicate_key_names_both_files(wagtail_root, content_dir):
    other = MINIMAL_CONTENT["modules/souris/01-cliquer.md"].replace("slug: cliquer", "slug: autre")
    other = other.replace("quiz-bouton", "quiz-autre")
    errors = errors_of(content_dir({**MINIMAL_CONTENT, "modules/souris/02-autre.md": other}))
    assert errors == [
        "content/modules/souris/02-autre.md:2: duplicate page key 'lecon-cliquer' "
        "(also in content/modules/souris/01-cliquer.md)"
    ]


def test_errors_stop_the_command_with_a_non_zero_exit_and_change_nothing(
    wagtail_root, content_dir, capsys
):
    lesson = MINIMAL_CONTENT["modules/souris/01-cliquer.md"].replace("```retenir", "```astuce")
    root = content_dir({**MINIMAL_CONTENT, "modules/souris/01-cliquer.md": lesson})

    with pytest.raises(CommandError, match="1 error"):
        call_command("load_curriculum", source=root)

    assert "01-cliquer.md:" in capsys.readouterr().err
    assert not LessonPage.objects.exists()


def test_a_failure_while_writing_rolls_the_whole_run_back(wagtail_root, minimal_content):
    load_curriculum(minimal_content)
    module = ModulePage.objects.get(source_key="module-souris")
    # An editor created a lesson with the slug a new file wants.
    module.add_child(instance=LessonPage(title="Manuelle", slug="doublon", steps=[]))
    text = MINIMAL_CONTENT["modules/souris/01-cliquer.md"]
    new = text.replace("lecon-cliquer", "lecon-doublon").replace("slug: cliquer", "slug: doublon")
    new = new.replace("quiz-bouton", "quiz-doublon")
    (minimal_content / "modules/souris/02-doublon.md").write_text(new.replace("        ", ""))
    (minimal_content / "modules/souris/01-cliquer.md").write_text(
        text.replace("title: Cliquer", "title: Changé")
    )

    with pytest.raises(ContentErrors) as caught:
        load_curriculum(minimal_content)

    assert "02-doublon.md" in str(caught.value)
    assert LessonPage.objects.get(source_key="lecon-cliquer").title == "Cliquer"
