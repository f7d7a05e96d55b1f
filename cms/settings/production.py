"""Production: every required value comes from the environment, or the site refuses to start."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env

REQUIRED = ["DJANGO_SECRET_KEY", "DATABASE_URL", "DJANGO_ALLOWED_HOSTS", "PASAPAS_BASE_URL"]
missing = [name for name in REQUIRED if not env.get(name)]
if missing:
    raise ImproperlyConfigured(
        "Missing required environment variables: " + ", ".join(missing) + ". See README.md."
    )

DEBUG = False
SECRET_KEY = env["DJANGO_SECRET_KEY"]

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = env.get("DJANGO_SECURE_COOKIES", "1") == "1"
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# HTTPS only. The reverse proxy terminates TLS and says so in X-Forwarded-Proto; a
# proxy that already redirects plain HTTP itself may set DJANGO_SSL_REDIRECT=0.
SECURE_SSL_REDIRECT = env.get("DJANGO_SSL_REDIRECT", "1") == "1"
# Browsers remember to use HTTPS only (a year). Set DJANGO_HSTS_SECONDS=0 while
# trying HTTPS out: once sent, the promise cannot be taken back before it expires.
SECURE_HSTS_SECONDS = int(env.get("DJANGO_HSTS_SECONDS", str(365 * 24 * 3600)))
# Subdomains too, and the `preload` token (it only allows asking browsers to ship
# the rule; nobody asks for you). A domain with plain-HTTP subdomains sets both to 0.
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.get("DJANGO_HSTS_INCLUDE_SUBDOMAINS", "1") == "1"
SECURE_HSTS_PRELOAD = env.get("DJANGO_HSTS_PRELOAD", "1") == "1"
# The language choice (a cookie) travels over HTTPS only; no script reads it.
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"

if env.get("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": env["REDIS_URL"],
        }
    }
