"""The "Mon compte en ligne" simulator: a public-service account site, played per run.

The state holds the site (settings, form questions, gallery photos), the
pretend account, and the learner's own mailbox, shown with the webmail screens
under "messagerie/": the confirmation message arrives there. Nothing leaves the
server; the password is kept only as a hash (people often type a real one).
"""

import re
import secrets
from datetime import date

from django.contrib import messages
from django.contrib.auth.hashers import check_password, make_password
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from cms.cache import private_no_store
from modules.simulators.account import KIND, password_failures, password_rules
from modules.simulators.webmail import same_address

from ..pdf import html_to_pdf
from . import core, webmail

ADDRESS = "https://mon-compte.exemple/"
SENDER = "ne-pas-repondre@mon-compte.exemple"
EMAIL_MAX, PASSWORD_MAX, TEXT_MAX, LONG_TEXT_MAX = 200, 200, 200, 1000
MAILBOX_PREFIX = "messagerie/"


def _rule_hint(rule, settings):
    return {
        "length": _("Le mot de passe est trop court : il faut au moins %(count)s caractères.")
        % {"count": settings["min_length"]},
        "capital": _("Il manque une lettre majuscule dans le mot de passe, par exemple A."),
        "digit": _("Il manque un chiffre dans le mot de passe, par exemple 7."),
        "special": _("Il manque un caractère spécial dans le mot de passe, par exemple ! ou -."),
    }[rule]


# --- State ----------------------------------------------------------------------------


def _settings_defaults():
    block = dict(KIND.items)["account_settings"]
    return dict(block.get_default())


def initial_state(scenario):
    settings = _settings_defaults()
    fields, photos = [], []
    for child in scenario.items:
        value = child.value
        if child.block_type == "account_settings":
            settings.update(dict(value))
        elif child.block_type == "account_form_field":
            fields.append(
                {
                    "key": value["key"],
                    "label": value["label"],
                    "kind": value["kind"],
                    "required": bool(value["required"]),
                    "choices": list(value["choices"]),
                    "help_text": value["help_text"],
                }
            )
        elif child.block_type == "account_gallery_photo":
            photos.append(
                {
                    "key": value["key"],
                    "label": value["label"],
                    "picture": value["picture"],
                    "number": len(photos) + 1,
                }
            )
    mailbox = webmail.new_mailbox(address=settings["email"])
    webmail.add_message(
        mailbox,
        webmail.new_message(
            from_name=_("L'équipe de Ma messagerie"),
            from_address="bienvenue@ma-messagerie.exemple",
            to=settings["email"],
            subject=_("Bienvenue dans votre messagerie"),
            date=_("Lundi, 9 h 00"),
            body=_(
                "Bonjour,\n\nVotre boîte mail est prête. Les messages que vous recevez "
                "arrivent ici, dans la boîte de réception.\n\nÀ bientôt !"
            ),
            read=True,
        ),
    )
    return {
        "settings": settings,
        "fields": fields,
        "photos": photos,
        "mailbox": mailbox,
        "account": None,
        "signed_in": False,
        "prepared": False,
        "form": None,
        "upload": {"chosen": "", "sent": ""},
        "downloaded": False,
    }


def _step_goal_types(run):
    _number, exercise = run.lesson.exercise_by_id(run.block_id) if run.lesson else (None, None)
    if exercise is None or exercise.block_type != "simulation":
        return set()
    return {goal.block_type for goal in exercise.block.goal_list(exercise.value)}


def _prepare(run):
    """The site as this step needs it: a step that doesn't ask to create the account
    (or to sign in) starts with the account made (or the person signed in)."""
    state = run.state
    if state.get("prepared"):
        return
    types = _step_goal_types(run)
    if "account_goal_create" not in types:
        _account_new(state, state["settings"]["demo_password"], premade=True)
        if "account_goal_confirm" in types:
            _send_confirmation(state)
        else:
            state["account"]["confirmed"] = True
            state["signed_in"] = "account_goal_sign_in" not in types
    state["prepared"] = True
    run.save(update_fields=["state", "updated_at"])


def _account_new(state, password, *, premade=False):
    state["account"] = {
        "email": state["settings"]["email"],
        "password": make_password(password),
        "confirmed": False,
        "token": secrets.token_urlsafe(12),
        "premade": premade,
    }


def _send_confirmation(state):
    settings, account = state["settings"], state["account"]
    webmail.add_message(
        state["mailbox"],
        webmail.new_message(
            from_name=settings["organisation"],
            from_address=SENDER,
            to=account["email"],
            subject=_("Confirmez la création de votre compte"),
            date=webmail.now_text(),
            body=_(
                "Bonjour,\n\nVous avez créé un compte sur le site « %(site)s ».\n"
                "Pour l'activer, cliquez sur le lien « Confirmer mon compte » ci-dessous.\n\n"
                "Vous n'avez pas créé de compte ? Ne faites rien.\n\n%(organisation)s"
            )
            % {"site": settings["site_name"], "organisation": settings["organisation"]},
            link={
                "text": _("Confirmer mon compte"),
                "address": f"{ADDRESS}confirmer?code={account['token']}",
                "path": f"confirmer/{account['token']}",
            },
        ),
    )


# --- Screens ----------------------------------------------------------------------------


class Site:
    def __init__(self, request, run):
        self.request = request
        self.run = run
        self.state = run.state

    def url(self, path=""):
        return core.url(self.run) + path

    def save(self):
        self.run.save(update_fields=["state", "updated_at"])

    def notice(self, text, *, error=False):
        level = messages.WARNING if error else messages.SUCCESS
        messages.add_message(self.request, level, text, webmail.SITE_TAG)

    def record(self, event):
        return core.record(self.request, self.run, event)

    @property
    def post(self):
        return self.request.method == "POST"


def _tabs(state, current):
    return {
        "browser_tabs": True,
        "browser_tab": current,
        "site_name": state["settings"]["site_name"],
        "mail_unread": webmail.unread_count(state["mailbox"]),
    }


def _render(site, template, context=None, *, page="", status=200):
    state = site.state
    context = {
        "settings": state["settings"],
        "account": state["account"],
        "signed_in": state["signed_in"],
        **_tabs(state, "compte"),
        **(context or {}),
    }
    return core.render(
        site.request,
        site.run,
        f"simulators/account/{template}",
        context,
        address=ADDRESS + page,
        status=status,
    )


def screen(request, run, path):
    _prepare(run)
    if path == "messagerie" or path.startswith(MAILBOX_PREFIX):
        return webmail.mailbox_screen(
            request,
            run,
            path[len(MAILBOX_PREFIX) :],
            box=run.state["mailbox"],
            prefix=MAILBOX_PREFIX,
            extra={"settings": run.state["settings"], **_tabs(run.state, "messagerie")},
        )
    site = Site(request, run)
    for pattern, view in ROUTES:
        match = pattern.match(path)
        if match:
            return view(site, **match.groupdict())
    return _render(site, "not_found.html", page="introuvable", status=404)


def home_view(site):
    state = site.state
    return _render(
        site,
        "home.html",
        {
            "form_sent": state["form"] is not None,
            "upload_sent": bool(state["upload"]["sent"]),
            "downloaded": state["downloaded"],
            "email": "",
        },
    )


def _rules_context(settings, password=None):
    """The password rules, each marked when a password was tried."""
    failures = password_failures(password or "", settings)
    return [
        {
            "key": rule,
            "text": text,
            "ok": None if password is None else rule not in failures,
        }
        for rule, text in password_rules(settings)
    ]


def create_view(site):
    state, settings = site.state, site.state["settings"]
    if state["account"] is not None:
        site.notice(_("Vous avez déjà un compte. Connectez-vous."))
        return redirect(site.url("connexion"))
    if not site.post:
        return _render(
            site,
            "create.html",
            {"rules": _rules_context(settings), "errors": {}, "email": ""},
            page="creer-mon-compte",
        )
    post = site.request.POST
    email = core.text(post.get("email"), EMAIL_MAX)
    password = str(post.get("password", ""))[:PASSWORD_MAX]
    confirm = str(post.get("password_confirm", ""))[:PASSWORD_MAX]
    errors, hint = {}, ""
    problem = webmail.address_problem(email)
    if problem:
        errors["email"] = problem
    elif not same_address(email, settings["email"]):
        errors["email"] = _(
            "Utilisez l'adresse de votre messagerie : %(address)s. "
            "Le message de confirmation arrivera là."
        ) % {"address": settings["email"]}
    failures = password_failures(password, settings)
    if failures:
        errors["password"] = _("Le mot de passe ne respecte pas toutes les règles : %(rules)s") % {
            "rules": " ".join(_rule_hint(rule, settings) for rule in failures)
        }
        hint = _rule_hint(failures[0], settings)
    elif password != confirm:
        errors["password_confirm"] = _(
            "Les deux mots de passe ne sont pas pareils. Écrivez deux fois le même mot de passe."
        )
    if errors:
        hint = hint or next(iter(errors.values()))
        site.record({"type": "account_create_refused", "hint": hint})
        return _render(
            site,
            "create.html",
            {
                "rules": _rules_context(settings, password),
                "errors": errors,
                "email": email,
            },
            page="creer-mon-compte",
        )
    _account_new(state, password)
    state["account"]["email"] = email.strip()
    _send_confirmation(state)
    site.save()
    site.record({"type": "account_created"})
    return redirect(site.url("compte-cree"))


def created_view(site):
    account = site.state["account"]
    if account is None:
        return redirect(site.url("creer"))
    if account["confirmed"]:
        return redirect(site.url("connexion"))
    return _render(site, "created.html", page="compte-cree")


def resend_view(site):
    account = site.state["account"]
    if site.post and account is not None and not account["confirmed"]:
        _send_confirmation(site.state)
        site.save()
        site.notice(_("Un nouveau message vous a été envoyé."))
    return redirect(site.url("compte-cree"))


def confirm_view(site, token):
    account = site.state["account"]
    if account is None or not secrets.compare_digest(token, account["token"]):
        return _render(site, "confirm_invalid.html", page="confirmer", status=404)
    if account["confirmed"]:
        site.notice(_("Votre compte est déjà confirmé."))
        return redirect(site.url("" if site.state["signed_in"] else "connexion"))
    account["confirmed"] = True
    site.save()
    site.notice(_("Votre compte est confirmé ! Vous pouvez maintenant vous connecter."))
    site.record({"type": "account_confirmed"})
    return redirect(site.url("connexion"))


def sign_in_view(site):
    state = site.state
    if state["signed_in"]:
        return redirect(site.url())
    account = state["account"]
    if not site.post:
        return _render(site, "signin.html", {"email": "", "error": ""}, page="connexion")
    post = site.request.POST
    email = core.text(post.get("email"), EMAIL_MAX)
    password = str(post.get("password", ""))[:PASSWORD_MAX]
    if account is None:
        reason, error = "no_account", _("Adresse e-mail ou mot de passe incorrect.")
    elif not same_address(email, account["email"]) or not check_password(
        password, account["password"]
    ):
        reason, error = "wrong", _("Adresse e-mail ou mot de passe incorrect.")
    elif not account["confirmed"]:
        reason, error = (
            "unconfirmed",
            _(
                "Votre compte n'est pas encore activé. Cliquez sur le lien du message "
                "que nous vous avons envoyé."
            ),
        )
    else:
        state["signed_in"] = True
        site.save()
        site.record({"type": "account_signed_in"})
        return redirect(site.url())
    site.record({"type": "account_sign_in_refused", "reason": reason})
    return _render(site, "signin.html", {"email": email, "error": error}, page="connexion")


def sign_out_view(site):
    if site.post and site.state["signed_in"]:
        site.state["signed_in"] = False
        site.save()
        site.notice(_("Vous êtes déconnecté."))
    return redirect(site.url())


def _needs_sign_in(site):
    if site.state["signed_in"]:
        return None
    site.notice(_("Connectez-vous d'abord à votre compte."), error=True)
    return redirect(site.url("connexion"))


DATE_PATTERNS = [
    re.compile(r"^(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})$"),
    re.compile(r"^(?P<d>\d{1,2})[/.\- ](?P<m>\d{1,2})[/.\- ](?P<y>\d{4})$"),
]


def parse_date(text):
    for pattern in DATE_PATTERNS:
        match = pattern.match(text.strip())
        if match:
            try:
                day = date(int(match["y"]), int(match["m"]), int(match["d"]))
            except ValueError:
                return None
            return day if 1900 <= day.year <= 2100 else None
    return None


def clean_form(fields, data):
    """The answers of the form, cleaned, and a French message per wrong field."""
    values, errors = {}, {}
    for field in fields:
        key, kind = field["key"], field["kind"]
        raw = data.get(f"champ-{key}", "")
        value = core.text(raw, LONG_TEXT_MAX if kind == "textarea" else TEXT_MAX)
        values[key] = value
        if not value:
            if field["required"]:
                errors[key] = (
                    _("Choisissez une réponse : c'est obligatoire.")
                    if kind == "choice"
                    else _("Remplissez cette case : c'est obligatoire.")
                )
            continue
        if kind == "date":
            day = parse_date(value)
            if day is None:
                errors[key] = _("Écrivez la date comme ceci : 01/03/2025.")
            else:
                values[key] = day.isoformat()
        elif kind == "number" and not re.fullmatch(r"[0-9]{1,3}", value):
            errors[key] = _("Écrivez un nombre en chiffres, par exemple 3.")
        elif kind == "choice" and value not in field["choices"]:
            errors[key] = _("Choisissez une réponse dans la liste.")
        elif kind == "tel":
            digits = re.sub(r"[\s.\-]", "", value)
            if not re.fullmatch(r"(\+33|0)[0-9]{9}", digits):
                errors[key] = _("Écrivez un numéro à 10 chiffres, par exemple 06 12 34 56 78.")
    return values, errors


def _form_rows(fields, values, errors):
    return [
        {**field, "value": values.get(field["key"], ""), "error": errors.get(field["key"], "")}
        for field in fields
    ]


def form_view(site):
    refused = _needs_sign_in(site)
    if refused:
        return refused
    state = site.state
    if not site.post:
        return _render(
            site, "form.html", {"rows": _form_rows(state["fields"], {}, {})}, page="demarche"
        )
    values, errors = clean_form(state["fields"], site.request.POST)
    if errors:
        return _render(
            site,
            "form.html",
            {"rows": _form_rows(state["fields"], values, errors), "has_errors": True},
            page="demarche",
        )
    state["form"] = {"values": values, "number": f"SIM-{secrets.randbelow(900000) + 100000}"}
    site.save()
    site.notice(_("Votre démarche est envoyée."))
    site.record({"type": "account_form_sent", "values": values})
    return redirect(site.url("demarche/envoyee"))


def form_sent_view(site):
    refused = _needs_sign_in(site)
    if refused:
        return refused
    form = site.state["form"]
    if form is None:
        return redirect(site.url("demarche"))
    rows = []
    for field in site.state["fields"]:
        value = form["values"].get(field["key"], "")
        if field["kind"] == "date" and value:
            value = date.fromisoformat(value).strftime("%d/%m/%Y")
        rows.append({"label": field["label"], "value": value})
    return _render(
        site, "form_sent.html", {"rows": rows, "number": form["number"]}, page="demarche/envoyee"
    )


def _photo(state, key):
    return next((photo for photo in state["photos"] if photo["key"] == key), None)


def upload_view(site):
    refused = _needs_sign_in(site)
    if refused:
        return refused
    state = site.state
    return _render(
        site,
        "upload.html",
        {
            "chosen": _photo(state, state["upload"]["chosen"]),
            "sent": _photo(state, state["upload"]["sent"]),
        },
        page="justificatif",
    )


def gallery_view(site):
    refused = _needs_sign_in(site)
    if refused:
        return refused
    return _render(site, "gallery.html", {"photos": site.state["photos"]}, page="justificatif")


def choose_view(site):
    refused = _needs_sign_in(site)
    if refused:
        return refused
    if site.post:
        photo = _photo(site.state, site.request.POST.get("photo", ""))
        if photo is None:
            site.notice(_("Cette photo n'est pas dans la galerie."), error=True)
            return redirect(site.url("justificatif/galerie"))
        site.state["upload"]["chosen"] = photo["key"]
        site.save()
    return redirect(site.url("justificatif"))


def send_upload_view(site):
    refused = _needs_sign_in(site)
    if refused:
        return refused
    state = site.state
    photo = _photo(state, state["upload"]["chosen"])
    if not site.post or photo is None:
        return redirect(site.url("justificatif"))
    state["upload"] = {"chosen": "", "sent": photo["key"]}
    site.save()
    site.notice(_("Votre document est envoyé."))
    site.record({"type": "account_uploaded", "photo": photo["key"]})
    return redirect(site.url("justificatif"))


def certificate_view(site):
    refused = _needs_sign_in(site)
    if refused:
        return refused
    return _render(site, "certificate.html", page="attestations")


def certificate_pdf(state):
    html = render_to_string(
        "simulators/account/attestation_pdf.html",
        {
            "settings": state["settings"],
            "email": state["account"]["email"],
            "today": timezone.localdate(),
        },
    )
    return html_to_pdf(html)  # everything is inline: nothing may be fetched


def download_view(site):
    refused = _needs_sign_in(site)
    if refused:
        return refused
    state = site.state
    pdf = certificate_pdf(state)
    state["downloaded"] = True
    site.save()
    site.notice(_("Votre attestation est téléchargée."))
    site.record({"type": "account_downloaded"})
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="attestation-simulation.pdf"'
    return private_no_store(response)


ROUTES = [
    (re.compile(r"^$"), home_view),
    (re.compile(r"^creer$"), create_view),
    (re.compile(r"^compte-cree$"), created_view),
    (re.compile(r"^renvoyer$"), resend_view),
    (re.compile(r"^confirmer/(?P<token>[A-Za-z0-9_-]{1,64})$"), confirm_view),
    (re.compile(r"^connexion$"), sign_in_view),
    (re.compile(r"^deconnexion$"), sign_out_view),
    (re.compile(r"^demarche$"), form_view),
    (re.compile(r"^demarche/envoyee$"), form_sent_view),
    (re.compile(r"^justificatif$"), upload_view),
    (re.compile(r"^justificatif/galerie$"), gallery_view),
    (re.compile(r"^justificatif/choisir$"), choose_view),
    (re.compile(r"^justificatif/envoyer$"), send_upload_view),
    (re.compile(r"^attestation$"), certificate_view),
    (re.compile(r"^attestation/telecharger$"), download_view),
]
