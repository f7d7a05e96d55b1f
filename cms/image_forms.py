"""The admin's image form: an SVG is sanitized on upload (cms/uploads.py).

Apart from cms/uploads.py because Wagtail's forms need the models loaded, and the
storage and the content loader import cms/uploads.py earlier.
"""

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.translation import gettext_lazy as _
from wagtail.images.forms import BaseImageForm

from cms.uploads import UnreadableSVG, is_svg, sanitize_svg

UNREADABLE_SVG = _(
    "Cette image SVG est abîmée ou n'est pas une vraie image. Elle n'a pas été ajoutée."
)


class SafeImageForm(BaseImageForm):
    """Wagtail's image form (WAGTAILIMAGES_IMAGE_FORM_BASE): every admin upload,
    single, multiple, from a chooser or the API, builds its form from this base."""

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if not upload or not is_svg(upload.name) or "file" not in self.changed_data:
            return upload
        upload.seek(0)
        try:
            clean = sanitize_svg(upload.read())
        except UnreadableSVG:
            raise ValidationError(UNREADABLE_SVG, code="unreadable_svg") from None
        return SimpleUploadedFile(upload.name, clean, content_type="image/svg+xml")
