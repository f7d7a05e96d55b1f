import time
from functools import cached_property

from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse
from django_htmx.http import HttpResponseClientRedirect

from .models import LearnerSettings

ACTIVITY_KEY = "last_activity"


class LearnerSessionMiddleware:
    """Shared computers: a learner's session ends after inactivity, and nothing
    personal is kept in the browser's cache.

    Every request of a signed-in learner counts as activity (the page's
    "Je suis toujours là" button is one such request), except those a page sends
    by itself: the lesson's time heartbeat says the page is open, not that someone
    is in front of it. Progress is saved at every step, so a timeout loses nothing.
    """

    PASSIVE_URL_NAMES = ("learning:lesson_time",)

    def __init__(self, get_response):
        self.get_response = get_response

    @cached_property
    def passive_paths(self):
        return frozenset(reverse(name) for name in self.PASSIVE_URL_NAMES)

    def __call__(self, request):
        is_learner = request.user.is_authenticated and hasattr(request.user, "learner")
        if is_learner:
            timeout = LearnerSettings.for_request(request).inactivity_minutes * 60
            request.inactivity_seconds = timeout
            now = time.time()
            last = request.session.get(ACTIVITY_KEY, now)
            if now - last > timeout:
                logout(request)
                url = f"{reverse('learning:signin')}?expire=1"
                if getattr(request, "htmx", False):
                    return HttpResponseClientRedirect(url)
                return redirect(url)
            if request.path not in self.passive_paths:
                request.session[ACTIVITY_KEY] = now
        response = self.get_response(request)
        if request.user.is_authenticated or is_learner:
            # Back after "J'ai fini" must not show anything personal.
            response["Cache-Control"] = "no-cache, no-store, must-revalidate, private, max-age=0"
        return response
