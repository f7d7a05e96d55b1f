"""The learner file in the Wagtail admin: progress, attendance, referrals, trainer
notes, the GDPR export and erasure, and the attestations de suivi.

Custom views rather than a ModelViewSet for the notes: a note only exists inside
one learner's file, and who may read or edit it depends on its author and
visibility, not on a model permission alone. Every lookup goes through the
per-structure selectors: another structure's learner, group or note is a 404.

Data requests (export, erasure) are for structure managers (`learning.delete_learner`):
the export holds every note about the person, the "Moi seulement" ones too, so
a trainer exporting a file would read their colleagues' private notes.
"""

import json

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.html import strip_tags
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView, TemplateView
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.rich_text import DraftailRichTextArea
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from cms.cache import private_no_store

from . import attestations, selectors, services
from .models import Group, TrainerNote

VIEW_FILE = "learning.view_learner"
WRITE_NOTES = "learning.add_trainernote"
EDIT_NOTES = "learning.change_trainernote"
DATA_REQUESTS = "learning.delete_learner"
VIEW_GROUPS = "learning.view_group"
NOTE_FEATURES = ["bold", "ol", "ul", "link"]


@hooks.register("register_log_actions")
def register_erasure_log_action(actions):
    actions.register_action(
        services.LEARNER_ERASED, gettext_lazy("Effacer un apprenant"), gettext_lazy("Effacé")
    )


def scoped_learner(request, pk, permission=VIEW_FILE):
    """A learner of the user's structures (404 otherwise), if the user has `permission`."""
    learner = get_object_or_404(
        selectors.learners_for_staff(user=request.user).select_related("structure", "user"), pk=pk
    )
    if not request.user.has_perm(permission):
        raise PermissionDenied
    return learner


def _pdf_response(pdf, filename):
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return private_no_store(response)


class LearnerPageMixin(WagtailAdminTemplateMixin):
    """Admin furniture for the pages under a learner: header, breadcrumbs, no cache."""

    header_icon = "user"
    permission = VIEW_FILE

    def dispatch(self, request, *args, **kwargs):
        self.learner = scoped_learner(request, kwargs["pk"], self.permission)
        self.load_objects(request, **kwargs)
        return super().dispatch(request, *args, **kwargs)

    def load_objects(self, request, **kwargs):
        """What else the view needs from the URL, looked up before anything runs."""

    def get_breadcrumbs_items(self):
        items = [
            *self.breadcrumbs_items,
            {"url": reverse("learners:index"), "label": _("Apprenants")},
        ]
        if not isinstance(self, LearnerFileView):
            items.append(
                {
                    "url": reverse("learner_file", args=[self.learner.pk]),
                    "label": self.learner.display_name,
                }
            )
        return [*items, {"url": "", "label": self.get_page_title()}]

    def render_to_response(self, context, **kwargs):
        return private_no_store(super().render_to_response(context, **kwargs))


# --- The file ---------------------------------------------------------------------


class LearnerFileView(LearnerPageMixin, TemplateView):
    template_name = "learning/admin/learner_file.html"

    def get_page_title(self):
        return _("Dossier de %(name)s") % {"name": self.learner.display_name}

    def get_context_data(self, **kwargs):
        user = self.request.user
        return super().get_context_data(
            **kwargs,
            learner=self.learner,
            file=selectors.learner_file(learner=self.learner, user=user),
            can_write_notes=user.has_perm(WRITE_NOTES),
            can_edit_notes=user.has_perm(EDIT_NOTES),
            can_reset=user.has_perm("learning.change_learner"),
            can_answer_data_requests=user.has_perm(DATA_REQUESTS),
            can_see_groups=user.has_perm(VIEW_GROUPS),
        )


# --- Trainer notes ----------------------------------------------------------------


class NoteBodyWidget(DraftailRichTextArea):
    """Draftail, limited to bold, lists and links. It posts its content state as
    JSON and gives back HTML; a tampered post (not content state) is kept as
    posted text and cleaned by the service like any other, never a 500."""

    def get_context(self, name, value, attrs):
        # Draftail's text box gets its name from the field's label (Wagtail gives the
        # label the id "<field id>-label"), or screen readers announce a nameless box.
        context = super().get_context(name, value, attrs)
        widget_id = context["widget"]["attrs"].get("id")
        if widget_id:
            options = {**self.options, "ariaLabelledBy": f"{widget_id}-label"}
            context["widget"]["attrs"]["data-w-init-detail-value"] = json.dumps(
                options, cls=DjangoJSONEncoder
            )
        return context

    def value_from_datadict(self, data, files, name):
        try:
            return super().value_from_datadict(data, files, name)
        except (ValueError, TypeError, KeyError, AttributeError, IndexError):
            return data.get(name)


class NoteForm(forms.Form):
    body = forms.CharField(
        label=gettext_lazy("Note"),
        max_length=20000,
        widget=NoteBodyWidget(features=NOTE_FEATURES),
        help_text=gettext_lazy("Gras, listes et liens seulement."),
        error_messages={"required": gettext_lazy("Écrivez la note.")},
    )
    visibility = forms.ChoiceField(
        label=gettext_lazy("Qui peut lire la note ?"),
        choices=TrainerNote.Visibility.choices,
        initial=TrainerNote.Visibility.TEAM,
        widget=forms.RadioSelect,
        help_text=gettext_lazy(
            "« Moi seulement » : personne d'autre ne la voit dans le dossier, "
            "même pas les responsables. Mais si la personne demande ses données, "
            "elle reçoit toutes les notes, aussi celles-ci."
        ),
    )
    session = forms.ModelChoiceField(
        label=gettext_lazy("Séance (facultatif)"),
        queryset=TrainerNote.objects.none(),
        required=False,
        empty_label=gettext_lazy("Aucune séance"),
        help_text=gettext_lazy("Les séances des groupes de la personne."),
    )

    def __init__(self, *args, learner, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["session"].queryset = selectors.note_sessions_for(learner=learner)
        self.fields["session"].label_from_instance = lambda session: (
            f"{session.date:%d/%m/%Y} · {session.start_time:%H:%M} · {session.group.name}"
        )

    def clean_body(self):
        body = self.cleaned_data["body"] or ""
        if not strip_tags(body).strip():
            raise ValidationError(_("Écrivez la note."))
        return body


class NoteFormMixin(LearnerPageMixin):
    template_name = "learning/admin/note_form.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "learner": self.learner}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["media"] = context["form"].media
        context["submit_button_label"] = _("Enregistrer la note")
        context["submit_button_active_label"] = _("Enregistrement…")
        context["learner"] = self.learner
        return context

    def get_success_url(self):
        return reverse("learner_file", args=[self.learner.pk]) + "#notes"

    def form_valid(self, form):
        try:
            self.save(form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(self.request, _("La note est enregistrée."))
        return redirect(self.get_success_url())


class NoteCreateView(NoteFormMixin, FormView):
    permission = WRITE_NOTES
    form_class = NoteForm

    def get_page_title(self):
        return _("Nouvelle note")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["action_url"] = reverse("learner_note_create", args=[self.learner.pk])
        return context

    def save(self, data):
        services.note_create(
            learner=self.learner,
            author=self.request.user,
            body=data["body"],
            visibility=data["visibility"],
            session=data["session"],
        )


class NoteEditView(NoteFormMixin, FormView):
    """Only the author edits. A note the user can't read is a 404; a colleague's
    team note is a 403."""

    permission = EDIT_NOTES
    form_class = NoteForm

    def load_objects(self, request, **kwargs):
        self.note = get_object_or_404(
            selectors.notes_visible_to(user=request.user, learner=self.learner),
            pk=kwargs["note_pk"],
        )
        if self.note.author_id != request.user.pk:
            raise PermissionDenied

    def get_page_title(self):
        return _("Modifier la note")

    def get_initial(self):
        return {
            "body": self.note.body,
            "visibility": self.note.visibility,
            "session": self.note.session_id,
        }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["action_url"] = reverse("learner_note_edit", args=[self.learner.pk, self.note.pk])
        context["note"] = self.note
        context["versions"] = list(self.note.versions.all())
        return context

    def save(self, data):
        services.note_update(
            note=self.note,
            editor=self.request.user,
            body=data["body"],
            visibility=data["visibility"],
            session=data["session"],
        )


# --- The right of access and the right to erasure ---------------------------------


def learner_export_json(request, pk):
    learner = scoped_learner(request, pk, DATA_REQUESTS)
    data = selectors.learner_data_export(learner=learner)
    response = HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="donnees-{learner.code_id}.json"'
    return private_no_store(response)


def learner_export_pdf(request, pk):
    learner = scoped_learner(request, pk, DATA_REQUESTS)
    return _pdf_response(attestations.learner_export_pdf(learner), f"donnees-{learner.code_id}.pdf")


class EraseForm(forms.Form):
    first_name = forms.CharField(
        label=gettext_lazy("Pour confirmer, écrivez le prénom de la personne"),
        max_length=60,
    )

    def __init__(self, *args, learner, **kwargs):
        super().__init__(*args, **kwargs)
        self.learner = learner

    def clean_first_name(self):
        typed = self.cleaned_data["first_name"].strip().casefold()
        if typed != self.learner.first_name.strip().casefold():
            raise ValidationError(_("Ce n'est pas le prénom de la personne. Rien n'est effacé."))
        return typed


class LearnerEraseView(LearnerPageMixin, FormView):
    permission = DATA_REQUESTS
    form_class = EraseForm
    template_name = "learning/admin/learner_erase.html"

    def get_page_title(self):
        return _("Effacer le compte")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "learner": self.learner}

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs, learner=self.learner)

    def form_valid(self, form):
        services.learner_erase(learner=self.learner, by=self.request.user)
        messages.success(
            self.request,
            _("Le compte est effacé, avec toutes ses données. Son code ne sera jamais redonné."),
        )
        return redirect("learners:index")


# --- Attestations de suivi ----------------------------------------------------------


def _place(request):
    """The town written on the attestation ("Fait à …"), optional, plain text."""
    return " ".join(request.GET.get("lieu", "").split())[:80]


def learner_attestation(request, pk):
    learner = scoped_learner(request, pk)
    pdf = attestations.learner_attestation_pdf(learner, place=_place(request))
    return _pdf_response(pdf, f"attestation-{learner.code_id}.pdf")


def group_attestations(request, pk):
    """One page per learner of the group, for the group's parcours and sessions."""
    if not request.user.has_perm(VIEW_GROUPS):
        raise PermissionDenied
    group = get_object_or_404(
        Group.objects.filter(
            structure__in=selectors.structures_for_staff(user=request.user)
        ).select_related("structure", "parcours"),
        pk=pk,
    )
    pdf = attestations.group_attestations_pdf(group, place=_place(request))
    return _pdf_response(pdf, f"attestations-groupe-{group.pk}.pdf")
