import ast
import os
import re
import subprocess
import sys
from pathlib import Path

from django.conf import settings

PRODUCTION_ENV = {
    "DJANGO_SECRET_KEY": "x" * 50,
    "DATABASE_URL": "sqlite:////tmp/pasapas-settings-test.sqlite3",
    "DJANGO_ALLOWED_HOSTS": "pasapas.example.org",
    "PASAPAS_BASE_URL": "https://pasapas.example.org",
}


def start_production(env):
    clean = {k: v for k, v in os.environ.items() if k not in PRODUCTION_ENV}
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); print('started')"],
        env={**clean, **env, "DJANGO_SETTINGS_MODULE": "cms.settings.production"},
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_refuses_to_start_without_its_configuration():
    result = start_production({})
    assert result.returncode != 0
    assert "Missing required environment variables: DJANGO_SECRET_KEY, DATABASE_URL" in (
        result.stderr
    )


def test_production_names_the_one_missing_variable():
    env = {**PRODUCTION_ENV}
    del env["PASAPAS_BASE_URL"]
    result = start_production(env)
    assert result.returncode != 0
    assert "Missing required environment variables: PASAPAS_BASE_URL." in result.stderr


def test_production_starts_when_configured():
    result = start_production(PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    assert "started" in result.stdout


def test_french_is_the_default_language_and_english_is_available():
    assert settings.LANGUAGE_CODE == "fr"
    assert [code for code, _name in settings.LANGUAGES] == ["fr", "en"]


def po_entries(path):
    """(msgid, [msgstr, ...], fuzzy) for every entry but the header."""
    entries = []
    for block in path.read_text(encoding="utf-8").split("\n\n")[1:]:
        strings, current = {}, None
        for line in block.splitlines():
            match = re.match(r"^(msgid|msgid_plural|msgstr(?:\[\d\])?) (\".*\")$", line)
            if match:
                current = match[1]
                strings[current] = ast.literal_eval(match[2])
            elif line.startswith('"') and current:
                strings[current] += ast.literal_eval(line)
        translations = [text for name, text in strings.items() if name.startswith("msgstr")]
        entries.append((strings.get("msgid"), translations, "#, fuzzy" in block))
    return entries


def test_the_english_catalogue_is_complete():
    """Every msgid of the English catalogue has a translation, none left fuzzy."""
    entries = po_entries(Path(settings.BASE_DIR) / "locale/en/LC_MESSAGES/django.po")
    assert len(entries) > 50
    untranslated = [
        msgid for msgid, translations, fuzzy in entries if fuzzy or not all(translations)
    ]
    assert untranslated == []


def test_the_english_catalogue_holds_every_string_of_the_code(tmp_path):
    """makemessages finds no string that the committed catalogue lacks."""
    import shutil

    project = Path(settings.BASE_DIR)
    for name in ("cms", "learning", "modules", "templates", "locale"):
        shutil.copytree(project / name, tmp_path / name, ignore=shutil.ignore_patterns("*.pyc"))
    shutil.copy(project / "manage.py", tmp_path / "manage.py")
    result = subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "en", "--no-location", "--no-obsolete"],
        cwd=tmp_path,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "cms.settings.test"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr

    def msgids(path):
        return {msgid for msgid, _translations, _fuzzy in po_entries(path)}

    fresh = msgids(tmp_path / "locale/en/LC_MESSAGES/django.po")
    committed = msgids(project / "locale/en/LC_MESSAGES/django.po")
    assert fresh - committed == set()


def test_translated_strings_are_called_by_names_that_makemessages_knows():
    """makemessages looks for gettext(), _() and their kin: `gettext as _gettext`
    hides every string of the module from the catalogue (they stay in French)."""
    project = Path(settings.BASE_DIR)
    alias = re.compile(r"import\s+\w*gettext\w*\s+as\s+(?!_\b)\w+")
    hidden = [
        str(path.relative_to(project))
        for name in ("cms", "learning", "modules")
        for path in (project / name).rglob("*.py")
        if alias.search(path.read_text(encoding="utf-8"))
    ]
    assert hidden == []


# --- Content-Security-Policy (issue 10, defence in depth) -------------------------


def policy(response):
    """The Content-Security-Policy header as {directive: [sources]}."""
    directives = {}
    for part in response["Content-Security-Policy"].split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


def test_learner_pages_run_only_the_sites_own_script_files(client, curriculum):
    for url in ("/", "/connexion/"):
        response = client.get(url, follow=True)
        assert response.status_code == 200, url
        csp = policy(response)
        assert csp["script-src"] == ["'self'"], url
        assert csp["style-src"] == ["'self'"], url
        assert csp["default-src"] == ["'self'"]
        assert csp["img-src"] == ["'self'", "data:"]
        assert csp["object-src"] == ["'none'"] and csp["base-uri"] == ["'none'"]
        assert csp["form-action"] == ["'self'"] and csp["frame-ancestors"] == ["'none'"]
        assert response["X-Frame-Options"] == "DENY"


def test_the_admin_has_its_own_looser_policy(client, db):
    response = client.get("/admin/login/")

    csp = policy(response)
    # Wagtail's templates still write inline scripts (date pickers, inline panels).
    assert csp["script-src"] == ["'self'", "'unsafe-inline'"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]
    assert csp["frame-ancestors"] == ["'self'"], "Wagtail frames its own preview"
    assert csp["object-src"] == ["'none'"] and csp["base-uri"] == ["'none'"]


SCRIPT_WITHOUT_SRC = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
EVENT_ATTRIBUTE = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"\sstyle\s*=", re.IGNORECASE)


def test_no_template_of_the_site_holds_inline_script_or_style_attributes():
    """What the site's CSP would block. Admin pages (their own policy) and the
    templates only weasyprint reads (PDFs) may keep inline styles."""
    templates = Path(settings.BASE_DIR) / "templates"
    offenders = []
    for path in templates.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        name = str(path.relative_to(templates))
        if SCRIPT_WITHOUT_SRC.search(text) or EVENT_ATTRIBUTE.search(text):
            offenders.append(f"{name}: inline script")
        site_page = not name.startswith(("learning/admin/", "learning/pdf/")) and "pdf" not in name
        if site_page and STYLE_ATTRIBUTE.search(text):
            offenders.append(f"{name}: style attribute")
    assert offenders == []


# --- Production: HTTPS and headers (issue 10) -------------------------------------


def run_in_production(code, env=None):
    """Run `code` under the production settings with the documented variables and a
    secret key as the README says to make one (50 random characters)."""
    import secrets

    documented = {**PRODUCTION_ENV, "DJANGO_SECRET_KEY": secrets.token_urlsafe(50)}
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PASAPAS_"))}
    return subprocess.run(
        [sys.executable, *code],
        env={
            **clean,
            **documented,
            **(env or {}),
            "DJANGO_SETTINGS_MODULE": "cms.settings.production",
        },
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=False,
    )


def test_check_deploy_is_clean_with_the_documented_production_variables():
    result = run_in_production(["manage.py", "check", "--deploy"])

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout + result.stderr
    assert "WARNING" not in result.stdout + result.stderr


PRINT_SECURITY = [
    "-c",
    "import django; django.setup(); from django.conf import settings as s; "
    "print(s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, "
    "s.X_FRAME_OPTIONS, s.LANGUAGE_COOKIE_SECURE, s.LANGUAGE_COOKIE_HTTPONLY)",
]


def test_production_is_https_only_and_never_framed_by_default():
    result = run_in_production(PRINT_SECURITY)

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "31536000", "True", "DENY", "True", "True"]


def test_an_operator_can_tune_https_from_the_environment():
    result = run_in_production(
        PRINT_SECURITY,
        {
            "DJANGO_SSL_REDIRECT": "0",
            "DJANGO_HSTS_SECONDS": "3600",
            "DJANGO_HSTS_INCLUDE_SUBDOMAINS": "0",
            "DJANGO_X_FRAME_OPTIONS": "SAMEORIGIN",
        },
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "3600", "False", "SAMEORIGIN", "True", "True"]
