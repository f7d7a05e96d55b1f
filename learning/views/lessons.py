"""Lessons are Wagtail pages; this module serves them with the learner's progress."""

from django.http import HttpResponse, HttpResponseBadRequest
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from wagtail.models import Site

from cms.cache import private_no_store
from cms.params import id_param, int_param
from modules.blocks import InvalidAnswer

from .. import selectors, services


def parcours_page(request, page):
    """A parcours, with "Commencer" (or "Continuer") leading to the first lesson the
    learner or guest hasn't finished."""
    context = page.get_context(request)
    lessons = [lesson for module in context["modules"] for lesson in module.lessons]
    if request.user.is_authenticated:
        start, started = selectors.parcours_start_lesson(lessons=lessons, user=request.user)
    else:
        start, started = selectors.parcours_start_lesson(lessons=lessons, session=request.session)
    context.update(start_lesson=start, started=started)
    return TemplateResponse(request, page.get_template(request), context)


def lesson_page(request, page):
    """One step of a lesson (GET), or a graded answer to the step's exercise (POST).

    The same view answers htmx (the step fragment) and plain requests (the
    whole page), so lessons work without JavaScript. Progress goes to the
    account when signed in, to the session for a guest.
    """
    number = page.step_number_from(request)
    answer_context = {}
    if request.method == "POST":
        answer_context = _submit_answer(request, page, number)
    else:
        _record_step(request, page, number)
    context = page.get_context(request, step_number=number)
    context.update(answer_context)
    if request.user.is_authenticated:
        state = selectors.learner_lesson_state(user=request.user, lesson_key=page.stable_key)
    else:
        state = selectors.guest_lesson_state(session=request.session, lesson_key=page.stable_key)
    context["lesson_state"] = state
    if not request.user.is_authenticated and not getattr(request, "is_preview", False):
        # A guest's progress lives in the browser's session: say so, and how to keep it.
        context["guest_note_template"] = "learning/_guest_note.html"
        context["signup_open"] = selectors.self_signup_open(site=Site.find_for_request(request))
    response = TemplateResponse(request, page.get_template(request), context)
    # Progress is personal: never kept by a shared computer's browser cache.
    return private_no_store(response)


def _record_step(request, page, number):
    if request.user.is_authenticated:
        services.lesson_step_view(user=request.user, lesson=page, step_number=number)
    else:
        services.guest_step_view(
            session=request.session, lesson_key=page.stable_key, step_number=number
        )


def _submit_answer(request, page, number):
    exercise = page.exercise_of(number)
    if exercise is None or request.POST.get("exercise") != exercise.id:
        # The lesson changed since the page was shown: show the step as it is now.
        return {"answer_error": _("Cette étape a changé. Voici la version à jour.")}
    try:
        answer = exercise.block.parse_answer(exercise.value, request.POST)
    except InvalidAnswer as error:
        return {"answer_error": str(error)}
    grade = exercise.block.grade(exercise.value, answer)
    if request.user.is_authenticated:
        services.exercise_attempt_submit(
            user=request.user,
            lesson=page,
            step_number=number,
            exercise=exercise,
            answer=answer,
            grade=grade,
        )
    else:
        _record_step(request, page, number)
        services.guest_exercise_submit(
            session=request.session, lesson_key=page.stable_key, block_id=exercise.id, grade=grade
        )
    return {"grade": grade, "selected": answer}


@require_POST
def lesson_time(request):
    """The visibility-aware heartbeat of a lesson page (signed-in learners only)."""
    from modules.models import LessonPage

    if not request.user.is_authenticated:
        return HttpResponse(status=204)  # guests' time is not recorded
    lesson_id = id_param(request.POST, "lesson")
    seconds = int_param(request.POST, "seconds")
    if lesson_id is None or seconds is None:
        return HttpResponseBadRequest("lesson and seconds must be whole numbers, 0 or more")
    lesson = LessonPage.objects.live().filter(pk=lesson_id).first()
    if lesson is None:
        return HttpResponseBadRequest("unknown lesson")
    services.lesson_time_add(user=request.user, lesson=lesson, seconds=seconds)
    return HttpResponse(status=204)
