"""The "Offres d'emploi" simulator: its item and goal blocks.

A job board in the manner of the public employment service's site: search offers by
job and town, open one, save it, apply with a CV, and the personal space with the
monthly "actualisation". The goals are checked here, on the server, against the
events that `learning/simulators/jobs.py` records.

The text matching lives here too (`normalize`, `keyword_found`, `town_matches`…),
so that the search and its goal agree on what "the same word" means.
"""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.blocks.struct_block import StructBlockValidationError

from .base import KEY_VALIDATOR, GoalBlock, GoalCheck, Kind

CONTRACTS = [("cdi", _("CDI")), ("cdd", _("CDD")), ("interim", _("Intérim"))]
WORKING_TIMES = [("plein", _("Temps plein")), ("partiel", _("Temps partiel"))]
DOCUMENT_KINDS = [("cv", _("CV")), ("lettre", _("Lettre de motivation")), ("autre", _("Autre"))]

# Hours in a month can't be more than 31 × 24; a month's pay, a sensible bound.
MAX_MONTH_HOURS = 744
MAX_MONTH_SALARY = 99_999

DEPARTEMENT_VALIDATOR = RegexValidator(
    r"^(0[1-9]|[1-8][0-9]|9[0-5]|2A|2B|97[1-6])$",
    _("Le numéro du département : 2 chiffres (69, 05), 2A, 2B ou 971 à 976."),
)
IDENTIFIER_VALIDATOR = RegexValidator(
    r"^[0-9A-Z]{6,11}$", _("6 à 11 chiffres ou lettres majuscules, par exemple 1234567A.")
)

# Small words that say nothing about a job: "agent d'entretien" is "agent entretien".
STOP_WORDS = frozenset(
    {"a", "au", "aux", "d", "de", "des", "du", "en", "et", "h", "f", "l", "la", "le", "les"}
    | {"ou", "pour", "sur", "un", "une"}
)


# --- Matching (shared by the search and its goal) -----------------------------------


def normalize(text):
    """Lower case, no accents, letters and digits only: "Vénissieux" → "venissieux"."""
    decomposed = unicodedata.normalize("NFKD", str(text or ""))
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()
    plain = plain.replace("œ", "oe").replace("æ", "ae")
    return " ".join(re.sub(r"[^a-z0-9]+", " ", plain).split())


def words(text):
    """The words that matter in what someone typed."""
    return [word for word in normalize(text).split() if word not in STOP_WORDS]


def _singular(word):
    return word[:-1] if len(word) > 3 and word[-1] in "sx" else word


def keyword_found(keyword, haystack):
    """Every word typed appears in the offer's text (plurals forgiven)."""
    text = normalize(haystack)
    return all(word in text or _singular(word) in text for word in words(keyword))


def _same_word(typed, expected):
    """ "serveuse" for "serveur", "caristes" for "cariste": same start, long enough."""
    if typed == expected:
        return True
    common = 0
    for a, b in zip(typed, expected, strict=False):
        if a != b:
            break
        common += 1
    return common >= min(len(expected), 5) and common >= min(len(typed), 4)


def keyword_matches(expected, typed):
    """The typed job names every word of the expected one (give or take an ending)."""
    typed_words = words(typed)
    expected_words = words(expected)
    return bool(expected_words) and all(
        any(_same_word(word, wanted) for word in typed_words) for wanted in expected_words
    )


def split_place(text):
    """What was typed in "Où ?": (town letters, département digits)."""
    normalized = normalize(text)
    letters = " ".join(part for part in normalized.split() if not part.isdigit())
    digits = "".join(part for part in normalized.split() if part.isdigit())
    return letters, digits


def town_matches(typed, town):
    """ "Vénissieux", "venissieux", "Vénissieux (69)" or "Vénis" all find Vénissieux."""
    letters, _digits = split_place(typed)
    target = normalize(town)
    if not letters:
        return False
    return letters == target or (len(letters) >= 3 and target.startswith(letters))


def departement_of(digits):
    """ "69", "69200" → "69"; overseas "97411" → "974"."""
    if digits.startswith("97"):
        return digits[:3]
    return digits[:2]


# --- Items ------------------------------------------------------------------------


class JobOfferBlock(blocks.StructBlock):
    key = blocks.CharBlock(
        label=_("Clé"),
        max_length=50,
        validators=[KEY_VALIDATOR],
        help_text=_("Un nom court et stable, par exemple « serveur-venissieux »."),
    )
    title = blocks.CharBlock(label=_("Métier"), max_length=120)
    employer = blocks.CharBlock(
        label=_("Employeur"),
        max_length=120,
        help_text=_("Un nom inventé : jamais une vraie entreprise."),
    )
    town = blocks.CharBlock(label=_("Ville"), max_length=80)
    departement = blocks.CharBlock(
        label=_("Département"), max_length=3, validators=[DEPARTEMENT_VALIDATOR]
    )
    contract = blocks.ChoiceBlock(label=_("Contrat"), choices=CONTRACTS, default="cdi")
    contract_length = blocks.CharBlock(
        label=_("Durée du contrat"),
        required=False,
        max_length=60,
        help_text=_("Pour un CDD ou une mission d'intérim, par exemple « 3 mois »."),
    )
    working_time = blocks.ChoiceBlock(
        label=_("Temps de travail"), choices=WORKING_TIMES, default="plein"
    )
    hours = blocks.CharBlock(
        label=_("Horaires"),
        max_length=150,
        help_text=_("Par exemple « 35 h par semaine, du lundi au vendredi »."),
    )
    salary = blocks.CharBlock(
        label=_("Salaire"),
        max_length=120,
        help_text=_("Par exemple « 1 800 € brut par mois »."),
    )
    description = blocks.TextBlock(label=_("Description du poste"), max_length=2000)
    skills = blocks.ListBlock(
        blocks.CharBlock(max_length=120),
        label=_("Compétences demandées"),
        min_num=0,
        max_num=8,
    )
    beginner_ok = blocks.BooleanBlock(label=_("Débutant accepté"), required=False)
    published = blocks.CharBlock(
        label=_("Date de publication"),
        required=False,
        max_length=60,
        help_text=_("Par exemple « Publiée il y a 2 jours »."),
    )

    class Meta:
        icon = "doc-full"
        label = _("Offre d'emploi")
        description = _("Une offre sur le faux site d'offres d'emploi.")
        preview_value = {
            "key": "serveur-venissieux",
            "title": "Serveur / Serveuse",
            "employer": "Brasserie de la Place",
            "town": "Vénissieux",
            "departement": "69",
            "contract": "cdd",
            "contract_length": "6 mois",
            "working_time": "plein",
            "hours": "35 h par semaine",
            "salary": "1 800 € brut par mois",
            "description": "Vous servez les clients en salle.",
            "skills": ["Accueillir les clients"],
            "beginner_ok": True,
        }

    def clean(self, value):
        value = super().clean(value)
        if value["contract"] == "cdi" and value["contract_length"]:
            raise StructBlockValidationError(
                block_errors={
                    "contract_length": ValidationError(
                        _("Un CDI n'a pas de durée : laissez ce champ vide.")
                    )
                }
            )
        return value


class JobDocumentBlock(blocks.StructBlock):
    name = blocks.CharBlock(
        label=_("Nom du fichier"),
        max_length=80,
        validators=[
            RegexValidator(
                r"^[\w.\- ]+\.(pdf|docx?|odt|jpe?g|png)$",
                _("Un nom de fichier avec son extension, par exemple « CV_2025.pdf »."),
            )
        ],
    )
    kind = blocks.ChoiceBlock(label=_("Type de document"), choices=DOCUMENT_KINDS, default="cv")
    added = blocks.CharBlock(
        label=_("Ajouté le"),
        required=False,
        max_length=60,
        help_text=_("Par exemple « 12 janvier 2025 »."),
    )

    class Meta:
        icon = "doc-empty"
        label = _("Document de la personne")
        description = _("Un fichier de la personne : son CV, une lettre… (faux fichier).")
        preview_value = {"name": "CV_2025.pdf", "kind": "cv", "added": "12 janvier 2025"}


class JobAdviserMessageBlock(blocks.StructBlock):
    date = blocks.CharBlock(label=_("Date"), max_length=60)
    subject = blocks.CharBlock(label=_("Sujet"), max_length=150)
    body = blocks.TextBlock(label=_("Message"), max_length=2000)

    class Meta:
        icon = "mail"
        label = _("Message du conseiller")


class JobSpaceBlock(blocks.StructBlock):
    adviser = blocks.CharBlock(
        label=_("Nom du conseiller"),
        max_length=80,
        help_text=_("Par exemple « M. Martin »."),
    )
    identifier = blocks.CharBlock(
        label=_("Identifiant (faux)"), max_length=11, validators=[IDENTIFIER_VALIDATOR]
    )
    month = blocks.CharBlock(
        label=_("Mois de l'actualisation"),
        max_length=40,
        help_text=_("Le mois à déclarer, par exemple « mars 2025 »."),
    )
    period = blocks.CharBlock(
        label=_("Période d'actualisation"),
        max_length=80,
        help_text=_("Par exemple « du 28 mars au 15 avril »."),
    )
    messages = blocks.ListBlock(
        JobAdviserMessageBlock(), label=_("Messages du conseiller"), min_num=0, max_num=10
    )

    class Meta:
        icon = "user"
        label = _("Espace personnel")
        description = _("Le faux espace personnel : conseiller, identifiant, actualisation.")
        preview_value = {
            "adviser": "Mme Benali",
            "identifier": "4821937K",
            "month": "mars 2025",
            "period": "du 28 mars au 15 avril",
            "messages": [],
        }


# --- Goals ------------------------------------------------------------------------


def _label(choices, value):
    return str(dict(choices).get(value, value))


class JobSearchGoal(GoalBlock):
    keyword = blocks.CharBlock(label=_("Métier à chercher"), max_length=80)
    town = blocks.CharBlock(label=_("Ville à chercher"), max_length=80)
    contract = blocks.ChoiceBlock(
        label=_("Filtre contrat demandé"), choices=CONTRACTS, required=False
    )
    working_time = blocks.ChoiceBlock(
        label=_("Filtre temps de travail demandé"), choices=WORKING_TIMES, required=False
    )
    beginner = blocks.BooleanBlock(label=_("Filtre « Débutant accepté » demandé"), required=False)
    whole_departement = blocks.BooleanBlock(
        label=_("Recherche dans tout le département demandée"), required=False
    )

    class Meta:
        icon = "search"
        label = _("Objectif : chercher des offres")
        preview_value = {
            "key": "chercher-serveur",
            "instruction": "Cherchez des offres de serveur à Vénissieux.",
            "keyword": "serveur",
            "town": "Vénissieux",
        }

    def clean(self, value):
        value = super().clean(value)
        if not words(value["keyword"]):
            raise StructBlockValidationError(
                block_errors={"keyword": ValidationError(_("Écrivez un vrai nom de métier."))}
            )
        return value

    def reached(self, value, event, state):
        if event.get("type") != "job_search":
            return None
        keyword_ok = keyword_matches(value["keyword"], event.get("keyword", ""))
        town_ok = town_matches(event.get("town", ""), value["town"])
        if not keyword_ok and not town_ok:
            return None  # another search: the learner looks around
        if not keyword_ok:
            return GoalCheck(
                hint=gettext("Dans « Quel métier ? », écrivez « %(keyword)s ».")
                % {"keyword": value["keyword"]}
            )
        if not town_ok:
            return GoalCheck(
                hint=gettext("Dans « Où ? », écrivez la ville : « %(town)s ».")
                % {"town": value["town"]}
            )
        missing = []
        if value["contract"] and value["contract"] not in event.get("contracts", []):
            missing.append(_label(CONTRACTS, value["contract"]))
        if value["working_time"] and event.get("working_time") != value["working_time"]:
            missing.append(_label(WORKING_TIMES, value["working_time"]))
        if value["beginner"] and not event.get("beginner"):
            missing.append(gettext("Débutant accepté"))
        if value["whole_departement"] and event.get("scope") != "departement":
            missing.append(gettext("Dans tout le département"))
        if missing:
            return GoalCheck(
                hint=gettext("Ouvrez les filtres et choisissez : %(filters)s.")
                % {"filters": ", ".join(missing)}
            )
        if not event.get("count"):
            return GoalCheck(
                hint=gettext(
                    "Aucune offre ne correspond. Enlevez les filtres que la mission ne demande pas."
                )
            )
        return GoalCheck(done=True)


class _OfferGoal(GoalBlock):
    offer = blocks.CharBlock(
        label=_("Clé de l'offre"),
        max_length=50,
        validators=[KEY_VALIDATOR],
        help_text=_("La clé d'une offre de cette simulation."),
    )

    event_type = ""

    def reached(self, value, event, state):
        if event.get("type") != self.event_type:
            return None
        if event.get("offer") == value["offer"]:
            return GoalCheck(done=True)
        return GoalCheck(hint=value["hint"] or self.wrong_offer_hint(value, state))

    @staticmethod
    def wrong_offer_hint(value, state):
        offer = next((o for o in state.get("offers", []) if o["id"] == value["offer"]), None)
        if offer is None:
            return gettext("Ce n'est pas la bonne offre. Relisez la mission.")
        return gettext(
            "Ce n'est pas la bonne offre. Cherchez l'offre « %(title)s » à %(town)s."
        ) % {"title": offer["title"], "town": offer["town"]}


class JobOpenOfferGoal(_OfferGoal):
    event_type = "job_offer_opened"

    class Meta:
        icon = "view"
        label = _("Objectif : ouvrir une offre")
        preview_value = {
            "key": "ouvrir-serveur",
            "instruction": "Ouvrez l'offre de serveur à Vénissieux.",
            "offer": "serveur-venissieux",
        }


class JobSaveOfferGoal(_OfferGoal):
    event_type = "job_offer_saved"

    class Meta:
        icon = "pick"
        label = _("Objectif : sauvegarder une offre")
        preview_value = {
            "key": "sauvegarder-serveur",
            "instruction": "Sauvegardez l'offre de serveur à Vénissieux.",
            "offer": "serveur-venissieux",
        }


class JobApplyGoal(_OfferGoal):
    document = blocks.CharBlock(
        label=_("CV à joindre"),
        required=False,
        max_length=80,
        help_text=_("Le nom du fichier attendu. Vide : n'importe quel CV."),
    )
    min_message = blocks.IntegerBlock(
        label=_("Longueur minimale du message"),
        default=20,
        min_value=0,
        max_value=500,
        help_text=_("En nombre de caractères."),
    )

    event_type = "job_application_sent"

    class Meta:
        icon = "mail"
        label = _("Objectif : postuler à une offre")
        preview_value = {
            "key": "postuler-serveur",
            "instruction": "Postulez à l'offre de serveur avec votre CV.",
            "offer": "serveur-venissieux",
            "document": "CV_2025.pdf",
            "min_message": 20,
        }

    def reached(self, value, event, state):
        if event.get("type") != self.event_type:
            return None
        if event.get("offer") != value["offer"]:
            return GoalCheck(hint=value["hint"] or self.wrong_offer_hint(value, state))
        if event.get("document_kind") != "cv":
            return GoalCheck(
                hint=gettext(
                    "Vous avez joint « %(name)s ». Ce n'est pas un CV : choisissez votre CV."
                )
                % {"name": event.get("document", "")}
            )
        if value["document"] and event.get("document") != value["document"]:
            return GoalCheck(
                hint=gettext("Choisissez le CV « %(name)s » : c'est le plus récent.")
                % {"name": value["document"]}
            )
        if event.get("message_length", 0) < value["min_message"]:
            return GoalCheck(
                hint=gettext(
                    "Votre message est trop court. Écrivez au moins %(count)s caractères, "
                    "par exemple : « Bonjour, votre offre m'intéresse. Je suis disponible "
                    "tout de suite. »"
                )
                % {"count": value["min_message"]}
            )
        return GoalCheck(done=True)


class JobActualisationGoal(GoalBlock):
    """The situation to declare. The instruction tells it in words; these fields check it."""

    worked = blocks.BooleanBlock(label=_("A travaillé ce mois-ci"), required=False)
    hours = blocks.IntegerBlock(
        label=_("Heures travaillées"),
        required=False,
        min_value=0,
        max_value=MAX_MONTH_HOURS,
    )
    salary = blocks.IntegerBlock(
        label=_("Salaire brut (en euros)"),
        required=False,
        min_value=0,
        max_value=MAX_MONTH_SALARY,
        help_text=_("Vide : le salaire n'est pas vérifié."),
    )
    searching = blocks.BooleanBlock(
        label=_("Cherche toujours un emploi"), required=False, default=True
    )
    available = blocks.BooleanBlock(label=_("Est disponible"), required=False, default=True)
    training = blocks.BooleanBlock(label=_("A suivi une formation"), required=False)
    sick = blocks.BooleanBlock(label=_("A été en arrêt maladie"), required=False)

    class Meta:
        icon = "date"
        label = _("Objectif : faire son actualisation")
        preview_value = {
            "key": "actualisation",
            "instruction": "Ce mois-ci, vous avez travaillé 10 heures. Faites votre actualisation.",
            "worked": True,
            "hours": 10,
            "searching": True,
            "available": True,
        }

    def clean(self, value):
        value = super().clean(value)
        if value["worked"] and not value["hours"]:
            raise StructBlockValidationError(
                block_errors={
                    "hours": ValidationError(_("La personne a travaillé : combien d'heures ?"))
                }
            )
        if not value["worked"] and (value["hours"] or value["salary"]):
            raise StructBlockValidationError(
                block_errors={
                    "worked": ValidationError(
                        _("Des heures ou un salaire sont donnés : cochez « A travaillé ».")
                    )
                }
            )
        return value

    def mistakes(self, value, answers):
        """What the answers given so far get wrong, as hints (empty: all right so far)."""
        hints = []
        if "worked" in answers and answers["worked"] != value["worked"]:
            if value["worked"]:
                hints.append(gettext("Ce mois-ci, vous avez travaillé : répondez « Oui »."))
            else:
                hints.append(gettext("Ce mois-ci, vous n'avez pas travaillé : répondez « Non »."))
        elif value["worked"] and answers.get("worked", True):
            if "hours" in answers and answers["hours"] != value["hours"]:
                hints.append(
                    gettext("Relisez votre mission : vous avez travaillé %(hours)s heures.")
                    % {"hours": value["hours"]}
                )
            if (
                value["salary"] is not None
                and "salary" in answers
                and answers["salary"] != value["salary"]
            ):
                hints.append(
                    gettext("Relisez votre mission : vous avez gagné %(salary)s euros brut.")
                    % {"salary": value["salary"]}
                )
        questions = {
            "searching": (
                gettext("Vous cherchez toujours un emploi : répondez « Oui »."),
                gettext("Vous ne cherchez plus d'emploi : répondez « Non »."),
            ),
            "available": (
                gettext("Vous êtes disponible pour travailler : répondez « Oui »."),
                gettext("Vous n'êtes pas disponible pour travailler : répondez « Non »."),
            ),
            "training": (
                gettext("Ce mois-ci, vous avez suivi une formation : répondez « Oui »."),
                gettext("Ce mois-ci, vous n'avez pas suivi de formation : répondez « Non »."),
            ),
            "sick": (
                gettext("Ce mois-ci, vous avez été en arrêt maladie : répondez « Oui »."),
                gettext("Ce mois-ci, vous n'avez pas été en arrêt maladie : répondez « Non »."),
            ),
        }
        for name, (say_yes, say_no) in questions.items():
            if name in answers and answers[name] != value[name]:
                hints.append(say_yes if value[name] else say_no)
        return hints

    def reached(self, value, event, state):
        kind = event.get("type")
        if kind not in ("job_actualisation_answer", "job_actualisation_sent"):
            return None
        hints = self.mistakes(value, event.get("answers") or {})
        if hints:
            if kind == "job_actualisation_sent":
                hints.append(
                    gettext("Dans « Mon espace », choisissez « Modifier ma déclaration ».")
                )
            return GoalCheck(hint=" ".join(hints))
        if kind == "job_actualisation_sent":
            return GoalCheck(done=True)
        return None  # right so far: the goal is reached when the declaration is sent


def scenario_problems(items, goals):
    """Cross-checks a scenario's goals against its items (unknown offer or document).

    The framework's Scenario.clean() can't see a kind's own rules; the tests run
    this on the shipped scenarios.
    """
    offers = {child.value["key"] for child in items if child.block_type == "job_offer"}
    documents = {child.value["name"] for child in items if child.block_type == "job_document"}
    problems = []
    if len(offers) != sum(1 for child in items if child.block_type == "job_offer"):
        problems.append(gettext("Deux offres ont la même clé."))
    for child in goals:
        offer = child.value.get("offer") if child.block_type != "job_goal_search" else None
        if offer is not None and offer not in offers:
            problems.append(
                gettext("L'objectif « %(goal)s » vise une offre inconnue : %(offer)s.")
                % {"goal": child.value["key"], "offer": offer}
            )
        document = child.value.get("document") if child.block_type == "job_goal_apply" else ""
        if document and document not in documents:
            problems.append(
                gettext("L'objectif « %(goal)s » demande un document inconnu : %(name)s.")
                % {"goal": child.value["key"], "name": document}
            )
    return problems


KIND = Kind(
    label=_("Offres d'emploi"),
    items=[
        ("job_offer", JobOfferBlock()),
        ("job_document", JobDocumentBlock()),
        ("job_space", JobSpaceBlock()),
    ],
    goals=[
        ("job_goal_search", JobSearchGoal()),
        ("job_goal_open_offer", JobOpenOfferGoal()),
        ("job_goal_save_offer", JobSaveOfferGoal()),
        ("job_goal_apply", JobApplyGoal()),
        ("job_goal_actualisation", JobActualisationGoal()),
    ],
    problems=scenario_problems,
)
