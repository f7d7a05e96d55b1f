from wagtail import hooks

from modules.models import LessonPage

from .views import lesson_page


@hooks.register("before_serve_page")
def serve_lessons_with_progress(page, request, serve_args, serve_kwargs):
    """Lessons are served with the learner's progress and graded answers.

    The page model itself (modules/) knows nothing of learners: its own
    `serve` is what editors see in preview.
    """
    if isinstance(page, LessonPage):
        return lesson_page(request, page)
    return None
