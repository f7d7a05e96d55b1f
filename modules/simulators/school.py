"""The "Vie scolaire" simulator: its item and goal blocks.

A parent's space for one child, as school portals show it: the timetable, the
homework, the grades, the messages with teachers and the absences. Dates are
written as offsets from the day the learner plays ("due in 1 day" is always
tomorrow); `learning/simulators/school.py` turns them into real dates.

Goals are checked on the server from the events the simulator records. The
"question" goals (find the homework, a grade, a start time) are answered by
choosing among the entries the site shows; the right entry is worked out from
the scenario's items at check time, so it is never written in the page.
"""

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.blocks.struct_block import StructBlockValidationError

from .base import KEY_VALIDATOR, GoalBlock, GoalCheck, Kind

DAYS = [
    ("lundi", _("Lundi")),
    ("mardi", _("Mardi")),
    ("mercredi", _("Mercredi")),
    ("jeudi", _("Jeudi")),
    ("vendredi", _("Vendredi")),
]
DAY_NUMBERS = {name: number for number, (name, _label) in enumerate(DAYS)}

ABSENCE_KINDS = [("absence", _("Absence")), ("retard", _("Retard"))]

REASONS = [
    ("maladie", _("Maladie")),
    ("rendez-vous-medical", _("Rendez-vous médical")),
    ("raison-familiale", _("Raison familiale")),
    ("autre", _("Autre raison")),
]

# The events the simulator records (its state holds the items with these fields):
# {"type": ANSWER_EVENT, "goal": goal key, "choice": choice id}
# {"type": MESSAGE_OPENED, "message": id, "sender": name}
# {"type": MESSAGE_SENT, "to": name, "subject": text, "body": text, "reply_to": id or ""}
# {"type": ABSENCE_JUSTIFIED, "absence": id, "absence_key": key, "reason": code}
ANSWER_EVENT = "school_answer"
MESSAGE_OPENED = "school_message_opened"
MESSAGE_SENT = "school_message_sent"
ABSENCE_JUSTIFIED = "school_absence_justified"


def normalize(text):
    """Names and words compared the way a person reads them: no case, no accents."""
    decomposed = unicodedata.normalize("NFKD", str(text or "").casefold())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(plain.replace(".", " ").replace("’", "'").split())


def grade_choice(mark, out_of):
    """The answer id of a grade ("12.5/20"): the same mark on the same scale is one answer."""
    return f"{float(mark):g}/{int(out_of)}"


def _key_field(help_text):
    return blocks.CharBlock(
        label=_("Clé"),
        required=False,
        max_length=50,
        validators=[KEY_VALIDATOR],
        help_text=help_text,
    )


def _raise(errors):
    raise StructBlockValidationError(
        block_errors={name: ValidationError(message) for name, message in errors.items()}
    )


# --- Items: what the site shows ---------------------------------------------------


class ChildBlock(blocks.StructBlock):
    first_name = blocks.CharBlock(label=_("Prénom de l'élève"), max_length=40)
    class_name = blocks.CharBlock(
        label=_("Classe"), max_length=20, help_text=_("Par exemple « 5e B ».")
    )
    school = blocks.CharBlock(
        label=_("Établissement"),
        max_length=80,
        help_text=_("Un nom inventé, par exemple « Collège des Tilleuls »."),
    )

    class Meta:
        icon = "user"
        label = _("Élève")
        description = _("L'enfant que le parent suit : prénom, classe, établissement.")


class LessonBlock(blocks.StructBlock):
    day = blocks.ChoiceBlock(label=_("Jour"), choices=DAYS)
    start = blocks.TimeBlock(label=_("Début"))
    end = blocks.TimeBlock(label=_("Fin"))
    subject = blocks.CharBlock(label=_("Matière"), max_length=40)
    teacher = blocks.CharBlock(label=_("Professeur"), max_length=60)
    room = blocks.CharBlock(label=_("Salle"), required=False, max_length=20)
    cancelled = blocks.BooleanBlock(
        label=_("Cours annulé"), required=False, help_text=_("Le professeur est absent.")
    )

    class Meta:
        icon = "time"
        label = _("Cours de l'emploi du temps")
        description = _("Un cours de la semaine : jour, heures, matière, professeur, salle.")

    def clean(self, value):
        value = super().clean(value)
        if value["start"] and value["end"] and value["end"] <= value["start"]:
            _raise({"end": _("La fin du cours doit venir après le début.")})
        return value


class HomeworkBlock(blocks.StructBlock):
    key = _key_field(_("Facultatif : un nom court pour cette entrée."))
    subject = blocks.CharBlock(label=_("Matière"), max_length=40)
    text = blocks.TextBlock(label=_("Travail à faire"), max_length=300)
    due_in = blocks.IntegerBlock(
        label=_("Pour dans combien de jours"),
        min_value=0,
        max_value=30,
        help_text=_("1 = pour demain, quel que soit le jour où la personne s'entraîne."),
    )
    given_ago = blocks.IntegerBlock(
        label=_("Donné il y a combien de jours"), min_value=0, max_value=30, default=1
    )
    done = blocks.BooleanBlock(label=_("Déjà fait"), required=False)

    class Meta:
        icon = "doc-full"
        label = _("Travail à faire")
        description = _("Un devoir du cahier de textes, avec sa date pour le rendre.")


class GradeBlock(blocks.StructBlock):
    key = _key_field(_("Facultatif : un nom court pour cette note."))
    subject = blocks.CharBlock(label=_("Matière"), max_length=40)
    title = blocks.CharBlock(
        label=_("Devoir"), max_length=80, help_text=_("Par exemple « Contrôle ».")
    )
    mark = blocks.FloatBlock(label=_("Note"), min_value=0)
    out_of = blocks.IntegerBlock(label=_("Sur"), default=20, min_value=1, max_value=100)
    class_average = blocks.FloatBlock(label=_("Moyenne de la classe"), required=False, min_value=0)
    coefficient = blocks.FloatBlock(label=_("Coefficient"), default=1, min_value=0.5, max_value=10)
    days_ago = blocks.IntegerBlock(label=_("Il y a combien de jours"), min_value=0, max_value=120)
    comment = blocks.CharBlock(label=_("Appréciation"), required=False, max_length=200)

    class Meta:
        icon = "pick"
        label = _("Note")
        description = _("Une note avec la moyenne de la classe et l'appréciation du professeur.")

    def clean(self, value):
        value = super().clean(value)
        errors = {}
        out_of = value["out_of"] or 20
        if value["mark"] is not None and value["mark"] > out_of:
            errors["mark"] = _("La note ne peut pas dépasser la note maximale.")
        if value["class_average"] is not None and value["class_average"] > out_of:
            errors["class_average"] = _("La moyenne ne peut pas dépasser la note maximale.")
        if errors:
            _raise(errors)
        return value


class MessageBlock(blocks.StructBlock):
    key = _key_field(_("Facultatif : un nom court pour ce message."))
    sender = blocks.CharBlock(
        label=_("De"), max_length=60, help_text=_("Par exemple « Mme Martin ».")
    )
    role = blocks.CharBlock(
        label=_("Fonction"),
        max_length=80,
        help_text=_("Par exemple « Professeure de mathématiques »."),
    )
    subject = blocks.CharBlock(label=_("Objet"), max_length=120)
    body = blocks.TextBlock(label=_("Message"), max_length=3000)
    days_ago = blocks.IntegerBlock(
        label=_("Reçu il y a combien de jours"), min_value=0, max_value=120
    )
    read = blocks.BooleanBlock(label=_("Déjà lu"), required=False)

    class Meta:
        icon = "mail"
        label = _("Message reçu")
        description = _("Un message d'un professeur, de la vie scolaire ou de la direction.")


class AbsenceBlock(blocks.StructBlock):
    key = _key_field(_("Un nom court, pour l'objectif « Justifier une absence »."))
    kind = blocks.ChoiceBlock(label=_("Type"), choices=ABSENCE_KINDS, default="absence")
    days_ago = blocks.IntegerBlock(
        label=_("Il y a combien de jours de classe"), min_value=1, max_value=60
    )
    detail = blocks.CharBlock(
        label=_("Durée"),
        max_length=60,
        required=False,
        help_text=_("Par exemple « Toute la journée » ou « 10 minutes »."),
    )
    justified = blocks.BooleanBlock(label=_("Déjà justifiée"), required=False)
    reason = blocks.ChoiceBlock(
        label=_("Motif (si déjà justifiée)"), choices=REASONS, required=False
    )

    class Meta:
        icon = "warning"
        label = _("Absence ou retard")
        description = _("Une absence ou un retard de l'élève, justifié ou non.")


# --- Goals: what the learner must do ----------------------------------------------


def _hint(value, default):
    """The author's hint when the goal has one, else the simulator's own."""
    return value.get("hint") or default


class QuestionGoalBlock(GoalBlock):
    """A question answered by choosing among the entries the site shows."""

    question = blocks.CharBlock(
        label=_("Question"),
        required=False,
        max_length=200,
        help_text=_("Vide : la consigne sert de question."),
    )
    default_hint = ""

    def reached(self, value, event, state):
        if event.get("type") != ANSWER_EVENT or event.get("goal") != value["key"]:
            return None
        if str(event.get("choice", "")) in self.correct_choices(value, state):
            return GoalCheck(done=True)
        return GoalCheck(done=False, hint=_hint(value, self.default_hint))

    def correct_choices(self, value, state) -> set:
        """The ids of the choices that answer the question, from the run's state."""
        raise NotImplementedError


class FindHomeworkGoalBlock(QuestionGoalBlock):
    subject = blocks.CharBlock(label=_("Matière"), max_length=40)
    default_hint = _("Regardez dans « Travail à faire », la partie « Pour demain ».")

    class Meta:
        icon = "doc-full"
        label = _("Objectif : trouver le travail pour demain")
        description = _(
            "La personne choisit, parmi les devoirs, celui de cette matière pour demain."
        )

    def correct_choices(self, value, state):
        subject = normalize(value["subject"])
        return {
            item["id"]
            for item in state.get("homework", [])
            if item["due_in"] == 1 and normalize(item["subject"]) == subject
        }


class FindGradeGoalBlock(QuestionGoalBlock):
    subject = blocks.CharBlock(
        label=_("Matière"),
        max_length=40,
        help_text=_("La bonne réponse est la dernière note de cette matière."),
    )
    default_hint = _("Regardez dans « Notes ». Cherchez la matière, puis la note la plus récente.")

    class Meta:
        icon = "pick"
        label = _("Objectif : trouver une note")
        description = _("La personne choisit la dernière note de cette matière.")

    def correct_choices(self, value, state):
        subject = normalize(value["subject"])
        grades = [g for g in state.get("grades", []) if normalize(g["subject"]) == subject]
        if not grades:
            return set()
        latest = min(grades, key=lambda grade: grade["days_ago"])
        return {grade_choice(latest["mark"], latest["out_of"])}


class TimetableGoalBlock(QuestionGoalBlock):
    day = blocks.ChoiceBlock(label=_("Jour"), choices=DAYS)
    default_hint = _(
        "Regardez dans « Emploi du temps », la colonne de ce jour. Un cours annulé ne compte pas."
    )

    class Meta:
        icon = "time"
        label = _("Objectif : l'heure du début des cours")
        description = _("La personne trouve à quelle heure l'élève commence ce jour-là.")

    def correct_choices(self, value, state):
        day = DAY_NUMBERS.get(value["day"])
        starts = [
            lesson["start"]
            for lesson in state.get("lessons", [])
            if lesson["day"] == day and not lesson["cancelled"]
        ]
        return {min(starts)} if starts else set()


class ReadMessageGoalBlock(GoalBlock):
    sender = blocks.CharBlock(
        label=_("Message de"),
        max_length=60,
        help_text=_("Le nom affiché, par exemple « Mme Martin »."),
    )

    class Meta:
        icon = "mail"
        label = _("Objectif : lire un message")
        description = _("La personne ouvre le message de cette personne.")

    def reached(self, value, event, state):
        if event.get("type") != MESSAGE_OPENED:
            return None
        if normalize(event.get("sender")) == normalize(value["sender"]):
            return GoalCheck(done=True)
        return GoalCheck(
            done=False,
            hint=_hint(
                value,
                gettext("Ce message ne vient pas de %(sender)s. Revenez à la liste des messages.")
                % {"sender": value["sender"]},
            ),
        )


class ReplyGoalBlock(GoalBlock):
    teacher = blocks.CharBlock(
        label=_("Écrire à"),
        max_length=60,
        help_text=_("Le nom affiché, par exemple « Mme Martin »."),
    )
    words = blocks.CharBlock(
        label=_("Mots à écrire"),
        required=False,
        max_length=200,
        help_text=_(
            "Facultatif. Séparés par des virgules. Les accents et majuscules ne comptent pas."
        ),
    )

    class Meta:
        icon = "mail"
        label = _("Objectif : écrire à un professeur")
        description = _(
            "La personne répond à un message, ou écrit un nouveau message, à cette personne."
        )

    def reached(self, value, event, state):
        if event.get("type") != MESSAGE_SENT:
            return None
        if normalize(event.get("to")) != normalize(value["teacher"]):
            return GoalCheck(
                done=False,
                hint=_hint(
                    value,
                    gettext("Votre message est pour %(to)s. Il faut écrire à %(teacher)s.")
                    % {"to": event.get("to", ""), "teacher": value["teacher"]},
                ),
            )
        body = normalize(f"{event.get('subject', '')} {event.get('body', '')}")
        missing = [word for word in self.word_list(value) if normalize(word) not in body]
        if missing:
            return GoalCheck(
                done=False,
                hint=gettext("Votre message est bien parti. Il manque : %(words)s. Écrivez encore.")
                % {"words": ", ".join(f"« {word} »" for word in missing)},
            )
        return GoalCheck(done=True)

    @staticmethod
    def word_list(value):
        return [word.strip() for word in (value["words"] or "").split(",") if word.strip()]


class JustifyAbsenceGoalBlock(GoalBlock):
    absence = blocks.CharBlock(
        label=_("Absence à justifier (clé)"),
        required=False,
        max_length=50,
        validators=[KEY_VALIDATOR],
        help_text=_("La clé de l'absence. Vide : n'importe quelle absence à justifier."),
    )
    reasons = blocks.MultipleChoiceBlock(
        label=_("Motifs acceptés"),
        choices=REASONS,
        required=False,
        help_text=_("Aucun coché : tous les motifs sont acceptés."),
    )

    class Meta:
        icon = "warning"
        label = _("Objectif : justifier une absence")
        description = _("La personne envoie la justification d'une absence, avec le bon motif.")

    def reached(self, value, event, state):
        if event.get("type") != ABSENCE_JUSTIFIED:
            return None
        if value["absence"] and event.get("absence_key") != value["absence"]:
            return GoalCheck(
                done=False,
                hint=_hint(
                    value,
                    _(
                        "Ce n'est pas la bonne ligne. "
                        "Relisez la mission : quel jour, absence ou retard ?"
                    ),
                ),
            )
        allowed = list(value["reasons"] or [])
        if allowed and event.get("reason") not in allowed:
            return GoalCheck(
                done=False,
                hint=_hint(
                    value, _("Ce motif ne va pas. Relisez la mission et choisissez le bon motif.")
                ),
            )
        return GoalCheck(done=True)


def scenario_problems(items, goals):
    """A goal about an absence the scenario doesn't hold can never be reached."""
    absences = {child.value["key"] for child in items if child.block_type == "school_absence"}
    return [
        gettext("L'objectif « %(goal)s » vise une absence inconnue : %(absence)s.")
        % {"goal": child.value["key"], "absence": child.value["absence"]}
        for child in goals
        if child.block_type == "school_goal_justify_absence"
        and child.value["absence"]
        and child.value["absence"] not in absences
    ]


KIND = Kind(
    label=_("Vie scolaire"),
    items=[
        ("school_child", ChildBlock()),
        ("school_lesson", LessonBlock()),
        ("school_homework", HomeworkBlock()),
        ("school_grade", GradeBlock()),
        ("school_message", MessageBlock()),
        ("school_absence", AbsenceBlock()),
    ],
    goals=[
        ("school_goal_find_homework", FindHomeworkGoalBlock()),
        ("school_goal_read_message", ReadMessageGoalBlock()),
        ("school_goal_reply", ReplyGoalBlock()),
        ("school_goal_justify_absence", JustifyAbsenceGoalBlock()),
        ("school_goal_find_grade", FindGradeGoalBlock()),
        ("school_goal_timetable", TimetableGoalBlock()),
    ],
    problems=scenario_problems,
)
