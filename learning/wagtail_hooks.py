from django.urls import path
from wagtail import hooks

from modules.models import LessonPage, ParcoursPage

from . import admin_files, admin_structures, admin_tenancy, admin_views
from .views import lesson_page, parcours_page

# Before the viewsets register theirs: Wagtail's own views then see one structure too.
admin_tenancy.register_permission_policies()


@hooks.register("before_serve_page")
def serve_lessons_with_progress(page, request, serve_args, serve_kwargs):
    """Lessons are served with the learner's progress and graded answers.

    The page model itself (modules/) knows nothing of learners: its own
    `serve` is what editors see in preview.
    """
    if isinstance(page, LessonPage):
        return lesson_page(request, page)
    if isinstance(page, ParcoursPage):
        return parcours_page(request, page)
    return None


@hooks.register("register_admin_viewset")
def register_viewsets():
    return [
        admin_views.LearnerViewSet("learners"),
        admin_structures.StructureViewSet("structures"),
        admin_views.XapiCredentialViewSet("xapi_credentials"),
    ]


@hooks.register("register_admin_urls")
def register_learner_urls():
    return [
        path("apprenants/<int:pk>/acces/", admin_views.learner_access, name="learner_access"),
        path("apprenants/<int:pk>/images/", admin_views.learner_reset, name="learner_reset"),
        path("apprenants/<int:pk>/code-secret/", admin_views.learner_pin, name="learner_pin"),
        path("apprenants/<int:pk>/debloquer/", admin_views.learner_unlock, name="learner_unlock"),
        path("apprenants/cartes/", admin_views.learner_cards, name="learner_cards"),
        path("apprenants/cartes.pdf", admin_views.learner_cards_pdf, name="learner_cards_pdf"),
    ]


@hooks.register("register_admin_urls")
def register_report_urls():
    from . import admin_reports

    return [
        path(
            "groupes/<int:pk>/export/",
            admin_reports.GroupExportView.as_view(),
            name="group_export",
        ),
        path("rapport/", admin_reports.StructureReportView.as_view(), name="structure_report"),
    ]


@hooks.register("register_admin_menu_item")
def register_report_menu_item():
    from . import admin_reports

    return admin_reports.report_menu_item()


@hooks.register("register_admin_viewset")
def register_group_viewsets():
    from . import admin_groups

    return [
        admin_groups.GroupViewSet("trainer_groups"),
        admin_groups.TrainingSessionViewSet("training_sessions"),
        admin_groups.ReferralViewSet("referrals"),
        admin_groups.PartnerViewSet("partners"),
    ]


@hooks.register("register_admin_urls")
def register_group_urls():
    from . import admin_groups

    return admin_groups.urlpatterns


# --- The live group dashboard (learning/admin_dashboard.py) ---------------------------


@hooks.register("register_admin_urls")
def register_group_dashboard_urls():
    from . import admin_dashboard

    return admin_dashboard.urlpatterns


@hooks.register("register_admin_menu_item")
def register_group_dashboard_menu_item():
    from . import admin_dashboard

    return admin_dashboard.menu_item()


@hooks.register("register_log_actions")
def register_group_lesson_log_actions(actions):
    from django.utils.translation import gettext_lazy as _
    from wagtail.log_actions import LogFormatter

    @actions.register_action("learning.lesson_proposed")
    class LessonProposed(LogFormatter):
        label = _("Leçon proposée au groupe")

        def format_message(self, log_entry):
            return _("Leçon proposée au groupe : %(title)s") % {
                "title": log_entry.data.get("lesson", "")
            }

    @actions.register_action("learning.lesson_withdrawn")
    class LessonWithdrawn(LogFormatter):
        label = _("Leçon retirée")

        def format_message(self, log_entry):
            return _("Le groupe n'a plus de leçon proposée (%(title)s)") % {
                "title": log_entry.data.get("lesson", "")
            }

    @actions.register_action("learning.group_archived")
    class GroupArchived(LogFormatter):
        label = _("Groupe archivé")
        message = _("Groupe archivé")

    @actions.register_action("learning.group_unarchived")
    class GroupUnarchived(LogFormatter):
        label = _("Groupe désarchivé")
        message = _("Groupe désarchivé")


@hooks.register("register_admin_urls")
def register_learner_file_urls():
    return [
        path(
            "apprenants/<int:pk>/dossier/",
            admin_files.LearnerFileView.as_view(),
            name="learner_file",
        ),
        path(
            "apprenants/<int:pk>/notes/nouvelle/",
            admin_files.NoteCreateView.as_view(),
            name="learner_note_create",
        ),
        path(
            "apprenants/<int:pk>/notes/<int:note_pk>/",
            admin_files.NoteEditView.as_view(),
            name="learner_note_edit",
        ),
        path(
            "apprenants/<int:pk>/donnees.json",
            admin_files.learner_export_json,
            name="learner_export_json",
        ),
        path(
            "apprenants/<int:pk>/donnees.pdf",
            admin_files.learner_export_pdf,
            name="learner_export_pdf",
        ),
        path(
            "apprenants/<int:pk>/effacer/",
            admin_files.LearnerEraseView.as_view(),
            name="learner_erase",
        ),
        path(
            "apprenants/<int:pk>/attestation.pdf",
            admin_files.learner_attestation,
            name="learner_attestation",
        ),
        path(
            "groupes/<int:pk>/attestations.pdf",
            admin_files.group_attestations,
            name="group_attestations",
        ),
    ]
