"""What the Django benches on PostgreSQL share: running in the project's .venv, the
knobs read from the environment, a throwaway database with the production settings,
and percentiles. Standard library only: it is imported before the re-exec."""

import os
import re
import secrets
import signal
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
VENV_PY = VENV / "bin" / "python"
PG_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432").rstrip("/")


class Bench:
    def __init__(self, name):
        self.name = name

    def run_in_venv(self, script):
        """Re-executes `script` with the project's Python when another one runs it."""
        if Path(sys.prefix).resolve() == VENV.resolve():
            return
        if not VENV_PY.exists():
            sys.exit(f"{self.name}: {VENV_PY} is missing; run scripts/test first.")
        os.execv(VENV_PY, [str(VENV_PY), str(Path(script).resolve()), *sys.argv[1:]])  # noqa: S606

    def say(self, message):
        print(f"[{self.name}] {message}", file=sys.stderr, flush=True)

    def knob(self, name, default, high):
        raw = os.environ.get(name, str(default))
        if not raw.isdigit() or not 1 <= int(raw) <= high:
            sys.exit(f"{self.name}: {name} must be a whole number from 1 to {high}")
        return int(raw)

    def database_name(self, variable, default):
        name = os.environ.get(variable, default)
        if not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
            sys.exit(f"{self.name}: {variable} must be a plain lower-case identifier")
        if not re.fullmatch(r"postgres(ql)?://[^@/]*@(127\.0\.0\.1|localhost):\d+", PG_URL):
            sys.exit(f"{self.name}: BENCH_PG_URL must point at 127.0.0.1 or localhost")
        return name

    @contextmanager
    def throwaway_database(self, db_name, *, collectstatic=False):
        """Django set up with the production settings on a new, migrated database,
        dropped at the end (also after an error, Ctrl-C or SIGTERM). Yields a
        temporary folder, also removed at the end."""
        tmp = tempfile.TemporaryDirectory(prefix=f"pasapas-{self.name}-")
        os.environ.update(
            DJANGO_SETTINGS_MODULE="cms.settings.production",
            DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
            DATABASE_URL=f"{PG_URL}/{db_name}",
            DJANGO_ALLOWED_HOSTS="testserver,127.0.0.1,localhost",
            PASAPAS_BASE_URL="http://127.0.0.1",
            DJANGO_SECURE_COOKIES="0",
            DJANGO_STATIC_ROOT=f"{tmp.name}/static",
            DJANGO_MEDIA_ROOT=f"{tmp.name}/media",
            DJANGO_LOG_LEVEL="WARNING",
            DATABASE_CONN_MAX_AGE="600",
        )
        sys.path.insert(0, str(ROOT))
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
        self.say(f"database {db_name} on {PG_URL} (dropped first if a previous run left it)")
        drop = f"DROP DATABASE IF EXISTS {db_name} WITH (FORCE)"
        pg_admin(drop, f"CREATE DATABASE {db_name}")
        try:
            import django
            from django.core.management import call_command

            django.setup()
            self.say("manage.py migrate" + (", collectstatic" if collectstatic else ""))
            call_command("migrate", verbosity=0)
            if collectstatic:
                call_command("collectstatic", interactive=False, verbosity=0)
            yield tmp.name
        finally:
            from django.db import connections

            connections.close_all()
            pg_admin(drop)
            tmp.cleanup()
            self.say(f"database {db_name} dropped")

    def main(self, function):
        try:
            sys.exit(function())
        except KeyboardInterrupt:
            sys.exit(130)


def pg_admin(*statements):
    import psycopg

    with psycopg.connect(f"{PG_URL}/postgres", autocommit=True, connect_timeout=10) as conn:
        for statement in statements:
            conn.execute(statement)


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]
