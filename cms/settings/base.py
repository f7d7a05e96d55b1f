"""Settings shared by every environment. Configuration comes from environment variables."""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF, UNSAFE_INLINE

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = os.environ

DEBUG = False
SECRET_KEY = env.get("DJANGO_SECRET_KEY", "")
ALLOWED_HOSTS = [h.strip() for h in env.get("DJANGO_ALLOWED_HOSTS", "").split(",") if h.strip()]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in env.get("DJANGO_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

INSTALLED_APPS = [
    "learning",
    "modules",
    "wagtail.contrib.settings",
    "wagtail.contrib.redirects",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "django_htmx",
    "axes",
    "django_tasks_db",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]

MIDDLEWARE = [
    # Pages go out compressed (Django's GZip includes a BREACH mitigation, and
    # CSRF tokens are masked per response).
    "django.middleware.gzip.GZipMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # The Content-Security-Policy of every answer: the site's or the admin's (cms/csp.py).
    "cms.csp.PolicyByPathMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "cms.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Before the session timeout, so that an htmx request after it gets HX-Redirect.
    "django_htmx.middleware.HtmxMiddleware",
    "learning.middleware.LearnerSessionMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "cms.urls"
WSGI_APPLICATION = "cms.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(env.get("DATABASE_CONN_MAX_AGE", "60")),
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "learning.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "wagtailadmin_login"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses locked (code or email, IP) pairs
    "learning.auth.LearnerBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Sign-in throttling: 5 failures for one code (or email) from one IP lock that
# pair for 15 minutes. Pairs, so that people behind a library's shared IP
# never lock each other out. A trainer can unlock at once.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "learning.views.signin.locked_out"
AXES_VERBOSE = False
AXES_SENSITIVE_PARAMETERS = ["password", "pictures", "pin", "picks"]
# And a slower limit per code (or email) whatever the IP, so that spreading tries
# over many IPs does not help: counted on axes' failure log (learning/throttling.py).
AXES_HANDLER = "learning.throttling.ThrottlingHandler"
AXES_ENABLE_ACCESS_FAILURE_LOG = True
PASAPAS_USERNAME_FAILURE_LIMIT = 30
PASAPAS_USERNAME_FAILURE_WINDOW = timedelta(hours=1)
# The client's IP: the number of reverse proxies in front of the site, each adding
# X-Forwarded-For. 0 (no proxy): the header is ignored, since anyone can send it.
PASAPAS_TRUSTED_PROXIES = int(env.get("PASAPAS_TRUSTED_PROXIES", "0"))
AXES_CLIENT_IP_CALLABLE = "learning.throttling.client_ip"
# Self sign-up: accounts an hour, from one client IP and for the whole site.
PASAPAS_SIGNUP_LIMIT_PER_IP = 5
PASAPAS_SIGNUP_LIMIT_PER_SITE = 50
# Staff (not learners) are signed out after this long without a request.
PASAPAS_STAFF_INACTIVITY_MINUTES = int(env.get("PASAPAS_STAFF_INACTIVITY_MINUTES", "120"))

# French first: the learners and the associations are French-speaking.
LANGUAGE_CODE = "fr"
# Each language is named in itself, so anyone can find their own.
LANGUAGES = [("fr", "Français"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.get("DJANGO_TIME_ZONE", "Europe/Paris")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env.get("DJANGO_STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env.get("DJANGO_MEDIA_ROOT", BASE_DIR / "media"))
STORAGES = {
    # Every SVG written to media is sanitized, whatever wrote it (cms/uploads.py).
    "default": {"BACKEND": "cms.uploads.SanitizingStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Shared computers: the session ends when the browser closes.
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# Django's own page for a refused form is in English, with technical words.
CSRF_FAILURE_VIEW = "cms.views.csrf_failure"
# No page of ours is meant to be framed (Wagtail's preview sets SAMEORIGIN on its own).
X_FRAME_OPTIONS = env.get("DJANGO_X_FRAME_OPTIONS", "DENY")

# Content-Security-Policy (django-csp, cms/csp.py). Learner and public pages: our own
# script and style files only (no inline script, no style attribute), images from the
# site or data: URLs, never framed.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
# The Wagtail admin writes inline scripts (date pickers, inline panels) and styles,
# shows uploaded images as blob: URLs before saving, and frames its own preview.
PASAPAS_ADMIN_CONTENT_SECURITY_POLICY = {
    "default-src": [SELF],
    "script-src": [SELF, UNSAFE_INLINE],
    "style-src": [SELF, UNSAFE_INLINE],
    "img-src": [SELF, "data:", "blob:"],
    "font-src": [SELF, "data:"],
    "frame-src": [SELF],
    "object-src": [NONE],
    "base-uri": [NONE],
    "form-action": [SELF],
    "frame-ancestors": [SELF],
}

WAGTAIL_SITE_NAME = "Pas à pas"
WAGTAILADMIN_BASE_URL = env.get("PASAPAS_BASE_URL", "http://127.0.0.1:8000")
WAGTAIL_I18N_ENABLED = False
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILIMAGES_EXTENSIONS = ["png", "jpg", "jpeg", "webp", "svg"]
# An SVG can hold script: every upload form sanitizes it and says why it refuses one.
WAGTAILIMAGES_IMAGE_FORM_BASE = "cms.image_forms.SafeImageForm"
WAGTAILDOCS_EXTENSIONS = ["pdf", "mp3", "ogg", "m4a", "mp4", "webm", "vtt"]
WAGTAILDOCS_SERVE_METHOD = "serve_view"
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
WAGTAILDOCS_MAX_UPLOAD_SIZE = 50 * 1024 * 1024
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAIL_ALLOW_UNICODE_SLUGS = False
WAGTAIL_USER_CUSTOM_FIELDS = []

# Background tasks (Wagtail's reference index and image jobs, xAPI forwarding) go
# through a queue in the database; a worker runs them: `manage.py db_worker`.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# xAPI forwarding to an external LRS (empty endpoint: no forwarding), from the
# outbox by the task worker (learning/forwarding.py).
PASAPAS_XAPI_FORWARD_ENDPOINT = env.get("PASAPAS_XAPI_FORWARD_ENDPOINT", "")
PASAPAS_XAPI_FORWARD_USERNAME = env.get("PASAPAS_XAPI_FORWARD_USERNAME", "")
PASAPAS_XAPI_FORWARD_PASSWORD = env.get("PASAPAS_XAPI_FORWARD_PASSWORD", "")

# Where the shipped curricula live (the loader's default source).
PASAPAS_CONTENT_DIR = Path(env.get("PASAPAS_CONTENT_DIR", BASE_DIR / "content"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.get("DJANGO_LOG_LEVEL", "INFO")},
    # Wagtail logs every page move and background task at INFO: too chatty for the loader.
    "loggers": {
        "wagtail": {"level": "WARNING"},
        "django_tasks": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}

# The admin shows no avatar from an outside service: nothing leaves the server.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
