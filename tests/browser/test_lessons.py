"""A learner takes a lesson in a real browser: keyboard only, without JavaScript, on a
small phone, and with axe checking every page of the way."""

import re

import pytest
import yaml
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from playwright.sync_api import expect

from tests.browser.conftest import wait_until

pytestmark = pytest.mark.browser

MODULE_DIR = settings.BASE_DIR / "content" / "modules" / "la-souris"
MODULE_URL = "/modules/la-souris/"
MAX_TABS = 80


def front_matter(path):
    return yaml.safe_load(path.read_text(encoding="utf-8").split("---\n", 2)[1])


def read_lesson(path):
    """A lesson file as the tests need it: its URL and its steps [(title, quiz or None)],
    a step per `## ` heading; the quizzes' answers (`correct: true`) come from here."""
    body = path.read_text(encoding="utf-8").split("---\n", 2)[2]
    steps = []
    for section in re.split(r"^## ", body, flags=re.MULTILINE)[1:]:
        title = section.splitlines()[0].strip()
        quiz = re.search(r"^```quiz\n(.*?)^```", section, flags=re.MULTILINE | re.DOTALL)
        steps.append((title, yaml.safe_load(quiz.group(1)) if quiz else None))
    return {"url": f"{MODULE_URL}{front_matter(path)['slug']}/", "steps": steps}


def first_step(lesson, test):
    """The URL of the lesson's first step whose quiz passes `test`, or None."""
    for number, (_, quiz) in enumerate(lesson["steps"], start=1):
        if quiz and test(quiz):
            return f"{lesson['url']}?etape={number}"
    return None


MODULE_TITLE = front_matter(MODULE_DIR / "module.md")["title"]
LESSONS = [read_lesson(path) for path in sorted(MODULE_DIR.glob("[0-9]*.md"))]
LESSON_URL = LESSONS[0]["url"]
STEPS = LESSONS[0]["steps"]
QUIZ_STEP = next(number for number, (_, quiz) in enumerate(STEPS, start=1) if quiz)
QUIZ_STEP_URL = f"{LESSON_URL}?etape={QUIZ_STEP}"
QUIZ = STEPS[QUIZ_STEP - 1][1]
RIGHT = next(option["text"] for option in QUIZ["options"] if option.get("correct"))
WRONG = next(option["text"] for option in QUIZ["options"] if not option.get("correct"))
PICTURES_STEP_URL = next(
    filter(None, (first_step(lesson, lambda q: q["options"][0].get("image")) for lesson in LESSONS))
)
CHECKBOXES_STEP_URL = next(
    filter(None, (first_step(lesson, lambda q: q.get("multiple")) for lesson in LESSONS))
)


def step_count_text(number):
    return f"Étape {number} sur {len(STEPS)}"


# --- Keyboard helpers: only key presses, never .click() or .fill() ---------------------


def focused(page, script):
    """Evaluates `script` (a JS expression of `el`, the focused element)."""
    return page.evaluate(f"(() => {{ const el = document.activeElement; return {script}; }})()")


def assert_focus_is_visible(page, what):
    """The focused element shows where the focus is (WCAG 2.4.7)."""
    style = focused(
        page,
        "el.matches(':focus-visible') && getComputedStyle(el).outlineStyle + ' '"
        " + getComputedStyle(el).outlineWidth",
    )
    assert style and not style.startswith("none") and not style.endswith(" 0px"), (
        f"{what}: the focus is not visible ({style})"
    )


def press_until(page, key, script, what):
    """Presses `key` until the focused element matches `script`, as a learner would."""
    for _ in range(MAX_TABS):
        page.keyboard.press(key)
        if focused(page, script):
            assert_focus_is_visible(page, what)
            return
    pytest.fail(f"{what}: not reached with {key} in {MAX_TABS} presses")


def tab_to_link(page, text, key="Tab"):
    press_until(
        page, key, f"el.matches('a') && el.textContent.trim() === {text!r}", f"link {text!r}"
    )


def tab_to_choice(page, key="Tab"):
    press_until(page, key, "el.matches('input[name=choice]')", "the quiz's options")


def tab_to_submit(page):
    press_until(page, "Tab", "el.matches('form.quiz button[type=submit]')", "the quiz button")


def swapped(page, press):
    """Runs `press()` and waits until htmx has put a new `#lesson-step` in the page."""
    page.evaluate("document.getElementById('lesson-step').dataset.old = 'yes'")
    press()
    wait_until(
        page,
        "(() => { const s = document.getElementById('lesson-step');"
        " return s && !s.dataset.old; })()",
    )


def test_a_learner_follows_a_whole_lesson_with_the_keyboard_alone(live_curriculum, page):
    page.goto(live_curriculum.url + LESSON_URL)
    step_count = page.locator(".step-count")
    expect(step_count).to_have_text(step_count_text(1))
    page.evaluate("window.sameDocument = true")  # gone if a step reloads the whole page
    answered = 0

    for number in range(1, len(STEPS) + 1):
        expect(page.locator("#step-title")).to_have_text(STEPS[number - 1][0])
        has_quiz = page.locator("form.quiz").count() == 1
        assert has_quiz == bool(STEPS[number - 1][1]), f"step {number}: quiz as in the file"
        if has_quiz:
            # The learner tries the options in turn until the answer is right.
            tab_to_choice(page)
            assert focused(page, "el.type") == "radio"
            page.keyboard.press("Space")
            for attempt in range(page.locator("input[name=choice]").count()):
                assert focused(page, "el.checked"), "Space/arrows select the focused option"
                tab_to_submit(page)
                key = "Enter" if attempt % 2 == 0 else "Space"  # both press a button
                swapped(page, lambda key=key: page.keyboard.press(key))
                expect(page).to_have_url(re.compile(rf"\?etape={number}$"))
                feedback = page.locator(".feedback")
                expect(feedback).to_be_visible()
                expect(feedback).to_be_focused()
                assert_focus_is_visible(page, f"step {number}: the feedback")
                if page.locator(".feedback-success").count():
                    break
                expect(page.locator(".feedback-retry")).to_be_visible()
                expect(page.locator("form.quiz button[type=submit]")).to_have_text("Réessayer")
                # Back to the options: the choice made is still checked.
                tab_to_choice(page, key="Shift+Tab")
                assert focused(page, "el.checked")
                page.keyboard.press("ArrowDown")
            else:
                pytest.fail(f"step {number}: no option was accepted (attempt {attempt + 1})")
            expect(page.locator(".feedback-success")).to_be_visible()
            answered += 1

        if number < len(STEPS):
            tab_to_link(page, "Suivant")
            swapped(page, lambda: page.keyboard.press("Enter"))
            expect(step_count).to_have_text(step_count_text(number + 1))
            expect(page).to_have_url(re.compile(rf"\?etape={number + 1}$"))
            # Focus follows the new step: its title, announced by screen readers.
            expect(page.locator("#step-title")).to_be_focused()
            assert_focus_is_visible(page, f"step {number + 1}: the title")
            expect(page).to_have_title(re.compile(step_count_text(number + 1)))

    assert answered == sum(1 for _, quiz in STEPS if quiz)
    assert page.evaluate("window.sameDocument"), "htmx swapped every step and answer"
    tab_to_link(page, "Terminer la leçon")
    page.keyboard.press("Enter")
    expect(page).to_have_url(live_curriculum.url + MODULE_URL)
    expect(page.locator("h1")).to_have_text(MODULE_TITLE)


def test_the_lesson_works_without_javascript(live_curriculum, browser, browser_context_args):
    context = browser.new_context(**browser_context_args, java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(live_curriculum.url + LESSON_URL + "?etape=1")
        expect(page.locator(".step-count")).to_have_text(step_count_text(1))
        for number in range(2, QUIZ_STEP + 1):
            page.get_by_role("link", name="Suivant").click()
            expect(page).to_have_url(re.compile(rf"\?etape={number}$"))
            expect(page.locator(".step-count")).to_have_text(step_count_text(number))

        page.get_by_label(WRONG, exact=True).check()
        page.get_by_role("button", name="Valider").click()
        expect(page).to_have_url(re.compile(rf"\?etape={QUIZ_STEP}$"))
        expect(page.locator(".feedback-retry")).to_be_visible()
        expect(page.locator(".feedback-retry")).to_contain_text(QUIZ["hint"])
        expect(page.get_by_label(WRONG, exact=True)).to_be_checked()

        page.get_by_label(RIGHT, exact=True).check()
        page.get_by_role("button", name="Réessayer").click()
        expect(page.locator(".feedback-success")).to_be_visible()
        expect(page.locator(".feedback-success")).to_contain_text(QUIZ["feedback"])
    finally:
        context.close()


def test_a_wrong_then_a_right_answer_with_htmx_keep_the_url_and_the_choice(live_curriculum, page):
    url = f"{live_curriculum.url}{LESSON_URL}?etape={QUIZ_STEP}"
    page.goto(url)
    page.evaluate("window.sameDocument = true")
    page.get_by_label(WRONG, exact=True).check()
    swapped(page, lambda: page.get_by_role("button", name="Valider").click())
    retry = page.locator(".feedback-retry")
    expect(retry).to_be_visible()
    expect(retry).to_have_attribute("role", "status")
    expect(retry).to_contain_text(QUIZ["hint"])
    expect(page.get_by_role("status")).to_have_count(1)
    expect(page.get_by_label(WRONG, exact=True)).to_be_checked()
    expect(page).to_have_url(url)

    page.get_by_label(RIGHT, exact=True).check()
    swapped(page, lambda: page.get_by_role("button", name="Réessayer").click())
    success = page.locator(".feedback-success")
    expect(success).to_be_visible()
    expect(success).to_have_attribute("role", "status")
    expect(success).to_contain_text(QUIZ["feedback"])
    expect(page.get_by_label(RIGHT, exact=True)).to_be_checked()
    expect(page).to_have_url(url)
    assert page.evaluate("window.sameDocument"), "htmx answered in place"


def answer_wrongly(page):
    page.get_by_label(WRONG, exact=True).check()
    swapped(page, lambda: page.get_by_role("button", name="Valider").click())
    expect(page.locator(".feedback-retry")).to_be_visible()


@pytest.mark.parametrize(
    ("url", "width", "then"),
    [
        pytest.param("/", 1024, None, id="catalogue"),
        pytest.param("/initiation/", 1024, None, id="parcours"),
        pytest.param(MODULE_URL, 1024, None, id="module"),
        pytest.param(QUIZ_STEP_URL, 1024, None, id="lesson-quiz"),
        pytest.param(QUIZ_STEP_URL, 1024, answer_wrongly, id="lesson-wrong-answer"),
        pytest.param(QUIZ_STEP_URL, 360, None, id="lesson-360px"),
        pytest.param(PICTURES_STEP_URL, 1024, None, id="lesson-picture-options"),
        pytest.param(CHECKBOXES_STEP_URL, 360, None, id="lesson-checkboxes-360px"),
    ],
)
def test_pages_have_no_axe_violations(live_curriculum, page, url, width, then):
    page.set_viewport_size({"width": width, "height": 740 if width < 400 else 768})
    response = page.goto(live_curriculum.url + url)
    assert response.ok, f"{url} answered {response.status}"
    if then:
        then(page)
    results = Axe().run(page)
    assert results.response["passes"], "axe checked nothing"
    assert results.violations_count == 0, results.generate_report()


def test_the_lessons_fit_a_small_phone(live_curriculum, page):
    page.set_viewport_size({"width": 360, "height": 740})
    for lesson in LESSONS:
        count = len(lesson["steps"])
        for number in range(1, count + 1):
            where = f"{lesson['url']}?etape={number}"
            page.goto(live_curriculum.url + where)
            page.wait_for_load_state("load")  # images decoded: the layout is final
            scroll_width = page.evaluate("document.documentElement.scrollWidth")
            assert scroll_width <= 360, f"{where} scrolls sideways ({scroll_width} px)"
            name = "Suivant" if number < count else "Terminer la leçon"
            box = page.get_by_role("link", name=name, exact=True).bounding_box()
            assert box["width"] >= 44, f"{where}: {name!r} is {box['width']} px wide"
            assert box["height"] >= 44, f"{where}: {name!r} is {box['height']} px high"
