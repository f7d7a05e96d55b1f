import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django_htmx.http import HttpResponseClientRedirect

from cms.cache import private_no_store

from . import services
from .models import LearnerSettings

ACTIVITY_KEY = "last_activity"
clock = time.time  # read through this name, so that tests can move the time


class LearnerSessionMiddleware:
    """Shared computers: a session ends after inactivity, and nothing personal is
    kept in the browser's cache.

    Learners: every request counts as activity (the page's "Je suis toujours là"
    button is one such request), except those a page sends by itself: the
    lesson's time heartbeat says the page is open, not that someone is in front
    of it. Progress is saved at every step, so a timeout loses nothing.

    Staff (trainers, managers, editors): signed out after
    PASAPAS_STAFF_INACTIVITY_MINUTES without a request, and sent to the admin
    sign-in, which brings them back where they were. Here too, what a page sends
    by itself is not activity: the group dashboard's htmx refresh (every 10 s) and
    Wagtail's editing-session ping would otherwise keep a trainer's session open
    for ever on a computer they walked away from.

    It runs after django-htmx's middleware: an htmx request after a timeout gets
    HX-Redirect (the browser loads the sign-in page), not a redirect swapped into
    the page.
    """

    PASSIVE_URL_NAMES = ("learning:lesson_time", "wagtailadmin_editing_sessions:ping")
    # Pages that refresh themselves through htmx: their htmx GETs are passive.
    POLLED_URL_NAMES = ("group_dashboard",)

    def __init__(self, get_response):
        self.get_response = get_response

    def is_passive(self, request):
        try:
            name = resolve(request.path_info).view_name
        except Resolver404:
            return False
        if name in self.PASSIVE_URL_NAMES:
            return True
        polled = request.method == "GET" and getattr(request, "htmx", False)
        return bool(polled) and name in self.POLLED_URL_NAMES

    def __call__(self, request):
        is_learner = request.user.is_authenticated and hasattr(request.user, "learner")
        if request.user.is_authenticated:
            if is_learner:
                timeout = LearnerSettings.for_request(request).inactivity_minutes * 60
                request.inactivity_seconds = timeout
            else:
                timeout = settings.PASAPAS_STAFF_INACTIVITY_MINUTES * 60
            now = clock()
            last = request.session.get(ACTIVITY_KEY, now)
            if now - last > timeout:
                if is_learner:
                    services.learner_signed_out(learner=request.user.learner)
                logout(request)
                if is_learner:
                    url = f"{reverse('learning:signin')}?expire=1"
                else:
                    back = urlencode({"next": request.get_full_path()}, safe="/")
                    url = f"{reverse('wagtailadmin_login')}?{back}"
                if getattr(request, "htmx", False):
                    return HttpResponseClientRedirect(url)
                return redirect(url)
            if not self.is_passive(request):
                request.session[ACTIVITY_KEY] = now
        response = self.get_response(request)
        if request.user.is_authenticated or is_learner:
            # Back after "J'ai fini" must not show anything personal.
            private_no_store(response)
        return response
