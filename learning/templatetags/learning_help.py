"""The "J'ai besoin d'aide" button of the lesson pages and of the practice sites, for
learners in a group today."""

from django import template

from .. import selectors

register = template.Library()


@register.inclusion_tag("learning/_help_request.html", takes_context=True)
def help_request_button(context):
    """Nothing for guests, trainers and learners outside a group running today."""
    request = context.get("request")
    user = getattr(request, "user", None)
    learner = getattr(user, "learner", None) if user and user.is_authenticated else None
    if learner is None or getattr(request, "is_preview", False):
        return {"help_state": None}
    run = context.get("run")  # a practice site: the hand is raised from its lesson step
    return {
        "help_state": selectors.learner_help_state(learner=learner),
        "lesson": run.lesson if run else context.get("page"),
        "step_number": run.step_number if run else context.get("step_number"),
        "run": run,
        "csrf_token": context.get("csrf_token"),
    }
