"""Error pages Django would otherwise show in English, with technical words."""

from django.template.response import TemplateResponse
from django.views.decorators.cache import never_cache


@never_cache
def csrf_failure(request, reason=""):
    """A form sent from a page that is no longer valid: the session ended ("J'ai fini",
    inactivity) or the cookies were cleared. Nothing was saved; the page says so in
    plain words and offers to open the page again. Rendering it sets a new CSRF cookie,
    so the next try works."""
    return TemplateResponse(request, "403_csrf.html", {"retry_url": request.path}, status=403)
