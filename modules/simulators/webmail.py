"""The "Ma messagerie" simulator: its item and goal blocks.

Items are the mailbox as the learner finds it (messages in folders, the files of
"Mes documents", the learner's own pretend address); goals are checked against
the events the simulator records: "mail_read", "mail_sent", "mail_reported",
"mail_deleted", "mail_link_opened".
"""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, RegexValidator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail import blocks

from .base import KEY_VALIDATOR, GoalBlock, GoalCheck, Kind

DEFAULT_ADDRESS = "moi@ma-messagerie.exemple"
FILE_NAME = re.compile(r"^[^/\\<>]+\.[A-Za-z0-9]{2,5}$")

FOLDERS = [
    ("reception", _("Boîte de réception")),
    ("envoyes", _("Envoyés")),
    ("corbeille", _("Corbeille")),
    ("indesirables", _("Indésirables")),
]


def normalize(text):
    """Text as compared by goals: no accents, no case, single spaces."""
    decomposed = unicodedata.normalize("NFKD", str(text or ""))
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(plain.casefold().split())


def contains_word(text, word):
    """Is `word` (or expression) in `text`, whatever the case and accents?"""
    return normalize(word) in normalize(text)


def missing_words(text, words):
    return [word for word in words or [] if word.strip() and not contains_word(text, word)]


def same_address(one, other):
    return normalize(one).replace(" ", "") == normalize(other).replace(" ", "")


def _quoted_list(words):
    return ", ".join(f"« {word} »" for word in words)


def _email_block(**kwargs):
    return blocks.CharBlock(max_length=200, validators=[EmailValidator()], **kwargs)


def _words_block(label, help_text=""):
    return blocks.ListBlock(
        blocks.CharBlock(max_length=100, label=_("Mot")),
        default=[],
        label=label,
        help_text=help_text,
    )


# --- Items -------------------------------------------------------------------------


class MailAccountBlock(blocks.StructBlock):
    """The learner's own pretend mailbox."""

    address = _email_block(
        label=_("Adresse de la personne"),
        default=DEFAULT_ADDRESS,
        help_text=_("Une adresse pour de faux, par exemple moi@ma-messagerie.exemple."),
    )
    name = blocks.CharBlock(label=_("Nom affiché"), max_length=100, default="Moi")

    class Meta:
        icon = "user"
        label = _("Ma messagerie : mon adresse")
        description = _("L'adresse e-mail de la personne qui s'entraîne.")


class MailMessageBlock(blocks.StructBlock):
    key = blocks.CharBlock(
        label=_("Clé"),
        required=False,
        max_length=50,
        validators=[KEY_VALIDATOR],
        help_text=_("Un nom court, pour que les objectifs désignent ce message."),
    )
    folder = blocks.ChoiceBlock(choices=FOLDERS, default="reception", label=_("Dossier"))
    from_name = blocks.CharBlock(label=_("Nom de l'expéditeur"), required=False, max_length=100)
    from_address = blocks.CharBlock(
        label=_("Adresse de l'expéditeur"),
        required=False,
        max_length=200,
        help_text=_("Elle peut être étrange : c'est un indice pour les faux messages."),
    )
    to = blocks.CharBlock(
        label=_("Destinataire"),
        required=False,
        max_length=200,
        help_text=_("Vide : l'adresse de la personne qui s'entraîne."),
    )
    subject = blocks.CharBlock(label=_("Objet"), max_length=200)
    date = blocks.CharBlock(
        label=_("Date"), max_length=50, help_text=_("Par exemple « Hier, 9 h 12 ».")
    )
    body = blocks.TextBlock(label=_("Texte du message"), max_length=5000)
    attachments = _words_block(_("Pièces jointes (noms de fichiers)"))
    link_text = blocks.CharBlock(label=_("Texte du lien"), required=False, max_length=100)
    link_address = blocks.CharBlock(
        label=_("Adresse du lien"),
        required=False,
        max_length=200,
        help_text=_("Une adresse pour de faux, montrée à côté du lien. Le lien ne s'ouvre jamais."),
    )
    is_phishing = blocks.BooleanBlock(label=_("Message frauduleux"), required=False)
    read = blocks.BooleanBlock(label=_("Déjà lu"), required=False)

    class Meta:
        icon = "mail"
        label = _("Ma messagerie : un message")
        description = _("Un message dans un dossier de la messagerie.")

    def clean(self, value):
        value = super().clean(value)
        errors = {}
        if value["folder"] == "envoyes":
            if not value["to"]:
                errors["to"] = ValidationError(_("Un message envoyé a un destinataire."))
        elif not value["from_address"]:
            errors["from_address"] = ValidationError(_("Un message reçu a un expéditeur."))
        if bool(value["link_text"]) != bool(value["link_address"]):
            errors["link_address"] = ValidationError(
                _("Un lien a un texte et une adresse, ou rien des deux.")
            )
        if errors:
            raise blocks.StructBlockValidationError(block_errors=errors)
        return value


class MailDocumentBlock(blocks.StructBlock):
    name = blocks.CharBlock(
        label=_("Nom du fichier"),
        max_length=100,
        validators=[
            RegexValidator(
                FILE_NAME, _("Un nom de fichier avec son extension, par exemple CV.pdf.")
            )
        ],
    )
    description = blocks.CharBlock(label=_("Description"), required=False, max_length=150)

    class Meta:
        icon = "doc-full"
        label = _("Ma messagerie : un fichier de « Mes documents »")
        description = _("Un fichier que la personne peut joindre à un message.")


# --- Goals -------------------------------------------------------------------------


class MailSendGoal(GoalBlock):
    to = _email_block(label=_("Adresse du destinataire"))
    subject_words = _words_block(
        _("Mots obligatoires dans l'objet"), _("Majuscules et accents ne comptent pas.")
    )
    attachments = _words_block(_("Pièces jointes obligatoires"), _("Les noms des fichiers."))
    body_words = _words_block(_("Mots obligatoires dans le texte"))

    class Meta:
        icon = "mail"
        label = _("Objectif : envoyer un message")

    def reached(self, value, event, state):
        if event.get("type") != "mail_sent":
            return None
        if not same_address(event.get("to", ""), value["to"]):
            if event.get("reply_to"):
                return None  # a reply belongs to a reply goal
            return GoalCheck(
                hint=gettext(
                    "Le message est parti, mais pas à la bonne adresse. "
                    "Vérifiez le destinataire : %(address)s."
                )
                % {"address": value["to"]}
            )
        problems = []
        sent = {normalize(name) for name in event.get("attachments", [])}
        missing = [name for name in value["attachments"] if normalize(name) not in sent]
        if missing:
            problems.append(
                gettext("Il manque la pièce jointe %(names)s.") % {"names": _quoted_list(missing)}
            )
        words = missing_words(event.get("subject", ""), value["subject_words"])
        if words:
            problems.append(
                gettext("Il manque %(words)s dans l'objet.") % {"words": _quoted_list(words)}
            )
        words = missing_words(event.get("body", ""), value["body_words"])
        if words:
            problems.append(
                gettext("Il manque %(words)s dans le texte.") % {"words": _quoted_list(words)}
            )
        if problems:
            intro = gettext("Presque ! Le message est parti à la bonne adresse.")
            again = gettext("Écrivez un nouveau message avec tout ce qu'il faut.")
            return GoalCheck(hint=" ".join([intro, *problems, again]))
        return GoalCheck(done=True)


class MailReadGoal(GoalBlock):
    message = blocks.CharBlock(label=_("Clé du message"), max_length=50, validators=[KEY_VALIDATOR])

    class Meta:
        icon = "view"
        label = _("Objectif : ouvrir un message")

    def reached(self, value, event, state):
        if event.get("type") == "mail_read" and event.get("message") == value["message"]:
            return GoalCheck(done=True)
        return None


class MailReportPhishingGoal(GoalBlock):
    message = blocks.CharBlock(
        label=_("Clé du message"),
        required=False,
        max_length=50,
        validators=[KEY_VALIDATOR],
        help_text=_("Vide : n'importe quel message frauduleux."),
    )

    class Meta:
        icon = "warning"
        label = _("Objectif : signaler un message frauduleux")

    def _is_target(self, value, event):
        if value["message"]:
            return event.get("message") == value["message"]
        return bool(event.get("phishing"))

    def reached(self, value, event, state):
        kind = event.get("type")
        if kind == "mail_reported":
            if self._is_target(value, event):
                return GoalCheck(done=True)
            if event.get("phishing"):
                return None  # another fraudulent message: right reflex, not this goal
            return GoalCheck(
                hint=gettext(
                    "Ce message est normal : il vient vraiment de %(sender)s. "
                    "Regardez bien l'adresse de l'expéditeur des autres messages. "
                    "Vous pouvez le remettre dans la boîte de réception depuis « Indésirables »."
                )
                % {"sender": event.get("from_address", "")}
            )
        if kind == "mail_link_opened" and self._is_target(value, event):
            return GoalCheck(
                hint=gettext(
                    "Attention : ne cliquez jamais sur le lien d'un message suspect. "
                    "Signalez plutôt le message comme frauduleux."
                )
            )
        if kind == "mail_deleted" and self._is_target(value, event):
            return GoalCheck(
                hint=gettext(
                    "Bien vu, ce message est faux ! Mais il faut le signaler. "
                    "Ouvrez-le dans la Corbeille et cliquez sur « Signaler comme frauduleux »."
                )
            )
        return None


class MailReplyGoal(GoalBlock):
    message = blocks.CharBlock(label=_("Clé du message"), max_length=50, validators=[KEY_VALIDATOR])
    body_words = _words_block(_("Mots obligatoires dans la réponse"))

    class Meta:
        icon = "resubmit"
        label = _("Objectif : répondre à un message")

    def reached(self, value, event, state):
        if event.get("type") != "mail_sent":
            return None
        if event.get("reply_to") != value["message"]:
            original = next(
                (m for m in state.get("messages", []) if m.get("key") == value["message"]), None
            )
            if original and same_address(event.get("to", ""), original.get("from_address", "")):
                return GoalCheck(
                    hint=gettext(
                        "Le message est parti. Mais pour répondre, ouvrez le message de "
                        "%(sender)s et cliquez sur « Répondre » : l'adresse et l'objet "
                        "se remplissent tout seuls."
                    )
                    % {"sender": original.get("from_name") or original.get("from_address")}
                )
            return None
        words = missing_words(event.get("body", ""), value["body_words"])
        if words:
            return GoalCheck(
                hint=gettext(
                    "Presque ! La réponse est partie, mais il manque %(words)s dans le texte. "
                    "Répondez encore une fois."
                )
                % {"words": _quoted_list(words)}
            )
        return GoalCheck(done=True)


class MailDeleteGoal(GoalBlock):
    message = blocks.CharBlock(label=_("Clé du message"), max_length=50, validators=[KEY_VALIDATOR])

    class Meta:
        icon = "bin"
        label = _("Objectif : supprimer un message")

    def reached(self, value, event, state):
        if event.get("type") != "mail_deleted":
            return None
        if event.get("message") == value["message"]:
            return GoalCheck(done=True)
        if event.get("phishing"):
            return None  # the report goal speaks about that one
        return GoalCheck(
            hint=gettext(
                "Ce n'est pas ce message qu'il fallait supprimer. Pas de souci : il est dans la "
                "Corbeille, vous pouvez le restaurer."
            )
        )


KIND = Kind(
    label=_("Ma messagerie"),
    items=[
        ("mail_account", MailAccountBlock()),
        ("mail_message", MailMessageBlock()),
        ("mail_document", MailDocumentBlock()),
    ],
    goals=[
        ("mail_goal_send", MailSendGoal()),
        ("mail_goal_read", MailReadGoal()),
        ("mail_goal_report_phishing", MailReportPhishingGoal()),
        ("mail_goal_reply", MailReplyGoal()),
        ("mail_goal_delete", MailDeleteGoal()),
    ],
)
