"""Learner cards: first name, code, a QR code to the sign-in page, the structure's help.

One template serves the HTML print view and the PDF (weasyprint). Everything
is inline (CSS, QR code, pictures), so the PDF needs no request to the site.
The picture password appears only when the trainer ticks the box, and only
while it is fresh: right after creation or reset, when it is still known in
clear in the trainer's (or the new learner's) session.
"""

import time
from functools import cache
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe

from .pdf import html_to_pdf
from .pictures import PICTURES

FRESH_SECRETS_KEY = "fresh_secrets"
FRESH_FOR_SECONDS = 30 * 60


def remember_fresh_secret(session, learner, pictures):
    secrets = session.setdefault(FRESH_SECRETS_KEY, {})
    secrets[str(learner.pk)] = {"pictures": pictures, "until": time.time() + FRESH_FOR_SECONDS}
    session.modified = True


def fresh_secret(session, learner):
    entry = session.get(FRESH_SECRETS_KEY, {}).get(str(learner.pk))
    if entry and entry["until"] > time.time():
        return entry["pictures"]
    return None


def signin_url(code):
    base = settings.WAGTAILADMIN_BASE_URL.rstrip("/")
    return f"{base}{reverse('learning:signin')}?{urlencode({'code': code})}"


def qr_svg(url):
    """An inline SVG QR code (no image file, nothing fetched)."""
    qr = segno.make(url, error="m")
    return mark_safe(  # noqa: S308 - segno's own SVG output, no user markup
        qr.svg_inline(scale=3, border=2, dark="#000", light="#fff", omitsize=True)
    )


@cache
def picture_svg(picture):
    path = finders.find(f"img/pictures/{picture}.svg")
    with open(path, encoding="utf-8") as handle:
        return mark_safe(handle.read())  # noqa: S308 - our own shipped drawings


def cards_context(learners, *, secrets=None):
    """The cards of `learners`; `secrets` maps a learner's pk to the pictures to print."""
    secrets = secrets or {}
    cards = []
    for learner in learners:
        pictures = secrets.get(learner.pk)
        cards.append(
            {
                "learner": learner,
                "url": signin_url(learner.code_id),
                "qr": qr_svg(signin_url(learner.code_id)),
                "pictures": [{"label": PICTURES[p], "svg": picture_svg(p)} for p in pictures or []],
            }
        )
    return {"cards": cards, "pages": [cards[i : i + 10] for i in range(0, len(cards), 10)]}


def cards_html(learners, *, secrets=None, for_pdf=False, pdf_url=None):
    context = {**cards_context(learners, secrets=secrets), "for_pdf": for_pdf, "pdf_url": pdf_url}
    return render_to_string("learning/cards.html", context)


def cards_pdf(learners, *, secrets=None):
    return html_to_pdf(cards_html(learners, secrets=secrets, for_pdf=True))
