"""Tenant isolation for Wagtail's own admin views.

Our views fetch every object from the `*_for_staff` selectors. Wagtail's stock
views don't know about structures: they ask the model's permission policy (the
"who else is editing" ping, the edit links of reports, usage), or read every log
entry (the site history report). This module gives them the same boundary:

- a permission policy per structure-held model: a Django permission on the model
  *and* an object of one of the user's structures;
- the site history report without the log entries of people and structures
  (learners, groups, séances, referrals, notes, staff accounts) for anyone but a
  superuser, and refused to whoever has no pages to look after (the report is
  about content; trainers follow their learners from each object's own history).
"""

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.urls import path
from django.utils.translation import gettext_lazy
from wagtail.admin.auth import require_admin_access
from wagtail.admin.filters import ContentTypeFilter
from wagtail.admin.views.reports.audit_logging import LogEntriesView, SiteHistoryReportFilterSet
from wagtail.log_actions import registry as log_action_registry
from wagtail.models import Page
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import policy_registry, register_permission_policy

from . import selectors

# --- Permission policies ----------------------------------------------------------------


def _structure_ids(user):
    """The ids of the user's structures, once per request (the user object is per request)."""
    if not hasattr(user, "_pasapas_structure_ids"):
        user._pasapas_structure_ids = set(
            selectors.structures_for_staff(user=user).values_list("pk", flat=True)
        )
    return user._pasapas_structure_ids


class StructureScopedPermissionPolicy(ModelPermissionPolicy):
    """The model's Django permissions, on the objects of the user's structures only."""

    def __init__(self, model, *, scope, structure_of):
        super().__init__(model)
        self.scope = scope  # user -> queryset of the objects the user may see
        self.structure_of = structure_of  # instance -> its structure's id

    def _in_scope(self, user, instance):
        if user.is_active and user.is_superuser:
            return True
        return self.structure_of(instance) in _structure_ids(user)

    def user_has_permission_for_instance(self, user, action, instance):
        return self.user_has_permission(user, action) and self._in_scope(user, instance)

    def user_has_any_permission_for_instance(self, user, actions, instance):
        return self.user_has_any_permission(user, actions) and self._in_scope(user, instance)

    def instances_user_has_any_permission_for(self, user, actions):
        if not self.user_has_any_permission(user, actions):
            return self.model._default_manager.none()
        return self.scope(user=user)


def register_permission_policies():
    """Called from wagtail_hooks, before the viewsets register their own policy."""
    from .models import Group, Learner, Partner, Referral, Structure, TrainingSession

    scoped = {
        Learner: (selectors.learners_for_staff, lambda learner: learner.structure_id),
        Structure: (selectors.structures_for_staff, lambda structure: structure.pk),
        Group: (selectors.groups_for_staff, lambda group: group.structure_id),
        TrainingSession: (
            selectors.training_sessions_for_staff,
            lambda session: session.group.structure_id,
        ),
        Partner: (selectors.partners_for_staff, lambda partner: partner.structure_id),
        Referral: (selectors.referrals_for_staff, lambda referral: referral.learner.structure_id),
    }
    for model, (scope, structure_of) in scoped.items():
        if policy_registry.get_by_type(model, fallback=False) is None:
            register_permission_policy(
                model,
                StructureScopedPermissionPolicy(model, scope=scope, structure_of=structure_of),
                exact_class=True,
            )


# --- Site history --------------------------------------------------------------------------

# The log entries of these apps name people and structures: superusers only.
PEOPLE_APPS = ("learning",)


def visible_log_entries(log_model, user):
    """The entries Wagtail would show the user, minus those of people and structures."""
    entries = log_model.objects.viewable_by_user(user)
    if user.is_superuser:
        return entries
    return entries.exclude(content_type__app_label__in=PEOPLE_APPS)


def _log_models():
    return list(log_action_registry.get_log_entry_models())


class ScopedSiteHistoryFilterSet(SiteHistoryReportFilterSet):
    """The filters offer only the people, types and actions of the visible entries."""

    object_type = ContentTypeFilter(
        label=SiteHistoryReportFilterSet.base_filters["object_type"].label,
        method="filter_object_type",
        queryset=lambda request: _visible_content_types(request.user),
    )

    def _visible(self, values):
        found = set()
        for log_model in _log_models():
            found.update(values(visible_log_entries(log_model, self.request.user)))
        return found

    def get_action_choices(self):
        actions = self._visible(lambda entries: entries.get_actions())
        return [choice for choice in log_action_registry.get_choices() if choice[0] in actions]

    def get_user_choices(self):
        user_model = get_user_model()
        ids = self._visible(lambda entries: entries.get_user_ids())
        return user_model.objects.filter(pk__in=ids).order_by(user_model.USERNAME_FIELD)


def _visible_content_types(user):
    ids = set()
    for log_model in _log_models():
        ids.update(visible_log_entries(log_model, user).get_content_type_ids())
    return ContentType.objects.filter(pk__in=ids).order_by("model")


class ScopedSiteHistoryView(LogEntriesView):
    filterset_class = ScopedSiteHistoryFilterSet

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        # The same test as Wagtail's menu item: hidden and refused alike.
        pages = policy_registry.get_by_type(Page)
        if not user.is_superuser and pages.explorable_root_instance(user) is None:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def filter_queryset(self, queryset):
        # Called on each log model's queryset before they are joined (see LogEntriesView).
        if not self.request.user.is_superuser:
            queryset = queryset.exclude(content_type__app_label__in=PEOPLE_APPS)
        return super().filter_queryset(queryset)


# Placed before Wagtail's admin URLs (cms/urls.py): same paths, so the same links.
urlpatterns = [
    path("admin/reports/site-history/", require_admin_access(ScopedSiteHistoryView.as_view())),
    path(
        "admin/reports/site-history/results/",
        require_admin_access(ScopedSiteHistoryView.as_view(results_only=True)),
    ),
]


# --- Structure choices --------------------------------------------------------------------


def limit_structure_choices(field, *, user):
    """A structure field offers only the user's structures; another's id is a form error."""
    field.queryset = selectors.structures_for_staff(user=user)
    field.error_messages["invalid_choice"] = gettext_lazy(
        "Choisissez une des structures de la liste."
    )
