"""Structures in the Wagtail admin.

Administrators create structures and choose their members (trainers and managers);
managers see the list of their own structures. A structure's members are who may
see its learners: the form offers staff accounts only (never a learner's), with a
search box, and changes the members only once the administrator has seen who is
added and who is removed.
"""

from django import forms
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.views.generic.history import HistoryView
from wagtail.admin.views.generic.models import DeleteView, EditView, IndexView
from wagtail.admin.views.generic.usage import UsageView
from wagtail.admin.viewsets.model import ModelViewSet

from . import selectors
from .models import Structure


def member_label(user):
    """A staff member, told apart from a namesake by their e-mail."""
    name = user.get_full_name()
    if name and user.email:
        return f"{name} ({user.email})"
    return name or user.email or user.username


class MemberChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return member_label(obj)


class SearchableCheckboxSelectMultiple(forms.CheckboxSelectMultiple):
    """Checkboxes with a search box above them that hides the names that don't match
    (static/js/member-filter.js); without JavaScript, the whole list shows."""

    class Media:
        js = ["js/member-filter.js"]

    def render(self, name, value, attrs=None, renderer=None):
        boxes = super().render(name, value, attrs, renderer)
        list_id = (attrs or {}).get("id") or f"id_{name}"
        search = format_html(
            '<p class="member-filter"><label for="{search_id}">{label}</label> '
            '<input type="search" id="{search_id}" data-member-filter="{list_id}" '
            'aria-controls="{list_id}" autocomplete="off" spellcheck="false"></p>',
            search_id=f"{list_id}-search",
            list_id=list_id,
            label=_("Chercher une personne"),
        )
        return search + boxes


class StructureForm(WagtailAdminModelForm):
    members = MemberChoiceField(
        label=gettext_lazy("Formateurs et responsables"),
        queryset=get_user_model().objects.none(),
        required=False,
        widget=SearchableCheckboxSelectMultiple,
        help_text=gettext_lazy(
            "Cochez les personnes qui travaillent dans cette structure. "
            "Elles voient ses apprenants."
        ),
    )
    # The change the administrator was shown ("+3,-7"): saving it needs no new check.
    members_change = forms.CharField(required=False, widget=forms.HiddenInput)

    class Meta:
        model = Structure
        fields = ["name", "kind", "help_phone", "members"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user_model = get_user_model()
        self.current_members = (
            list(self.instance.members.order_by("pk")) if self.instance.pk else []
        )
        # Current members stay offered (unticked by mistake, never dropped unseen).
        self.fields["members"].queryset = user_model.objects.filter(
            Q(pk__in=selectors.staff_accounts().values("pk"))
            | Q(pk__in=[member.pk for member in self.current_members])
        ).order_by("first_name", "last_name", "email", "pk")

    def clean(self):
        data = super().clean()
        if "members" not in data or not self.instance.pk:
            return data
        chosen = set(data["members"])
        before = set(self.current_members)
        added = sorted(chosen - before, key=member_label)
        removed = sorted(before - chosen, key=member_label)
        if not added and not removed:
            return data
        change = ",".join(
            [f"+{user.pk}" for user in sorted(added, key=lambda u: u.pk)]
            + [f"-{user.pk}" for user in sorted(removed, key=lambda u: u.pk)]
        )
        if data.get("members_change") == change:
            return data
        lines = [_("Vérifiez les changements, puis cliquez encore sur « Enregistrer ».")]
        if added:
            lines.append(_("Ajoutés : %(names)s.") % {"names": ", ".join(map(member_label, added))})
        if removed:
            lines.append(
                _("Retirés : %(names)s.") % {"names": ", ".join(map(member_label, removed))}
            )
        self.add_error("members", lines)
        # The next "Enregistrer" confirms this change, and only this one.
        self.data = self.data.copy()
        self.data[self.add_prefix("members_change")] = change
        return data


class ScopedStructureMixin:
    """One structure, among the user's (all of them for a superuser)."""

    def get_object(self, queryset=None):
        return get_object_or_404(
            selectors.structures_for_staff(user=self.request.user),
            pk=unquote(str(self.kwargs[self.pk_url_kwarg])),
        )


class StructureIndexView(IndexView):
    def get_base_queryset(self):
        return selectors.structures_for_staff(user=self.request.user)


class StructureEditView(ScopedStructureMixin, EditView):
    pass


class StructureDeleteView(ScopedStructureMixin, DeleteView):
    pass


class StructureHistoryView(ScopedStructureMixin, HistoryView):
    pass


class StructureUsageView(ScopedStructureMixin, UsageView):
    pass


class StructureViewSet(ModelViewSet):
    model = Structure
    icon = "home"
    menu_label = gettext_lazy("Structures")
    menu_order = 210
    add_to_admin_menu = True
    url_prefix = "structures"
    index_view_class = StructureIndexView
    edit_view_class = StructureEditView
    delete_view_class = StructureDeleteView
    history_view_class = StructureHistoryView
    usage_view_class = StructureUsageView
    copy_view_enabled = False  # a copy would carry another structure's members
    list_display = ["name", "kind", "help_phone"]
    search_fields = ["name"]

    def get_form_class(self, for_update=False):
        return StructureForm
