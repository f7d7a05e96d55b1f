"""The trainer space in the Wagtail admin: groups, sessions (séances), attendance,
referral partners and referrals.

Wagtail's ModelViewSets give the listings, filters, search, CSV/XLSX exports,
history and Django-permission checks. Every view is scoped to the structures the
user is a member of (superusers: all): listings start from the `*_for_staff`
selectors, and every view on one object fetches it from the same scoped queryset,
so another structure's id is a 404. Form choices are scoped the same way.

Custom views where a generic one can't serve: bulk creation of a group's
learners (with their cards), the attendance screen and the attendance sheet PDF.
"""

import django_filters
from django import forms
from django.contrib.admin.utils import quote, unquote
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import ProtectedError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import translation
from django.utils.functional import cached_property
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST
from wagtail.admin import messages
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.ui.tables import Column, DateColumn, TitleColumn
from wagtail.admin.views.generic import history, usage
from wagtail.admin.views.generic.models import (
    CreateView,
    DeleteView,
    EditView,
    IndexView,
    InspectView,
)
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import Button
from wagtail.models import Page

from cms.cache import private_no_store
from cms.params import (
    IdChoiceField,
    IdChoiceFilter,
    IdMultipleChoiceField,
    id_list_param,
    id_param,
    parse_int,
)
from modules.models import LessonPage, ParcoursPage

from . import selectors, services
from .cards import fresh_secret, remember_fresh_secret
from .models import Attendance, Group, Learner, Partner, Referral, TrainingSession
from .pdf import html_to_pdf
from .pictures import PICTURES

# The scoped queryset of each model, for a staff user.
STAFF_SCOPES = {
    Group: selectors.groups_for_staff,
    TrainingSession: selectors.training_sessions_for_staff,
    Partner: selectors.partners_for_staff,
    Referral: selectors.referrals_for_staff,
}


def staff_display_name(user):
    return user.get_full_name() or user.username


def _time(value):
    return value.strftime("%H:%M") if value else ""


# --- Scoped generic views -----------------------------------------------------------


class StaffScopedMixin:
    """One object, fetched from the user's scoped queryset: another structure's id is a 404.

    Used by the edit, delete, inspect, history and usage views (all of them fetch
    their object through `get_object`, before any permission check).
    """

    related = ()  # relations the view shows, fetched with the object

    def scoped_queryset(self):
        return STAFF_SCOPES[self.model](user=self.request.user)

    def get_object(self, queryset=None):
        queryset = self.scoped_queryset()
        if self.related:  # select_related() without names would follow every relation
            queryset = queryset.select_related(*self.related)
        return get_object_or_404(queryset, pk=unquote(str(self.kwargs[self.pk_url_kwarg])))


class ScopedIndexView(IndexView):
    # CSV exports make formulas inert for every view: see learning.exports.

    def get_base_queryset(self):
        return STAFF_SCOPES[self.model](user=self.request.user)

    def title_links_to_inspect(self, field_name, column_class=TitleColumn, **kwargs):
        """A title column linking to the object's page (inspect view), with the row buttons."""
        column_class = self._get_title_column_class(column_class)
        return self._get_custom_column(
            field_name, column_class, get_url=self.get_inspect_url, **kwargs
        )


class ScopedEditView(StaffScopedMixin, EditView):
    pass


class ScopedDeleteView(StaffScopedMixin, DeleteView):
    pass


class ScopedInspectView(StaffScopedMixin, InspectView):
    def get_field_display_value(self, field_name, field):
        value = super().get_field_display_value(field_name, field)
        return "—" if value is None or value == "" else value


class ToObjectPageOnSuccess:
    """After saving, go to the object's page (its actions are there), not the listing."""

    inspect_url_name = None  # given by the viewset

    def get_success_url(self):
        return reverse(self.inspect_url_name, args=[quote(self.object.pk)])


class ScopedHistoryView(StaffScopedMixin, history.HistoryView):
    pass


class ScopedUsageView(StaffScopedMixin, usage.UsageView):
    pass


class StaffScopedViewSet(ModelViewSet):
    """A ModelViewSet whose every view sees only the user's structures."""

    add_to_admin_menu = True
    copy_view_enabled = False  # a copy would start from an unscoped object
    index_view_class = ScopedIndexView
    edit_view_class = ScopedEditView
    delete_view_class = ScopedDeleteView
    inspect_view_class = ScopedInspectView
    history_view_class = ScopedHistoryView
    usage_view_class = ScopedUsageView
    form_class = None

    def get_form_class(self, for_update=False):
        return self.form_class


# --- Forms (every choice scoped to the user's structures) ----------------------------


class StaffChoiceField(IdMultipleChoiceField):
    def label_from_instance(self, obj):
        return staff_display_name(obj)


class StaffScopedForm(WagtailAdminModelForm):
    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, for_user=for_user, **kwargs)
        self.structures = selectors.structures_for_staff(user=for_user)
        if "structure" in self.fields:
            self.fields["structure"].queryset = self.structures


class GroupForm(StaffScopedForm):
    parcours = IdChoiceField(
        label=gettext_lazy("Parcours"), queryset=ParcoursPage.objects.none(), required=False
    )
    trainers = StaffChoiceField(
        label=gettext_lazy("Formateurs"),
        queryset=get_user_model().objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("Les formateurs et responsables de la structure."),
    )
    learners = IdMultipleChoiceField(
        label=gettext_lazy("Apprenants"),
        queryset=Learner.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy(
            "Les apprenants de la structure. Pour créer de nouveaux comptes d'un coup, "
            "enregistrez le groupe puis choisissez « Créer des apprenants »."
        ),
    )

    class Meta:
        model = Group
        fields = ["name", "structure", "parcours", "trainers", "learners", "start_date", "end_date"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        parcours = ParcoursPage.objects.live()
        if self.instance.parcours_id:  # keep a parcours unpublished since
            parcours = parcours | ParcoursPage.objects.filter(pk=self.instance.parcours_id)
        self.fields["parcours"].queryset = parcours.order_by("title")
        self.fields["trainers"].queryset = selectors.staff_of_structures(structures=self.structures)
        self.fields["learners"].queryset = Learner.objects.filter(
            structure__in=self.structures
        ).order_by("first_name", "last_initial", "pk")

    def clean(self):
        data = super().clean()
        structure = data.get("structure")
        if structure is not None:
            trainers = data.get("trainers") or []
            members = set(
                structure.members.filter(pk__in=[t.pk for t in trainers]).values_list(
                    "pk", flat=True
                )
            )
            outsiders = [staff_display_name(t) for t in trainers if t.pk not in members]
            if outsiders:
                self.add_error(
                    "trainers",
                    _("Ne fait pas partie de cette structure : %(names)s.")
                    % {"names": ", ".join(outsiders)},
                )
            others = [
                str(each)
                for each in data.get("learners") or []
                if each.structure_id != structure.pk
            ]
            if others:
                self.add_error(
                    "learners",
                    _("Apprenant d'une autre structure : %(names)s.")
                    % {"names": ", ".join(others)},
                )
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("La fin doit venir après le début."))
        return data


class LessonChoiceField(forms.ModelMultipleChoiceField):
    """Lessons labelled "Module › Lesson": many lessons share short titles."""

    module_titles = {}

    def label_from_instance(self, obj):
        module = self.module_titles.get(obj.path[: -LessonPage.steplen])
        return f"{module} › {obj.title}" if module else obj.title


class TrainingSessionForm(StaffScopedForm):
    group = forms.ModelChoiceField(label=gettext_lazy("Groupe"), queryset=Group.objects.none())
    planned_lessons = LessonChoiceField(
        label=gettext_lazy("Leçons prévues"),
        help_text=gettext_lazy("Les leçons du parcours du groupe."),
        queryset=LessonPage.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "invalid_choice": gettext_lazy("Cette leçon ne fait pas partie du parcours du groupe.")
        },
    )

    class Meta:
        model = TrainingSession
        fields = ["group", "date", "start_time", "end_time", "place", "planned_lessons"]

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, for_user=for_user, **kwargs)
        # Archived groups take no new séance; a séance of one keeps its group.
        groups = selectors.active_groups_for_staff(user=for_user)
        if self.instance.group_id:
            groups = groups | selectors.groups_for_staff(user=for_user).filter(
                pk=self.instance.group_id
            )
        groups = groups.order_by("name")
        self.fields["group"].queryset = groups
        lessons = self._lessons_to_offer(groups)
        self.fields["planned_lessons"].queryset = lessons
        self.fields["planned_lessons"].module_titles = dict(
            Page.objects.filter(
                path__in=[
                    path[: -LessonPage.steplen] for path in lessons.values_list("path", flat=True)
                ]
            ).values_list("path", "title")
        )

    def _lessons_to_offer(self, groups):
        """The lessons of the chosen group's parcours (the one posted, the séance's or the
        one the form starts with); before a group is chosen, those of all the user's
        groups. Lessons already planned stay, even if the parcours changed since."""
        if self.is_bound:
            group_id = self.data.get(self.add_prefix("group"))
        else:
            group_id = self.instance.group_id or getattr(self.initial.get("group"), "pk", None)
        group_id = group_id if isinstance(group_id, int) else parse_int(group_id, minimum=1)
        chosen = groups.filter(pk=group_id) if group_id else groups.none()
        parcours_ids = (chosen if chosen.exists() else groups).values("parcours_id")
        lessons = selectors.parcours_lessons(parcours_ids=parcours_ids)
        if self.instance.pk:
            lessons = lessons | LessonPage.objects.filter(
                pk__in=self.instance.planned_lessons.values("pk")
            )
        return lessons.order_by("path")

    def clean(self):
        data = super().clean()
        start, end = data.get("start_time"), data.get("end_time")
        if start and end and end <= start:
            self.add_error("end_time", _("La fin doit venir après le début."))
        return data


class PartnerForm(StaffScopedForm):
    class Meta:
        model = Partner
        fields = ["name", "kind", "structure"]


class ReferralForm(StaffScopedForm):
    learner = forms.ModelChoiceField(
        label=gettext_lazy("Apprenant"), queryset=Learner.objects.none()
    )
    partner = forms.ModelChoiceField(
        label=gettext_lazy("Partenaire"), queryset=Partner.objects.none()
    )

    class Meta:
        model = Referral
        fields = ["learner", "partner", "referent_name", "referent_contact", "date", "needs"]

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, for_user=for_user, **kwargs)
        self.fields["learner"].queryset = selectors.learners_for_staff(user=for_user).order_by(
            "first_name", "last_initial", "pk"
        )
        self.fields["partner"].queryset = selectors.partners_for_staff(user=for_user)

    def clean(self):
        data = super().clean()
        learner, partner = data.get("learner"), data.get("partner")
        if learner and partner and learner.structure_id != partner.structure_id:
            self.add_error(
                "partner",
                _(
                    "Ce partenaire n'est pas de la structure de l'apprenant. "
                    "Choisissez un partenaire de la même structure."
                ),
            )
        return data


# --- Filters (their choices are scoped too) -------------------------------------------


def _staff_structures(request):
    return selectors.structures_for_staff(user=request.user)


def _staff_groups(request):
    return selectors.groups_for_staff(user=request.user).order_by("name")


def _staff_partners(request):
    return selectors.partners_for_staff(user=request.user)


def _live_parcours(request):
    return ParcoursPage.objects.live().order_by("title")


class GroupFilterSet(WagtailFilterSet):
    structure = django_filters.ModelChoiceFilter(
        label=gettext_lazy("Structure"), queryset=_staff_structures
    )
    parcours = IdChoiceFilter(label=gettext_lazy("Parcours"), queryset=_live_parcours)
    start_date = django_filters.DateFromToRangeFilter(
        label=gettext_lazy("Début"), widget=DateRangePickerWidget
    )
    # Without it, the listing shows the groups in use (GroupIndexView.filter_queryset).
    archived = django_filters.ChoiceFilter(
        label=gettext_lazy("Groupes archivés"),
        choices=[("oui", gettext_lazy("Oui"))],
        empty_label=gettext_lazy("Non"),
        widget=forms.RadioSelect,
        method="filter_archived",
    )

    class Meta:
        model = Group
        fields = []

    def filter_archived(self, queryset, name, value):
        return queryset.filter(archived_at__isnull=False)


class TrainingSessionFilterSet(WagtailFilterSet):
    group = django_filters.ModelChoiceFilter(label=gettext_lazy("Groupe"), queryset=_staff_groups)
    date = django_filters.DateFromToRangeFilter(
        label=gettext_lazy("Date"), widget=DateRangePickerWidget
    )

    class Meta:
        model = TrainingSession
        fields = []


class PartnerFilterSet(WagtailFilterSet):
    kind = django_filters.ChoiceFilter(
        label=gettext_lazy("Type"),
        choices=Partner.Kind.choices,
        widget=forms.RadioSelect,
        empty_label=gettext_lazy("Tous"),
    )
    structure = django_filters.ModelChoiceFilter(
        label=gettext_lazy("Structure"), queryset=_staff_structures
    )

    class Meta:
        model = Partner
        fields = []


class ReferralFilterSet(WagtailFilterSet):
    partner = django_filters.ModelChoiceFilter(
        label=gettext_lazy("Partenaire"), queryset=_staff_partners
    )
    date = django_filters.DateFromToRangeFilter(
        label=gettext_lazy("Date d'orientation"), widget=DateRangePickerWidget
    )

    class Meta:
        model = Referral
        fields = []


# --- Partners and referrals -------------------------------------------------------------


class PartnerViewSet(StaffScopedViewSet):
    model = Partner
    icon = "site"
    menu_label = gettext_lazy("Partenaires")
    menu_order = 206
    url_prefix = "partenaires"
    form_class = PartnerForm
    filterset_class = PartnerFilterSet
    search_fields = ["name"]
    list_display = ["name", "kind", "structure"]
    list_export = ["name", "get_kind_display", "structure"]
    export_headings = {"name": gettext_lazy("Partenaire"), "get_kind_display": gettext_lazy("Type")}
    export_filename = "partenaires"


class ReferralIndexView(ScopedIndexView):
    def get_base_queryset(self):
        return (
            super().get_base_queryset().select_related("learner", "partner", "learner__structure")
        )


class ReferralCreateView(CreateView):
    def save_instance(self):
        self.form.instance.created_by = self.request.user
        return super().save_instance()


class ReferralViewSet(StaffScopedViewSet):
    model = Referral
    icon = "doc-full"
    menu_label = gettext_lazy("Orientations")
    menu_order = 205
    url_prefix = "orientations"
    index_view_class = ReferralIndexView
    add_view_class = ReferralCreateView
    form_class = ReferralForm
    filterset_class = ReferralFilterSet
    search_fields = ["learner__first_name", "partner__name", "referent_name"]
    list_display = [
        "learner",
        "partner",
        "referent_name",
        DateColumn("date", label=gettext_lazy("Date"), sort_key="date"),
    ]
    list_export = [
        "learner",
        "learner.structure",
        "partner",
        "partner.get_kind_display",
        "referent_name",
        "referent_contact",
        "date",
        "needs",
    ]
    export_headings = {
        "learner": gettext_lazy("Apprenant"),
        "learner.structure": gettext_lazy("Structure"),
        "partner": gettext_lazy("Partenaire"),
        "partner.get_kind_display": gettext_lazy("Type de partenaire"),
        "referent_name": gettext_lazy("Nom du référent"),
        "referent_contact": gettext_lazy("Contact du référent"),
        "date": gettext_lazy("Date d'orientation"),
        "needs": gettext_lazy("Besoins"),
    }
    export_filename = "orientations"


# --- Groups ----------------------------------------------------------------------------


def _next_session(group):
    if group.next_session_date is None:
        return "—"
    return f"{group.next_session_date:%d/%m/%Y} {_time(group.next_session_start)}"


class GroupIndexView(ScopedIndexView):
    def get_base_queryset(self):
        queryset = selectors.groups_listing(user=self.request.user)
        if self.is_export:
            queryset = queryset.prefetch_related("trainers")
        return queryset

    def _get_title_column(self, field_name, column_class=TitleColumn, **kwargs):
        return self.title_links_to_inspect(field_name, column_class, **kwargs)

    def filter_queryset(self, queryset):
        """Archived groups only when the filter asks for them (even if another filter
        of the form is invalid)."""
        queryset = super().filter_queryset(queryset)
        filters = self.filters
        if not (filters and filters.is_valid() and filters.form.cleaned_data.get("archived")):
            queryset = queryset.filter(archived_at__isnull=True)
        return queryset

    def to_row_dict(self, item):
        item.trainer_names = ", ".join(staff_display_name(t) for t in item.trainers.all())
        return super().to_row_dict(item)

    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        if self.request.user.has_perms(BULK_CREATE_PERMISSIONS):
            buttons.append(
                Button(
                    _("Créer des apprenants"),
                    url=reverse("group_learners_bulk_create", args=[instance.pk]),
                    icon_name="user",
                    priority=5,
                )
            )
        return buttons


class GroupCreateView(ToObjectPageOnSuccess, CreateView):
    pass


class GroupEditView(ToObjectPageOnSuccess, ScopedEditView):
    pass


class HistoryKeepingDeleteView(ScopedDeleteView):
    """Delete only what holds no attendance: attended hours stay in attestations and
    reports. The delete page says why instead of offering to delete, a forced POST
    is refused, and the database protects the rows too (PROTECT foreign keys)."""

    inspect_url_name = None  # where the refusal sends the user back

    def kept_count(self):
        """How many rows make the object worth keeping (0: it may be deleted)."""
        raise NotImplementedError

    def refusal(self, count):
        raise NotImplementedError

    @cached_property
    def kept(self):
        return self.kept_count()

    @property
    def inspect_url(self):
        return reverse(self.inspect_url_name, args=[quote(self.object.pk)])

    def _refuse(self, count):
        messages.error(self.request, self.refusal(count))
        return redirect(self.inspect_url)

    def form_valid(self, form):
        if self.kept:
            return self._refuse(self.kept)
        try:
            return super().form_valid(form)
        except ProtectedError:  # something to keep was added meanwhile
            return self._refuse(self.kept_count())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            kept_count=self.kept,
            refusal=self.refusal(self.kept) if self.kept else "",
            inspect_url=self.inspect_url,
        )
        return context


class GroupDeleteView(HistoryKeepingDeleteView):
    """A group that has séances is never deleted: that would drop their attendance.
    Its delete page offers "Archiver" instead."""

    template_name = "learning/admin/group_confirm_delete.html"
    inspect_url_name = "trainer_groups:inspect"

    def kept_count(self):
        return self.object.sessions.count()

    def refusal(self, count):
        return ngettext(
            "Ce groupe a %(count)s séance. Le supprimer effacerait ses présences. "
            "Archivez-le plutôt.",
            "Ce groupe a %(count)s séances. Le supprimer effacerait leurs présences. "
            "Archivez-le plutôt.",
            count,
        ) % {"count": count}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_archive"] = (
            self.request.user.has_perm("learning.change_group") and not self.object.is_archived
        )
        return context


class GroupInspectView(ScopedInspectView):
    page_title = gettext_lazy("Groupe")
    related = ("structure", "parcours")

    def get_trainers_display_value(self):
        return ", ".join(staff_display_name(t) for t in self.object.trainers.all()) or "—"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        group = self.object
        learners = list(group.learners.select_related("code").order_by("first_name", "pk"))
        hours = selectors.learner_hours_attended(learners=learners, group=group)
        user = self.request.user
        context.update(
            learners=[{"learner": each, "hours": hours[each.pk]} for each in learners],
            sessions=selectors.group_sessions_summary(group=group),
            can_bulk_create=user.has_perms(BULK_CREATE_PERMISSIONS),
            can_add_session=user.has_perm("learning.add_trainingsession"),
            can_take_attendance=user.has_perm("learning.change_attendance"),
            can_archive=user.has_perm("learning.change_group"),
            cards_query=urlencode({"id": [each.pk for each in learners]}, doseq=True),
        )
        return context


class GroupViewSet(StaffScopedViewSet):
    model = Group
    icon = "group"
    menu_label = gettext_lazy("Groupes")
    menu_order = 201
    url_prefix = "groupes"
    index_view_class = GroupIndexView
    add_view_class = GroupCreateView
    edit_view_class = GroupEditView
    delete_view_class = GroupDeleteView
    inspect_view_class = GroupInspectView
    inspect_view_enabled = True
    inspect_view_fields = ["structure", "parcours", "trainers", "start_date", "end_date"]
    inspect_template_name = "learning/admin/group_inspect.html"
    form_class = GroupForm
    filterset_class = GroupFilterSet
    search_fields = ["name"]
    list_display = [
        "name",
        "structure",
        "parcours",
        Column("learner_count", label=gettext_lazy("Apprenants"), sort_key="learner_count"),
        Column(
            "next_session",
            label=gettext_lazy("Prochaine séance"),
            accessor=_next_session,
            sort_key="next_session_date",
        ),
    ]
    list_export = [
        "name",
        "structure",
        "parcours",
        "trainer_names",
        "learner_count",
        "start_date",
        "end_date",
        "next_session_date",
    ]
    export_headings = {
        "name": gettext_lazy("Groupe"),
        "trainer_names": gettext_lazy("Formateurs"),
        "learner_count": gettext_lazy("Apprenants"),
        "next_session_date": gettext_lazy("Prochaine séance"),
    }
    export_filename = "groupes"


# --- Sessions ----------------------------------------------------------------------------


def _attendance_count(session):
    if not session.recorded_count:
        return "—"
    return f"{session.attended_count} / {session.recorded_count}"


class TrainingSessionIndexView(ScopedIndexView):
    def get_base_queryset(self):
        return selectors.training_sessions_listing(user=self.request.user)

    def _get_title_column(self, field_name, column_class=TitleColumn, **kwargs):
        return self.title_links_to_inspect(field_name, column_class, **kwargs)

    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        if self.request.user.has_perm("learning.change_attendance"):
            buttons.append(
                Button(
                    _("Présences"),
                    url=reverse("session_attendance", args=[instance.pk]),
                    icon_name="tick",
                    priority=5,
                )
            )
        buttons.append(
            Button(
                _("Feuille d'émargement (PDF)"),
                url=reverse("session_attendance_sheet", args=[instance.pk]),
                icon_name="doc-full",
                priority=6,
            )
        )
        return buttons


class TrainingSessionCreateView(ToObjectPageOnSuccess, CreateView):
    def get_initial(self):
        """?groupe=<id> (from a group's page) picks the group, if it is the user's."""
        initial = super().get_initial()
        group_id = id_param(self.request.GET, "groupe")
        if group_id:
            group = (
                selectors.active_groups_for_staff(user=self.request.user)
                .filter(pk=group_id)
                .first()
            )
            if group is not None:
                initial["group"] = group
        return initial


class TrainingSessionEditView(ToObjectPageOnSuccess, ScopedEditView):
    pass


class TrainingSessionInspectView(ScopedInspectView):
    page_title = gettext_lazy("Séance")
    related = ("group", "group__structure")

    def get_start_time_display_value(self):
        return _time(self.object.start_time)

    def get_end_time_display_value(self):
        return _time(self.object.end_time)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        session = self.object
        rows = selectors.session_attendance_rows(session=session)
        hours = selectors.learner_hours_attended(
            learners=[row.learner for row in rows], group=session.group
        )
        labels = dict(Attendance.Status.choices)
        context.update(
            rows=[
                {
                    "learner": row.learner,
                    "status": labels.get(row.status, ""),
                    "hours": hours[row.learner.pk],
                }
                for row in rows
            ],
            can_take_attendance=self.request.user.has_perm("learning.change_attendance"),
        )
        return context


class TrainingSessionDeleteView(HistoryKeepingDeleteView):
    """A séance whose attendance was taken is never deleted; one planned by mistake
    (no attendance yet) still can be."""

    template_name = "learning/admin/session_confirm_delete.html"
    inspect_url_name = "training_sessions:inspect"

    def kept_count(self):
        return self.object.attendances.count()

    def refusal(self, count):
        return ngettext(
            "Cette séance a %(count)s présence notée. La supprimer retirerait des heures "
            "des attestations et des rapports.",
            "Cette séance a %(count)s présences notées. La supprimer retirerait des heures "
            "des attestations et des rapports.",
            count,
        ) % {"count": count}


class TrainingSessionViewSet(StaffScopedViewSet):
    model = TrainingSession
    icon = "date"
    menu_label = gettext_lazy("Séances")
    menu_order = 202
    url_prefix = "seances"
    index_view_class = TrainingSessionIndexView
    add_view_class = TrainingSessionCreateView
    edit_view_class = TrainingSessionEditView
    delete_view_class = TrainingSessionDeleteView
    inspect_view_class = TrainingSessionInspectView
    inspect_view_enabled = True
    inspect_view_fields = ["group", "date", "start_time", "end_time", "place", "planned_lessons"]
    inspect_template_name = "learning/admin/session_inspect.html"
    form_class = TrainingSessionForm
    filterset_class = TrainingSessionFilterSet
    search_fields = ["place", "group__name"]
    list_display = [
        "__str__",
        "group",
        DateColumn("date", label=gettext_lazy("Date"), sort_key="date"),
        Column("start_time", label=gettext_lazy("Début"), accessor=lambda s: _time(s.start_time)),
        Column("end_time", label=gettext_lazy("Fin"), accessor=lambda s: _time(s.end_time)),
        "place",
        Column("attendance", label=gettext_lazy("Présents"), accessor=_attendance_count),
    ]
    list_export = [
        "group",
        "group.structure",
        "date",
        "start_time",
        "end_time",
        "place",
        "duration_hours",
        "attended_count",
        "recorded_count",
    ]
    export_headings = {
        "group": gettext_lazy("Groupe"),
        "group.structure": gettext_lazy("Structure"),
        "duration_hours": gettext_lazy("Durée (heures)"),
        "attended_count": gettext_lazy("Présents"),
        "recorded_count": gettext_lazy("Présences notées"),
    }
    export_filename = "seances"


# --- Bulk creation of a group's learners ----------------------------------------------

BULK_CREATE_PERMISSIONS = ("learning.add_learner", "learning.change_group")


def _staff_group(request, pk, permissions):
    """The user's group (404 for another structure's), if they hold `permissions` (403)."""
    group = get_object_or_404(
        selectors.groups_for_staff(user=request.user).select_related("structure"), pk=pk
    )
    if not request.user.has_perms(permissions):
        raise PermissionDenied
    return group


def _breadcrumbs(*items):
    return [{"url": url, "label": label} for url, label in items]


def _group_breadcrumbs(group, label):
    return _breadcrumbs(
        (reverse("trainer_groups:index"), _("Groupes")),
        (reverse("trainer_groups:inspect", args=[quote(group.pk)]), group.name),
        ("", label),
    )


class BulkLearnersForm(forms.Form):
    names = forms.CharField(
        label=gettext_lazy("Prénoms, un par ligne"),
        widget=forms.Textarea(attrs={"rows": 12, "spellcheck": "false", "autocomplete": "off"}),
        max_length=3000,
        error_messages={"required": gettext_lazy("Écrivez au moins un prénom, un par ligne.")},
        help_text=gettext_lazy(
            "20 personnes au plus. Vous pouvez ajouter l'initiale du nom : « Fatou D ». "
            "Les lignes vides ne comptent pas."
        ),
    )


def group_learners_bulk_create(request, pk):
    """ "Créer des apprenants": up to 20 first names, one per line, in one go."""
    group = _staff_group(request, pk, BULK_CREATE_PERMISSIONS)
    form = BulkLearnersForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            created = services.group_learners_bulk_create(
                group=group, lines=form.cleaned_data["names"], created_by=request.user
            )
        except ValidationError as error:
            form.add_error("names", error)
        else:
            for learner, pictures in created:
                remember_fresh_secret(request.session, learner, pictures)
            messages.success(
                request,
                ngettext(
                    "%(count)s compte créé dans le groupe « %(group)s ».",
                    "%(count)s comptes créés dans le groupe « %(group)s ».",
                    len(created),
                )
                % {"count": len(created), "group": group.name},
            )
            ids = urlencode({"id": [learner.pk for learner, _pictures in created]}, doseq=True)
            return redirect(f"{reverse('group_learners_created', args=[group.pk])}?{ids}")
    title = _("Créer des apprenants")
    context = {
        "group": group,
        "form": form,
        "max": services.BULK_LEARNERS_MAX,
        "page_title": title,
        "header_title": title,
        "header_icon": "user",
        "breadcrumbs_items": _group_breadcrumbs(group, title),
    }
    return TemplateResponse(request, "learning/admin/group_learners_bulk_create.html", context)


def group_learners_created(request, pk):
    """The new learners' codes and pictures, while they are fresh, and their cards."""
    group = _staff_group(request, pk, BULK_CREATE_PERMISSIONS)
    ids = id_list_param(request.GET, "id")
    learners = list(
        group.learners.filter(pk__in=ids).select_related("code").order_by("first_name", "pk")
    )
    rows = []
    for learner in learners:
        pictures = fresh_secret(request.session, learner) or []
        rows.append(
            {"learner": learner, "pictures": [{"id": p, "label": PICTURES[p]} for p in pictures]}
        )
    title = _("Nouveaux apprenants")
    context = {
        "group": group,
        "rows": rows,
        "any_pictures": any(row["pictures"] for row in rows),
        "ids": [learner.pk for learner in learners],
        "page_title": title,
        "header_title": title,
        "header_icon": "user",
        "breadcrumbs_items": _group_breadcrumbs(group, title),
    }
    response = TemplateResponse(request, "learning/admin/group_learners_created.html", context)
    return private_no_store(response)  # the pictures are a secret


# --- Archiving a group ------------------------------------------------------------------


@require_POST
def group_archive(request, pk):
    """ "Archiver": the group leaves listings and dashboards; its séances stay."""
    group = _staff_group(request, pk, ("learning.change_group",))
    services.group_archive(group=group, by=request.user)
    messages.success(
        request,
        _("Le groupe « %(name)s » est archivé. Ses séances et ses présences sont gardées.")
        % {"name": group.name},
    )
    return redirect("trainer_groups:inspect", quote(group.pk))


@require_POST
def group_unarchive(request, pk):
    group = _staff_group(request, pk, ("learning.change_group",))
    services.group_unarchive(group=group, by=request.user)
    messages.success(
        request, _("Le groupe « %(name)s » n'est plus archivé.") % {"name": group.name}
    )
    return redirect("trainer_groups:inspect", quote(group.pk))


# --- Attendance ---------------------------------------------------------------------------

ATTENDANCE_PERMISSIONS = ("learning.add_attendance", "learning.change_attendance")


def _staff_session(request, pk, permissions=()):
    session = get_object_or_404(
        selectors.training_sessions_for_staff(user=request.user).select_related(
            "group", "group__structure"
        ),
        pk=pk,
    )
    if not request.user.has_perms(permissions):
        raise PermissionDenied
    return session


def _status_field(learner):
    return f"status_{learner.pk}"


def session_attendance(request, pk):
    """The attendance screen: one row of four big buttons per learner.

    Without JavaScript it is one form ("Enregistrer"); with htmx each tap is saved
    at once by `session_attendance_record`. "Tous présents" marks everyone not
    recorded yet as present.
    """
    session = _staff_session(request, pk, ATTENDANCE_PERMISSIONS)
    if request.method == "POST":
        learners = session.group.learners.all()
        statuses = {
            learner: request.POST[_status_field(learner)]
            for learner in learners
            if request.POST.get(_status_field(learner)) in Attendance.Status.values
        }
        services.attendance_record_many(
            session=session, statuses=statuses, recorded_by=request.user
        )
        if request.POST.get("action") == "tous-presents":
            services.attendance_all_present(session=session, recorded_by=request.user)
        messages.success(request, _("Présences enregistrées."))
        return redirect("session_attendance", pk=session.pk)
    rows = selectors.session_attendance_rows(session=session)
    title = _("Présences")
    context = {
        "session": session,
        "rows": rows,
        "statuses": Attendance.Status.choices,
        "recorded": sum(1 for row in rows if row.status),
        "page_title": title,
        "header_title": title,
        "header_icon": "tick",
        "breadcrumbs_items": _breadcrumbs(
            (reverse("training_sessions:index"), _("Séances")),
            (reverse("training_sessions:inspect", args=[quote(session.pk)]), str(session)),
            ("", title),
        ),
    }
    return TemplateResponse(request, "learning/admin/session_attendance.html", context)


@require_POST
def session_attendance_record(request, pk, learner_pk):
    """One tap: saves one learner's status (htmx: answers the row's status line)."""
    session = _staff_session(request, pk, ATTENDANCE_PERMISSIONS)
    learner = get_object_or_404(session.group.learners.all(), pk=learner_pk)
    status = request.POST.get(_status_field(learner)) or request.POST.get("status", "")
    labels = dict(Attendance.Status.choices)
    error = "" if status in labels else _("Choisissez présent, absent, excusé ou en retard.")
    if not error:
        services.attendance_record(
            session=session, learner=learner, status=status, recorded_by=request.user
        )
    if not request.htmx:
        if error:
            messages.error(request, error)
        return redirect("session_attendance", pk=session.pk)
    context = {"learner": learner, "status": status, "label": labels.get(status), "error": error}
    # 200 even for an error: htmx swaps only successful answers, and the message must show.
    return TemplateResponse(request, "learning/admin/_attendance_status.html", context)


def attendance_sheet_pdf(session):
    """The feuille d'émargement of a session: A4, in French, a signature box per learner."""
    group = session.group
    learners = list(group.learners.order_by("first_name", "last_initial", "pk"))
    trainers = [staff_display_name(t) for t in group.trainers.all()]
    with translation.override("fr"):
        html = render_to_string(
            "learning/admin/attendance_sheet.html",
            {
                "session": session,
                "group": group,
                "structure": group.structure,
                "learners": learners,
                "trainers": trainers,
                # Empty rows for people who come without being on the list.
                "blank_rows": range(max(3, 12 - len(learners))),
            },
        )
    return html_to_pdf(html)


def session_attendance_sheet(request, pk):
    session = _staff_session(request, pk, ("learning.view_trainingsession",))
    response = HttpResponse(attendance_sheet_pdf(session), content_type="application/pdf")
    filename = f"emargement-{session.date:%Y-%m-%d}.pdf"
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return private_no_store(response)


urlpatterns = [
    path("groupes/<int:pk>/archiver/", group_archive, name="group_archive"),
    path("groupes/<int:pk>/desarchiver/", group_unarchive, name="group_unarchive"),
    path(
        "groupes/<int:pk>/creer-apprenants/",
        group_learners_bulk_create,
        name="group_learners_bulk_create",
    ),
    path(
        "groupes/<int:pk>/nouveaux-apprenants/",
        group_learners_created,
        name="group_learners_created",
    ),
    path("seances/<int:pk>/presences/", session_attendance, name="session_attendance"),
    path(
        "seances/<int:pk>/presences/<int:learner_pk>/",
        session_attendance_record,
        name="session_attendance_record",
    ),
    path(
        "seances/<int:pk>/emargement.pdf",
        session_attendance_sheet,
        name="session_attendance_sheet",
    ),
]
