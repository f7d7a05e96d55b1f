"""The hands-on exercises (mouse and keyboard): grading, tampered posts, what the HTML
never shows, and writing them in lesson Markdown."""

import json
import re
import textwrap

import pytest
from django.core.exceptions import ValidationError
from django.http import QueryDict
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from learning.models import ExerciseAttempt
from modules.blocks import (
    ClickTargetsBlock,
    DoubleClickBlock,
    DragDropBlock,
    InvalidAnswer,
    RightClickBlock,
    ScrollFindBlock,
    ShortcutsBlock,
    TypeTextBlock,
)
from modules.loader import ContentErrors, load_curriculum
from modules.loader.parse import parse_content
from modules.models import LessonPage
from tests.conftest import MINIMAL_CONTENT
from tests.factories import learner

CLICK = ClickTargetsBlock()
DOUBLE = DoubleClickBlock()
DRAG = DragDropBlock()
SCROLL = ScrollFindBlock()
RIGHT = RightClickBlock()
TYPE = TypeTextBlock()
SHORTCUTS = ShortcutsBlock()


def value(block, **fields):
    defaults = {"feedback": "", "max_attempts": 3}
    return block.to_python({**defaults, **fields})


def click_targets(count=4):
    return value(CLICK, instruction="Cliquez.", count=count, start_size=96, end_size=32)


def double_click():
    return value(DOUBLE, instruction="Ouvrez.", item="Photos", kind="folder", opens="3 photos")


def drag_drop(zones=(1, 2, 1, 3)):
    return value(
        DRAG,
        instruction="Rangez.",
        zones=["Papiers", "Photos", "Corbeille"],
        items=[{"label": f"Objet {i}", "zone": zone} for i, zone in enumerate(zones)],
    )


ITEMS = ["Gare", "Mairie", "Poste", "Bibliothèque", "Marché", "Pharmacie", "Piscine", "Parc"]


def scroll_find(target=6, instruction="Trouvez « Pharmacie »."):
    return value(SCROLL, instruction=instruction, items=ITEMS, target=target)


def right_click(asked=3):
    return value(
        RIGHT,
        instruction="Choisissez « Renommer ».",
        file="Lettre",
        kind="document",
        entries=["Ouvrir", "Copier", "Renommer", "Supprimer"],
        asked=asked,
    )


TEXT = "Bonjour, je m'appelle Léa. Mon adresse : lea.martin@exemple.fr"


def type_text(text=TEXT):
    return value(TYPE, instruction="Tapez.", text=text)


def shortcuts(task="copy_paste", word="bonjour"):
    return value(SHORTCUTS, instruction="Copiez.", task=task, word=word)


def post(**fields):
    data = QueryDict(mutable=True)
    for name, item in fields.items():
        data[name] = str(item)
    return data


def grade(block, block_value, **fields):
    return block.grade(block_value, block.parse_answer(block_value, post(**fields)))


# --- Click targets ------------------------------------------------------------------------


def test_every_target_hit_in_order_passes_and_misses_only_lower_the_score():
    targets = click_targets()
    perfect = grade(CLICK, targets, mode="mouse", hits="0,1,2,3", misses=0)
    assert perfect.passed and perfect.score == 1.0
    assert "Pas un seul clic à côté" in perfect.feedback

    clumsy = grade(CLICK, targets, mode="mouse", hits="0,1,2,3", misses=30)
    assert clumsy.passed, "misses never fail"
    assert 0 < clumsy.score < perfect.score
    assert "30 fois à côté" in clumsy.feedback


def test_targets_left_unhit_fail_with_part_of_the_score():
    partial = grade(CLICK, click_targets(), mode="keyboard", hits="0,1", misses=0)
    assert not partial.passed and 0 < partial.score < 0.5
    assert "Il reste des cibles" in partial.feedback
    assert not grade(CLICK, click_targets(), mode="mouse", hits="1,0,2,3").passed


def test_the_targets_shrink_from_the_first_size_to_the_last_and_stay_apart():
    targets = CLICK.targets(click_targets(count=5), seed="an-exercise")
    assert [t["size"] for t in targets] == ["96", "80", "64", "48", "32"]
    assert targets == CLICK.targets(click_targets(count=5), seed="an-exercise")
    for before, after in zip(targets, targets[1:], strict=False):
        distance = abs(float(before["x"]) - float(after["x"])) + abs(
            float(before["y"]) - float(after["y"])
        )
        assert distance > 0.3


def test_an_editor_cannot_make_the_last_target_bigger_or_tiny():
    with pytest.raises(ValidationError):
        CLICK.clean(value(CLICK, instruction="x", count=4, start_size=40, end_size=60))
    with pytest.raises(ValidationError):
        CLICK.clean(value(CLICK, instruction="x", count=4, start_size=96, end_size=10))
    assert CLICK.clean(click_targets())


# --- Double-click ---------------------------------------------------------------------------


def test_opening_passes_and_single_clicks_before_are_counted_kindly():
    item = double_click()
    first_time = grade(DOUBLE, item, mode="mouse", opened=1, single_clicks=0)
    assert first_time.passed and first_time.score == 1.0

    after_tries = grade(DOUBLE, item, mode="mouse", opened=1, single_clicks=3)
    assert after_tries.passed and after_tries.score < 1.0
    assert "3 clics tout seuls" in after_tries.feedback
    assert "Cliquez deux fois, vite." in after_tries.feedback

    closed = grade(DOUBLE, item, mode="mouse", opened=0, single_clicks=2)
    assert not closed.passed and "Cliquez deux fois, vite." in closed.feedback


def test_the_keyboard_alternative_opens_too_and_is_recorded():
    answer = DOUBLE.parse_answer(double_click(), post(mode="keyboard", opened=1))
    assert answer == {"mode": "keyboard", "opened": True, "single_clicks": 0}
    assert DOUBLE.grade(double_click(), answer).passed


# --- Drag and drop --------------------------------------------------------------------------


def test_every_item_in_its_zone_passes():
    board = drag_drop()
    right = grade(DRAG, board, mode="mouse", **{"item-0": 0, "item-1": 1, "item-2": 0, "item-3": 2})
    assert right.passed and right.score == 1.0


def test_the_feedback_counts_the_well_placed_items_and_never_names_them():
    board = drag_drop()
    partial = grade(
        DRAG, board, mode="keyboard", **{"item-0": 1, "item-1": 1, "item-2": 0, "item-3": ""}
    )
    assert not partial.passed and partial.score == 0.5
    assert "2 objets sur 4 sont bien rangés" in partial.feedback
    assert "Il reste 1 objet à ranger" in partial.feedback
    for secret in ("Objet", "Papiers", "Photos", "Corbeille"):
        assert secret not in partial.feedback


def test_an_editor_cannot_send_an_item_to_a_missing_zone():
    with pytest.raises(ValidationError) as caught:
        DRAG.clean(drag_drop(zones=(1, 4)))
    assert "items" in caught.value.block_errors
    assert DRAG.clean(drag_drop())


# --- Scroll and find ------------------------------------------------------------------------


def test_clicking_the_named_item_passes_and_another_one_says_which_to_find():
    found = grade(SCROLL, scroll_find(), mode="mouse", choice=5)
    assert found.passed
    missed = grade(SCROLL, scroll_find(), mode="mouse", choice=4)
    assert not missed.passed
    assert "« Marché »" in missed.feedback and "« Pharmacie »" in missed.feedback


def test_an_editor_names_the_target_in_the_instruction_and_keeps_it_in_the_list():
    with pytest.raises(ValidationError):
        SCROLL.clean(scroll_find(instruction="Trouvez la bonne ligne."))
    with pytest.raises(ValidationError):
        SCROLL.clean(scroll_find(target=20))
    assert SCROLL.clean(scroll_find())


# --- Right-click ----------------------------------------------------------------------------


def test_the_asked_entry_passes_whichever_way_the_menu_opened():
    for via, mode in (("right_click", "mouse"), ("keys", "keyboard"), ("right_click", "touch")):
        result = grade(RIGHT, right_click(), mode=mode, via=via, choice=2)
        assert result.passed, via
        assert "clic droit" not in result.feedback.lower()
    by_button = grade(RIGHT, right_click(), mode="mouse", via="button", choice=2)
    assert by_button.passed and "essayez le clic droit" in by_button.feedback

    wrong = grade(RIGHT, right_click(), mode="mouse", via="right_click", choice=3)
    assert not wrong.passed
    assert "« Supprimer »" in wrong.feedback and "« Renommer »" in wrong.feedback


def test_an_editor_cannot_ask_for_a_missing_menu_entry():
    with pytest.raises(ValidationError):
        RIGHT.clean(right_click(asked=6))
    assert RIGHT.clean(right_click())


# --- Typing ---------------------------------------------------------------------------------


def test_the_exact_text_passes_ignoring_trailing_spaces_and_unicode_forms():
    decomposed = TEXT.replace("é", "e\u0301")  # e + combining accent, as some keyboards do
    assert grade(TYPE, type_text(), typed=decomposed + "   \r\n").passed


@pytest.mark.parametrize(
    ("typed", "expected_words"),
    [
        (TEXT.replace("Léa", "Lea"), ["24e caractère", "« Léa »", "« é » (e avec un accent aigu)"]),
        (TEXT.replace("@", ""), ["il manque « @ » (l'arobase)", "Alt Gr"]),
        (TEXT.replace("Bonjour", "bonjour"), ["1er caractère", "B majuscule", "touche Maj"]),
        (TEXT[:30], ["n'est pas fini"]),
        (TEXT + " merci", ["en trop à la fin", "« merci »"]),
        (TEXT.replace("Mon", "Mon "), ["un espace en trop"]),
    ],
    ids=["accent", "at-sign", "capital", "too-short", "too-long", "extra-space"],
)
def test_a_typing_mistake_is_named_in_words_with_a_tip(typed, expected_words):
    result = grade(TYPE, type_text(), typed=typed)
    assert not result.passed and 0 < result.score < 1
    for words in expected_words:
        assert words in result.feedback, result.feedback


def test_a_digit_typed_as_its_symbol_gets_the_top_row_tip():
    result = grade(TYPE, type_text("06 12"), typed="06 &2")
    assert "« 1 » (le chiffre 1)" in result.feedback
    assert "Maj" in result.feedback


def test_an_editor_cannot_ask_for_characters_a_keyboard_cannot_type():
    with pytest.raises(ValidationError) as caught:
        TYPE.clean(type_text("Je m’appelle Léa"))
    assert "’" in str(caught.value.block_errors["text"])
    assert TYPE.clean(type_text())


# --- Shortcuts ------------------------------------------------------------------------------


def test_copy_then_paste_with_the_keys_passes_with_extra_keys_between():
    result = grade(SHORTCUTS, shortcuts(), mode="keyboard", combos="A,C,A,V", text="bonjour")
    assert result.passed


def test_the_shortcuts_must_come_in_order_and_the_box_must_hold_the_word():
    backwards = grade(SHORTCUTS, shortcuts(), mode="keyboard", combos="V,C", text="bonjour")
    assert not backwards.passed and "Ctrl + V" in backwards.feedback
    typed_by_hand = grade(SHORTCUTS, shortcuts(), mode="keyboard", combos="", text="bonjour")
    assert not typed_by_hand.passed and "Ctrl + C" in typed_by_hand.feedback
    empty = grade(SHORTCUTS, shortcuts(), mode="keyboard", combos="C,V", text="")
    assert not empty.passed and "La case est vide" in empty.feedback


def test_cut_empties_the_first_box_and_undo_needs_something_typed_first():
    cut = shortcuts(task="cut_paste", word="rendez-vous")
    fields = {"mode": "keyboard", "combos": "X,V", "text": "rendez-vous"}
    assert grade(SHORTCUTS, cut, **fields, source="").passed
    assert not grade(SHORTCUTS, cut, **fields, source="rendez-vous").passed

    undo = shortcuts(task="undo", word="Bonjour")
    assert grade(SHORTCUTS, undo, mode="keyboard", combos="Z", text="Bonjour", typed=1).passed
    untouched = grade(SHORTCUTS, undo, mode="keyboard", combos="Z", text="Bonjour", typed=0)
    assert not untouched.passed and "Tapez d'abord" in untouched.feedback
    not_undone = grade(SHORTCUTS, undo, mode="keyboard", combos="Z", text="Bonjourx", typed=1)
    assert not not_undone.passed and "Ctrl + Z" in not_undone.feedback


def test_without_a_keyboard_the_learner_chooses_the_keys():
    assert grade(SHORTCUTS, shortcuts(), mode="choice", **{"choice-0": "C", "choice-1": "V"}).passed
    wrong = grade(SHORTCUTS, shortcuts(), mode="choice", **{"choice-0": "C", "choice-1": "Z"})
    assert not wrong.passed and wrong.score == 0.5 and "Pour coller" in wrong.feedback
    with pytest.raises(InvalidAnswer):
        SHORTCUTS.parse_answer(shortcuts(), post(mode="choice", **{"choice-0": "C"}))


# --- Tampered posts: a French message, never an error -------------------------------------------

EXERCISES = [
    (CLICK, click_targets()),
    (DOUBLE, double_click()),
    (DRAG, drag_drop()),
    (SCROLL, scroll_find()),
    (RIGHT, right_click()),
    (TYPE, type_text()),
    (SHORTCUTS, shortcuts()),
    (SHORTCUTS, shortcuts(task="cut_paste")),
    (SHORTCUTS, shortcuts(task="undo")),
]
FIELD_NAMES = [
    "mode", "hits", "misses", "opened", "single_clicks", "item-0", "item-1", "item-3", "choice",
    "via", "typed", "combos", "text", "source", "choice-0", "choice-1",
]  # fmt: skip
NASTY = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["", "0", "1", "-1", "99", "0,1,2,3", "1e3", "mouse", "choice", "C,V", "\x00"]),
    st.integers(-5, 10**6).map(str),
)


@pytest.mark.parametrize(("block", "block_value"), EXERCISES, ids=lambda x: type(x).__name__)
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(fields=st.dictionaries(st.sampled_from(FIELD_NAMES), NASTY, max_size=8))
def test_any_post_is_graded_or_refused_with_a_message(block, block_value, fields):
    data = QueryDict(mutable=True)
    for name, item in fields.items():
        data[name] = item
    try:
        answer = block.parse_answer(block_value, data)
    except InvalidAnswer as refused:
        assert str(refused)
        return
    json.dumps(answer)  # stored in ExerciseAttempt.answer and sent in xAPI
    assert "\x00" not in json.dumps(answer, ensure_ascii=False)
    result = block.grade(block_value, answer)
    assert 0.0 <= result.score <= 1.0 and result.feedback


@pytest.mark.parametrize(
    ("block", "block_value", "fields"),
    [
        (CLICK, click_targets(), {"mode": "mouse", "hits": "0,1,2,3,4"}),
        (CLICK, click_targets(), {"mode": "robot", "hits": "0"}),
        (CLICK, click_targets(), {"mode": "mouse", "hits": "0", "misses": "-3"}),
        (DOUBLE, double_click(), {"mode": "mouse", "opened": "yes"}),
        (DRAG, drag_drop(), {"item-0": "7"}),
        (DRAG, drag_drop(), {}),
        (SCROLL, scroll_find(), {"choice": "8"}),
        (RIGHT, right_click(), {"mode": "mouse", "via": "magic", "choice": "0"}),
        (TYPE, type_text(), {"typed": "x" * 5000}),
        (TYPE, type_text(), {"typed": "a\x00b"}),
        (SHORTCUTS, shortcuts(), {"mode": "keyboard", "combos": "C,Q"}),
        (SHORTCUTS, shortcuts(), {"mode": "choice", "choice-0": "C", "choice-1": "Q"}),
    ],
    ids=[
        "too-many-hits", "unknown-mode", "negative-misses", "opened-not-a-flag", "missing-zone",
        "nothing-placed", "missing-item", "unknown-way", "huge-text", "null-character",
        "unknown-shortcut", "unknown-key-choice",
    ],
)  # fmt: skip
def test_tampered_posts_are_refused_in_french(block, block_value, fields):
    with pytest.raises(InvalidAnswer) as refused:
        block.parse_answer(block_value, post(**fields))
    assert re.search(r"[a-z]{3}", str(refused.value))


# --- What the HTML never shows ----------------------------------------------------------------


def rendered(block, block_value, **context):
    html = block.render(block_value, context={"step_number": 2, "exercise_id": "ex-1", **context})
    return re.sub(r"\s+", " ", html)


def test_the_zones_of_the_items_are_not_in_the_html():
    original = rendered(DRAG, drag_drop(zones=(1, 2, 1, 3)))
    shuffled = rendered(DRAG, drag_drop(zones=(3, 3, 2, 1)))
    assert original == shuffled
    assert 'name="item-0"' in original and "Mettre dans" in original


def test_the_target_of_the_list_is_not_in_the_html():
    instruction = "Trouvez l'élément demandé."
    first = rendered(SCROLL, scroll_find(target=2, instruction=instruction))
    last = rendered(SCROLL, scroll_find(target=8, instruction=instruction))
    assert first == last
    assert first.count('class="scroll-item"') == len(ITEMS)


def test_the_typed_text_and_placed_items_come_back_for_a_retry():
    typed = {"mode": "keyboard", "typed": "Bonjour Lea"}
    assert 'value="Bonjour Lea"' in rendered(TYPE, type_text(), selected=typed)
    placed = {"mode": "keyboard", "placed": [None, 2, None, None]}
    html = rendered(DRAG, drag_drop(), selected=placed)
    assert re.search(r'name="item-1">.*?<option value="2" selected>Corbeille', html)


@pytest.mark.parametrize(
    "block", [CLICK, DOUBLE, DRAG, SCROLL, RIGHT, TYPE, SHORTCUTS], ids=lambda b: type(b).__name__
)
def test_the_admin_preview_of_every_block_is_valid_and_renders(block):
    preview = block.to_python(block.meta.preview_value)
    assert block.clean(preview)
    html = block.render(preview, context={})
    assert 'data-exercise="' in html and preview["instruction"] in html.replace("&#x27;", "'")


@pytest.mark.django_db
def test_an_editor_opens_a_lesson_with_every_exercise_in_the_admin(
    admin_client, wagtail_root, content_dir
):
    load_curriculum(lesson_content(content_dir))
    lesson = LessonPage.objects.get(source_key="lecon-entrainement")
    response = admin_client.get(f"/admin/pages/{lesson.pk}/edit/")
    assert response.status_code == 200
    html = response.content.decode()
    assert all(name in html for name in ("click_targets", "drag_drop", "shortcuts"))


# --- In lesson Markdown -----------------------------------------------------------------------

LESSON = """
    ---
    key: lecon-entrainement
    title: Entraînement
    slug: entrainement
    ---
    ## Cibles

    ```clic
    key: cibles
    count: 4
    end_size: 28
    ```

    ## Dossier

    ```double-clic
    key: dossier
    item: Photos
    opens: Trois photos.
    ```

    ## Ranger

    ```glisser
    key: ranger
    zones: [Papiers, Photos]
    items:
      - text: Facture
        zone: Papiers
      - text: Plage
        zone: photos
    ```

    ## Liste

    ```defiler
    key: liste
    items: [Gare, Mairie, Poste, Bibliothèque, Marché, Pharmacie, Piscine]
    target: Pharmacie
    ```

    ## Menu

    ```clic-droit
    key: menu
    file: Lettre
    entries: [Ouvrir, Renommer, Supprimer]
    asked: Renommer
    ```

    ## Taper

    ```taper
    key: taper
    text: Bonjour Léa
    ```

    ## Copier

    ```raccourci
    key: copier
    task: copy-paste
    word: bonjour
    ```
    """


def lesson_content(content_dir, lesson=LESSON):
    return content_dir({**MINIMAL_CONTENT, "modules/souris/02-entrainement.md": lesson})


@pytest.mark.django_db
def test_every_fence_becomes_its_exercise_with_the_answers_as_numbers(wagtail_root, content_dir):
    load_curriculum(lesson_content(content_dir))

    lesson = LessonPage.objects.get(source_key="lecon-entrainement")
    kinds = [exercise.block_type for _number, exercise in lesson.exercises()]
    assert kinds == [
        "click_targets", "double_click", "drag_drop", "scroll_find", "right_click", "type_text",
        "shortcuts",
    ]  # fmt: skip
    values = {exercise.block_type: exercise.value for _number, exercise in lesson.exercises()}
    assert values["click_targets"]["end_size"] == 28 and values["click_targets"]["count"] == 4
    assert [item["zone"] for item in values["drag_drop"]["items"]] == [1, 2]
    assert values["scroll_find"]["target"] == 6
    assert "« Pharmacie »" in values["scroll_find"]["instruction"]
    assert values["right_click"]["asked"] == 2
    assert values["shortcuts"]["task"] == "copy_paste"
    assert values["double_click"]["kind"] == "folder"
    assert all(exercise.value["max_attempts"] == 3 for _n, exercise in lesson.exercises())


def errors_in(content_dir, lesson):
    with pytest.raises(ContentErrors) as caught:
        parse_content(lesson_content(content_dir, lesson))
    return [str(error) for error in caught.value.errors]


def line_of(text, needle):
    lines = textwrap.dedent(text).lstrip().splitlines()
    return next(number for number, line in enumerate(lines, 1) if needle in line)


FILE = "content/modules/souris/02-entrainement.md"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("before", "after", "at", "message"),
    [
        ("end_size: 28", "end_size: 12", "end_size", "'end_size' must be a whole number from 24"),
        ("end_size: 28", "end_size: 28\n    colour: red", "colour", "unknown field 'colour'"),
        ("zone: photos", "zone: Corbeille", "text: Plage", "'Corbeille' is not one of the zones"),
        ("target: Pharmacie", "target: Boulangerie", "target", "'Boulangerie' is not one of"),
        ("asked: Renommer", "asked: Imprimer", "asked", "'Imprimer' is not one of the entries"),
        ("task: copy-paste", "task: copier", "task", "'task' must be one of"),
        ("text: Bonjour Léa", "text: Je m’appelle Léa", "text: Je", "difficile à taper"),
        ("item: Photos", "item: [Photos]", "item:", "'item' must be text"),
    ],
    ids=[
        "too-small", "unknown-field", "missing-zone", "missing-target", "missing-entry",
        "unknown-task", "hard-character", "not-text",
    ],
)  # fmt: skip
def test_bad_values_are_reported_at_their_line(
    wagtail_root, content_dir, before, after, at, message
):
    lesson = LESSON.replace(before, after)
    errors = errors_in(content_dir, lesson)
    assert len(errors) == 1, errors
    assert errors[0].startswith(f"{FILE}:{line_of(lesson, at)}: "), errors
    assert message in errors[0], errors


@pytest.mark.django_db
def test_missing_fields_are_reported_at_the_fence(wagtail_root, content_dir):
    lesson = LESSON.replace("    item: Photos\n", "").replace("    word: bonjour\n", "")
    errors = errors_in(content_dir, lesson)
    assert f"{FILE}:{line_of(lesson, '```double-clic')}: 'item' is missing" in errors
    assert f"{FILE}:{line_of(lesson, '```raccourci')}: 'word' is missing" in errors


# --- Through the lesson view -------------------------------------------------------------------


@pytest.mark.django_db
def test_a_signed_in_learners_answers_are_stored_with_the_way_they_were_given(
    client, wagtail_root, content_dir
):
    load_curriculum(lesson_content(content_dir))
    lesson = LessonPage.objects.get(source_key="lecon-entrainement")
    client.force_login(learner()[0].user)
    exercises = dict(lesson.exercises())
    posts = {
        1: {"mode": "mouse", "hits": "0,1,2,3", "misses": "2"},
        2: {"mode": "keyboard", "opened": "1"},
        3: {"item-0": "0", "item-1": "1"},
        4: {"mode": "touch", "choice": "5"},
        5: {"mode": "keyboard", "via": "keys", "choice": "1"},
        6: {"typed": "Bonjour Lea"},
        7: {"mode": "keyboard", "combos": "A,C,V", "text": "bonjour"},
    }
    for number, fields in posts.items():
        response = client.post(
            f"{lesson.url}?etape={number}", {"exercise": exercises[number].id, **fields}
        )
        assert response.status_code == 200

    attempts = {a.block_id: a for a in ExerciseAttempt.objects.all()}
    stored = {number: attempts[exercises[number].id] for number in posts}
    assert stored[1].answer == {"mode": "mouse", "hits": [0, 1, 2, 3], "misses": 2}
    assert stored[2].answer["mode"] == "keyboard" and stored[2].passed
    assert stored[3].answer == {"mode": "keyboard", "placed": [0, 1]} and stored[3].passed
    assert stored[4].answer == {"mode": "touch", "choice": 5} and stored[4].passed
    assert stored[5].answer["via"] == "keys" and stored[5].passed
    assert stored[6].answer["typed"] == "Bonjour Lea" and not stored[6].passed
    assert stored[7].answer["combos"] == ["A", "C", "V"] and stored[7].passed


@pytest.mark.django_db
def test_a_tampered_post_shows_a_message_in_the_step(client, wagtail_root, content_dir):
    load_curriculum(lesson_content(content_dir))
    lesson = LessonPage.objects.get(source_key="lecon-entrainement")
    exercise = dict(lesson.exercises())[3]

    response = client.post(f"{lesson.url}?etape=3", {"exercise": exercise.id, "item-0": "x"})

    assert response.status_code == 200
    assert "Cette réponse n&#x27;est pas valable" in response.content.decode()
