import time

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
    "Je suis toujours là" button is one such request). Progress is saved at
    every step, so a timeout loses nothing.
    """

    def __init__(self, get_response):
        self.get_response = get_response

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
            request.session[ACTIVITY_KEY] = now
        response = self.get_response(request)
        if request.user.is_authenticated or is_learner:
            # Back after "J'ai fini" must not show anything personal.
            response["Cache-Control"] = "no-cache, no-store, must-revalidate, private, max-age=0"
        return response
