"""Plays the practice simulators; their content blocks live in modules.simulators.

Each kind's module here provides:
- `initial_state(scenario) -> dict`: the site as the learner finds it (JSON);
- `screen(request, run, path) -> HttpResponse`: the kind's pages and actions
  under /simulation/<run>/<path>. An action changes `run.state`, saves it, then
  calls `core.record(request, run, event)`, which checks the goals on the server.
"""

from importlib import import_module

HANDLERS = {"webmail": "webmail", "ecole": "school", "emploi": "jobs", "compte": "account"}


def handler(kind):
    return import_module(f"{__name__}.{HANDLERS[kind]}")
