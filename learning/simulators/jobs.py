"""The "Offres d'emploi" simulator (kind `emploi`): its screens and actions.

A job board like the public employment service's: search offers, open one, save
it, apply with one of the learner's (pretend) documents, and the personal space
with the adviser's messages and the monthly "actualisation". Everything lives in
the run's state; nothing leaves the server.

State (JSON), made by `initial_state` from the scenario's items:
    offers        [{id, title, employer, town, departement, contract, …}]
    documents     [{id, name, kind, added}]
    space         {adviser, identifier, month, period, messages: [{id, date, subject, body}]}
    search        the last search {keyword, town, contracts, working_time, beginner, scope}
    opened        offer ids opened at least once
    saved         offer ids saved, newest first
    applications  [{id, offer, title, employer, town, document, document_kind, message, date}]
    read          adviser message ids read
    actualisation {draft: {answers so far}, sent: {answers, receipt, date} | None}
"""

import re
import secrets
from datetime import date

from django.contrib import messages
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _

from modules.simulators.jobs import (
    CONTRACTS,
    DOCUMENT_KINDS,
    MAX_MONTH_HOURS,
    MAX_MONTH_SALARY,
    WORKING_TIMES,
    departement_of,
    keyword_found,
    split_place,
    town_matches,
)

from . import core

ADDRESS = "https://www.offres-emploi.exemple"
NOTICE_TAG = "jobs"  # the site's own notices, shown inside the site (not the mission's)

KEYWORD_MAX = 100
TOWN_MAX = 80
MESSAGE_MAX = 1000
APPLICATIONS_MAX = 50  # a run is a practice: beyond this, "Recommencer"
NUMBER_MAX = 20  # characters typed in a number field that are worth reading

CONTRACT_KEYS = [key for key, _label in CONTRACTS]
WORKING_TIME_KEYS = [key for key, _label in WORKING_TIMES]
OFFER_KEY = r"[a-z0-9-]{1,50}"
OFFER_ID = rf"(?P<offer_id>{OFFER_KEY})"


# --- State ------------------------------------------------------------------------


def initial_state(scenario):
    offers, documents, space = [], [], None
    for child in scenario.items:
        value = child.value
        if child.block_type == "job_offer":
            offers.append(
                {
                    "id": value["key"],
                    "title": value["title"],
                    "employer": value["employer"],
                    "town": value["town"],
                    "departement": value["departement"],
                    "contract": value["contract"],
                    "contract_length": value["contract_length"],
                    "working_time": value["working_time"],
                    "hours": value["hours"],
                    "salary": value["salary"],
                    "description": value["description"],
                    "skills": [str(skill) for skill in value["skills"]],
                    "beginner_ok": bool(value["beginner_ok"]),
                    "published": value["published"],
                }
            )
        elif child.block_type == "job_document":
            documents.append(
                {
                    "id": f"doc-{len(documents) + 1}",
                    "name": value["name"],
                    "kind": value["kind"],
                    "added": value["added"],
                }
            )
        elif child.block_type == "job_space" and space is None:
            space = {
                "adviser": value["adviser"],
                "identifier": value["identifier"],
                "month": value["month"],
                "period": value["period"],
                "messages": [
                    {
                        "id": number,
                        "date": message["date"],
                        "subject": message["subject"],
                        "body": message["body"],
                    }
                    for number, message in enumerate(value["messages"], start=1)
                ],
            }
    return {
        "offers": offers,
        "documents": documents,
        "space": space,
        "search": None,
        "opened": [],
        "saved": [],
        "applications": [],
        "read": [],
        "actualisation": {"draft": {}, "sent": None},
    }


def _offer(run, offer_id):
    return next((offer for offer in run.state.get("offers", []) if offer["id"] == offer_id), None)


def _save(run):
    run.save(update_fields=["state", "updated_at"])


def _notice(request, text):
    messages.success(request, text, NOTICE_TAG)


def _render(request, run, page, context, *, path, section="", status=200):
    """A screen of the site: its template, its pretend address, its menu entry."""
    return core.render(
        request,
        run,
        f"simulators/jobs/{page}.html",
        {"section": section, **context},
        address=f"{ADDRESS}/{path}",
        status=status,
    )


# --- Search -----------------------------------------------------------------------


def search_offers(offers, criteria):
    """The offers that fit a search, in the site's order."""
    keyword = criteria.get("keyword", "")
    letters, digits = split_place(criteria.get("town", ""))
    found = []
    for offer in offers:
        text = " ".join([offer["title"], offer["employer"], *offer["skills"], offer["description"]])
        if not keyword_found(keyword, text):
            continue
        if criteria.get("contracts") and offer["contract"] not in criteria["contracts"]:
            continue
        if criteria.get("working_time") and offer["working_time"] != criteria["working_time"]:
            continue
        if criteria.get("beginner") and not offer["beginner_ok"]:
            continue
        found.append(offer)
    if letters:
        towns = [offer for offer in offers if town_matches(letters, offer["town"])]
        if criteria.get("scope") == "departement":
            departements = {offer["departement"] for offer in towns}
            found = [offer for offer in found if offer["departement"] in departements]
        else:
            found = [offer for offer in found if town_matches(letters, offer["town"])]
    elif digits:
        departement = departement_of(digits)
        found = [offer for offer in found if offer["departement"] == departement]
    return found


def _criteria_from(data):
    contracts = [key for key in CONTRACT_KEYS if key in data.getlist("contrat")]
    working_time = data.get("temps", "")
    return {
        "keyword": core.text(data.get("motcle"), KEYWORD_MAX),
        "town": core.text(data.get("lieu"), TOWN_MAX),
        "contracts": contracts,
        "working_time": working_time if working_time in WORKING_TIME_KEYS else "",
        "beginner": data.get("debutant") == "1",
        "scope": "departement" if data.get("autour") == "departement" else "ville",
    }


def _search_address(criteria):
    """The pretend address, written as a browser's address bar shows it (not encoded)."""
    query = {"motsCles": criteria["keyword"], "lieu": criteria["town"]}
    pairs = [f"{name}={value.replace(' ', '+')}" for name, value in query.items() if value]
    return "offres?" + "&".join(pairs) if pairs else "offres"


def _search_context(criteria):
    return {
        "criteria": criteria,
        "contracts": CONTRACTS,
        "working_times": WORKING_TIMES,
        "filters_used": bool(
            criteria["contracts"]
            or criteria["working_time"]
            or criteria["beginner"]
            or criteria["scope"] == "departement"
        ),
    }


EMPTY_SEARCH = {
    "keyword": "",
    "town": "",
    "contracts": [],
    "working_time": "",
    "beginner": False,
    "scope": "ville",
}


def home(request, run):
    context = _search_context(run.state.get("search") or EMPTY_SEARCH)
    return _render(request, run, "home", context, path="", section="search")


def search(request, run):
    if request.method != "POST":
        return redirect(core.url(run, "offres"))
    criteria = _criteria_from(request.POST)
    count = len(search_offers(run.state.get("offers", []), criteria))
    run.state["search"] = criteria
    _save(run)
    core.record(request, run, {"type": "job_search", **criteria, "count": count})
    return redirect(core.url(run, "offres"))


def results(request, run):
    criteria = run.state.get("search") or EMPTY_SEARCH
    return _results(request, run, criteria)


def all_offers(request, run):
    """ "Voir toutes les offres": every offer, whatever the last search was."""
    return _results(request, run, EMPTY_SEARCH)


def _results(request, run, criteria):
    context = _search_context(criteria)
    context["offers"] = search_offers(run.state.get("offers", []), criteria)
    return _render(
        request, run, "results", context, path=_search_address(criteria), section="search"
    )


# --- One offer ----------------------------------------------------------------------


def offer_detail(request, run, offer_id):
    offer = _offer(run, offer_id)
    if offer is None:
        return not_found(request, run)
    if offer_id not in run.state.get("opened", []):
        # Opening an offer counts once: a reload is not a second try.
        run.state["opened"] = [*run.state.get("opened", []), offer_id]
        _save(run)
        core.record(request, run, {"type": "job_offer_opened", "offer": offer_id})
    applied = any(a["offer"] == offer_id for a in run.state.get("applications", []))
    context = {
        "offer": offer,
        "saved": offer_id in run.state.get("saved", []),
        "applied": applied,
        "searched": run.state.get("search") is not None,
    }
    return _render(
        request, run, "offer", context, path=f"offres/detail/{offer_id}", section="search"
    )


BACK_PATHS = re.compile(rf"^(offre/{OFFER_KEY}|sauvegardees|offres)$")


def _back(run, request, default):
    """Where to go after saving or removing: a screen of this site only."""
    wanted = str(request.POST.get("retour", ""))
    return redirect(core.url(run, wanted if BACK_PATHS.match(wanted) else default))


def offer_save(request, run, offer_id):
    if request.method != "POST":
        return redirect(core.url(run, f"offre/{offer_id}"))
    if _offer(run, offer_id) is None:
        return _unknown_offer(request, run)
    if offer_id in run.state.get("saved", []):
        _notice(request, _("Cette offre est déjà dans vos offres sauvegardées."))
        return _back(run, request, f"offre/{offer_id}")
    run.state["saved"] = [offer_id, *run.state.get("saved", [])]
    _save(run)
    _notice(request, _("Offre sauvegardée. Retrouvez-la dans « Mes offres sauvegardées »."))
    core.record(request, run, {"type": "job_offer_saved", "offer": offer_id})
    return _back(run, request, f"offre/{offer_id}")


def offer_unsave(request, run, offer_id):
    if request.method != "POST":
        return redirect(core.url(run, "sauvegardees"))
    if offer_id in run.state.get("saved", []):
        run.state["saved"] = [each for each in run.state["saved"] if each != offer_id]
        _save(run)
        _notice(request, _("L'offre est retirée de vos offres sauvegardées."))
        core.record(request, run, {"type": "job_offer_unsaved", "offer": offer_id})
    return _back(run, request, "sauvegardees")


def _unknown_offer(request, run):
    messages.info(request, _("Cette offre n'existe pas ou n'est plus en ligne."), NOTICE_TAG)
    return redirect(core.url(run, "offres"))


def saved(request, run):
    offers = [_offer(run, offer_id) for offer_id in run.state.get("saved", [])]
    context = {"offers": [offer for offer in offers if offer]}
    return _render(
        request, run, "saved", context, path="espace/offres-sauvegardees", section="saved"
    )


# --- Applying -----------------------------------------------------------------------


def offer_apply(request, run, offer_id):
    offer = _offer(run, offer_id)
    if offer is None:
        return _unknown_offer(request, run)
    documents = run.state.get("documents", [])
    form = {"document": "", "message": "", "errors": {}}
    if request.method == "POST":
        form = _application_form(request.POST, documents)
        if len(run.state.get("applications", [])) >= APPLICATIONS_MAX:
            form["errors"]["all"] = _(
                "Vous avez envoyé beaucoup de candidatures. Cliquez sur « Recommencer »."
            )
        if not form["errors"]:
            return _application_send(request, run, offer, form)
    context = {
        "offer": offer,
        "documents": documents,
        "form": form,
        "message_max": MESSAGE_MAX,
        "kinds": dict(DOCUMENT_KINDS),
    }
    return _render(
        request, run, "apply", context, path=f"offres/detail/{offer_id}/postuler", section="search"
    )


def _application_form(data, documents):
    """The posted application, cleaned; `errors` says what the site refuses."""
    errors = {}
    raw_message = str(data.get("message", "")).replace("\r\n", "\n")
    message = core.text(raw_message, MESSAGE_MAX)
    if len(raw_message.strip()) > MESSAGE_MAX:
        errors["message"] = _(
            "Votre message est trop long : %(max)s caractères au plus. Raccourcissez-le."
        ) % {"max": MESSAGE_MAX}
    document_id = str(data.get("document", ""))
    if not any(document["id"] == document_id for document in documents):
        errors["document"] = _("Choisissez un document dans la liste.")
        document_id = ""
    return {"document": document_id, "message": message, "errors": errors}


def _application_send(request, run, offer, form):
    document = next(d for d in run.state["documents"] if d["id"] == form["document"])
    applications = run.state.get("applications", [])
    application = {
        "id": len(applications) + 1,
        "offer": offer["id"],
        "title": offer["title"],
        "employer": offer["employer"],
        "town": offer["town"],
        "document": document["name"],
        "document_kind": document["kind"],
        "message": form["message"],
        "date": timezone.localdate().isoformat(),
    }
    run.state["applications"] = [*applications, application]
    _save(run)
    _notice(request, _("Candidature envoyée (simulation). Rien n'est parti pour de vrai."))
    core.record(
        request,
        run,
        {
            "type": "job_application_sent",
            "offer": offer["id"],
            "document": document["name"],
            "document_kind": document["kind"],
            "message_length": len(form["message"]),
        },
    )
    return redirect(core.url(run, "candidatures"))


def applications(request, run):
    shown = [
        {**application, "sent_on": date.fromisoformat(application["date"])}
        for application in reversed(run.state.get("applications", []))
    ]
    return _render(
        request,
        run,
        "applications",
        {"applications": shown},
        path="espace/candidatures",
        section="applications",
    )


# --- Personal space -----------------------------------------------------------------

DEFAULT_SPACE = {
    "adviser": "",
    "identifier": "1234567A",
    "month": "",
    "period": "",
    "messages": [],
}


def _space(run):
    return run.state.get("space") or DEFAULT_SPACE


def space(request, run):
    space = _space(run)
    unread = [m for m in space["messages"] if m["id"] not in run.state.get("read", [])]
    context = {
        "space": space,
        "unread": len(unread),
        "actualisation": _actualisation(run),
        "kinds": dict(DOCUMENT_KINDS),
    }
    return _render(request, run, "space", context, path="espace", section="space")


def adviser_messages(request, run):
    context = {"space": _space(run), "read": run.state.get("read", [])}
    return _render(request, run, "messages", context, path="espace/messages", section="space")


def adviser_message(request, run, number):
    space = _space(run)
    message = next((m for m in space["messages"] if str(m["id"]) == number), None)
    if message is None:
        return not_found(request, run)
    if message["id"] not in run.state.get("read", []):
        run.state["read"] = [*run.state.get("read", []), message["id"]]
        _save(run)
    return _render(
        request,
        run,
        "message",
        {"space": space, "message": message},
        path=f"espace/messages/{message['id']}",
        section="space",
    )


# --- The monthly actualisation ------------------------------------------------------

# Each step asks one or two questions; "heures" only when the person has worked.
STEP_QUESTIONS = {
    "travail": ["worked"],
    "heures": ["hours", "salary"],
    "recherche": ["searching"],
    "disponible": ["available"],
    "situation": ["training", "sick"],
}
# The form field of each yes/no question.
YES_NO_FIELDS = {
    "worked": "reponse",
    "searching": "reponse",
    "available": "reponse",
    "training": "formation",
    "sick": "maladie",
}


def _questions(month):
    """Each question's wording, and a line of help when it needs one."""
    when = month or _("ce mois-ci")
    return {
        "worked": (_("Avez-vous travaillé en %(month)s ?") % {"month": when}, ""),
        "hours": (_("Nombre d'heures travaillées"), ""),
        "salary": (_("Salaire brut"), ""),
        "searching": (
            _("Êtes-vous toujours à la recherche d'un emploi ?"),
            _("Répondez « Oui » si vous voulez rester inscrit."),
        ),
        "available": (
            _("Êtes-vous disponible pour travailler ?"),
            _("Disponible veut dire : vous pouvez commencer un travail tout de suite."),
        ),
        "training": (_("Avez-vous suivi une formation en %(month)s ?") % {"month": when}, ""),
        "sick": (_("Avez-vous été en arrêt maladie en %(month)s ?") % {"month": when}, ""),
    }


def _steps(draft):
    steps = ["travail"]
    if draft.get("worked"):
        steps.append("heures")
    return [*steps, "recherche", "disponible", "situation"]


def _first_missing(draft):
    for step in _steps(draft):
        if any(name not in draft for name in STEP_QUESTIONS[step]):
            return step
    return None


def _actualisation(run):
    actualisation = run.state.get("actualisation") or {}
    actualisation.setdefault("draft", {})
    actualisation.setdefault("sent", None)
    run.state["actualisation"] = actualisation
    return actualisation


def actualisation_home(request, run):
    actualisation = _actualisation(run)
    if request.method == "POST":
        # "Modifier ma déclaration" starts from the answers sent; "Commencer" goes on
        # from where the person stopped, if they did.
        sent = actualisation["sent"]
        if sent:
            actualisation["draft"] = dict(sent["answers"])
            _save(run)
        following = _first_missing(actualisation["draft"]) or "recapitulatif"
        return redirect(core.url(run, f"espace/actualisation/{following}"))
    context = {"space": _space(run), "actualisation": actualisation}
    return _render(
        request, run, "actualisation_home", context, path="espace/actualisation", section="space"
    )


def _parse_yes_no(data, field):
    value = data.get(field)
    if value not in ("oui", "non"):
        return None
    return value == "oui"


def _parse_hours(text):
    """ "10", "10 h", "10 heures" → 10; anything else (letters, decimals, "-5") → None."""
    match = re.fullmatch(r"\s*(\d{1,3})\s*(h|heures?)?\s*", str(text).lower())
    return int(match.group(1)) if match else None


def _parse_amount(text):
    """ "120", "120 €", "120,50" → 120, 120.5; anything else → None."""
    plain = re.sub(r"[\s\u00a0\u202f€]", "", str(text))
    match = re.fullmatch(r"(\d{1,5})(?:[.,](\d{1,2}))?", plain)
    if not match:
        return None
    cents = int((match.group(2) or "0").ljust(2, "0"))
    return int(match.group(1)) if cents == 0 else int(match.group(1)) + cents / 100


def _step_answers(step, data):
    """The answers posted for a step, the values typed (to show them again), the errors."""
    answers, typed, errors = {}, {}, {}
    if step == "heures":
        typed["hours"] = core.text(data.get("heures"), NUMBER_MAX)
        typed["salary"] = core.text(data.get("salaire"), NUMBER_MAX)
        hours = _parse_hours(typed["hours"])
        if hours is None:
            errors["hours"] = _("Écrivez un nombre d'heures en chiffres, par exemple 10.")
        elif not 1 <= hours <= MAX_MONTH_HOURS:
            errors["hours"] = _("Écrivez un nombre d'heures entre 1 et %(max)s.") % {
                "max": MAX_MONTH_HOURS
            }
        else:
            answers["hours"] = hours
        salary = _parse_amount(typed["salary"])
        if salary is None or salary > MAX_MONTH_SALARY:
            errors["salary"] = _("Écrivez le montant en euros, en chiffres, par exemple 120.")
        else:
            answers["salary"] = salary
        return answers, typed, errors
    for name in STEP_QUESTIONS[step]:
        value = _parse_yes_no(data, YES_NO_FIELDS[name])
        if value is None:
            errors[name] = _("Choisissez « Oui » ou « Non ».")
        else:
            answers[name] = value
    return answers, typed, errors


def actualisation_step(request, run, step):
    if step not in STEP_QUESTIONS:
        return not_found(request, run)
    draft = _actualisation(run)["draft"]
    steps = _steps(draft)
    missing = _first_missing(draft)
    if step not in steps or (missing and steps.index(step) > steps.index(missing)):
        # A step further than the person has come (or "heures" after "Non"): the right one.
        return redirect(core.url(run, f"espace/actualisation/{missing or 'travail'}"))
    typed, errors = {}, {}
    if request.method == "POST":
        answers, typed, errors = _step_answers(step, request.POST)
        if not errors:
            draft.update(answers)
            if step == "travail" and not answers["worked"]:
                draft.pop("hours", None)
                draft.pop("salary", None)
            _save(run)
            core.record(request, run, {"type": "job_actualisation_answer", "answers": answers})
            following = _first_missing(draft) or "recapitulatif"
            return redirect(core.url(run, f"espace/actualisation/{following}"))
    space = _space(run)
    wording = _questions(space["month"])
    steps = _steps(draft)
    number = steps.index(step) + 1
    questions = [
        {
            "name": name,
            "field": YES_NO_FIELDS[name],
            "legend": wording[name][0],
            "help": wording[name][1],
            "value": draft.get(name),
            "error": errors.get(name, ""),
        }
        for name in STEP_QUESTIONS[step]
        if name in YES_NO_FIELDS
    ]
    context = {
        "space": space,
        "step": step,
        "number": number,
        "total": len(steps) + 1,
        "previous": steps[number - 2] if number > 1 else None,
        "questions": questions,
        "draft": draft,
        "typed": typed,
        "errors": errors,
    }
    return _render(
        request,
        run,
        "actualisation_step",
        context,
        path=f"espace/actualisation/{step}",
        section="space",
    )


def _answer_text(name, value):
    if isinstance(value, bool):
        return _("Oui") if value else _("Non")
    if name == "hours":
        return _("%(hours)s heures") % {"hours": value}
    return _("%(amount)s €") % {"amount": f"{value:g}".replace(".", ",")}


def actualisation_summary(request, run):
    actualisation = _actualisation(run)
    draft = actualisation["draft"]
    missing = _first_missing(draft)
    if missing:
        return redirect(core.url(run, f"espace/actualisation/{missing}"))
    if request.method == "POST":
        answers = dict(draft)
        actualisation["sent"] = {
            "answers": answers,
            "receipt": _receipt(),
            "date": timezone.localdate().isoformat(),
        }
        actualisation["draft"] = {}
        _save(run)
        core.record(request, run, {"type": "job_actualisation_sent", "answers": answers})
        return redirect(core.url(run, "espace/actualisation/confirmation"))
    space = _space(run)
    wording = _questions(space["month"])
    steps = _steps(draft)
    answers = [
        {
            "question": wording[name][0],
            "text": _answer_text(name, draft[name]),
            "step": step,
        }
        for step in steps
        for name in STEP_QUESTIONS[step]
    ]
    context = {
        "space": space,
        "answers": answers,
        "number": len(steps) + 1,
        "total": len(steps) + 1,
    }
    return _render(
        request,
        run,
        "actualisation_summary",
        context,
        path="espace/actualisation/recapitulatif",
        section="space",
    )


def _receipt():
    """A pretend confirmation number, like the one the real site gives."""
    return f"{secrets.randbelow(10**8):08d}"


def actualisation_done(request, run):
    sent = _actualisation(run)["sent"]
    if sent is None:
        return redirect(core.url(run, "espace/actualisation"))
    return _render(
        request,
        run,
        "actualisation_done",
        {"space": _space(run), "sent": sent},
        path="espace/actualisation/confirmation",
        section="space",
    )


# --- Routing ------------------------------------------------------------------------


def not_found(request, run):
    return _render(request, run, "not_found", {}, path="erreur", status=404)


ROUTES = [
    (r"", home),
    (r"recherche", search),
    (r"offres", results),
    (r"toutes-les-offres", all_offers),
    (rf"offre/{OFFER_ID}", offer_detail),
    (rf"offre/{OFFER_ID}/sauvegarder", offer_save),
    (rf"offre/{OFFER_ID}/retirer", offer_unsave),
    (rf"offre/{OFFER_ID}/postuler", offer_apply),
    (r"sauvegardees", saved),
    (r"candidatures", applications),
    (r"espace", space),
    (r"espace/messages", adviser_messages),
    (r"espace/messages/(?P<number>[0-9]{1,3})", adviser_message),
    (r"espace/actualisation", actualisation_home),
    (r"espace/actualisation/recapitulatif", actualisation_summary),
    (r"espace/actualisation/confirmation", actualisation_done),
    (r"espace/actualisation/(?P<step>[a-z]{1,20})", actualisation_step),
]


def screen(request, run, path):
    """Dispatch /simulation/<run>/<path> to the site's screens; unknown paths: a 404 page."""
    if "offers" not in run.state:
        # A run opened before this simulator was written: its site, as new.
        run.state = initial_state(run.scenario)
        _save(run)
    for pattern, view in ROUTES:
        match = re.fullmatch(pattern, path)
        if match:
            return view(request, run, **match.groupdict())
    return not_found(request, run)
