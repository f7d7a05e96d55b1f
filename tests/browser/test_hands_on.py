"""The hands-on exercises in Chromium: each mouse exercise done with the mouse and again
with the keyboard alone (its alternative), typing with a mistake then right, real
Ctrl + C / Ctrl + V presses; axe on every exercise, and no sideways scroll at 360 px.
The stored attempts say which way the learner used."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from learning.models import ExerciseAttempt
from modules.models import LessonPage
from tests.browser.conftest import wait_until
from tests.factories import learner

pytestmark = pytest.mark.browser

MOUSE_LESSON = "lecon-souris-entrainement"
TYPING_LESSON = "lecon-clavier-chiffres-arobase"
SHORTCUTS_LESSON = "lecon-clavier-copier-coller"
MAX_TABS = 60


# --- Fixtures and helpers ------------------------------------------------------------------


@pytest.fixture
def signed_in(live_curriculum, page):
    """A learner signed in in the browser (their attempts are stored with their answers)."""
    user = learner(first_name="Awa")[0].user
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_curriculum.url,
            }
        ]
    )
    return user


def exercise_step(lesson_key, block_type):
    """(step URL, exercise) of the lesson's first exercise of that type."""
    lesson = LessonPage.objects.get(source_key=lesson_key)
    number, exercise = next(
        (number, exercise)
        for number, exercise in lesson.exercises()
        if exercise.block_type == block_type
    )
    return f"{lesson.url}?etape={number}", exercise


def open_step(page, base_url, lesson_key, block_type):
    url, exercise = exercise_step(lesson_key, block_type)
    page.goto(base_url + url)
    expect(page.locator(f"form[data-exercise={block_type}][data-ready]")).to_have_count(1)
    return exercise


def last_attempt(user, exercise):
    return (
        ExerciseAttempt.objects.filter(progress__learner=user, block_id=exercise.id)
        .order_by("attempt_number")
        .last()
    )


def focused(page, script):
    return page.evaluate(f"(() => {{ const el = document.activeElement; return {script}; }})()")


def tab_until(page, script, what, key="Tab"):
    for _ in range(MAX_TABS):
        page.keyboard.press(key)
        if focused(page, script):
            return
    pytest.fail(f"{what}: not reached with {key} in {MAX_TABS} presses")


def expect_success(page):
    success = page.locator(".feedback-area .feedback-success")
    expect(success).to_be_visible()
    expect(success).to_be_focused()  # site.js moves the focus to the feedback
    return success


# --- Click targets ---------------------------------------------------------------------------


def test_click_targets_with_the_mouse_record_the_misses(live_curriculum, page, signed_in):
    exercise = open_step(page, live_curriculum.url, MOUSE_LESSON, "click_targets")
    page.locator("[data-area]").scroll_into_view_if_needed()
    area = page.locator("[data-area]").bounding_box()
    target = page.locator("[data-target]:visible")
    first = target.bounding_box()
    # A click on the empty corner farthest from the target: a miss, never a failure.
    corner_x = area["x"] + (4 if first["x"] > area["x"] + area["width"] / 2 else area["width"] - 4)
    corner_y = area["y"] + (
        4 if first["y"] > area["y"] + area["height"] / 2 else area["height"] - 4
    )
    page.mouse.click(corner_x, corner_y)
    expect(page.locator("[data-status]")).to_contain_text("Presque")

    sizes = []
    for number in range(1, exercise.value["count"] + 1):
        expect(page.locator("[data-counter]")).to_have_text(
            f"Cible {number} sur {exercise.value['count']}"
        )
        expect(target).to_have_count(1)
        # Measure once the target's short "pop in" animation is over.
        wait_until(page, "document.getAnimations().every(a => a.playState !== 'running')")
        box = target.bounding_box()
        sizes.append(box["width"])
        page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    expect_success(page)

    assert sizes == sorted(sizes, reverse=True) and sizes[0] > sizes[-1]
    assert sizes[0] >= 44 and sizes[-1] >= 24
    attempt = last_attempt(signed_in, exercise)
    assert attempt.passed
    assert attempt.answer == {
        "mode": "mouse",
        "hits": list(range(exercise.value["count"])),
        "misses": 1,
    }


def test_click_targets_with_the_keyboard_alone(live_curriculum, page, signed_in):
    exercise = open_step(page, live_curriculum.url, MOUSE_LESSON, "click_targets")
    tab_until(page, "el.matches('[data-target]')", "the first target")
    for number in range(exercise.value["count"]):
        assert focused(page, "el.matches('[data-target]')"), f"target {number + 1} has the focus"
        page.keyboard.press("Enter" if number % 2 else "Space")
    expect_success(page)

    attempt = last_attempt(signed_in, exercise)
    assert attempt.passed and attempt.answer["mode"] == "keyboard"
    assert attempt.answer["misses"] == 0


# --- Double-click ----------------------------------------------------------------------------


def test_a_single_click_asks_for_two_and_a_double_click_opens(live_curriculum, page, signed_in):
    exercise = open_step(page, live_curriculum.url, MOUSE_LESSON, "double_click")
    item = page.locator("[data-open-item]")
    item.click()
    expect(page.locator("[data-status]")).to_have_text("Cliquez deux fois, vite.")
    expect(page.locator("[data-opened]")).to_be_hidden()
    item.dblclick()
    expect_success(page)
    expect(page.locator("[data-opened]")).to_be_visible()
    expect(page.locator("[data-opened]")).to_contain_text(exercise.value["opens"])

    attempt = last_attempt(signed_in, exercise)
    assert attempt.passed
    assert attempt.answer == {"mode": "mouse", "opened": True, "single_clicks": 1}


def test_the_keyboard_opens_with_enter(live_curriculum, page, signed_in):
    exercise = open_step(page, live_curriculum.url, MOUSE_LESSON, "double_click")
    tab_until(page, "el.matches('[data-open-item]')", "the folder")
    page.keyboard.press("Enter")
    expect_success(page)

    attempt = last_attempt(signed_in, exercise)
    assert attempt.answer == {"mode": "keyboard", "opened": True, "single_clicks": 0}


# --- Drag and drop ---------------------------------------------------------------------------


def right_zones(exercise):
    zones = list(exercise.value["zones"])
    return {item["label"]: zones[item["zone"] - 1] for item in exercise.value["items"]}


def test_drag_every_item_to_its_zone_with_the_mouse(live_curriculum, page, signed_in):
    exercise = open_step(page, live_curriculum.url, MOUSE_LESSON, "drag_drop")
    page.locator(".dd-board").scroll_into_view_if_needed()
    page.evaluate("document.querySelector('.dd-board').scrollIntoView()")
    for label, zone_name in right_zones(exercise).items():
        handle = page.locator("[data-handle]", has_text=label).bounding_box()
        zone = page.get_by_role("group", name=zone_name, exact=True)
        target = zone.bounding_box()
        page.mouse.move(handle["x"] + 20, handle["y"] + handle["height"] / 2)
        page.mouse.down()
        page.mouse.move(
            target["x"] + target["width"] / 2, target["y"] + target["height"] / 2, steps=10
        )
        page.mouse.up()
        expect(zone.locator("[data-handle]", has_text=label)).to_have_count(1)
    page.get_by_role("button", name="Valider").click()
    expect_success(page)

    attempt = last_attempt(signed_in, exercise)
    assert attempt.passed and attempt.answer["mode"] == "mouse"


def test_sort_every_item_with_its_list_and_the_keyboard_alone(live_curriculum, page, signed_in):
    exercise = open_step(page, live_curriculum.url, MOUSE_LESSON, "drag_drop")
    zones = list(exercise.value["zones"])
    wanted = right_zones(exercise)
    for _ in wanted:
        # The next item still to sort (sorted ones move into their zone).
        tab_until(page, "el.matches('select[name^=item-]') && el.value === ''", "an item's list")
        label = focused(
            page, "el.closest('[data-item]').querySelector('[data-handle]').textContent"
        )
        for _press in range(zones.index(wanted[label]) + 1):
            page.keyboard.press("ArrowDown")
        assert focused(page, "el.matches('select')"), "the focus stays on the list"
        zone = page.get_by_role("group", name=wanted[label], exact=True)
        expect(zone.locator("[data-handle]", has_text=label)).to_have_count(1)
    tab_until(page, "el.matches('button[type=submit]')", "Valider")
    page.keyboard.press("Enter")
    expect_success(page)

    attempt = last_attempt(signed_in, exercise)
    assert attempt.passed and attempt.answer["mode"] == "keyboard"


def test_a_wrong_placement_is_counted_without_saying_which(live_curriculum, page, signed_in):
    exercise = open_step(page, live_curriculum.url, MOUSE_LESSON, "drag_drop")
    zones = list(exercise.value["zones"])
    first, second = list(exercise.value["items"])[:2]
    page.locator("select[name=item-0]").select_option(zones[first["zone"] - 1])
    wrong = next(zone for zone in zones if zone != zones[second["zone"] - 1])
    page.locator("select[name=item-1]").select_option(wrong)
    page.get_by_role("button", name="Valider").click()
    retry = page.locator(".feedback-area .feedback-retry")
    expect(retry).to_contain_text(f"1 objet sur {len(exercise.value['items'])} est bien rangé")
    expect(retry).not_to_contain_text(first["label"])
    # The learner's placement comes back for the next try.
    expect(page.locator("select[name=item-1]")).to_have_value(str(zones.index(wrong)))


# --- Scroll and find -------------------------------------------------------------------------


def test_scroll_the_list_with_the_wheel_and_click_the_item(live_curriculum, page, signed_in):
    exercise = open_step(page, live_curriculum.url, MOUSE_LESSON, "scroll_find")
    wanted = list(exercise.value["items"])[exercise.value["target"] - 1]
    box = page.locator(".scroll-box")
    box.scroll_into_view_if_needed()
    item = page.get_by_role("button", name=wanted, exact=True)

    def inside():
        outer, inner = box.bounding_box(), item.bounding_box()
        return (
            inner["y"] >= outer["y"]
            and inner["y"] + inner["height"] <= outer["y"] + outer["height"]
        )

    assert not inside(), "the item is hidden at first: the list must be scrolled"
    outer = box.bounding_box()
    page.mouse.move(outer["x"] + outer["width"] / 2, outer["y"] + outer["height"] / 2)
    for _ in range(40):
        if inside():
            break
        page.mouse.wheel(0, 60)
        page.wait_for_timeout(50)
    assert inside(), "the wheel brought the item into view"
    target = item.bounding_box()
    page.mouse.click(target["x"] + 20, target["y"] + target["height"] / 2)
    expect_success(page)

    attempt = last_attempt(signed_in, exercise)
    assert attempt.answer == {"mode": "mouse", "choice": exercise.value["target"] - 1}


def test_find_the_item_with_tab_and_enter(live_curriculum, page, signed_in):
    exercise = open_step(page, live_curriculum.url, MOUSE_LESSON, "scroll_find")
    wanted = list(exercise.value["items"])[exercise.value["target"] - 1]
    # Every line looks the same: only the text tells the target apart.
    attributes = page.eval_on_selector_all(
        ".scroll-item",
        "items => items.map(i => [...i.attributes].map(a => a.name).sort().join(' ')"
        " + ' | ' + i.className)",
    )
    assert len(set(attributes)) == 1, attributes
    tab_until(page, f"el.textContent.trim() === {wanted!r}", wanted)
    page.keyboard.press("Enter")
    expect_success(page)

    attempt = last_attempt(signed_in, exercise)
    assert attempt.passed and attempt.answer["mode"] == "keyboard"


# --- Right-click ------------------------------------------------------------------------------


def asked_entry(exercise):
    return list(exercise.value["entries"])[exercise.value["asked"] - 1]


def test_right_click_the_file_and_pick_the_entry(live_curriculum, page, signed_in):
    exercise = open_step(page, live_curriculum.url, MOUSE_LESSON, "right_click")
    menu = page.get_by_role("menu")
    page.locator("[data-file]").click()  # a left click only explains
    expect(page.locator("[data-status]")).to_contain_text("bouton de droite")
    expect(menu).to_be_hidden()

    # A wrong entry first: the answer comes back in place (htmx), the menu works again.
    entries = list(exercise.value["entries"])
    wrong = next(entry for entry in entries if entry != asked_entry(exercise))
    page.locator("[data-file]").click(button="right")
    expect(menu).to_be_visible()
    expect(page.get_by_role("menuitem").first).to_be_focused()
    page.evaluate("window.sameDocument = true")
    page.get_by_role("menuitem", name=wrong, exact=True).click()
    expect(page.locator(".feedback-area .feedback-retry")).to_contain_text(f"« {wrong} »")
    page.locator("[data-file]").click(button="right")
    expect(menu).to_be_visible()
    page.get_by_role("menuitem", name=asked_entry(exercise), exact=True).click()
    expect_success(page)
    assert page.evaluate("window.sameDocument"), "htmx answered in place"

    attempt = last_attempt(signed_in, exercise)
    assert attempt.answer == {
        "mode": "mouse",
        "via": "right_click",
        "choice": exercise.value["asked"] - 1,
    }


def test_the_menu_key_opens_the_same_menu_for_the_keyboard(live_curriculum, page, signed_in):
    exercise = open_step(page, live_curriculum.url, MOUSE_LESSON, "right_click")
    menu = page.get_by_role("menu")
    tab_until(page, "el.matches('[data-file]')", "the file")
    page.keyboard.press("Shift+F10")
    expect(menu).to_be_visible()
    expect(page.get_by_role("menuitem").first).to_be_focused()
    page.keyboard.press("End")
    expect(page.get_by_role("menuitem").last).to_be_focused()
    page.keyboard.press("ArrowDown")  # wraps around
    expect(page.get_by_role("menuitem").first).to_be_focused()
    page.keyboard.press("Escape")
    expect(menu).to_be_hidden()
    assert focused(page, "el.matches('[data-file]')"), "Escape gives the focus back"

    page.keyboard.press("ContextMenu")
    expect(menu).to_be_visible()
    for _ in range(exercise.value["asked"] - 1):
        page.keyboard.press("ArrowDown")
    expect(page.get_by_role("menuitem", name=asked_entry(exercise), exact=True)).to_be_focused()
    page.keyboard.press("Enter")
    expect_success(page)

    attempt = last_attempt(signed_in, exercise)
    assert attempt.answer["mode"] == "keyboard" and attempt.answer["via"] == "keys"
    assert attempt.passed


def test_the_more_actions_button_is_a_menu_button(live_curriculum, page, signed_in):
    open_step(page, live_curriculum.url, MOUSE_LESSON, "right_click")
    more = page.get_by_role("button", name="Plus d'actions")
    expect(more).to_have_attribute("aria-expanded", "false")
    tab_until(page, "el.matches('[data-more]')", "Plus d'actions")
    page.keyboard.press("Enter")
    expect(page.get_by_role("menu")).to_be_visible()
    expect(more).to_have_attribute("aria-expanded", "true")
    page.keyboard.press("Tab")  # leaves the menu, closed
    expect(page.get_by_role("menu")).to_be_hidden()
    expect(more).to_be_focused()


# --- Typing -----------------------------------------------------------------------------------


def test_a_typing_mistake_is_named_then_the_right_text_passes(live_curriculum, page, signed_in):
    lesson = LessonPage.objects.get(source_key=TYPING_LESSON)
    number, exercise = next(
        (number, exercise)
        for number, exercise in lesson.exercises()
        if exercise.block_type == "type_text"
        and "@" in exercise.value["text"]
        and "Léa" in exercise.value["text"]
    )
    text = exercise.value["text"]
    page.goto(f"{live_curriculum.url}{lesson.url}?etape={number}")
    tab_until(page, "el.matches('[name=typed]')", "the typing box")
    page.keyboard.type(text.replace("Léa", "Lea"))
    page.keyboard.press("Enter")  # Enter validates
    retry = page.locator(".feedback-area .feedback-retry")
    expect(retry).to_be_visible()
    position = text.index("Léa") + 2
    expect(retry).to_contain_text(f"Regardez le {position}e caractère")
    expect(retry).to_contain_text("il faut « é » (e avec un accent aigu), vous avez tapé « e »")
    expect(page.locator("[name=typed]")).to_have_value(text.replace("Léa", "Lea"))
    # Once htmx has settled the swap, the focus goes to the feedback: wait for it, or
    # it would leave the box just after the test puts it there.
    wait_until(page, "document.activeElement.matches('.feedback-retry')")

    box = page.locator("[name=typed]")
    box.focus()
    page.keyboard.press("Control+a")
    page.keyboard.type(text)
    page.keyboard.press("Enter")
    expect_success(page)

    attempts = ExerciseAttempt.objects.filter(
        progress__learner=signed_in, block_id=exercise.id
    ).order_by("attempt_number")
    assert [(a.passed, a.answer["mode"]) for a in attempts] == [
        (False, "keyboard"),
        (True, "keyboard"),
    ]


# --- Shortcuts ---------------------------------------------------------------------------------


def test_copy_and_paste_with_real_ctrl_c_and_ctrl_v(live_curriculum, page, signed_in):
    exercise = open_step(page, live_curriculum.url, SHORTCUTS_LESSON, "shortcuts")
    assert exercise.value["task"] == "copy_paste"
    expect(page.locator("[data-practice]")).to_be_visible()
    tab_until(page, "el.matches('[name=source]')", "the word to copy")
    page.keyboard.press("Control+a")
    page.keyboard.press("Control+c")
    page.keyboard.press("Tab")
    assert focused(page, "el.matches('[name=text]')")
    page.keyboard.press("Control+v")
    expect(page.locator("[name=text]")).to_have_value(exercise.value["word"])
    expect(page.locator("[data-seen]")).to_have_text("Ctrl + A, Ctrl + C, Ctrl + V")
    page.keyboard.press("Enter")
    expect_success(page)

    attempt = last_attempt(signed_in, exercise)
    assert attempt.passed
    assert attempt.answer["mode"] == "keyboard"
    assert attempt.answer["combos"] == ["A", "C", "V"]
    assert attempt.answer["text"] == exercise.value["word"]


def test_without_a_keyboard_the_keys_are_chosen(live_curriculum, page, signed_in):
    exercise = open_step(page, live_curriculum.url, SHORTCUTS_LESSON, "shortcuts")
    page.get_by_role("button", name=re.compile("Je n'ai pas de clavier")).click()
    expect(page.locator("[data-practice]")).to_be_hidden()
    page.get_by_role("group", name="Pour copier : quelles touches ?").get_by_label(
        "Ctrl + C"
    ).check()
    page.get_by_role("group", name="Pour coller : quelles touches ?").get_by_label(
        "Ctrl + V"
    ).check()
    page.get_by_role("button", name="Valider").click()
    expect_success(page)
    expect(page.locator("[data-choice]")).to_be_visible()  # the way chosen is kept

    attempt = last_attempt(signed_in, exercise)
    assert attempt.answer == {"mode": "choice", "choices": ["C", "V"]}


def test_sorting_typing_and_choosing_keys_work_without_javascript(
    live_curriculum, browser, browser_context_args
):
    steps = {
        kind: exercise_step(key, kind)
        for key, kind in (
            (MOUSE_LESSON, "drag_drop"),
            (TYPING_LESSON, "type_text"),
            (SHORTCUTS_LESSON, "shortcuts"),
        )
    }
    context = browser.new_context(**browser_context_args, java_script_enabled=False)
    page = context.new_page()
    try:
        url, exercise = steps["drag_drop"]
        page.goto(live_curriculum.url + url)
        zones = list(exercise.value["zones"])
        for index, item in enumerate(exercise.value["items"]):
            page.locator(f"select[name=item-{index}]").select_option(zones[item["zone"] - 1])
        page.get_by_role("button", name="Valider").click()
        expect(page.locator(".feedback-area .feedback-success")).to_be_visible()

        url, exercise = steps["type_text"]
        page.goto(live_curriculum.url + url)
        page.get_by_label("Tapez le texte ici").fill(exercise.value["text"] + " 99")
        page.get_by_role("button", name="Valider").click()
        expect(page.locator(".feedback-area .feedback-retry")).to_contain_text("« 99 »")
        page.get_by_label("Tapez le texte ici").fill(exercise.value["text"])
        page.get_by_role("button", name="Réessayer").click()
        expect(page.locator(".feedback-area .feedback-success")).to_be_visible()

        url, exercise = steps["shortcuts"]
        page.goto(live_curriculum.url + url)
        expect(page.locator("[data-practice]")).to_be_hidden()  # needs the script
        for question, keys in (("Pour copier", "Ctrl + C"), ("Pour coller", "Ctrl + V")):
            group = page.get_by_role("group", name=f"{question} : quelles touches ?")
            group.get_by_label(keys).check()
        page.get_by_role("button", name="Valider").click()
        expect(page.locator(".feedback-area .feedback-success")).to_be_visible()
    finally:
        context.close()


# --- Accessibility and small screens -------------------------------------------------------------

EXERCISE_STEPS = [
    (MOUSE_LESSON, "click_targets"),
    (MOUSE_LESSON, "double_click"),
    (MOUSE_LESSON, "drag_drop"),
    (MOUSE_LESSON, "scroll_find"),
    (MOUSE_LESSON, "right_click"),
    (TYPING_LESSON, "type_text"),
    (TYPING_LESSON, "shortcuts"),
    (SHORTCUTS_LESSON, "shortcuts"),
]


def open_menu(page):
    page.locator("[data-file]").click(button="right")
    expect(page.get_by_role("menu")).to_be_visible()


def wrong_answer(page):
    page.locator("[name=typed]").fill("bonjour")
    page.get_by_role("button", name="Valider").click()
    expect(page.locator(".feedback-area .feedback-retry")).to_be_visible()


@pytest.mark.parametrize(
    ("lesson_key", "block_type", "then"),
    [
        *[pytest.param(key, kind, None, id=f"{kind}-{key}") for key, kind in EXERCISE_STEPS],
        pytest.param(MOUSE_LESSON, "right_click", open_menu, id="right_click-menu-open"),
        pytest.param(TYPING_LESSON, "type_text", wrong_answer, id="type_text-feedback"),
    ],
)
@pytest.mark.parametrize("width", [1024, 360])
def test_exercise_steps_have_no_axe_violations_and_fit_a_phone(
    live_curriculum, page, lesson_key, block_type, then, width
):
    page.set_viewport_size({"width": width, "height": 740 if width < 400 else 768})
    open_step(page, live_curriculum.url, lesson_key, block_type)
    if then:
        then(page)
    page.wait_for_load_state("load")
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"{block_type} scrolls sideways ({scroll_width} px)"
    results = Axe().run(page)
    assert results.response["passes"], "axe checked nothing"
    assert results.violations_count == 0, results.generate_report()


def test_learner_targets_are_big_enough(live_curriculum, page):
    """44 px and more, except the shrinking click targets (24 px at least)."""
    page.set_viewport_size({"width": 360, "height": 740})
    selectors = {
        (MOUSE_LESSON, "double_click"): "[data-open-item]",
        (MOUSE_LESSON, "drag_drop"): ".dd-handle, .dd-item select",
        (MOUSE_LESSON, "scroll_find"): ".scroll-item",
        (MOUSE_LESSON, "right_click"): "[data-file], [data-more]",
        (SHORTCUTS_LESSON, "shortcuts"): ".typing-input, .link-button",
    }
    for (lesson_key, block_type), selector in selectors.items():
        open_step(page, live_curriculum.url, lesson_key, block_type)
        boxes = page.eval_on_selector_all(
            selector,
            "els => els.filter(e => e.offsetParent).map(e => {"
            " const r = e.getBoundingClientRect(); return [r.width, r.height]; })",
        )
        assert boxes, block_type
        small = [box for box in boxes if min(box) < 44]
        assert not small, f"{block_type}: {small}"
