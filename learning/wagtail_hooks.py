from django.urls import path
from wagtail import hooks

from modules.models import LessonPage

from . import admin_views
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


@hooks.register("register_admin_viewset")
def register_viewsets():
    return [
        admin_views.LearnerViewSet("learners"),
        admin_views.StructureViewSet("structures"),
        admin_views.XapiCredentialViewSet("xapi_credentials"),
    ]


@hooks.register("register_admin_urls")
def register_learner_urls():
    return [
        path("apprenants/<int:pk>/acces/", admin_views.learner_access, name="learner_access"),
        path("apprenants/<int:pk>/images/", admin_views.learner_reset, name="learner_reset"),
        path("apprenants/<int:pk>/debloquer/", admin_views.learner_unlock, name="learner_unlock"),
        path("apprenants/cartes/", admin_views.learner_cards, name="learner_cards"),
        path("apprenants/cartes.pdf", admin_views.learner_cards_pdf, name="learner_cards_pdf"),
    ]
