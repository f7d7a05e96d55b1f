"""Content blocks of a lesson step: what the learner reads, sees and hears."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.images.blocks import ImageChooserBlock

# Restricted on purpose: beginners need plain text, and editors can't paste
# layouts that break on a phone or a zoomed screen.
TEXT_FEATURES = ["bold", "italic", "ol", "ul", "link"]


class TextBlock(blocks.RichTextBlock):
    def __init__(self, **kwargs):
        super().__init__(features=TEXT_FEATURES, **kwargs)

    class Meta:
        icon = "pilcrow"
        label = _("Texte")
        template = "modules/blocks/text.html"
        description = _("Des phrases courtes, une idée par phrase.")
        preview_value = "<p>Posez la main sur la souris.</p>"


class ImageBlock(blocks.StructBlock):
    image = ImageChooserBlock(label=_("Image"))
    alt = blocks.CharBlock(
        label=_("Texte alternatif"),
        max_length=250,
        help_text=_("Décrivez l'image pour une personne qui ne la voit pas."),
    )
    caption = blocks.CharBlock(label=_("Légende"), required=False, max_length=250)

    class Meta:
        icon = "image"
        label = _("Image")
        template = "modules/blocks/image.html"
        description = _("Une image avec sa description obligatoire.")


class VideoBlock(blocks.StructBlock):
    """A video file hosted here: no third-party player, nothing tracked, works offline."""

    file = DocumentChooserBlock(label=_("Fichier vidéo (MP4 ou WebM)"))
    captions = DocumentChooserBlock(label=_("Sous-titres (WebVTT)"), required=False)
    transcript = blocks.TextBlock(
        label=_("Transcription"),
        help_text=_("Ce que dit et montre la vidéo, pour qui ne peut pas la voir ou l'entendre."),
    )

    class Meta:
        icon = "media"
        label = _("Vidéo")
        template = "modules/blocks/video.html"
        description = _("Une courte vidéo avec sa transcription.")


class AudioBlock(blocks.StructBlock):
    """A recorded narration; when present, "Écouter" plays it instead of the synthetic voice."""

    file = DocumentChooserBlock(label=_("Fichier audio (MP3, OGG ou M4A)"))
    transcript = blocks.TextBlock(label=_("Transcription"), required=False)

    class Meta:
        icon = "media"
        label = _("Narration audio")
        template = "modules/blocks/audio.html"
        description = _("La lecture à voix haute de l'étape, enregistrée.")


class CalloutBlock(blocks.RichTextBlock):
    def __init__(self, **kwargs):
        super().__init__(features=TEXT_FEATURES, **kwargs)

    class Meta:
        icon = "pick"
        label = _("À retenir")
        template = "modules/blocks/callout.html"
        description = _("L'essentiel de l'étape, en une ou deux phrases.")
        preview_value = "<p>Le bouton de gauche sert à cliquer.</p>"


class StepContentBlock(blocks.StreamBlock):
    text = TextBlock()
    image = ImageBlock()
    video = VideoBlock()
    audio = AudioBlock()
    callout = CalloutBlock()

    class Meta:
        label = _("Contenu")
