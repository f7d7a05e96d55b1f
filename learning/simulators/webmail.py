"""The "Ma messagerie" simulator: a pretend webmail, played per run.

The mailbox is a dict in the run's state: the whole state of a webmail run, or
`state["mailbox"]` in the "Mon compte en ligne" simulator, which shows these same
screens under "messagerie/". Nothing is ever sent: "Envoyer" files the message
in "Envoyés", and links in messages never leave the simulation.
"""

import re
from dataclasses import dataclass, field

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _

from modules.simulators.webmail import DEFAULT_ADDRESS, FOLDERS

from . import core

SITE_TAG = "sim-site"  # the site's own notices ("Message envoyé"), not the coach's
ADDRESS = "https://ma-messagerie.exemple/"
TO_MAX, SUBJECT_MAX, BODY_MAX = 200, 200, 5000
MAX_ATTACHMENTS = 10
FOLDER_SLUGS = [slug for slug, _label in FOLDERS]
FOLDER_PAGES = {
    "reception": "boite-de-reception",
    "envoyes": "envoyes",
    "corbeille": "corbeille",
    "indesirables": "indesirables",
}


# --- The mailbox as data ---------------------------------------------------------


def new_mailbox(*, address=DEFAULT_ADDRESS, name="Moi"):
    return {
        "address": address,
        "name": name,
        "messages": [],  # newest first
        "documents": [],
        "next_id": 1,
        "draft": None,
    }


def new_message(**values):
    message = {
        "key": "",
        "folder": "reception",
        "previous_folder": "",
        "from_name": "",
        "from_address": "",
        "to": "",
        "subject": "",
        "date": "",
        "body": "",
        "attachments": [],
        "link": None,  # {"text", "address", "path": a screen of this run, or ""}
        "phishing": False,
        "read": False,
        "reply_to": "",
    }
    message.update(values)
    return message


def add_message(box, message, *, newest=True):
    message["id"] = box["next_id"]
    box["next_id"] += 1
    if newest:
        box["messages"].insert(0, message)
    else:
        box["messages"].append(message)
    return message


def initial_state(scenario):
    """The mailbox of the scenario: its messages in order, its documents, the address."""
    account = next((c.value for c in scenario.items if c.block_type == "mail_account"), None)
    box = new_mailbox(
        address=account["address"] if account else DEFAULT_ADDRESS,
        name=account["name"] if account else "Moi",
    )
    for child in scenario.items:
        value = child.value
        if child.block_type == "mail_message":
            sent = value["folder"] == "envoyes"
            link = None
            if value["link_text"]:
                link = {"text": value["link_text"], "address": value["link_address"], "path": ""}
            message = new_message(
                key=value["key"],
                folder=value["folder"],
                from_name=box["name"] if sent else value["from_name"],
                from_address=box["address"] if sent else value["from_address"],
                to=value["to"] or box["address"],
                subject=value["subject"],
                date=value["date"],
                body=value["body"],
                attachments=list(value["attachments"]),
                link=link,
                phishing=bool(value["is_phishing"]),
                read=bool(value["read"]) or sent,
            )
            add_message(box, message, newest=False)
        elif child.block_type == "mail_document":
            box["documents"].append(
                {
                    "id": len(box["documents"]) + 1,
                    "name": value["name"],
                    "description": value["description"],
                }
            )
    return box


def unread_count(box, folder="reception"):
    return sum(1 for m in box["messages"] if m["folder"] == folder and not m["read"])


def address_problem(address):
    """What is wrong with an e-mail address, in words a beginner understands; or None."""
    address = (address or "").strip()
    if not address:
        return _("Écrivez l'adresse e-mail dans le champ.")
    if any(ch.isspace() for ch in address):
        return _("Vérifiez l'adresse : il n'y a pas d'espace dans une adresse e-mail.")
    if "," in address or ";" in address:
        return _("Vérifiez l'adresse : elle a une virgule. Dans une adresse, on met un point.")
    if "@" not in address:
        return _("Il manque le signe @ dans l'adresse.")
    if address.count("@") > 1:
        return _("Il y a plusieurs signes @. Une adresse n'en a qu'un.")
    local, domain = address.split("@")
    if not local:
        return _("Il manque le nom avant le signe @.")
    if not domain:
        return _("Il manque la fin de l'adresse, après le signe @.")
    if not address.isascii():
        return _("Vérifiez l'adresse : pas d'accent ni de lettre spéciale dans une adresse e-mail.")
    if "." not in domain:
        return _("Il manque un point dans la fin de l'adresse, par exemple « .fr » ou « .com ».")
    try:
        EmailValidator()(address)
    except ValidationError:
        return _("Vérifiez l'adresse : elle n'est pas bien écrite. Regardez les points.")
    return None


def now_text():
    now = timezone.localtime()
    return _("Aujourd'hui, %(hour)s h %(minute)s") % {
        "hour": now.strftime("%H"),
        "minute": now.strftime("%M"),
    }


# --- Screens ------------------------------------------------------------------------


@dataclass
class Place:
    """Where a mailbox is shown: its run, its dict, its path prefix in the run's site."""

    request: object
    run: object
    box: dict
    prefix: str = ""
    extra: dict = field(default_factory=dict)

    def url(self, path=""):
        return core.url(self.run) + self.prefix + path

    def save(self):
        self.run.save(update_fields=["state", "updated_at"])

    def notice(self, text, *, error=False):
        level = messages.WARNING if error else messages.SUCCESS
        messages.add_message(self.request, level, text, SITE_TAG)


def screen(request, run, path):
    return mailbox_screen(request, run, path, box=run.state)


ROUTES = [
    (re.compile(r"^$"), "folder"),
    (re.compile(r"^dossier/(?P<folder>[a-z-]{1,20})$"), "folder"),
    (re.compile(r"^message/(?P<number>\d{1,9})$"), "read"),
    (
        re.compile(
            r"^message/(?P<number>\d{1,9})/(?P<action>repondre|supprimer|restaurer|signaler)$"
        ),
        "action",
    ),
    (re.compile(r"^message/(?P<number>\d{1,9})/lien$"), "link"),
    (re.compile(r"^ecrire$"), "compose"),
    (re.compile(r"^ecrire/nouveau$"), "new"),
    (re.compile(r"^ecrire/documents$"), "documents"),
    (re.compile(r"^ecrire/joindre$"), "attach"),
]


def mailbox_screen(request, run, path, *, box, prefix="", extra=None):
    """Every page and action of a mailbox; `path` is relative to `prefix`."""
    place = Place(request=request, run=run, box=box, prefix=prefix, extra=extra or {})
    for pattern, name in ROUTES:
        match = pattern.match(path)
        if match:
            return VIEWS[name](place, **match.groupdict())
    return not_found(place)


def _render(place, template, context=None, *, page="", status=200):
    box = place.box
    folders = [
        {
            "slug": slug,
            "label": label,
            "unread": unread_count(box, slug) if slug in ("reception", "indesirables") else 0,
        }
        for slug, label in FOLDERS
    ]
    context = {
        "box": box,
        "box_url": place.url(),
        "folders": folders,
        **place.extra,
        **(context or {}),
    }
    return core.render(
        place.request,
        place.run,
        f"simulators/webmail/{template}",
        context,
        address=ADDRESS + page,
        status=status,
    )


def not_found(place):
    return _render(place, "not_found.html", page="introuvable", status=404)


def _message(place, number):
    return next((m for m in place.box["messages"] if m["id"] == int(number)), None)


def folder_view(place, folder="reception"):
    if folder not in FOLDER_SLUGS:
        return not_found(place)
    listed = [m for m in place.box["messages"] if m["folder"] == folder]
    return _render(
        place,
        "folder.html",
        {"folder": folder, "folder_label": dict(FOLDERS)[folder], "listed": listed},
        page=FOLDER_PAGES[folder],
    )


def read_view(place, number):
    message = _message(place, number)
    if message is None:
        return not_found(place)
    if place.request.method == "POST":
        return redirect(place.url(f"message/{number}"))
    if not message["read"]:
        message["read"] = True
        place.save()
    core.record(
        place.request,
        place.run,
        {"type": "mail_read", "message": message["key"], "phishing": message["phishing"]},
    )
    original = None
    if message["reply_to"]:
        original = next((m for m in place.box["messages"] if m["key"] == message["reply_to"]), None)
    return _render(
        place,
        "message.html",
        {"mail": message, "folder": message["folder"], "original": original},
        page=f"message/{message['id']}",
    )


def action_view(place, number, action):
    message = _message(place, number)
    if message is None:
        return not_found(place)
    if place.request.method != "POST":
        return redirect(place.url(f"message/{number}"))
    return MESSAGE_ACTIONS[action](place, message)


def _folder_url(place, folder):
    return place.url("" if folder == "reception" else f"dossier/{folder}")


def _reply(place, message):
    if message["folder"] == "envoyes":
        return redirect(place.url(f"message/{message['id']}"))
    subject = message["subject"]
    if not subject.casefold().startswith(("re:", "re :")):
        subject = f"RE: {subject}"
    place.box["draft"] = {
        "to": message["from_address"],
        "subject": core.text(subject, SUBJECT_MAX),
        "body": "",
        "attachments": [],
        "reply_to": message["key"],
        "reply_id": message["id"],
    }
    place.save()
    return redirect(place.url("ecrire"))


def _delete(place, message):
    origin = message["folder"]
    if origin == "corbeille":
        return redirect(place.url("dossier/corbeille"))
    message["previous_folder"] = origin
    message["folder"] = "corbeille"
    place.save()
    place.notice(_("Le message est dans la Corbeille. Vous pouvez le restaurer."))
    core.record(
        place.request,
        place.run,
        {"type": "mail_deleted", "message": message["key"], "phishing": message["phishing"]},
    )
    return redirect(_folder_url(place, origin))


def _restore(place, message):
    origin = message["folder"]
    if origin not in ("corbeille", "indesirables"):
        return redirect(place.url(f"message/{message['id']}"))
    destination = message["previous_folder"] or "reception"
    if destination in ("corbeille", "indesirables"):
        destination = "reception"
    message["folder"] = destination
    message["previous_folder"] = ""
    place.save()
    place.notice(
        _("Le message est de retour dans « %(folder)s ».") % {"folder": dict(FOLDERS)[destination]}
    )
    core.record(place.request, place.run, {"type": "mail_restored", "message": message["key"]})
    return redirect(_folder_url(place, origin))


def _report(place, message):
    origin = message["folder"]
    if origin in ("indesirables", "envoyes"):
        return redirect(place.url(f"message/{message['id']}"))
    message["previous_folder"] = origin
    message["folder"] = "indesirables"
    place.save()
    place.notice(_("Le message est signalé comme frauduleux. Il est rangé dans « Indésirables »."))
    core.record(
        place.request,
        place.run,
        {
            "type": "mail_reported",
            "message": message["key"],
            "phishing": message["phishing"],
            "from_address": message["from_address"],
        },
    )
    return redirect(_folder_url(place, origin))


MESSAGE_ACTIONS = {
    "repondre": _reply,
    "supprimer": _delete,
    "restaurer": _restore,
    "signaler": _report,
}


def link_view(place, number):
    message = _message(place, number)
    if message is None:
        return not_found(place)
    link = message["link"]
    if not link:
        return redirect(place.url(f"message/{number}"))
    if link.get("path"):
        return redirect(core.url(place.run, link["path"]))
    core.record(
        place.request,
        place.run,
        {"type": "mail_link_opened", "message": message["key"], "phishing": message["phishing"]},
    )
    return _render(
        place,
        "link.html",
        {"mail": message, "link": link, "folder": message["folder"]},
        page=f"message/{message['id']}/lien",
    )


def _empty_draft():
    return {"to": "", "subject": "", "body": "", "attachments": [], "reply_to": "", "reply_id": 0}


def _compose_page(place, errors=None, status=200):
    draft = place.box.get("draft") or _empty_draft()
    original = None
    if draft.get("reply_id"):
        original = _message(place, draft["reply_id"])
    return _render(
        place,
        "compose.html",
        {
            "draft": draft,
            "original": original,
            "errors": errors or {},
            "limits": {"to": TO_MAX, "subject": SUBJECT_MAX, "body": BODY_MAX},
        },
        page="ecrire",
        status=status,
    )


def compose_view(place):
    if place.request.method != "POST":
        return _compose_page(place)
    post = place.request.POST
    box = place.box
    draft = box.get("draft") or _empty_draft()
    body_too_long = len(post.get("body", "")) > BODY_MAX
    draft.update(
        to=core.text(post.get("to"), TO_MAX),
        subject=core.text(post.get("subject"), SUBJECT_MAX),
        body=core.text(post.get("body"), BODY_MAX),
    )
    box["draft"] = draft
    removed = post.get("retirer")
    if removed is not None:
        draft["attachments"] = [name for name in draft["attachments"] if name != removed]
        place.save()
        place.notice(_("La pièce jointe est retirée."))
        return redirect(place.url("ecrire"))
    action = post.get("action")
    if action == "joindre":
        place.save()
        return redirect(place.url("ecrire/documents"))
    if action != "envoyer":
        place.save()
        return redirect(place.url("ecrire"))
    errors = {}
    problem = address_problem(draft["to"])
    if problem:
        errors["to"] = problem
    if not draft["subject"]:
        errors["subject"] = _("Écrivez l'objet : quelques mots pour dire de quoi parle le message.")
    if body_too_long:
        errors["body"] = _(
            "Le message est trop long : %(max)s signes au plus. Il a été raccourci. "
            "Relisez-le avant d'envoyer."
        ) % {"max": BODY_MAX}
    place.save()
    if errors:
        return _compose_page(place, errors)
    return _send(place, draft)


def _send(place, draft):
    box = place.box
    message = new_message(
        folder="envoyes",
        from_name=box["name"],
        from_address=box["address"],
        to=draft["to"].strip(),
        subject=draft["subject"],
        date=now_text(),
        body=draft["body"],
        attachments=list(draft["attachments"]),
        read=True,
        reply_to=draft.get("reply_to", ""),
    )
    add_message(box, message)
    box["draft"] = None
    place.save()
    place.notice(_("Votre message est parti. Vous le retrouvez dans « Envoyés »."))
    core.record(
        place.request,
        place.run,
        {
            "type": "mail_sent",
            "to": message["to"],
            "subject": message["subject"],
            "body": message["body"],
            "attachments": message["attachments"],
            "reply_to": message["reply_to"],
        },
    )
    return redirect(place.url("dossier/envoyes"))


def new_view(place):
    if place.request.method == "POST":
        place.box["draft"] = _empty_draft()
        place.save()
    return redirect(place.url("ecrire"))


def documents_view(place):
    draft = place.box.get("draft") or _empty_draft()
    return _render(
        place,
        "documents.html",
        {"documents": place.box["documents"], "attached": draft["attachments"]},
        page="mes-documents",
    )


def attach_view(place):
    if place.request.method != "POST":
        return redirect(place.url("ecrire/documents"))
    box = place.box
    try:
        number = int(place.request.POST.get("document", ""))
    except ValueError:
        number = 0
    document = next((d for d in box["documents"] if d["id"] == number), None)
    if document is None:
        place.notice(_("Ce fichier n'est pas dans « Mes documents »."), error=True)
        return redirect(place.url("ecrire/documents"))
    draft = box.get("draft") or _empty_draft()
    box["draft"] = draft
    if document["name"] in draft["attachments"]:
        place.notice(_("Ce fichier est déjà joint."))
    elif len(draft["attachments"]) >= MAX_ATTACHMENTS:
        place.notice(_("Vous avez déjà joint beaucoup de fichiers."), error=True)
    else:
        draft["attachments"].append(document["name"])
        place.notice(_("Le fichier %(name)s est joint au message.") % {"name": document["name"]})
    place.save()
    return redirect(place.url("ecrire"))


VIEWS = {
    "folder": folder_view,
    "read": read_view,
    "action": action_view,
    "link": link_view,
    "compose": compose_view,
    "new": new_view,
    "documents": documents_view,
    "attach": attach_view,
}
