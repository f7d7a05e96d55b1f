"""Our own xAPI statements, built with tincan (the only module that builds them).

Activity IRIs live under the site's address; verbs are ADL's.
"""

import json

from tincan import (
    Activity,
    ActivityDefinition,
    Agent,
    AgentAccount,
    Context,
    ContextActivities,
    LanguageMap,
    Result,
    Score,
    Statement,
    Verb,
)

from .lrs import site_home_page

ADL = "http://adlnet.gov/expapi/verbs/"
VERBS = {
    "attempted": {"fr-FR": "a commencé", "en-US": "attempted"},
    "answered": {"fr-FR": "a répondu", "en-US": "answered"},
    "completed": {"fr-FR": "a terminé", "en-US": "completed"},
}
ACTIVITY_TYPES = {
    "lesson": "http://adlnet.gov/expapi/activities/lesson",
    "module": "http://adlnet.gov/expapi/activities/module",
    "exercise": "http://adlnet.gov/expapi/activities/cmi.interaction",
}


def activity_iri(kind, key):
    return f"{site_home_page()}/xapi/activities/{kind}/{key}"


def _activity(kind, key, title):
    return Activity(
        id=activity_iri(kind, key),
        definition=ActivityDefinition(
            name=LanguageMap({"fr-FR": title or key}), type=ACTIVITY_TYPES[kind]
        ),
    )


def _statement(user, verb, target, **extra):
    actor = Agent(account=AgentAccount(home_page=site_home_page(), name=str(user.public_id)))
    verb_value = Verb(id=ADL + verb, display=LanguageMap(VERBS[verb]))
    statement = Statement(actor=actor, verb=verb_value, object=target, **extra)
    data = json.loads(statement.to_json())
    data.pop("version", None)  # the store sets it
    return data


def lesson_started(*, user, lesson):
    return _statement(user, "attempted", _activity("lesson", lesson.stable_key, lesson.title))


def lesson_completed(*, user, lesson):
    return _statement(
        user,
        "completed",
        _activity("lesson", lesson.stable_key, lesson.title),
        result=Result(completion=True),
    )


def module_completed(*, user, module):
    return _statement(
        user,
        "completed",
        _activity("module", module.stable_key, module.title),
        result=Result(completion=True),
    )


def exercise_answered(*, user, lesson, exercise, grade, response):
    target = _activity("exercise", exercise.id, exercise.value.get("question", ""))
    return _statement(
        user,
        "answered",
        target,
        result=Result(
            success=grade.passed,
            score=Score(scaled=round(grade.score, 4)),
            response=response,
        ),
        # A child of the lesson: not top-level, so it never moves progress twice.
        context=Context(
            context_activities=ContextActivities(
                parent=[Activity(id=activity_iri("lesson", lesson.stable_key))]
            )
        ),
    )
