from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = "test-only-insecure-key"  # noqa: S105
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# The manifest storage needs collectstatic first; tests serve files as they are.
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
WAGTAILADMIN_BASE_URL = "http://testserver"
PASAPAS_SERVE_MEDIA = True
# Wagtail's search and reference indexes are updated by background tasks; the
# tests don't search, and running them inline doubles the time of every page save.
TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
