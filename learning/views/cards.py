from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from cms.cache import private_no_store

from ..cards import cards_context, cards_pdf, fresh_secret
from .signin import learner_for_request


def my_card(request):
    """The learner's own card, to print or photograph (with the pictures only while fresh)."""
    learner = learner_for_request(request)
    if learner is None:
        return redirect("learning:signin")
    pictures = fresh_secret(request.session, learner)
    context = {
        **cards_context([learner], secrets={learner.pk: pictures} if pictures else None),
        "learner": learner,
        "with_pictures": bool(pictures),
        "title": _("Ma carte"),
    }
    return private_no_store(TemplateResponse(request, "learning/my_card.html", context))


def my_card_pdf(request):
    learner = learner_for_request(request)
    if learner is None:
        return redirect("learning:signin")
    pictures = fresh_secret(request.session, learner)
    pdf = cards_pdf([learner], secrets={learner.pk: pictures} if pictures else None)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = 'inline; filename="carte-pas-a-pas.pdf"'
    return private_no_store(response)
