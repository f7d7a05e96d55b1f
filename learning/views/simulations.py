"""The practice simulators: start from a lesson step, play, start again."""

from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_POST

from cms.params import id_param

from .. import services, simulators
from ..models import SimulatorRun
from ..simulators import core


def _session_key(request):
    if not request.session.session_key:
        request.session.save()
    return request.session.session_key


def _own_run(request, run_id):
    """A run is only ever shown to the person who started it."""
    if request.user.is_authenticated:
        runs = SimulatorRun.objects.filter(user=request.user)
    elif request.session.session_key:
        runs = SimulatorRun.objects.filter(user=None, session_key=request.session.session_key)
    else:
        raise Http404
    return get_object_or_404(runs.select_related("scenario", "lesson"), pk=run_id)


@require_POST
def simulation_start(request):
    """ "Ouvrir la simulation" on a lesson step: the current run, or a first one."""
    from modules.models import LessonPage

    lesson_id = id_param(request.POST, "lesson")
    if lesson_id is None:
        raise Http404
    lesson = get_object_or_404(LessonPage.objects.live(), pk=lesson_id)
    number, exercise = lesson.exercise_by_id(request.POST.get("exercise", ""))
    if exercise is None or exercise.block_type != "simulation":
        return redirect(lesson.url)  # the lesson changed since the page was shown
    if exercise.value["scenario"] is None:
        return redirect(f"{lesson.url}?etape={number}")
    run = services.simulation_run_open(
        user=request.user,
        session_key=_session_key(request),
        lesson=lesson,
        step_number=number,
        exercise=exercise,
    )
    return redirect(core.url(run))


def simulation_screen(request, run_id, path=""):
    run = _own_run(request, run_id)
    if run.scenario is None or run.lesson is None or run.kind not in simulators.HANDLERS:
        response = TemplateResponse(
            request, "simulators/gone.html", {"lesson": run.lesson}, status=410
        )
        return response
    return simulators.handler(run.kind).screen(request, run, path.strip("/"))


@require_POST
def simulation_restart(request, run_id):
    run = _own_run(request, run_id)
    if run.scenario is None or run.lesson is None:
        raise Http404
    return redirect(core.url(services.simulation_run_restart(run=run)))
