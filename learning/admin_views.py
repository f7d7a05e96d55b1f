"""The trainer's learner actions in the Wagtail admin: create a learner, see the
code and pictures once, print cards, give new pictures, unlock."""

import django_filters
from django import forms
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from wagtail.admin import messages
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.views.generic.history import HistoryView
from wagtail.admin.views.generic.models import CreateView, DeleteView, EditView, IndexView
from wagtail.admin.views.generic.usage import UsageView
from wagtail.admin.viewsets.model import ModelViewSet

from cms.cache import private_no_store
from cms.params import id_list_param

from . import names, selectors, services
from .admin_tenancy import limit_structure_choices
from .cards import cards_html, cards_pdf, fresh_secret, remember_fresh_secret
from .models import Learner, XapiCredential
from .pictures import PICTURES, is_pin


def _scoped_learner(request, pk):
    learner = get_object_or_404(selectors.learners_for_staff(user=request.user), pk=pk)
    if not request.user.has_perm("learning.change_learner"):
        raise PermissionDenied
    return learner


def _picture_field(label):
    choices = [("", "—"), *PICTURES.items()]
    return forms.ChoiceField(label=label, choices=choices, required=False)


class LearnerNameFieldsMixin:
    """The name rule of every entry point (learning.names), on the admin forms."""

    def clean_first_name(self):
        return names.clean_first_name(self.cleaned_data["first_name"])

    def clean_last_initial(self):
        return names.clean_last_initial(self.cleaned_data["last_initial"])


class LearnerEditForm(LearnerNameFieldsMixin, WagtailAdminModelForm):
    class Meta:
        model = Learner
        fields = ["first_name", "last_initial", "structure", "language"]


class LearnerCreateForm(LearnerNameFieldsMixin, WagtailAdminModelForm):
    PICTURE_CHOICES = [("", "—")] + [(key, label) for key, label in PICTURES.items()]

    picture_1 = forms.ChoiceField(
        label=gettext_lazy("Image 1"), choices=PICTURE_CHOICES, required=False
    )
    picture_2 = forms.ChoiceField(
        label=gettext_lazy("Image 2"), choices=PICTURE_CHOICES, required=False
    )
    picture_3 = forms.ChoiceField(
        label=gettext_lazy("Image 3"), choices=PICTURE_CHOICES, required=False
    )
    pin = forms.CharField(
        label=gettext_lazy("Code secret à 4 chiffres (facultatif)"),
        required=False,
        max_length=4,
        help_text=gettext_lazy("Une autre façon de se connecter, pour qui préfère les chiffres."),
    )

    class Meta:
        model = Learner
        fields = ["first_name", "last_initial", "structure", "language"]

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, for_user=for_user, **kwargs)
        self.fields["structure"].queryset = selectors.structures_for_staff(user=for_user)
        self.fields["picture_1"].help_text = _(
            "Laissez les 3 images vides : elles seront tirées au hasard. "
            "Ou bien la personne choisit ses 3 images."
        )

    def clean_pin(self):
        pin = self.cleaned_data["pin"].strip()
        if pin and not is_pin(pin):
            raise forms.ValidationError(_("Écrivez 4 chiffres, ou laissez vide."))
        return pin

    def clean(self):
        data = super().clean()
        picks = [data.get(f"picture_{n}") for n in (1, 2, 3)]
        if any(picks) and not all(picks):
            raise forms.ValidationError(_("Choisissez les 3 images, ou aucune."))
        data["pictures"] = picks if all(picks) else None
        return data


class LearnerPinForm(forms.Form):
    """A new PIN on the access screen: 4 digits, as on the create form."""

    pin = forms.CharField(
        label=gettext_lazy("Nouveau code secret à 4 chiffres"),
        max_length=4,
        error_messages={
            "required": gettext_lazy("Écrivez 4 chiffres."),
            "max_length": gettext_lazy("Écrivez 4 chiffres."),
            "null_characters_not_allowed": gettext_lazy("Écrivez 4 chiffres."),
        },
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    def clean_pin(self):
        pin = self.cleaned_data["pin"]
        if not is_pin(pin):
            raise forms.ValidationError(_("Écrivez 4 chiffres."))
        return pin


class LearnerIndexView(IndexView):
    def get_base_queryset(self):
        return selectors.learners_for_staff(user=self.request.user).select_related(
            "structure", "code"
        )


class LearnerCreateView(CreateView):
    def save_instance(self):
        data = self.form.cleaned_data
        learner, pictures = services.learner_create(
            first_name=data["first_name"],
            last_initial=data["last_initial"],
            structure=data["structure"],
            language=data["language"],
            pictures=data["pictures"],
            pin=data["pin"],
            created_by=self.request.user,
        )
        remember_fresh_secret(self.request.session, learner, pictures)
        return learner

    def get_success_url(self):
        return reverse("learner_access", args=[self.object.pk])

    def get_success_message(self, instance):
        return _("Compte créé pour %(name)s.") % {"name": instance.display_name}


class ScopedLearnerMixin:
    """Every view of one learner: 404 outside the staff's structures."""

    def get_object(self, queryset=None):
        return get_object_or_404(
            selectors.learners_for_staff(user=self.request.user), pk=self.kwargs[self.pk_url_kwarg]
        )


class LearnerEditView(ScopedLearnerMixin, EditView):
    def get_form(self, form_class=None):
        # Whatever the form class: a learner moves only between the user's structures.
        form = super().get_form(form_class)
        limit_structure_choices(form.fields["structure"], user=self.request.user)
        return form


class LearnerHistoryView(ScopedLearnerMixin, HistoryView):
    pass


class LearnerUsageView(ScopedLearnerMixin, UsageView):
    pass


class LearnerDeleteView(ScopedLearnerMixin, DeleteView):
    """Deleting a learner is the GDPR erasure: its confirmation page and its service
    (admin_files.LearnerEraseView), which also erase the user and all their data."""

    def get(self, request, *args, **kwargs):
        return redirect("learner_erase", pk=self.object.pk)

    post = get


class LearnerFilterSet(WagtailFilterSet):
    structure = django_filters.ModelChoiceFilter(
        label=gettext_lazy("Structure"),
        queryset=lambda request: selectors.structures_for_staff(user=request.user),
    )

    class Meta:
        model = Learner
        fields = []


class LearnerViewSet(ModelViewSet):
    model = Learner
    icon = "user"
    menu_label = gettext_lazy("Apprenants")
    menu_order = 200
    add_to_admin_menu = True
    url_prefix = "apprenants"
    index_view_class = LearnerIndexView
    add_view_class = LearnerCreateView
    edit_view_class = LearnerEditView
    delete_view_class = LearnerDeleteView
    history_view_class = LearnerHistoryView
    usage_view_class = LearnerUsageView
    copy_view_enabled = False  # a learner is one person: nothing to copy
    form_fields = ["first_name", "last_initial", "structure", "language"]
    filterset_class = LearnerFilterSet
    search_fields = ["first_name"]
    list_display = [
        TitleColumn(
            "display_name",
            label=gettext_lazy("Apprenant"),
            get_url=lambda learner: reverse("learner_file", args=[learner.pk]),
        ),
        Column("display_code", label=gettext_lazy("Code")),
        Column("structure", label=gettext_lazy("Structure")),
        Column("created_at", label=gettext_lazy("Créé le")),
    ]

    def get_form_class(self, for_update=False):
        if for_update:
            return LearnerEditForm
        return LearnerCreateForm


def _access_page(request, learner, *, pin_form=None):
    pictures = fresh_secret(request.session, learner)
    context = {
        "learner": learner,
        "pictures": [{"id": p, "label": PICTURES[p]} for p in pictures or []],
        "locked": selectors.learner_is_locked(learner=learner),
        "pin_form": pin_form or LearnerPinForm(),
        "page_title": learner.display_name,
        "header_title": learner.display_name,
        "header_icon": "user",
    }
    return TemplateResponse(request, "learning/admin/learner_access.html", context)


def learner_access(request, pk):
    """The code, the card, the PIN, and — right after creation or reset — the pictures."""
    return _access_page(request, _scoped_learner(request, pk))


@require_POST
def learner_reset(request, pk):
    """New pictures; the PIN stays, and the trainer is told so."""
    learner = _scoped_learner(request, pk)
    pictures = services.learner_password_reset(learner=learner)
    remember_fresh_secret(request.session, learner, pictures)
    message = _("Nouvelles images pour %(name)s.") % {"name": learner}
    if learner.pin:
        unchanged = _("Le code secret à 4 chiffres n'a pas changé.")
        message = f"{message} {unchanged}"
    messages.success(request, message)
    return redirect("learner_access", pk=learner.pk)


@require_POST
def learner_pin(request, pk):
    """A new PIN, or none ("Retirer le code secret"), from the access screen."""
    learner = _scoped_learner(request, pk)
    if "retirer" in request.POST:
        services.learner_pin_set(learner=learner, pin="")
        messages.success(request, _("Le code secret à 4 chiffres est retiré."))
        return redirect("learner_access", pk=learner.pk)
    form = LearnerPinForm(request.POST)
    if not form.is_valid():
        return _access_page(request, learner, pin_form=form)
    services.learner_pin_set(learner=learner, pin=form.cleaned_data["pin"])
    messages.success(
        request,
        _("Nouveau code secret enregistré pour %(name)s. Dites-le à la personne.")
        % {"name": learner},
    )
    return redirect("learner_access", pk=learner.pk)


@require_POST
def learner_unlock(request, pk):
    learner = _scoped_learner(request, pk)
    services.learner_unlock(learner=learner)
    messages.success(request, _("Le compte de %(name)s est débloqué.") % {"name": learner})
    return redirect("learner_access", pk=learner.pk)


def _cards_request(request):
    """The learners asked for (only the trainer's own), and the pictures to print."""
    ids = id_list_param(request.GET, "id")
    learners = list(
        selectors.learners_for_staff(user=request.user)
        .filter(pk__in=ids)
        .select_related("structure")
        .order_by("first_name")
    )
    secrets = {}
    if request.GET.get("mot_de_passe") == "1":
        for learner in learners:
            pictures = fresh_secret(request.session, learner)
            if pictures:
                secrets[learner.pk] = pictures
    return learners, secrets


def learner_cards(request):
    """The HTML print view: bank-card size, 10 per A4 page."""
    learners, secrets = _cards_request(request)
    pdf_url = f"{reverse('learner_cards_pdf')}?{request.GET.urlencode()}"
    response = HttpResponse(cards_html(learners, secrets=secrets, pdf_url=pdf_url))
    return private_no_store(response)


def learner_cards_pdf(request):
    learners, secrets = _cards_request(request)
    response = HttpResponse(cards_pdf(learners, secrets=secrets), content_type="application/pdf")
    response["Content-Disposition"] = 'inline; filename="cartes-pas-a-pas.pdf"'
    return private_no_store(response)


class XapiCredentialCreateView(CreateView):
    """The secret is shown once, in the success message; only its hash is kept."""

    def save_instance(self):
        import secrets

        credential = self.form.instance
        credential.key = secrets.token_hex(8)
        self.secret = secrets.token_urlsafe(24)
        credential.set_secret(self.secret)
        credential.save()
        return credential

    def get_success_message(self, instance):
        return _(
            "Accès créé. Identifiant : %(key)s — secret : %(secret)s "
            "(copiez-le maintenant, il ne sera plus montré)."
        ) % {"key": instance.key, "secret": self.secret}


class XapiCredentialViewSet(ModelViewSet):
    model = XapiCredential
    icon = "key"
    menu_label = gettext_lazy("Accès xAPI")
    menu_order = 900
    add_to_admin_menu = True
    url_prefix = "acces-xapi"
    add_view_class = XapiCredentialCreateView
    form_fields = ["name", "structure", "active"]
    list_display = ["name", "key", "structure", "active", "created_at"]
