""" "J'ai besoin d'aide": a learner in a group session raises their hand from a lesson
step; the trainer's dashboard shows it. Works as a plain form post (then back to the
same step) and with htmx (the button becomes the answer, in place)."""

import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_POST

from cms.cache import private_no_store
from cms.params import id_param, int_param
from modules.models import LessonPage

from .. import selectors, services
from ..models import SimulatorRun
from ..simulators import core as simulators


def _learner_and_place(request):
    """The signed-in learner, and the lesson and step the form names (clamped)."""
    learner = getattr(request.user, "learner", None) if request.user.is_authenticated else None
    if learner is None:
        raise PermissionDenied
    lesson_id = id_param(request.POST, "lesson")
    lesson = LessonPage.objects.live().filter(pk=lesson_id).first() if lesson_id else None
    if lesson is None:
        raise Http404
    step = int_param(request.POST, "step", default=1)
    return learner, lesson, min(max(step, 1), max(lesson.step_count, 1))


def _own_run(request, learner):
    """The practice site the hand was raised from, if it is the learner's own."""
    try:
        run_id = uuid.UUID(request.POST.get("simulation", "")[:40])
    except ValueError:
        return None
    return SimulatorRun.objects.filter(pk=run_id, user=learner.user).first()


def _answer(request, learner, lesson, step):
    run = _own_run(request, learner)
    if request.htmx:
        context = {
            "help_state": selectors.learner_help_state(learner=learner),
            "lesson": lesson,
            "step_number": step,
            "run": run,
        }
        response = TemplateResponse(request, "learning/_help_request.html", context)
        return private_no_store(response)
    if run is not None:
        return redirect(f"{simulators.url(run)}#help-request")
    return redirect(f"{lesson.url}?etape={step}#help-request")


@require_POST
def help_request_raise(request):
    learner, lesson, step = _learner_and_place(request)
    try:
        services.help_request_raise(learner=learner, lesson=lesson, step_number=step)
    except ValidationError:
        raise PermissionDenied from None  # in no group today: the button isn't shown
    return _answer(request, learner, lesson, step)


@require_POST
def help_request_cancel(request):
    learner, lesson, step = _learner_and_place(request)
    services.help_request_cancel(learner=learner)
    return _answer(request, learner, lesson, step)
