"""PDFs of the learner file: the attestation de suivi (one page per learner) and the
readable copy of a learner's data (right of access).

Both are rendered from templates with everything inline; weasyprint may fetch
nothing (not even from the site): notes hold sanitized HTML, and a link in a
note must never become a request from the server.
"""

import datetime

from django.template.loader import render_to_string
from django.utils import timezone

from . import pdf, selectors


def _pdf(html):
    return pdf.html_to_pdf(html)


def attestations_html(attestations, *, place="", date=None):
    context = {
        "attestations": attestations,
        "place": place,
        "date": date or timezone.localdate(),
    }
    return render_to_string("learning/pdf/attestations.html", context)


def attestations_pdf(attestations, *, place="", date: datetime.date | None = None):
    """One A4 page per learner: hours attended, modules completed, competences."""
    return _pdf(attestations_html(attestations, place=place, date=date))


def learner_attestation_pdf(learner, *, place=""):
    return attestations_pdf(selectors.learner_attestations(learners=[learner]), place=place)


def group_attestations_pdf(group, *, place=""):
    learners = group.learners.select_related("structure").order_by("first_name", "last_initial")
    attestations = selectors.learner_attestations(learners=learners, group=group)
    return attestations_pdf(attestations, place=place)


def learner_export_html(learner):
    data = selectors.learner_data_export(learner=learner)
    return render_to_string("learning/pdf/learner_export.html", {"data": data, "learner": learner})


def learner_export_pdf(learner):
    """The learner's data, readable: what a person asking for their file receives."""
    return _pdf(learner_export_html(learner))
