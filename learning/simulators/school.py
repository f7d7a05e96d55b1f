"""The "Vie scolaire" simulator: a parent's space for one child.

Screens (under /simulation/<run>/): the home dashboard, the week's timetable,
the homework ("Travail à faire"), the grades, the messages (read, reply, write)
and the absences (justify one). The run's state keeps the scenario's items with
their date *offsets* ("due in 1 day", "3 school days ago"): dates are worked out
from today at each screen, so "demain" is always tomorrow, even when a learner
comes back to a run days later.

Every action is a plain form (no JavaScript needed): it is checked, changes the
state, is recorded for the goals (`core.record`), then redirects to a screen.
"""

import datetime
import re

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from modules.simulators import school as blocks

from . import core

ADDRESS = "https://vie-scolaire.exemple/parents/"
NOTICE_TAG = "vie-scolaire"  # the site's own notices, shown inside the site (not the frame's)

# What a learner may type, and how much of it is kept.
SUBJECT_MAX = 120
BODY_MAX = 2000
COMMENT_MAX = 500
RAW_MAX = 20_000  # longer posts are cut before cleaning: the cap applies anyway
SENT_MAX = 30  # a run is a practice: past this, "Recommencer"

DOCUMENTS = [
    ("", gettext_lazy("Aucun document")),
    ("certificat-medical", gettext_lazy("Photo du certificat médical")),
    ("mot-signe", gettext_lazy("Photo d'un mot signé")),
    ("convocation", gettext_lazy("Convocation ou rendez-vous")),
]

DEFAULT_CHILD = {"first_name": "Inès", "class_name": "5e B", "school": "Collège des Tilleuls"}

MENU = [
    ("", gettext_lazy("Accueil")),
    ("emploi-du-temps", gettext_lazy("Emploi du temps")),
    ("devoirs", gettext_lazy("Travail à faire")),
    ("notes", gettext_lazy("Notes")),
    ("messagerie", gettext_lazy("Messagerie")),
    ("absences", gettext_lazy("Absences")),
]


# --- The state the learner finds ---------------------------------------------------


def _time(value):
    if isinstance(value, datetime.time):
        return value.strftime("%H:%M")
    return str(value or "")[:5]


def initial_state(scenario):
    """The scenario's items, copied with ids; dates stay offsets from today."""
    state = {
        "child": dict(DEFAULT_CHILD),
        "lessons": [],
        "homework": [],
        "grades": [],
        "messages": [],
        "absences": [],
        "sent": [],
        "answers": {},
        "opened": [],
    }
    for child in scenario.items:
        value = child.value
        if child.block_type == "school_child":
            state["child"] = {
                "first_name": value["first_name"],
                "class_name": value["class_name"],
                "school": value["school"],
            }
        elif child.block_type == "school_lesson":
            state["lessons"].append(
                {
                    "day": blocks.DAY_NUMBERS.get(value["day"], 0),
                    "start": _time(value["start"]),
                    "end": _time(value["end"]),
                    "subject": value["subject"],
                    "teacher": value["teacher"],
                    "room": value["room"],
                    "cancelled": bool(value["cancelled"]),
                }
            )
        elif child.block_type == "school_homework":
            state["homework"].append(
                {
                    "key": value["key"],
                    "subject": value["subject"],
                    "text": value["text"],
                    "due_in": value["due_in"] or 0,
                    "given_ago": value["given_ago"] or 0,
                    "done": bool(value["done"]),
                }
            )
        elif child.block_type == "school_grade":
            state["grades"].append(
                {
                    "key": value["key"],
                    "subject": value["subject"],
                    "title": value["title"],
                    "mark": float(value["mark"] or 0),
                    "out_of": value["out_of"] or 20,
                    "class_average": (
                        None if value["class_average"] is None else float(value["class_average"])
                    ),
                    "coefficient": float(value["coefficient"] or 1),
                    "days_ago": value["days_ago"] or 0,
                    "comment": value["comment"],
                }
            )
        elif child.block_type == "school_message":
            state["messages"].append(
                {
                    "key": value["key"],
                    "sender": value["sender"],
                    "role": value["role"],
                    "subject": value["subject"],
                    "body": value["body"],
                    "days_ago": value["days_ago"] or 0,
                    "read": bool(value["read"]),
                }
            )
        elif child.block_type == "school_absence":
            state["absences"].append(
                {
                    "key": value["key"],
                    "kind": value["kind"] or "absence",
                    "days_ago": value["days_ago"] or 1,
                    "detail": value["detail"],
                    "justified": bool(value["justified"]),
                    "reason": value["reason"] or "",
                    "justification": None,
                }
            )
    state["lessons"].sort(key=lambda lesson: (lesson["day"], lesson["start"]))
    for name in ("lessons", "homework", "grades", "messages", "absences"):
        for number, item in enumerate(state[name], start=1):
            item["id"] = str(number)
    state["contacts"] = _contacts(state)
    return state


def _contacts(state):
    """Whom a parent can write to: the teachers of the timetable and the senders."""
    contacts = {}
    for message in state["messages"]:
        contacts.setdefault(
            blocks.normalize(message["sender"]), (message["sender"], message["role"])
        )
    for lesson in state["lessons"]:
        contacts.setdefault(
            blocks.normalize(lesson["teacher"]), (lesson["teacher"], lesson["subject"])
        )
    ordered = sorted(contacts.values(), key=lambda contact: blocks.normalize(contact[0]))
    return [
        {"id": str(number), "name": name, "role": role}
        for number, (name, role) in enumerate(ordered, start=1)
    ]


# --- Dates, times and numbers as people read them ----------------------------------


def _today():
    return timezone.localdate()


def _due_date(today, days):
    """ "Pour demain" is always tomorrow; later work falls on a school day."""
    date = today + datetime.timedelta(days=days)
    if days > 1:
        while date.weekday() >= 5:
            date += datetime.timedelta(days=1)
    return date


def _past_date(today, days):
    """A grade, a message, homework given: some days ago, on a school day."""
    date = today - datetime.timedelta(days=days)
    while days and date.weekday() >= 5:
        date -= datetime.timedelta(days=1)
    return date


def _school_days_ago(today, days):
    date = today
    while days > 0:
        date -= datetime.timedelta(days=1)
        if date.weekday() < 5:
            days -= 1
    return date


def _week_start(today):
    """The Monday of the week shown: this week, or the next one at the weekend."""
    monday = today - datetime.timedelta(days=today.weekday())
    if today.weekday() >= 5:
        monday += datetime.timedelta(days=7)
    return monday


def french_date(date):
    """ "mardi 24 novembre" (in the learner's language)."""
    return formats.date_format(date, "l j F")


def clock(value):
    """ "8 h", "13 h 30" from "08:00", "13:30"."""
    try:
        hour, minute = (int(part) for part in value.split(":"))
    except (AttributeError, ValueError):
        return value
    if minute:
        return _("%(hour)d h %(minute)02d") % {"hour": hour, "minute": minute}
    return _("%(hour)d h") % {"hour": hour}


def number(value):
    """ "14", "12,5", "11,75": no useless zeros, the local decimal separator."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text.replace(".", formats.get_format("DECIMAL_SEPARATOR"))


def mark(value, out_of):
    return _("%(mark)s / %(out_of)s") % {"mark": number(value), "out_of": out_of}


def _average(grades):
    """An average on 20, weighted by the coefficients; None without grades."""
    weight = sum(grade["coefficient"] for grade in grades)
    if not weight:
        return None
    total = sum(grade["mark"] / grade["out_of"] * 20 * grade["coefficient"] for grade in grades)
    return total / weight


# --- What the screens show ---------------------------------------------------------


def _lesson_view(lesson):
    return {**lesson, "time": f"{clock(lesson['start'])} – {clock(lesson['end'])}"}


def _day_lessons(state, weekday):
    return [_lesson_view(lesson) for lesson in state["lessons"] if lesson["day"] == weekday]


def _homework_view(item, today):
    due = _due_date(today, item["due_in"])
    return {
        **item,
        "due": due,
        "due_label": french_date(due),
        "given_label": french_date(_past_date(today, item["given_ago"])),
    }


def _homework_groups(state, today):
    """Homework by due date, soonest first, with "Pour demain" named as such."""
    groups = {}
    for item in state["homework"]:
        view = _homework_view(item, today)
        groups.setdefault(view["due"], []).append(view)
    result = []
    for due in sorted(groups):
        delta = (due - today).days
        if delta == 0:
            title = _("Pour aujourd'hui, %(date)s") % {"date": french_date(due)}
        elif delta == 1:
            title = _("Pour demain, %(date)s") % {"date": french_date(due)}
        else:
            title = _("Pour le %(date)s") % {"date": french_date(due)}
        result.append(
            {"title": title, "tomorrow": delta == 1, "items": groups[due], "id": due.isoformat()}
        )
    return result


def _grade_view(grade, today):
    return {
        **grade,
        "date_label": french_date(_past_date(today, grade["days_ago"])),
        "mark_label": mark(grade["mark"], grade["out_of"]),
        "average_label": (
            mark(grade["class_average"], grade["out_of"])
            if grade["class_average"] is not None
            else ""
        ),
    }


def _subjects(state, today):
    """Grades by subject (in the order met), newest first, with the subject's average."""
    subjects = {}
    for grade in state["grades"]:
        subjects.setdefault(grade["subject"], []).append(grade)
    result = []
    for name, grades in subjects.items():
        grades = sorted(grades, key=lambda grade: grade["days_ago"])
        average = _average(grades)
        result.append(
            {
                "name": name,
                "grades": [_grade_view(grade, today) for grade in grades],
                "average": mark(average, 20) if average is not None else "",
            }
        )
    return result


def _message_view(message, today):
    return {**message, "date_label": french_date(_past_date(today, message["days_ago"]))}


def _sent_view(sent):
    try:
        date = datetime.date.fromisoformat(sent["date"])
    except (KeyError, ValueError):
        date = _today()
    return {**sent, "date_label": french_date(date)}


REASON_LABELS = dict(blocks.REASONS)
KIND_LABELS = dict(blocks.ABSENCE_KINDS)
DOCUMENT_LABELS = dict(DOCUMENTS)


def _absence_view(absence, today):
    justification = absence.get("justification")
    if absence["justified"]:
        status = "justified"
    elif justification:
        status = "pending"
    else:
        status = "todo"
    return {
        **absence,
        "date_label": french_date(_school_days_ago(today, absence["days_ago"])),
        "kind_label": KIND_LABELS.get(absence["kind"], absence["kind"]),
        "reason_label": REASON_LABELS.get(absence["reason"], ""),
        "status": status,
        "sent_reason_label": REASON_LABELS.get((justification or {}).get("reason"), ""),
        "sent_document_label": DOCUMENT_LABELS.get((justification or {}).get("document"), ""),
    }


def _unread(state):
    return sum(1 for message in state["messages"] if not message["read"])


def _to_justify(state):
    return sum(1 for a in state["absences"] if not a["justified"] and not a.get("justification"))


# --- The mission's questions -------------------------------------------------------


def _step_goals(run):
    """The goals the lesson step asks for (the frame shows their instructions)."""
    if run.lesson is None:
        return []
    _number, exercise = run.lesson.exercise_by_id(run.block_id)
    if exercise is None or exercise.block_type != "simulation":
        return []
    return exercise.block.goal_list(exercise.value)


def _choices(goal, state):
    """What a question offers: every entry of its kind the site shows, not only the right one."""
    if isinstance(goal.block, blocks.FindHomeworkGoalBlock):
        items = sorted(state["homework"], key=lambda item: (item["subject"], item["text"]))
        return [(item["id"], f"{item['subject']} : {item['text']}") for item in items]
    if isinstance(goal.block, blocks.FindGradeGoalBlock):
        grades = sorted(state["grades"], key=lambda grade: (grade["out_of"], grade["mark"]))
        marks = {
            blocks.grade_choice(grade["mark"], grade["out_of"]): mark(
                grade["mark"], grade["out_of"]
            )
            for grade in grades
        }
        return list(marks.items())
    if isinstance(goal.block, blocks.TimetableGoalBlock):
        starts = sorted({lesson["start"] for lesson in state["lessons"]})
        return [(start, clock(start)) for start in starts]
    return []


def _questions(run):
    """The step's questions still to answer, with their choices."""
    questions = []
    for goal in _step_goals(run):
        if not isinstance(goal.block, blocks.QuestionGoalBlock):
            continue
        if goal.value["key"] in run.goals_done:
            continue
        questions.append(
            {
                "key": goal.value["key"],
                "text": goal.value["question"] or goal.value["instruction"],
                "choices": _choices(goal, run.state),
                "chosen": run.state.get("answers", {}).get(goal.value["key"], ""),
            }
        )
    return questions


# --- Rendering and small helpers ---------------------------------------------------


def _render(request, run, template, context=None, *, path="", title="", status=200):
    state = run.state
    section = path.split("/", 1)[0]
    context = {
        "child": state.get("child", DEFAULT_CHILD),
        "menu": [
            {
                "label": label,
                "url": core.url(run, target),
                "current": target == section,
                "count": _unread(state) if target == "messagerie" else 0,
            }
            for target, label in MENU
        ],
        "questions": _questions(run),
        "path": path,
        "screen_title": title,
        **(context or {}),
    }
    return core.render(
        request,
        run,
        f"simulators/school/{template}",
        context,
        address=f"{ADDRESS}{path}",
        status=status,
    )


def _save(run):
    run.save(update_fields=["state", "updated_at"])


def _notice(request, text):
    messages.success(request, text, NOTICE_TAG)


def _warn(request, text):
    messages.warning(request, text, NOTICE_TAG)


def _redirect(run, path=""):
    return HttpResponseRedirect(core.url(run, path))


def _find(items, item_id):
    return next((item for item in items if item.get("id") == item_id), None)


def _typed(request, name, max_length):
    """What the learner typed in a field, cleaned (tags gone) and capped."""
    return core.text(str(request.POST.get(name, ""))[:RAW_MAX], max_length=max_length)


def _not_found(request, run, path):
    return _render(
        request, run, "not_found.html", path=path, title=_("Page introuvable"), status=404
    )


# --- Screens -----------------------------------------------------------------------


def home(request, run, path):
    state, today = run.state, _today()
    if today.weekday() < 5:
        day, lessons_title = today, _("Les cours d'aujourd'hui, %(date)s")
    else:
        day, lessons_title = _week_start(today), _("Prochains cours, %(date)s")
    tomorrow = [_homework_view(item, today) for item in state["homework"] if item["due_in"] == 1]
    latest = sorted(state["grades"], key=lambda grade: grade["days_ago"])[:3]
    return _render(
        request,
        run,
        "home.html",
        {
            "today_label": french_date(today),
            "lessons_title": lessons_title % {"date": french_date(day)},
            "lessons": _day_lessons(state, day.weekday()),
            "tomorrow": tomorrow,
            "tomorrow_label": french_date(today + datetime.timedelta(days=1)),
            "grades": [_grade_view(grade, today) for grade in latest],
            "unread": _unread(state),
            "to_justify": _to_justify(state),
        },
        path=path,
        title=_("Accueil"),
    )


def timetable(request, run, path):
    state, today = run.state, _today()
    monday = _week_start(today)
    days = []
    for number, (_name, _label) in enumerate(blocks.DAYS):
        date = monday + datetime.timedelta(days=number)
        days.append({"number": number, "label": french_date(date), "today": date == today})
    starts = sorted({lesson["start"] for lesson in state["lessons"]})
    rows = []
    for start in starts:
        cells = []
        for day in days:
            cells.append(
                [
                    _lesson_view(lesson)
                    for lesson in state["lessons"]
                    if lesson["day"] == day["number"] and lesson["start"] == start
                ]
            )
        rows.append({"label": clock(start), "cells": zip(days, cells, strict=True)})
    friday = monday + datetime.timedelta(days=4)
    return _render(
        request,
        run,
        "timetable.html",
        {
            "days": days,
            "rows": rows,
            "week_label": _("Semaine du %(monday)s au %(friday)s")
            % {"monday": french_date(monday), "friday": french_date(friday)},
            "cancelled": [
                {**_lesson_view(lesson), "day_label": days[lesson["day"]]["label"]}
                for lesson in state["lessons"]
                if lesson["cancelled"] and 0 <= lesson["day"] < len(days)
            ],
        },
        path=path,
        title=_("Emploi du temps"),
    )


def homework(request, run, path):
    return _render(
        request,
        run,
        "homework.html",
        {"groups": _homework_groups(run.state, _today())},
        path=path,
        title=_("Travail à faire"),
    )


def homework_done(request, run, path, item_id):
    if request.method != "POST":
        return _redirect(run, "devoirs")
    item = _find(run.state["homework"], item_id)
    if item is None:
        _warn(request, _("Ce travail n'existe pas. Choisissez un travail dans la liste."))
        return _redirect(run, "devoirs")
    item["done"] = request.POST.get("fait") != "non"
    _save(run)
    core.record(
        request,
        run,
        {"type": "school_homework_done", "homework": item_id, "done": item["done"]},
    )
    if item["done"]:
        _notice(request, _("C'est noté : ce travail est fait."))
    else:
        _notice(request, _("C'est noté : ce travail n'est pas encore fait."))
    return HttpResponseRedirect(f"{core.url(run, 'devoirs')}#devoir-{item_id}")


def grades(request, run, path):
    state = run.state
    average = _average(state["grades"])
    return _render(
        request,
        run,
        "grades.html",
        {
            "subjects": _subjects(state, _today()),
            "average": mark(average, 20) if average is not None else "",
        },
        path=path,
        title=_("Notes"),
    )


def inbox(request, run, path):
    state, today = run.state, _today()
    received = sorted(state["messages"], key=lambda message: message["days_ago"])
    sent = sorted(state["sent"], key=lambda sent: int(sent["id"]), reverse=True)
    return _render(
        request,
        run,
        "messages.html",
        {
            "received": [_message_view(message, today) for message in received],
            "sent": [_sent_view(item) for item in sent],
            "unread": _unread(state),
        },
        path=path,
        title=_("Messagerie"),
    )


def message(request, run, path, item_id):
    item = _find(run.state["messages"], item_id)
    if item is None:
        return _not_found(request, run, path)
    if request.method == "POST":
        return _redirect(run, path)
    first_time = item_id not in run.state.setdefault("opened", [])
    if first_time or not item["read"]:
        item["read"] = True
        if first_time:
            run.state["opened"].append(item_id)
        _save(run)
        if first_time:
            core.record(
                request,
                run,
                {"type": blocks.MESSAGE_OPENED, "message": item_id, "sender": item["sender"]},
            )
    return _message_page(request, run, path, item)


def _message_page(request, run, path, item, *, errors=None, body="", status=200):
    replies = [_sent_view(sent) for sent in run.state["sent"] if sent.get("reply_to") == item["id"]]
    return _render(
        request,
        run,
        "message.html",
        {
            "message": _message_view(item, _today()),
            "replies": replies,
            "errors": errors or {},
            "body": body,
        },
        path=path,
        title=item["subject"],
        status=status,
    )


def reply(request, run, path, item_id):
    item = _find(run.state["messages"], item_id)
    if item is None:
        _warn(request, _("Ce message n'existe pas. Choisissez un message dans la liste."))
        return _redirect(run, "messagerie")
    if request.method != "POST":
        return _redirect(run, f"messagerie/{item_id}")
    body = _typed(request, "message", BODY_MAX)
    errors = _send_errors(run, body)
    if errors:
        return _message_page(request, run, f"messagerie/{item_id}", item, errors=errors, body=body)
    subject = _("Re : %(subject)s") % {"subject": item["subject"]}
    sent = _send(
        run, to=item["sender"], role=item["role"], subject=subject, body=body, reply_to=item_id
    )
    core.record(request, run, _sent_event(sent))
    _notice(request, _("Votre réponse est envoyée à %(name)s.") % {"name": item["sender"]})
    return _redirect(run, f"messagerie/{item_id}")


def _send_errors(run, body):
    if len(run.state["sent"]) >= SENT_MAX:
        return {
            "message": _("Vous avez déjà envoyé beaucoup de messages. Cliquez sur « Recommencer ».")
        }
    if not body:
        return {"message": _("Écrivez votre message avant d'envoyer.")}
    return {}


def _send(run, *, to, role, subject, body, reply_to=""):
    sent = {
        "id": str(len(run.state["sent"]) + 1),
        "to": to,
        "role": role,
        "subject": subject,
        "body": body,
        "reply_to": reply_to,
        "date": _today().isoformat(),
    }
    run.state["sent"].append(sent)
    _save(run)
    return sent


def _sent_event(sent):
    return {
        "type": blocks.MESSAGE_SENT,
        "to": sent["to"],
        "subject": sent["subject"],
        "body": sent["body"],
        "reply_to": sent["reply_to"],
    }


def compose(request, run, path):
    contacts = run.state.get("contacts", [])
    values = {"to": "", "subject": "", "message": ""}
    errors = {}
    if request.method == "POST":
        values = {
            "to": str(request.POST.get("a", ""))[:10],
            "subject": _typed(request, "objet", SUBJECT_MAX),
            "message": _typed(request, "message", BODY_MAX),
        }
        contact = _find(contacts, values["to"])
        if contact is None:
            errors["to"] = _("Choisissez à qui écrire dans la liste.")
        errors.update(_send_errors(run, values["message"]))
        if not errors:
            sent = _send(
                run,
                to=contact["name"],
                role=contact["role"],
                subject=values["subject"] or _("Sans objet"),
                body=values["message"],
            )
            core.record(request, run, _sent_event(sent))
            _notice(request, _("Votre message est envoyé à %(name)s.") % {"name": contact["name"]})
            return _redirect(run, f"messagerie/envoyes/{sent['id']}")
    return _render(
        request,
        run,
        "compose.html",
        {"contacts": contacts, "values": values, "errors": errors},
        path=path,
        title=_("Écrire un message"),
    )


def sent_message(request, run, path, item_id):
    item = _find(run.state["sent"], item_id)
    if item is None:
        return _not_found(request, run, path)
    return _render(
        request,
        run,
        "sent.html",
        {"sent": _sent_view(item)},
        path=path,
        title=item["subject"],
    )


def absences(request, run, path):
    state, today = run.state, _today()
    return _render(
        request,
        run,
        "absences.html",
        {
            "absences": [_absence_view(absence, today) for absence in state["absences"]],
            "to_justify": _to_justify(state),
        },
        path=path,
        title=_("Absences"),
    )


def justify(request, run, path, item_id):
    absence = _find(run.state["absences"], item_id)
    if absence is None:
        if request.method == "POST":
            _warn(request, _("Cette absence n'existe pas. Choisissez une absence dans la liste."))
            return _redirect(run, "absences")
        return _not_found(request, run, path)
    if absence["justified"] or absence.get("justification"):
        _notice(request, _("Cette absence est déjà justifiée."))
        return _redirect(run, "absences")
    values = {"reason": "", "comment": "", "document": ""}
    errors = {}
    if request.method == "POST":
        values = {
            "reason": str(request.POST.get("motif", ""))[:30],
            "comment": _typed(request, "commentaire", COMMENT_MAX),
            "document": str(request.POST.get("document", ""))[:30],
        }
        if values["reason"] not in REASON_LABELS:
            errors["reason"] = _("Choisissez un motif dans la liste.")
        elif values["reason"] == "autre" and not values["comment"]:
            errors["comment"] = _("Pour « Autre raison », expliquez en quelques mots.")
        if values["document"] not in DOCUMENT_LABELS:
            errors["document"] = _("Choisissez un document dans la liste.")
        if not errors:
            absence["justification"] = {**values, "date": _today().isoformat()}
            _save(run)
            core.record(
                request,
                run,
                {
                    "type": blocks.ABSENCE_JUSTIFIED,
                    "absence": item_id,
                    "absence_key": absence["key"],
                    "reason": values["reason"],
                },
            )
            _notice(
                request,
                _("Justification envoyée. La vie scolaire va la vérifier."),
            )
            return HttpResponseRedirect(f"{core.url(run, 'absences')}#absence-{item_id}")
    return _render(
        request,
        run,
        "justify.html",
        {
            "absence": _absence_view(absence, _today()),
            "reasons": blocks.REASONS,
            "documents": DOCUMENTS,
            "values": values,
            "errors": errors,
        },
        path=path,
        title=_("Justifier une absence"),
    )


def answer(request, run, path):
    """A mission's question answered: the goal checks the choice on the server."""
    back = str(request.POST.get("retour", ""))[:100]
    back = back if _route(back) and not back.startswith("repondre") else ""
    if request.method != "POST":
        return _redirect(run, back)
    key = str(request.POST.get("question", ""))[:50]
    question = next((q for q in _questions(run) if q["key"] == key), None)
    if question is None:
        _notice(request, _("Cette question est déjà réussie, ou elle n'existe pas."))
        return _redirect(run, back)
    choice = str(request.POST.get("choix", ""))[:20]
    if choice not in {value for value, _label in question["choices"]}:
        _warn(request, _("Choisissez une réponse dans la liste, puis validez."))
        return HttpResponseRedirect(f"{core.url(run, back)}#question-{key}")
    run.state.setdefault("answers", {})[key] = choice
    _save(run)
    core.record(request, run, {"type": blocks.ANSWER_EVENT, "goal": key, "choice": choice})
    return _redirect(run, back)


ROUTES = [
    (re.compile(r""), home),
    (re.compile(r"emploi-du-temps"), timetable),
    (re.compile(r"devoirs"), homework),
    (re.compile(r"devoirs/(?P<item_id>\d{1,4})/fait"), homework_done),
    (re.compile(r"notes"), grades),
    (re.compile(r"messagerie"), inbox),
    (re.compile(r"messagerie/ecrire"), compose),
    (re.compile(r"messagerie/envoyes/(?P<item_id>\d{1,4})"), sent_message),
    (re.compile(r"messagerie/(?P<item_id>\d{1,4})"), message),
    (re.compile(r"messagerie/(?P<item_id>\d{1,4})/repondre"), reply),
    (re.compile(r"absences"), absences),
    (re.compile(r"absences/(?P<item_id>\d{1,4})/justifier"), justify),
    (re.compile(r"repondre"), answer),
]


def _route(path):
    for pattern, view in ROUTES:
        match = pattern.fullmatch(path)
        if match:
            return view, match.groupdict()
    return None


# Screens that only show: a post to them (a stale or tampered form) shows them again.
READ_ONLY = {home, timetable, homework, grades, inbox, sent_message, absences}


def screen(request, run, path):
    route = _route(path)
    if route is None:
        return _not_found(request, run, path)
    view, kwargs = route
    if request.method == "POST" and view in READ_ONLY:
        return _redirect(run, path)
    return view(request, run, path, **kwargs)
