"""Two Content-Security-Policies: the site's, strict, and the Wagtail admin's.

Learner and public pages run only our own script files (no inline script, no
style attribute): CONTENT_SECURITY_POLICY. The admin (Wagtail's own templates, its
date pickers and inline panels) still writes inline scripts and styles, so it gets
PASAPAS_ADMIN_CONTENT_SECURITY_POLICY, chosen here by the path.
"""

from csp.middleware import CSPMiddleware, PolicyParts
from csp.utils import default_config
from django.conf import settings

ADMIN_PREFIX = "/admin/"


class PolicyByPathMiddleware(CSPMiddleware):
    """django-csp's middleware, with the admin's policy under /admin/.

    A view's own decorator (csp_replace, csp_update...) still applies on top.
    """

    def get_policy_parts(self, request, response, report_only=False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if not report_only and parts.config is None and request.path.startswith(ADMIN_PREFIX):
            parts.config = default_config(settings.PASAPAS_ADMIN_CONTENT_SECURITY_POLICY)
        return parts
