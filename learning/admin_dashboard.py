"""The live group dashboard in the Wagtail admin: who is where in the parcours, who
raised a hand ("J'ai besoin d'aide"), and "Proposer cette leçon au groupe".

The page polls itself with htmx every 10 s; for htmx requests the view answers with
the live fragment only. Without JavaScript, reloading the page does the same, and
every action is a plain form post followed by a redirect.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import BooleanField, Case, Count, Q, Value, When
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST
from wagtail.admin import messages
from wagtail.admin.menu import MenuItem

from cms.cache import private_no_store
from cms.params import id_param
from modules.models import LessonPage

from . import selectors, services
from .models import Group, HelpRequest

VIEW, CHANGE = "learning.view_group", "learning.change_group"


def _staff_groups(user):
    """Groups of the structures the user works in (all of them for a superuser)."""
    return Group.objects.filter(structure__in=selectors.structures_for_staff(user=user))


def _scoped_group(request, pk, *, perm):
    """Another structure's group is a 404, whatever the permissions."""
    group = get_object_or_404(
        _staff_groups(request.user)
        .select_related("structure", "parcours", "current_lesson")
        .defer("current_lesson__steps"),
        pk=pk,
    )
    if not request.user.has_perm(perm):
        raise PermissionDenied
    return group


def _render_dashboard(request, group, *, fragment=False):
    matrix = selectors.group_progress_matrix(group=group)
    context = {
        "group": group,
        "matrix": matrix,
        "can_change": request.user.has_perm(CHANGE),
        "dashboard_url": reverse("group_dashboard", args=[group.pk]),
        "page_title": _("Tableau de bord : %(name)s") % {"name": group.name},
        "header_title": _("Tableau de bord : %(name)s") % {"name": group.name},
        "header_icon": "view",
    }
    template = "learning/admin/group_dashboard.html"
    if fragment:
        template = "learning/admin/_group_dashboard_matrix.html"
    return private_no_store(TemplateResponse(request, template, context))


@require_GET
def group_dashboard(request, pk):
    group = _scoped_group(request, pk, perm=VIEW)
    return _render_dashboard(request, group, fragment=bool(request.htmx))


@require_POST
def group_propose_lesson(request, pk):
    """Propose a lesson of the parcours to the group, or stop proposing one."""
    group = _scoped_group(request, pk, perm=CHANGE)
    if "stop" in request.POST:
        services.group_lesson_withdraw(group=group, by=request.user)
        messages.success(request, _("Le groupe n'a plus de leçon proposée."))
        return redirect("group_dashboard", pk=group.pk)
    lesson_id = id_param(request.POST, "lesson")
    lesson = (
        LessonPage.objects.live().defer_streamfields().filter(pk=lesson_id).first()
        if lesson_id
        else None
    )
    if lesson is None:
        messages.error(request, _("Choisissez une leçon dans la liste."))
        return redirect("group_dashboard", pk=group.pk)
    try:
        services.group_lesson_propose(group=group, lesson=lesson, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("Leçon proposée au groupe : %(title)s. Les apprenants la voient sur leur page.")
            % {"title": lesson.title},
        )
    return redirect("group_dashboard", pk=group.pk)


@require_POST
def help_request_resolve(request, pk):
    """ "C'est fait": the hand goes down. The form names the dashboard's group, which
    scopes the hand: a hand of a learner outside that group is a 404."""
    group = _scoped_group(request, id_param(request.POST, "group") or 0, perm=CHANGE)
    hand = get_object_or_404(
        HelpRequest.objects.select_related("learner"), pk=pk, learner__groups=group
    )
    services.help_request_resolve(help_request=hand, by=request.user)
    if request.htmx:
        return _render_dashboard(request, group, fragment=True)
    messages.success(request, _("C'est noté : %(name)s a eu de l'aide.") % {"name": hand.learner})
    return redirect("group_dashboard", pk=group.pk)


@require_GET
def group_dashboards(request):
    """The user's groups, running ones first, each with a link to its dashboard."""
    if not request.user.has_perm(VIEW):
        raise PermissionDenied
    today = datetime.date.today()
    running = (Q(start_date__isnull=True) | Q(start_date__lte=today)) & (
        Q(end_date__isnull=True) | Q(end_date__gte=today)
    )
    groups = (
        _staff_groups(request.user)
        .filter(archived_at__isnull=True)  # an archived group has no live session
        .select_related("structure", "parcours")
        .annotate(
            running=Case(
                When(running, then=Value(True)), default=False, output_field=BooleanField()
            ),
            learner_count=Count("learners", distinct=True),
            hand_count=Count(
                "learners__help_requests",
                filter=Q(learners__help_requests__resolved_at__isnull=True),
                distinct=True,
            ),
        )
        .order_by("-running", "-start_date", "name")
    )
    context = {
        "groups": groups,
        "page_title": _("Tableau de bord des groupes"),
        "header_title": _("Tableau de bord des groupes"),
        "header_icon": "view",
    }
    response = TemplateResponse(request, "learning/admin/group_dashboards.html", context)
    return private_no_store(response)


class GroupDashboardMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm(VIEW)


def menu_item():
    return GroupDashboardMenuItem(
        gettext_lazy("Tableau de bord des groupes"),
        reverse_lazy("group_dashboards"),
        name="group-dashboards",
        icon_name="view",
        order=190,
    )


urlpatterns = [
    path("groupes/tableaux/", group_dashboards, name="group_dashboards"),
    path("groupes/<int:pk>/tableau/", group_dashboard, name="group_dashboard"),
    path("groupes/<int:pk>/proposer/", group_propose_lesson, name="group_propose_lesson"),
    path("aide/<int:pk>/fait/", help_request_resolve, name="help_request_resolve"),
]
