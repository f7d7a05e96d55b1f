"""Uploaded files never run script on the site's origin.

Two locks, because either alone can fail:
- every SVG is rewritten by a maintained sanitizer (svg-hush: no script, no event
  handler, no foreignObject, no javascript: or outside URL) before it is stored;
- every uploaded file is served with a policy that forbids script and sandboxes the
  document (here for /documents/ and the dev /media/ view, deploy/nginx-media.conf
  for the reverse proxy).

The sanitizer runs in the image form (cms/image_forms.py: a clear message for the
editor) and again in the storage backend, which every way of writing a file passes
through (Wagtail's multiple upload keeps a file aside when another field is wrong,
the content loader, a shell).
"""

import functools
from pathlib import PurePath

from django.core.exceptions import SuspiciousFileOperation
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from py_svg_hush import filter_svg

# What the browser may do with an uploaded file opened on its own: show it, nothing
# else (no script, no plugin, no form, no outside request; `sandbox` gives it an
# opaque origin even if something slips through).
UNTRUSTED_FILE_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; sandbox",
    "X-Content-Type-Options": "nosniff",
}


class UnreadableSVG(ValueError):
    """The sanitizer could not parse the file: it is refused, never stored as is."""


def is_svg(name: str) -> bool:
    return PurePath(name or "").suffix.lower() == ".svg"


def sanitize_svg(data: bytes) -> bytes:
    """The same drawing without anything that could run or fetch."""
    try:
        return filter_svg(data)
    except ValueError as error:
        raise UnreadableSVG(str(error)) from error


class SanitizingStorage(FileSystemStorage):
    """The media storage: an SVG is sanitized whatever wrote it."""

    def _save(self, name, content):
        if is_svg(name):
            content.seek(0)
            try:
                content = ContentFile(sanitize_svg(content.read()), name=name)
            except UnreadableSVG:
                # Django answers a SuspiciousOperation with a 400, not a 500.
                raise SuspiciousFileOperation(
                    f"Refused an SVG the sanitizer cannot read: {name}"
                ) from None
        return super()._save(name, content)


def untrusted_file(view):
    """Serve what `view` returns (an uploaded file) with UNTRUSTED_FILE_HEADERS.

    Pages the view may show instead (Wagtail's password form for a restricted
    document) keep the site's own policy: they need their form to work.
    """

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if response.streaming or "Content-Disposition" in response:
            for header, value in UNTRUSTED_FILE_HEADERS.items():
                response[header] = value
        return response

    return wrapped
