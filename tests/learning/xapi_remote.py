"""A second, independent live instance of our own /xapi/ endpoint: the "remote LRS"
of the forwarding tests (tests/learning/test_forwarding.py starts it).

    python tests/learning/xapi_remote.py DATABASE_FILE KEY SECRET

Makes its own SQLite database (the tables straight from the models: the
migrations would take 20 s, this takes 2), with one structure and one
XapiCredential KEY/SECRET, then serves the site on a free 127.0.0.1 port and
prints `port=N` on stdout. Each request is logged on stderr
('"POST /xapi/statements HTTP/1.1" 200 …'). It stops when its stdin closes, so
it never outlives the test run that started it.
"""

import os
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def main():
    database_file, key, secret = sys.argv[1:4]
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "cms.settings.test"
    os.environ["DATABASE_URL"] = f"sqlite:///{database_file}"

    import django

    django.setup()

    from django.apps import apps
    from django.conf import settings
    from django.core.management import call_command
    from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
    from django.core.wsgi import get_wsgi_application

    settings.MIGRATION_MODULES = {app.label: None for app in apps.get_app_configs()}
    call_command("migrate", run_syncdb=True, verbosity=0)

    from learning.models import Structure, XapiCredential

    credential = XapiCredential(
        name="remote", key=key, structure=Structure.objects.create(name="Remote")
    )
    credential.set_secret(secret)
    credential.save()

    server = ThreadedWSGIServer(("127.0.0.1", 0), WSGIRequestHandler)
    server.set_app(get_wsgi_application())
    print(f"port={server.server_address[1]}", flush=True)

    def stop_when_stdin_closes():
        sys.stdin.read()
        server.shutdown()

    threading.Thread(target=stop_when_stdin_closes, daemon=True).start()
    server.serve_forever()


if __name__ == "__main__":
    main()
