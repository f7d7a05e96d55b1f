from django import forms
from django.contrib.auth import login
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from cms.cache import private_no_store

from .. import names, services, throttling
from ..cards import remember_fresh_secret
from ..models import LearnerSettings
from ..pictures import PASSWORD_LENGTH, PICTURES
from .signin import _picture_choices


class SignupForm(forms.Form):
    first_name = forms.CharField(
        label=_("Votre prénom"),
        max_length=60,
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    last_initial = forms.CharField(
        label=_("La première lettre de votre nom de famille (si vous voulez)"),
        max_length=1,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "size": 2}),
    )

    def clean_first_name(self):
        return names.clean_first_name(self.cleaned_data["first_name"])

    def clean_last_initial(self):
        return names.clean_last_initial(self.cleaned_data["last_initial"])


def _limited(request):
    """Too many accounts from this client (or on the site) this hour."""
    return private_no_store(TemplateResponse(request, "learning/signup_limited.html", status=429))


@require_http_methods(["GET", "POST"])
def signup(request):
    """Self sign-up, when the site allows it: a name, then 3 pictures, then the card."""
    site_settings = LearnerSettings.for_request(request)
    if not site_settings.self_signup or site_settings.signup_structure is None:
        return private_no_store(
            TemplateResponse(request, "learning/signup_closed.html", status=404)
        )
    if request.user.is_authenticated and hasattr(request.user, "learner"):
        return redirect("learning:home")
    if not throttling.SignupLimit.allows(request):
        return _limited(request)
    form = SignupForm(request.POST or None)
    picks = [p for p in request.POST.getlist("picks") if p in PICTURES][:PASSWORD_LENGTH]
    if request.method == "POST" and form.is_valid():
        if "undo" in request.POST:
            picks = picks[:-1]
        elif request.POST.get("pick") in PICTURES and len(picks) < PASSWORD_LENGTH:
            picks.append(request.POST["pick"])
        elif "random" in request.POST:
            picks = None
        if picks is None or len(picks) == PASSWORD_LENGTH:
            if not throttling.SignupLimit.take(request):
                return _limited(request)
            learner, pictures = services.learner_create(
                first_name=form.cleaned_data["first_name"],
                last_initial=form.cleaned_data["last_initial"],
                structure=site_settings.signup_structure,
                language=request.LANGUAGE_CODE,
                pictures=picks,
            )
            guest_session_key = request.session.session_key  # sign-in gives a new key
            login(request, learner.user, backend="learning.auth.LearnerBackend")
            services.guest_progress_merge(
                session=request.session,
                user=learner.user,
                guest_session_key=guest_session_key,
            )
            remember_fresh_secret(request.session, learner, pictures)
            return redirect("learning:my_card")
    context = {
        "form": form,
        "name_given": request.method == "POST" and form.is_valid(),
        "picks": [{"id": pick, "label": PICTURES[pick]} for pick in picks or []],
        "slots": range(len(picks or []) + 1, PASSWORD_LENGTH + 1),
        "pictures": _picture_choices(),
    }
    return private_no_store(TemplateResponse(request, "learning/signup.html", context))
