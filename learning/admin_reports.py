"""Exports and the structure report for funders, in the Wagtail admin.

Both views export through Wagtail's `SpreadsheetExportMixin` (`?export=csv` or
`?export=xlsx`), as the ModelViewSet listings do; the report has several
tables, so it writes one CSV section and one XLSX sheet per table with the
mixin's own cell helpers. The figures come from `learning.reports`.
"""

import csv
import io
from dataclasses import dataclass

from django import forms
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse_lazy
from django.utils.dateformat import format as date_format
from django.utils.http import urlencode
from django.utils.text import capfirst, slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.mixins import SpreadsheetExportMixin

from . import reports, selectors
from .exports import csv_safe
from .models import Group


class ReportExportMixin(SpreadsheetExportMixin):
    """Wagtail's export for a page that is not a listing.

    Formulas are made inert in CSV files by `learning.exports`, for every export.
    """

    # Our own download links sit in the page, not in the header's "…" menu.
    header_more_buttons = []

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_header_title()}]


def forbidden(request, message):
    """A real 403 (Wagtail's admin would turn PermissionDenied into a redirect home)."""
    title = _("Accès refusé")
    context = {"message": message, "page_title": title, "header_title": title}
    return TemplateResponse(request, "learning/admin/forbidden.html", context, status=403)


# --- Group progress and attendance ----------------------------------------------------


class GroupExportView(ReportExportMixin, WagtailAdminTemplateMixin, View):
    """One row per learner of a group: progress in its parcours, time, attendance."""

    template_name = "learning/admin/group_export.html"
    header_icon = "group"
    list_export = [
        "name",
        "code",
        "lessons_completed",
        "lessons_total",
        "progress_percent",
        "time_spent_hours",
        "present",
        "late",
        "absent",
        "excused",
        "hours_attended",
    ]
    export_headings = {
        "name": gettext_lazy("Apprenant"),
        "code": gettext_lazy("Code"),
        "lessons_completed": gettext_lazy("Leçons terminées"),
        "lessons_total": gettext_lazy("Leçons du parcours"),
        "progress_percent": gettext_lazy("Progression (%)"),
        "time_spent_hours": gettext_lazy("Temps passé en leçons (h)"),
        "present": gettext_lazy("Séances : présent"),
        "late": gettext_lazy("Séances : en retard"),
        "absent": gettext_lazy("Séances : absent"),
        "excused": gettext_lazy("Séances : excusé"),
        "hours_attended": gettext_lazy("Heures de présence"),
    }

    def dispatch(self, request, *args, pk, **kwargs):
        if not request.user.has_perm("learning.view_group"):
            return forbidden(request, _("Cette page est réservée aux formateurs."))
        structures = selectors.structures_for_staff(user=request.user)
        self.group = get_object_or_404(
            Group.objects.filter(structure__in=structures).select_related("parcours"), pk=pk
        )
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return _("Progression et présences : %(name)s") % {"name": self.group.name}

    def get_filename(self):
        return f"groupe-{self.group.pk}-{slugify(self.group.name) or 'progression'}"

    def get(self, request, *args, **kwargs):
        rows = reports.group_progress_rows(group=self.group)
        if self.is_export:
            return self.as_spreadsheet(rows, request.GET["export"])
        context = self.get_context_data(
            group=self.group,
            rows=rows,
            headings=[self.export_headings[name] for name in self.list_export],
        )
        return self.render_to_response(context)


# --- The structure report --------------------------------------------------------------


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class StructureReportForm(forms.Form):
    structure = forms.ModelChoiceField(
        label=gettext_lazy("Structure"),
        queryset=None,
        empty_label=None,
        error_messages={"invalid_choice": gettext_lazy("Choisissez une structure de la liste.")},
    )
    start = forms.DateField(
        label=gettext_lazy("Début de la période"),
        widget=DateInput(),
        error_messages={"invalid": gettext_lazy("Écrivez une date, par exemple 01/01/2026.")},
    )
    end = forms.DateField(
        label=gettext_lazy("Fin de la période"),
        widget=DateInput(),
        error_messages={"invalid": gettext_lazy("Écrivez une date, par exemple 31/12/2026.")},
    )

    def __init__(self, *args, structures, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["structure"].queryset = structures

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end:
            if start > end:
                raise forms.ValidationError(_("La date de début doit être avant la date de fin."))
            period = reports.Period(start=start, end=end)
            if period.month_count > reports.MAX_PERIOD_MONTHS:
                raise forms.ValidationError(_("Choisissez une période de 10 ans au plus."))
            data["period"] = period
        return data


@dataclass
class ReportTable:
    """One table of the report: a caption on screen, a section in CSV, a sheet in XLSX."""

    name: str
    caption: str
    columns: list  # (field, heading)
    rows: list  # dicts keyed by field
    note: str = ""  # how to read the figures: under the table, after the rows in files

    @property
    def headings(self):
        return [heading for _field, heading in self.columns]

    @property
    def cells(self):
        return [[row.get(name, "") for name, _heading in self.columns] for row in self.rows]


def report_tables(report: reports.StructureReport) -> list[ReportTable]:
    """The report as tables, the same on screen and in the files."""

    def month_label(month):
        return capfirst(date_format(month, "F Y"))

    key_figures = [
        (_("Structure"), report.structure.name),
        (_("Du"), report.period.start),
        (_("Au"), report.period.end),
        (_("Apprenants actifs"), report.active_learners),
        (_("Nouveaux apprenants"), report.new_learners),
        (_("Séances"), report.sessions),
        (_("Heures de présence"), report.hours_attended),
        (_("Leçons terminées"), report.lessons_completed),
    ]
    partners = [
        {
            "name": partner.name,
            "kind": partner.kind_label,
            "referrals": partner.referrals,
            "active": partner.active_learners,
        }
        for partner in report.partners
    ]
    partners.append(
        {
            "name": _("Sans orientation"),
            "kind": "",
            "referrals": "",
            "active": report.active_without_referral,
        }
    )
    return [
        ReportTable(
            name="summary",
            caption=_("Chiffres clés"),
            columns=[("label", _("Indicateur")), ("value", _("Valeur"))],
            rows=[{"label": label, "value": value} for label, value in key_figures],
        ),
        ReportTable(
            name="parcours",
            caption=_("Par parcours"),
            columns=[
                ("title", _("Parcours")),
                ("lessons", _("Leçons terminées")),
                ("modules", _("Modules terminés")),
                ("parcours", _("Parcours terminés")),
            ],
            rows=[
                {
                    "title": row.title,
                    "lessons": row.lessons_completed,
                    "modules": row.modules_completed,
                    "parcours": row.parcours_completed,
                }
                for row in report.parcours
            ]
            + [
                {
                    "title": _("Total (chaque leçon comptée une fois)"),
                    "lessons": report.lessons_completed,
                    "modules": report.modules_completed,
                    "parcours": report.parcours_completed,
                }
            ],
            note=_(
                "Une leçon commune à plusieurs parcours compte dans chacun. "
                "C'est la même chose pour un module. "
                "La ligne Total compte chaque leçon et chaque module une seule fois."
            ),
        ),
        ReportTable(
            name="groups",
            caption=_("Par groupe"),
            columns=[
                ("name", _("Groupe")),
                ("sessions", _("Séances")),
                ("hours", _("Heures de présence")),
            ],
            rows=[
                {"name": group.name, "sessions": group.sessions, "hours": group.hours_attended}
                for group in report.groups
            ],
        ),
        ReportTable(
            name="partners",
            caption=_("Par partenaire qui oriente"),
            columns=[
                ("name", _("Partenaire")),
                ("kind", _("Type")),
                ("referrals", _("Orientations dans la période")),
                ("active", _("Apprenants actifs orientés")),
            ],
            rows=partners,
        ),
        ReportTable(
            name="partner_kinds",
            caption=_("Par type de partenaire"),
            columns=[
                ("kind", _("Type")),
                ("referrals", _("Orientations dans la période")),
                ("active", _("Apprenants actifs orientés")),
            ],
            rows=[
                {
                    "kind": kind.kind_label,
                    "referrals": kind.referrals,
                    "active": kind.active_learners,
                }
                for kind in report.partner_kinds
            ],
        ),
        ReportTable(
            name="months",
            caption=_("Par mois"),
            columns=[
                ("month", _("Mois")),
                ("active", _("Apprenants actifs")),
                ("new", _("Nouveaux apprenants")),
                ("hours", _("Heures de présence")),
            ],
            rows=[
                {
                    "month": month_label(month.month),
                    "active": month.active_learners,
                    "new": month.new_learners,
                    "hours": month.hours_attended,
                }
                for month in report.months
            ],
        ),
    ]


class StructureReportView(ReportExportMixin, WagtailAdminTemplateMixin, View):
    """The figures funders ask for (France Travail, Région, FEDER), per structure and period.

    Only for `learning.view_report` (structure managers, administrators), and
    only for the structures they are a member of.
    """

    template_name = "learning/admin/structure_report.html"
    page_title = gettext_lazy("Rapport d'activité")
    header_icon = "table"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(reports.REPORT_PERMISSION):
            return forbidden(request, _("Ce rapport est réservé aux responsables de structure."))
        return super().dispatch(request, *args, **kwargs)

    def form_data(self, structures):
        """The request's choices, or this calendar year for the first structure."""
        period = reports.default_period()
        first = structures.first()
        data = {
            "structure": first.pk if first else "",
            "start": period.start.isoformat(),
            "end": period.end.isoformat(),
        }
        data.update({name: self.request.GET[name] for name in data if name in self.request.GET})
        return data

    def get_filename(self):
        data = self.form.cleaned_data
        name = slugify(data["structure"].name) or "structure"
        return f"rapport-{name}-{data['start']:%Y-%m-%d}-{data['end']:%Y-%m-%d}"

    def export_url(self, export_format):
        data = self.form.cleaned_data
        return "?" + urlencode(
            {
                "structure": data["structure"].pk,
                "start": data["start"].isoformat(),
                "end": data["end"].isoformat(),
                "export": export_format,
            }
        )

    def get(self, request, *args, **kwargs):
        structures = reports.report_structures(user=request.user)
        self.form = StructureReportForm(self.form_data(structures), structures=structures)
        tables = []
        if self.form.is_valid():
            report = reports.structure_report(
                structure=self.form.cleaned_data["structure"],
                period=self.form.cleaned_data["period"],
            )
            tables = report_tables(report)
            if self.is_export:
                if request.GET["export"] == self.FORMAT_CSV:
                    return self.report_csv_response(tables)
                return self.report_xlsx_response(tables)
        context = self.get_context_data(
            form=self.form,
            tables=tables,
            has_structures=structures.exists(),
            xlsx_url=self.export_url(self.FORMAT_XLSX) if tables else "",
            csv_url=self.export_url(self.FORMAT_CSV) if tables else "",
        )
        return self.render_to_response(context)

    def _row_dict(self, table, row):
        return {name: row.get(name, "") for name, _heading in table.columns}

    def report_csv_response(self, tables):
        """One section per table: its caption, its headings, its rows, a blank line.

        Every cell goes through `csv_safe`, as in Wagtail's own CSV exports.
        """
        output = io.StringIO()
        writer = csv.writer(output)
        for table in tables:
            writer.writerow([csv_safe(table.caption)])
            writer.writerow([csv_safe(heading) for heading in table.headings])
            for row in table.rows:
                writer.writerow(
                    csv_safe(self.preprocess_field_value(name, value, self.FORMAT_CSV))
                    for name, value in self._row_dict(table, row).items()
                )
            if table.note:
                writer.writerow([csv_safe(table.note)])
            writer.writerow([])
        response = HttpResponse(output.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{self.get_filename()}.csv"'
        return response

    def report_xlsx_response(self, tables):
        """One sheet per table, with the cells Wagtail's export makes (formulas stay text)."""
        from openpyxl import Workbook
        from wagtail.admin.views.mixins import ExcelDateFormatter

        workbook = Workbook(write_only=True, iso_dates=True)
        date_format = ExcelDateFormatter().get()
        for table in tables:
            sheet = workbook.create_sheet(title=str(table.caption)[:31])
            sheet.append(table.headings)
            for row in table.rows:
                sheet.append(self.generate_xlsx_row(sheet, self._row_dict(table, row), date_format))
            if table.note:
                sheet.append([])
                sheet.append([str(table.note)])
        output = io.BytesIO()
        workbook.save(output)
        response = HttpResponse(
            output.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="{self.get_filename()}.xlsx"'
        return response


class ReportMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm(reports.REPORT_PERMISSION)


def report_menu_item():
    return ReportMenuItem(
        gettext_lazy("Rapport d'activité"),
        reverse_lazy("structure_report"),
        name="rapport-activite",
        icon_name="table",
        order=260,
    )
