"""What every simulator page shares: the frame (banner, mission, "Recommencer"),
the goal check after an action, and the cleaning of what learners type."""

from django.contrib import messages
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from cms.cache import private_no_store
from cms.sanitize import clean_text

from .. import services

FEEDBACK_TAG = "simulation"


def url(run, path=""):
    """The URL of a screen of this run's site."""
    if not path:
        return reverse("learning:simulation", args=[run.pk])
    return reverse("learning:simulation_screen", args=[run.pk, path.strip("/")])


def text(value, max_length=2000):
    """A learner's typed text, made plain and safe: tags stripped, length capped.

    The raw text is cut first: cleaning costs more than linear time, and a
    tampered post can be megabytes long.
    """
    raw = str(value or "")[: 2 * max_length + 100]
    return clean_text(raw, max_length=max_length)


def mission(run):
    """The step's goals with their state, for the frame."""
    if run.lesson is None:
        return []
    _number, exercise = run.lesson.exercise_by_id(run.block_id)
    if exercise is None or exercise.block_type != "simulation":
        return []
    return [
        {"instruction": goal.value["instruction"], "done": goal.value["key"] in run.goals_done}
        for goal in exercise.block.goal_list(exercise.value)
    ]


def render(request, run, template, context=None, *, address="", status=200):
    """A simulator page inside the frame. `address` is the pretend web address shown."""
    lesson_url = f"{run.lesson.url}?etape={run.step_number}" if run.lesson else "/"
    context = {
        "run": run,
        "scenario": run.scenario,
        "state": run.state,
        "mission": mission(run),
        "lesson_url": lesson_url,
        "site_url": url(run),
        "sim_address": address,
        **(context or {}),
    }
    response = TemplateResponse(request, template, context, status=status)
    return private_no_store(response)


def record(request, run, event):
    """Check the goals after an action; tell the learner what it meant."""
    outcome = services.simulation_event(run=run, event=event, session=request.session)
    run.refresh_from_db()
    for instruction in outcome.reached:
        messages.success(
            request, _("Objectif atteint : %(goal)s") % {"goal": instruction}, FEEDBACK_TAG
        )
    if outcome.completed and outcome.reached:
        messages.success(
            request,
            _("Bravo, vous avez réussi la mission ! Vous pouvez retourner à la leçon."),
            FEEDBACK_TAG,
        )
    elif outcome.hint:
        messages.info(request, outcome.hint, FEEDBACK_TAG)
    return outcome
