"""Learners sign in with their code and their pictures; "J'ai fini" signs them out."""

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib.auth import authenticate, login, logout
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from cms.cache import private_no_store

from .. import selectors, services, throttling
from ..codes import normalize_code
from ..models import Learner, format_code
from ..pictures import PASSWORD_LENGTH, PICTURES

CODE_ERROR = gettext_lazy(
    "Ce code n'est pas valable. Vérifiez les lettres et les chiffres sur votre carte."
)


def _picture_choices():
    return [{"id": key, "label": label} for key, label in PICTURES.items()]


@require_http_methods(["GET", "POST"])
def signin(request):
    """Step 1: the learner code, typed or filled in from the card's QR code."""
    if request.user.is_authenticated and hasattr(request.user, "learner"):
        return redirect("learning:home")
    raw = request.POST.get("code") if request.method == "POST" else request.GET.get("code")
    context = {"code_value": "", "expired": request.GET.get("expire") == "1"}
    if raw is not None:
        code = normalize_code(raw)
        if code:
            if AxesProxyHandler.is_locked(request, credentials={"username": code}):
                return locked_out(request, credentials={"username": code})
            return _pictures_step(request, code, picks=[])
        context.update(code_value=raw[:20], error=CODE_ERROR)
    return private_no_store(TemplateResponse(request, "learning/signin.html", context))


def _pictures_step(request, code, *, picks, error="", mode="pictures", status=200):
    context = {
        "code": code,
        "display_code": format_code(code),
        "picks": [{"id": pick, "label": PICTURES[pick]} for pick in picks],
        "slots": range(len(picks) + 1, PASSWORD_LENGTH + 1),
        "pictures": _picture_choices(),
        "error": error,
        "mode": mode,
    }
    template = "learning/signin_pictures.html"
    if getattr(request, "htmx", False):
        template = "learning/_picture_picker.html"
    return private_no_store(TemplateResponse(request, template, context, status=status))


@require_POST
def signin_pictures(request):
    """Step 2: pick 3 pictures in order (each pick is a plain form post), or type the PIN."""
    code = normalize_code(request.POST.get("code"))
    if not code:
        return redirect(f"{reverse('learning:signin')}?code=")
    mode = "pin" if request.POST.get("mode") == "pin" else "pictures"
    picks = [p for p in request.POST.getlist("picks") if p in PICTURES][:PASSWORD_LENGTH]
    if "undo" in request.POST:
        return _pictures_step(request, code, picks=picks[:-1], mode=mode)
    if "switch" in request.POST:
        return _pictures_step(request, code, picks=[], mode=request.POST["switch"])
    if mode == "pin":
        user = authenticate(request, username=code, pin=request.POST.get("pin", ""))
    else:
        pick = request.POST.get("pick")
        if pick in PICTURES and len(picks) < PASSWORD_LENGTH:
            picks.append(pick)
        if len(picks) < PASSWORD_LENGTH:
            return _pictures_step(request, code, picks=picks)
        user = authenticate(request, username=code, pictures=picks)
    if user is None:
        # Never says whether the code exists.
        if mode == "pin":
            error = _("Ce n'est pas le bon code secret. Réessayez.")
        else:
            error = _("Ce ne sont pas les bonnes images. Réessayez depuis le début.")
        return _pictures_step(request, code, picks=[], error=error, mode=mode)
    guest_session_key = request.session.session_key  # sign-in gives a new key
    login(request, user)
    services.guest_progress_merge(
        session=request.session, user=user, guest_session_key=guest_session_key
    )
    target = selectors.learner_continue_target(user=user)
    url = target.url if target else reverse("learning:home")
    htmx = getattr(request, "htmx", False)
    response = HttpResponseClientRedirect(url) if htmx else redirect(url)
    # The learner's own language, whatever the last person on this computer chose.
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME, user.learner.language, samesite="Lax", httponly=True
    )
    return response


def locked_out(request, original_response=None, credentials=None, *args, **kwargs):
    """django-axes calls this when a (code or email, IP) pair has failed too often,
    or one code or email from every IP (throttling.ThrottlingHandler)."""
    username = (credentials or {}).get("username")
    code = normalize_code(username)
    if getattr(request, "htmx", False) and code:
        # htmx swaps no error response (the picker would just stop): the browser
        # loads the sign-in page for this code instead, which shows the lockout.
        response = HttpResponseClientRedirect(f"{reverse('learning:signin')}?code={code}")
        response.status_code = 429
        return private_no_store(response)
    context = {
        "code": code,
        "staff": code is None,  # the admin sign-in: an email, not a learner code
        "everywhere": throttling.username_is_locked(code or username),
    }
    response = TemplateResponse(request, "learning/locked_out.html", context, status=429)
    # Returned by axes' middleware, after the view: render it here.
    return private_no_store(response.render())


@require_http_methods(["GET", "POST"])
def signout(request):
    """ "J'ai fini": the session ends, and the browser forgets this site's data."""
    if request.method == "POST":
        learner = getattr(request.user, "learner", None) if request.user.is_authenticated else None
        if learner is not None:
            services.learner_signed_out(learner=learner)
        logout(request)
        context = {"done": True, "was_learner": learner is not None}
        response = TemplateResponse(request, "learning/signed_out.html", context)
        response["Clear-Site-Data"] = '"cache", "cookies", "storage"'
        return private_no_store(response)
    return private_no_store(TemplateResponse(request, "learning/signed_out.html", {"done": False}))


@require_POST
def session_ping(request):
    """ "Je suis toujours là": the middleware counts this request as activity."""
    from django.http import HttpResponse

    return private_no_store(HttpResponse(status=204))


def home(request):
    """The learner's home: one big button to exactly where they stopped."""
    learner = getattr(request.user, "learner", None) if request.user.is_authenticated else None
    if learner is None:
        return redirect("learning:signin")
    from modules.models import ParcoursPage

    parcours_list = list(ParcoursPage.objects.live().order_by("path"))
    progress = selectors.learner_parcours_progress(user=request.user, parcours_list=parcours_list)
    # "My" parcours: those the learner has started; all of them before the first step.
    started = [item for item in progress if any(m.progress for m in item.modules)]
    context = {
        "learner": learner,
        "continue_target": selectors.learner_continue_target(user=request.user),
        "parcours_progress": started or progress,
        "proposed_lessons": selectors.learner_proposed_lessons(learner=learner),
    }
    return private_no_store(TemplateResponse(request, "learning/home.html", context))


def learner_for_request(request):
    if request.user.is_authenticated:
        return Learner.objects.filter(user=request.user).select_related("structure").first()
    return None
