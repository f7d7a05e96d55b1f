"""The "Mon compte en ligne" simulator: its item and goal blocks.

A public-service account site (family allowances, health insurance…), with no
brand: create an account under password rules, confirm it from a message in the
learner's pretend mailbox, sign in, fill in a form, send a photo of a document,
download a certificate. Goals are checked against the events the simulator
records: "account_created", "account_create_refused", "account_confirmed",
"account_signed_in", "account_sign_in_refused", "account_form_sent",
"account_uploaded", "account_downloaded".
"""

import re

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail import blocks

from .base import KEY_VALIDATOR, GoalBlock, GoalCheck, Kind
from .webmail import DEFAULT_ADDRESS, contains_word, normalize

# The small drawings of the pretend photo gallery (static/img/simulators/<name>.svg).
PICTURES = [
    ("avis-imposition", _("Un avis d'imposition")),
    ("bulletin-salaire", _("Un bulletin de salaire")),
    ("facture", _("Une facture d'électricité")),
    ("piece-identite", _("Une carte d'identité")),
    ("chat", _("Un chat")),
    ("paysage", _("Un paysage")),
    ("repas", _("Une assiette de repas")),
]

FIELD_KINDS = [
    ("text", _("Texte court")),
    ("textarea", _("Texte long")),
    ("date", _("Date")),
    ("number", _("Nombre")),
    ("choice", _("Choix dans une liste")),
    ("tel", _("Numéro de téléphone")),
]


def password_rules(settings):
    """The rules a password must follow on this site: [(key, text)]."""
    rules = [
        (
            "length",
            gettext("Au moins %(count)s caractères (lettres, chiffres ou signes)")
            % {"count": settings["min_length"]},
        )
    ]
    if settings["capital"]:
        rules.append(("capital", gettext("Au moins une lettre majuscule (A, B, C…)")))
    if settings["digit"]:
        rules.append(("digit", gettext("Au moins un chiffre (1, 2, 3…)")))
    if settings["special"]:
        rules.append(("special", gettext("Au moins un caractère spécial (! ? - * # @…)")))
    return rules


def password_rule_passes(rule, password, settings):
    if rule == "length":
        return len(password) >= settings["min_length"]
    if rule == "capital":
        return any(ch.isupper() for ch in password)
    if rule == "digit":
        return any(ch.isdigit() for ch in password)
    if rule == "special":
        return any(not ch.isalnum() and not ch.isspace() for ch in password)
    return True


def password_failures(password, settings):
    """The keys of the rules this password breaks."""
    return [
        rule
        for rule, _text in password_rules(settings)
        if not password_rule_passes(rule, password, settings)
    ]


# --- Items -------------------------------------------------------------------------


class AccountSettingsBlock(blocks.StructBlock):
    site_name = blocks.CharBlock(
        label=_("Nom du site"), max_length=80, default="Mon compte en ligne"
    )
    organisation = blocks.CharBlock(
        label=_("Nom de l'organisme"),
        max_length=100,
        default="Service des aides à la famille",
        help_text=_("Un nom inventé : pas de vraie marque."),
    )
    email = blocks.CharBlock(
        label=_("Adresse e-mail de la personne"),
        max_length=200,
        default=DEFAULT_ADDRESS,
        validators=[EmailValidator()],
        help_text=_("Le message de confirmation arrive dans cette messagerie pour de faux."),
    )
    min_length = blocks.IntegerBlock(
        label=_("Longueur minimale du mot de passe"), default=8, min_value=4, max_value=20
    )
    capital = blocks.BooleanBlock(label=_("Exiger une majuscule"), required=False, default=True)
    digit = blocks.BooleanBlock(label=_("Exiger un chiffre"), required=False, default=True)
    special = blocks.BooleanBlock(
        label=_("Exiger un caractère spécial"), required=False, default=True
    )
    demo_password = blocks.CharBlock(
        label=_("Mot de passe du compte déjà créé"),
        max_length=40,
        default="Soleil-2025",
        help_text=_(
            "Quand l'étape ne demande pas de créer le compte, il existe déjà, "
            "avec ce mot de passe (montré à la personne)."
        ),
    )
    form_title = blocks.CharBlock(
        label=_("Titre de la démarche"),
        max_length=100,
        default="Déclarer un changement de situation",
    )
    upload_request = blocks.CharBlock(
        label=_("Document demandé"),
        max_length=150,
        default="votre dernier avis d'imposition",
        help_text=_("Complète la phrase « Envoyez une photo de … »."),
    )
    certificate_title = blocks.CharBlock(
        label=_("Titre de l'attestation"), max_length=100, default="Attestation de droits"
    )

    class Meta:
        icon = "cog"
        label = _("Compte en ligne : réglages du site")
        description = _("Le nom du site, les règles du mot de passe, les titres des pages.")

    def clean(self, value):
        value = super().clean(value)
        failures = password_failures(value["demo_password"], value)
        if failures:
            raise blocks.StructBlockValidationError(
                block_errors={
                    "demo_password": ValidationError(
                        _("Ce mot de passe ne respecte pas les règles du site.")
                    )
                }
            )
        return value


class AccountFormFieldBlock(blocks.StructBlock):
    key = blocks.CharBlock(label=_("Clé"), max_length=50, validators=[KEY_VALIDATOR])
    label = blocks.CharBlock(label=_("Question"), max_length=150)
    kind = blocks.ChoiceBlock(choices=FIELD_KINDS, default="text", label=_("Type de réponse"))
    required = blocks.BooleanBlock(label=_("Obligatoire"), required=False, default=True)
    choices = blocks.ListBlock(
        blocks.CharBlock(max_length=100, label=_("Choix")),
        default=[],
        label=_("Choix possibles"),
        help_text=_("Seulement pour « Choix dans une liste »."),
    )
    help_text = blocks.CharBlock(label=_("Aide sous la question"), required=False, max_length=200)

    class Meta:
        icon = "form"
        label = _("Compte en ligne : une question du formulaire")
        description = _("Une case à remplir dans la démarche en ligne.")

    def clean(self, value):
        value = super().clean(value)
        if value["kind"] == "choice" and len(value["choices"]) < 2:
            raise blocks.StructBlockValidationError(
                block_errors={"choices": ValidationError(_("Donnez au moins deux choix."))}
            )
        if value["kind"] != "choice" and len(value["choices"]):
            raise blocks.StructBlockValidationError(
                block_errors={
                    "choices": ValidationError(_("Les choix vont seulement avec une liste."))
                }
            )
        return value


class AccountGalleryPhotoBlock(blocks.StructBlock):
    key = blocks.CharBlock(label=_("Clé"), max_length=50, validators=[KEY_VALIDATOR])
    label = blocks.CharBlock(
        label=_("Ce que montre la photo"),
        max_length=100,
        help_text=_("En quelques mots, par exemple « un avis d'imposition »."),
    )
    picture = blocks.ChoiceBlock(choices=PICTURES, label=_("Dessin"))

    class Meta:
        icon = "image"
        label = _("Compte en ligne : une photo de la galerie")
        description = _("Une photo du téléphone, parmi lesquelles choisir le bon document.")


# --- Goals -------------------------------------------------------------------------


class AccountCreateGoal(GoalBlock):
    class Meta:
        icon = "user"
        label = _("Objectif : créer le compte")

    def reached(self, value, event, state):
        if event.get("type") == "account_created":
            return GoalCheck(done=True)
        if event.get("type") == "account_create_refused":
            return GoalCheck(hint=event.get("hint", ""))
        return None


class AccountConfirmGoal(GoalBlock):
    class Meta:
        icon = "mail"
        label = _("Objectif : confirmer le compte")

    def reached(self, value, event, state):
        if event.get("type") == "account_confirmed":
            return GoalCheck(done=True)
        if event.get("type") == "account_sign_in_refused" and event.get("reason") == "unconfirmed":
            return GoalCheck(
                hint=gettext(
                    "Votre compte n'est pas encore confirmé. Ouvrez « Ma messagerie », "
                    "ouvrez le message du site et cliquez sur « Confirmer mon compte »."
                )
            )
        return None


class AccountSignInGoal(GoalBlock):
    class Meta:
        icon = "login"
        label = _("Objectif : se connecter")

    def reached(self, value, event, state):
        if event.get("type") == "account_signed_in":
            return GoalCheck(done=True)
        if event.get("type") != "account_sign_in_refused":
            return None
        reason = event.get("reason")
        if reason == "no_account":
            return GoalCheck(
                hint=gettext(
                    "Vous n'avez pas encore de compte sur ce site. "
                    "Cliquez d'abord sur « Créer mon compte »."
                )
            )
        if reason == "unconfirmed":
            return GoalCheck(
                hint=gettext(
                    "Avant de vous connecter, confirmez votre compte avec le lien "
                    "du message reçu dans « Ma messagerie »."
                )
            )
        return GoalCheck(
            hint=gettext(
                "L'adresse ou le mot de passe ne sont pas les bons. Vérifiez chaque lettre, "
                "les majuscules et les chiffres."
            )
        )


class AccountFormGoal(GoalBlock):
    values = blocks.ListBlock(
        blocks.StructBlock(
            [
                (
                    "field",
                    blocks.CharBlock(
                        label=_("Clé de la question"), max_length=50, validators=[KEY_VALIDATOR]
                    ),
                ),
                ("value", blocks.CharBlock(label=_("Réponse attendue"), max_length=200)),
            ]
        ),
        default=[],
        label=_("Réponses attendues"),
        help_text=_(
            "Les dates s'écrivent AAAA-MM-JJ. Pour un texte, la réponse doit contenir ces mots."
        ),
    )

    class Meta:
        icon = "form"
        label = _("Objectif : envoyer le formulaire")

    def reached(self, value, event, state):
        if event.get("type") != "account_form_sent":
            return None
        sent = event.get("values", {})
        fields = {field["key"]: field for field in state.get("fields", [])}
        wrong = []
        for expected in value["values"]:
            key = expected["field"]
            field = fields.get(key, {"kind": "text", "label": key})
            if not answer_matches(field["kind"], sent.get(key, ""), expected["value"]):
                wrong.append(field["label"])
        if not wrong:
            return GoalCheck(done=True)
        names = ", ".join(f"« {label} »" for label in wrong)
        return GoalCheck(
            hint=gettext(
                "Le formulaire est parti, mais la réponse à %(names)s ne correspond pas à la "
                "mission. Relisez la mission, puis remplissez un nouveau formulaire."
            )
            % {"names": names}
        )


def answer_matches(kind, given, expected):
    if kind in ("text", "textarea"):
        return contains_word(given, expected)
    if kind == "number":
        return str(given).strip() == str(expected).strip()
    if kind == "tel":
        return re.sub(r"\D", "", str(given)) == re.sub(r"\D", "", str(expected))
    return normalize(given) == normalize(expected)


class AccountUploadGoal(GoalBlock):
    photo = blocks.CharBlock(
        label=_("Clé de la bonne photo"), max_length=50, validators=[KEY_VALIDATOR]
    )

    class Meta:
        icon = "upload"
        label = _("Objectif : envoyer la photo du bon document")

    def reached(self, value, event, state):
        if event.get("type") != "account_uploaded":
            return None
        if event.get("photo") == value["photo"]:
            return GoalCheck(done=True)
        photos = {photo["key"]: photo["label"] for photo in state.get("photos", [])}
        return GoalCheck(
            hint=gettext(
                "Ce n'est pas le bon document : cette photo montre %(sent)s. "
                "Cherchez la photo qui montre %(expected)s, puis envoyez-la."
            )
            % {
                "sent": _lower_first(photos.get(event.get("photo"), "?")),
                "expected": _lower_first(photos.get(value["photo"], value["photo"])),
            }
        )


def _lower_first(text):
    return text[:1].lower() + text[1:]


class AccountDownloadGoal(GoalBlock):
    class Meta:
        icon = "download"
        label = _("Objectif : télécharger l'attestation")

    def reached(self, value, event, state):
        if event.get("type") == "account_downloaded":
            return GoalCheck(done=True)
        return None


KIND = Kind(
    label=_("Mon compte en ligne"),
    items=[
        ("account_settings", AccountSettingsBlock()),
        ("account_form_field", AccountFormFieldBlock()),
        ("account_gallery_photo", AccountGalleryPhotoBlock()),
    ],
    goals=[
        ("account_goal_create", AccountCreateGoal()),
        ("account_goal_confirm", AccountConfirmGoal()),
        ("account_goal_sign_in", AccountSignInGoal()),
        ("account_goal_form", AccountFormGoal()),
        ("account_goal_upload", AccountUploadGoal()),
        ("account_goal_download", AccountDownloadGoal()),
    ],
)
