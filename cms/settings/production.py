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

if env.get("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": env["REDIS_URL"],
        }
    }
