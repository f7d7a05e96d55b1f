"""Who is asking, and how often: the client's IP behind the reverse proxy, the
per-code (or per-email) lock across every IP, and the self sign-up limits.

django-axes locks one (code or email, IP) pair after a few failures. Alone, that
lets anyone who knows a code (it is printed on the card) try it from many IPs;
`ThrottlingHandler` adds a slower limit per code whatever the IP, counted on
axes' failure log (the database: every worker sees the same count).
"""

from datetime import timedelta

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessFailureLog
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from ipware import get_client_ip


def client_ip(request):
    """The client's address, trusting X-Forwarded-For only as far as our own proxies.

    With PASAPAS_TRUSTED_PROXIES = 0 (no proxy) the header is ignored: anyone can
    send one. With N proxies, each appends the address it got the request from,
    so the client is the N-th address from the right (REMOTE_ADDR being the last
    proxy); whatever the client put before it is ignored.
    """
    remote_addr = request.META.get("REMOTE_ADDR") or None
    proxies = settings.PASAPAS_TRUSTED_PROXIES
    if proxies <= 0:
        return remote_addr
    # ipware counts the proxies listed in the header: REMOTE_ADDR is the last one.
    address, _routable = get_client_ip(
        request,
        proxy_order="left-most",
        proxy_count=proxies - 1,
        request_header_order=["HTTP_X_FORWARDED_FOR"],
        strict=False,
    )
    return address or remote_addr


# --- One code (or email) across every IP ------------------------------------------


def _window_start():
    return timezone.now() - settings.PASAPAS_USERNAME_FAILURE_WINDOW


def username_failures(username):
    """Failed sign-ins for this code or email over the window, from any IP."""
    if not username:
        return 0
    return AccessFailureLog.objects.filter(
        username=username, attempt_time__gte=_window_start()
    ).count()


def username_is_locked(username):
    return username_failures(username) >= settings.PASAPAS_USERNAME_FAILURE_LIMIT


def username_unlock(username):
    """A trainer's "Débloquer": the window's failures no longer count.

    Older entries stay as the record of past attempts.
    """
    AccessFailureLog.objects.filter(username=username, attempt_time__gte=_window_start()).delete()


class ThrottlingHandler(AxesDatabaseHandler):
    """axes' database handler, plus the per-code lock across IPs."""

    def is_locked(self, request, credentials=None):
        if super().is_locked(request, credentials):
            return True
        return username_is_locked(get_client_username(request, credentials))

    def user_login_failed(self, sender, credentials, request=None, **kwargs):
        super().user_login_failed(sender, credentials, request=request, **kwargs)
        # axes marks the request locked out only when the (code, IP) pair is: its
        # middleware then answers with the lockout page instead of the view's.
        if (
            request is not None
            and not getattr(request, "axes_locked_out", False)
            and username_is_locked(get_client_username(request, credentials))
        ):
            request.axes_locked_out = True
            request.axes_credentials = credentials


# --- Self sign-up ---------------------------------------------------------------


class SignupLimit:
    """Accounts created by self sign-up, per client IP and for the whole site, in
    fixed one-hour windows kept in Django's cache (shared by the workers when
    the cache is Redis)."""

    WINDOW = timedelta(hours=1)

    @staticmethod
    def _ip_key(request):
        return f"pasapas:signup:ip:{client_ip(request)}"

    SITE_KEY = "pasapas:signup:site"

    @classmethod
    def allows(cls, request):
        """Whether one more account may be created now (says it before the form)."""
        return (cache.get(cls._ip_key(request)) or 0) < settings.PASAPAS_SIGNUP_LIMIT_PER_IP and (
            cache.get(cls.SITE_KEY) or 0
        ) < settings.PASAPAS_SIGNUP_LIMIT_PER_SITE

    @classmethod
    def take(cls, request):
        """Count one more account; False when over a limit (then create none).

        The site's count only moves once the IP's allows it: one client refused
        again and again must not use up everybody's sign-ups.
        """
        if cls._increment(cls._ip_key(request)) > settings.PASAPAS_SIGNUP_LIMIT_PER_IP:
            return False
        return cls._increment(cls.SITE_KEY) <= settings.PASAPAS_SIGNUP_LIMIT_PER_SITE

    @classmethod
    def _increment(cls, key):
        timeout = int(cls.WINDOW.total_seconds())
        cache.add(key, 0, timeout)  # starts the window, if none is running
        try:
            return cache.incr(key)
        except ValueError:  # the window ended between add and incr
            cache.set(key, 1, timeout)
            return 1
