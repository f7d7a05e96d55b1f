"""Hands-on exercises: the mouse and keyboard gestures, practised and graded on the server.

Each block follows the quiz's protocol (`parse_answer(value, data)` raising
`InvalidAnswer`, `grade(value, answer) -> Grade`), so the lesson view records
attempts and statements without knowing which exercise it is. The posted
answer is a small JSON-serialisable dict; it records how the learner did it
(`mode`: "mouse", "keyboard" or "touch"; "keyboard" or "choice" for shortcuts),
so trainers can see who used the keyboard alternative.

What the learner must find (the right zone of an item, which list item is the
target) stays on the server: templates get only what is on screen anyway.
Numbers that editors type (zone, target, menu entry) count from 1.
"""

import difflib
import random
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.blocks.list_block import ListBlockValidationError
from wagtail.blocks.struct_block import StructBlockValidationError

from cms.params import int_param, parse_int

from .exercises import Grade, InvalidAnswer, max_attempts_block

POINTER_MODES = ("mouse", "keyboard", "touch")
MAX_COUNT = 10_000  # misses, single clicks, keystrokes: more is a forged post
MAX_TEXT = 2_000


def _tampered():
    return InvalidAnswer(gettext("Cette réponse n'est pas valable. Recommencez l'exercice."))


def _mode(data, allowed=POINTER_MODES, default="keyboard"):
    """How the learner did it. Absent when JavaScript did not run: the form's own
    alternative (a list, a text box, buttons) was used, hence the default."""
    mode = data.get("mode") or default
    if mode not in allowed:
        raise _tampered()
    return mode


def _count(data, name):
    count = int_param(data, name, maximum=MAX_COUNT) if data.get(name) else 0
    if count is None:
        raise _tampered()
    return count


def _index(data, name, size):
    """A 0-based position posted by the form, or None when nothing was chosen."""
    raw = data.get(name, "")
    if raw == "":
        return None
    index = parse_int(raw, maximum=size - 1)
    if index is None:
        raise _tampered()
    return index


def _text(data, name, max_length=MAX_TEXT):
    """Typed text: NFC, trailing spaces and line ends dropped, no control characters."""
    raw = data.get(name, "")
    if len(raw) > max_length:
        raise InvalidAnswer(gettext("Ce texte est trop long. Effacez-le et recommencez."))
    text = normalise(raw)
    if any(unicodedata.category(char) == "Cc" and char != "\n" for char in text):
        raise InvalidAnswer(
            gettext("Ce texte contient un caractère invisible. Effacez-le et recommencez.")
        )
    return text


def normalise(text):
    """What counts when comparing typed text: the same letters, accents included.

    NFC, so that "é" typed as e + accent equals "é"; trailing spaces of each line
    and empty lines at the end don't count (nobody sees them).
    """
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    return "\n".join(line.rstrip() for line in text.split("\n")).rstrip("\n")


def _positions(size):
    return [str(i) for i in range(size)]


def _success(value, default):
    return value["feedback"] or default


def _block_error(name, message):
    return StructBlockValidationError(block_errors={name: ValidationError(message)})


def _form_error(message):
    return StructBlockValidationError(non_block_errors=[ValidationError(message)])


def _check_one_to_pick(value, *, lines, number, too_few, twice, unnamed):
    """For the blocks where the learner picks one line of a list (the item to scroll to,
    the menu entry): the line's number exists, no line is there twice, and the
    instruction names the line, so the learner knows what to look for."""
    labels = list(value[lines])
    if value[number] > len(labels):
        raise _block_error(number, too_few % {"count": len(labels)})
    duplicate = _duplicates(labels)
    if duplicate:
        raise _block_error(lines, twice % {"name": duplicate})
    wanted = labels[value[number] - 1]
    if wanted.casefold() not in value["instruction"].casefold():
        raise _block_error("instruction", unnamed % {"name": wanted})


def _duplicates(labels):
    seen = set()
    for label in labels:
        if label.casefold() in seen:
            return label
        seen.add(label.casefold())
    return None


def _instruction(default=None, help_text=None):
    return blocks.CharBlock(
        label=_("Consigne"),
        max_length=300,
        help_text=help_text or _("Une ou deux phrases courtes : ce que la personne doit faire."),
        **({"default": default} if default else {}),
    )


def _feedback():
    return blocks.CharBlock(label=_("Message après une réussite"), required=False, max_length=300)


ICON_KINDS = [
    ("folder", _("Dossier")),
    ("picture", _("Image")),
    ("document", _("Document")),
]


# --- Mouse ----------------------------------------------------------------------------


class ClickTargetsBlock(blocks.StructBlock):
    """Targets to click, one after the other, smaller and smaller."""

    instruction = _instruction(_("Cliquez sur chaque rond. Il devient de plus en plus petit."))
    count = blocks.IntegerBlock(label=_("Nombre de cibles"), default=5, min_value=3, max_value=10)
    start_size = blocks.IntegerBlock(
        label=_("Taille de la première cible (pixels)"), default=96, min_value=24, max_value=160
    )
    end_size = blocks.IntegerBlock(
        label=_("Taille de la dernière cible (pixels)"),
        default=32,
        min_value=24,
        max_value=160,
        help_text=_("24 pixels au moins : plus petit, c'est trop difficile."),
    )
    feedback = _feedback()
    max_attempts = max_attempts_block()

    class Meta:
        icon = "crosshairs"
        label = _("Cliquer sur des cibles")
        template = "modules/blocks/click_targets.html"
        description = _("Des ronds à cliquer, de plus en plus petits. Au clavier : Tab et Entrée.")
        preview_value = {
            "instruction": "Cliquez sur chaque rond. Il devient de plus en plus petit.",
            "count": 5,
            "start_size": 96,
            "end_size": 32,
        }

    def clean(self, value):
        value = super().clean(value)
        if value["end_size"] > value["start_size"]:
            raise _block_error(
                "end_size", _("La dernière cible doit être plus petite que la première.")
            )
        return value

    def targets(self, value, seed):
        """Sizes shrink evenly; places are scattered, the same for a given exercise."""
        count, start, end = value["count"], value["start_size"], value["end_size"]
        layout = random.Random(str(seed))  # noqa: S311 (a layout, not a secret)
        targets, previous = [], (0.5, 0.5)
        for index in range(count):
            for _attempt in range(20):  # not right where the previous one was
                x, y = layout.uniform(0, 1), layout.uniform(0, 1)
                if abs(x - previous[0]) + abs(y - previous[1]) > 0.6:
                    break
            previous = (x, y)
            size = round(start + (end - start) * index / (count - 1))
            targets.append(
                {"number": index + 1, "size": str(size), "x": f"{x:.3f}", "y": f"{y:.3f}"}
            )
        return targets

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context=parent_context)
        context["targets"] = self.targets(value, context.get("exercise_id", ""))
        return context

    def parse_answer(self, value, data):
        """{"mode", "hits": target numbers (0-based) in the order hit, "misses"}."""
        mode = _mode(data, default="")
        raw = data.get("hits", "")
        hits = raw.split(",") if raw else []
        if len(hits) > value["count"] or any(h not in _positions(value["count"]) for h in hits):
            raise _tampered()
        return {"mode": mode, "hits": [int(h) for h in hits], "misses": _count(data, "misses")}

    def grade(self, value, answer):
        count, misses = value["count"], answer["misses"]
        if answer["hits"] == list(range(count)):
            if misses:
                note = ngettext(
                    "Vous avez cliqué %(count)d fois à côté : c'est normal, la précision vient "
                    "avec l'entraînement.",
                    "Vous avez cliqué %(count)d fois à côté : c'est normal, la précision vient "
                    "avec l'entraînement.",
                    misses,
                ) % {"count": misses}
            else:
                note = gettext("Pas un seul clic à côté !")
            praise = _success(value, gettext("Bravo, vous avez touché toutes les cibles !"))
            return Grade(max(0.5, 1 - 0.05 * misses), True, f"{praise} {note}")
        done = 0
        for expected, hit in zip(range(count), answer["hits"], strict=False):
            if expected != hit:
                break
            done += 1
        return Grade(
            0.5 * done / count,
            False,
            gettext("Il reste des cibles à toucher. Recommencez : visez le rond, puis cliquez."),
        )


class DoubleClickBlock(blocks.StructBlock):
    """Open a folder or a picture with a double-click."""

    instruction = _instruction()
    item = blocks.CharBlock(label=_("Nom du dossier ou du fichier"), max_length=60)
    kind = blocks.ChoiceBlock(label=_("Dessin"), choices=ICON_KINDS, default="folder")
    opens = blocks.CharBlock(
        label=_("Ce que l'on voit une fois ouvert"),
        max_length=300,
        help_text=_("Par exemple : « Dedans, il y a trois photos de la plage. »"),
    )
    feedback = _feedback()
    max_attempts = max_attempts_block()

    class Meta:
        icon = "folder-open-inverse"
        label = _("Double-cliquer")
        template = "modules/blocks/double_click.html"
        description = _("Ouvrir un dossier avec un double-clic. Au clavier : Entrée.")
        preview_value = {
            "instruction": "Ouvrez le dossier « Photos » avec un double-clic.",
            "item": "Photos",
            "kind": "folder",
            "opens": "Dedans, il y a trois photos de la plage.",
        }

    def parse_answer(self, value, data):
        """{"mode", "opened", "single_clicks": single clicks tried before opening}."""
        opened = data.get("opened", "")
        if opened not in ("", "0", "1"):
            raise _tampered()
        return {
            "mode": _mode(data, default=""),
            "opened": opened == "1",
            "single_clicks": _count(data, "single_clicks"),
        }

    def grade(self, value, answer):
        faster = gettext("Cliquez deux fois, vite.")
        if not answer["opened"]:
            return Grade(0.0, False, gettext("Ce n'est pas encore ouvert.") + " " + faster)
        praise = _success(value, gettext("Bravo, c'est ouvert !"))
        singles = answer["single_clicks"]
        if not singles:
            return Grade(1.0, True, praise)
        note = ngettext(
            "Avant, vous avez fait %(count)d clic tout seul.",
            "Avant, vous avez fait %(count)d clics tout seuls.",
            singles,
        ) % {"count": singles}
        return Grade(max(0.5, 1 - 0.1 * singles), True, f"{praise} {note} {faster}")


class DragItemBlock(blocks.StructBlock):
    label = blocks.CharBlock(label=_("Objet"), max_length=80)
    zone = blocks.IntegerBlock(
        label=_("Numéro de la bonne zone"),
        min_value=1,
        max_value=4,
        help_text=_("1 pour la première zone, 2 pour la deuxième…"),
    )

    class Meta:
        icon = "grip"
        label = _("Objet à ranger")


class DragDropBlock(blocks.StructBlock):
    """Drag items onto zones; every item also has a "Mettre dans…" list."""

    instruction = _instruction(_("Faites glisser chaque objet dans la bonne zone."))
    zones = blocks.ListBlock(
        blocks.CharBlock(label=_("Zone"), max_length=60), min_num=2, max_num=4, label=_("Zones")
    )
    items = blocks.ListBlock(DragItemBlock(), min_num=2, max_num=8, label=_("Objets"))
    feedback = _feedback()
    max_attempts = max_attempts_block()

    class Meta:
        icon = "grip"
        label = _("Glisser-déposer")
        template = "modules/blocks/drag_drop.html"
        description = _(
            "Ranger des objets dans des zones. Sans souris : une liste « Mettre dans… »."
        )
        preview_value = {
            "instruction": "Rangez chaque document dans le bon dossier.",
            "zones": ["Papiers", "Photos"],
            "items": [
                {"label": "Facture", "zone": 1},
                {"label": "Photo de la plage", "zone": 2},
            ],
        }

    def clean(self, value):
        value = super().clean(value)
        zones = list(value["zones"])
        errors = {}
        for index, item in enumerate(value["items"]):
            if item["zone"] > len(zones):
                errors[index] = StructBlockValidationError(
                    block_errors={
                        "zone": ValidationError(
                            _("Il n'y a que %(count)d zones.") % {"count": len(zones)}
                        )
                    }
                )
        if errors:
            raise StructBlockValidationError(
                block_errors={"items": ListBlockValidationError(block_errors=errors)}
            )
        twice = _duplicates(zones)
        if twice:
            raise _block_error("zones", _("Deux zones s'appellent « %(name)s ».") % {"name": twice})
        twice = _duplicates([item["label"] for item in value["items"]])
        if twice:
            raise _block_error(
                "items", _("Deux objets s'appellent « %(name)s ».") % {"name": twice}
            )
        return value

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context=parent_context)
        selected = context.get("selected")
        placed = selected.get("placed", []) if isinstance(selected, dict) else []
        items = [
            {"index": index, "label": item["label"], "placed": placed[index]}
            if index < len(placed)
            else {"index": index, "label": item["label"], "placed": None}
            for index, item in enumerate(value["items"])
        ]
        # Authors often list items zone by zone: mix them, the same way every time.
        random.Random(str(context.get("exercise_id", ""))).shuffle(items)  # noqa: S311
        context["items"] = items
        context["zone_choices"] = list(enumerate(value["zones"]))
        return context

    def parse_answer(self, value, data):
        """{"mode", "placed": the zone (0-based) of each item, or None}."""
        mode = _mode(data)
        size = len(value["zones"])
        placed = [_index(data, f"item-{index}", size) for index in range(len(value["items"]))]
        if all(zone is None for zone in placed):
            raise InvalidAnswer(gettext("Rangez au moins un objet, puis validez."))
        return {"mode": mode, "placed": placed}

    def grade(self, value, answer):
        items = list(value["items"])
        placed = answer["placed"]
        right = sum(1 for item, zone in zip(items, placed, strict=True) if zone == item["zone"] - 1)
        if right == len(items):
            return Grade(1.0, True, _success(value, gettext("Bravo, tout est bien rangé !")))
        parts = [
            ngettext(
                "%(right)d objet sur %(total)d est bien rangé.",
                "%(right)d objets sur %(total)d sont bien rangés.",
                right,
            )
            % {"right": right, "total": len(items)}
        ]
        missing = sum(1 for zone in placed if zone is None)
        if missing:
            parts.append(
                ngettext(
                    "Il reste %(count)d objet à ranger.",
                    "Il reste %(count)d objets à ranger.",
                    missing,
                )
                % {"count": missing}
            )
        parts.append(gettext("Regardez les autres et essayez encore."))
        return Grade(right / len(items), False, " ".join(parts))


class ScrollFindBlock(blocks.StructBlock):
    """A long list to scroll; the item named in the instruction is to be clicked."""

    instruction = _instruction(help_text=_("Nommez l'élément à trouver, entre « »."))
    items = blocks.ListBlock(
        blocks.CharBlock(label=_("Élément"), max_length=120),
        min_num=6,
        max_num=60,
        label=_("Éléments de la liste"),
        help_text=_("Tous se ressemblent. Mettez l'élément à trouver assez bas."),
    )
    target = blocks.IntegerBlock(
        label=_("Numéro de l'élément à trouver"),
        min_value=1,
        max_value=60,
        help_text=_("1 pour le premier de la liste."),
    )
    feedback = _feedback()
    max_attempts = max_attempts_block()

    class Meta:
        icon = "order-down"
        label = _("Faire défiler et trouver")
        template = "modules/blocks/scroll_find.html"
        description = _("Trouver un élément dans une longue liste. Au clavier : Tab et Entrée.")
        preview_value = {
            "instruction": "Trouvez « Pharmacie » et cliquez dessus.",
            "items": [
                "Boulangerie",
                "Mairie",
                "Poste",
                "Bibliothèque",
                "Gare",
                "Marché",
                "Pharmacie",
            ],
            "target": 7,
        }

    def clean(self, value):
        value = super().clean(value)
        _check_one_to_pick(
            value,
            lines="items",
            number="target",
            too_few=_("La liste n'a que %(count)d éléments."),
            twice=_("« %(name)s » est deux fois dans la liste."),
            unnamed=_("Nommez dans la consigne l'élément à trouver : « %(name)s »."),
        )
        return value

    def parse_answer(self, value, data):
        """{"mode", "choice": the clicked item (0-based)}."""
        mode = _mode(data)
        choice = _index(data, "choice", len(value["items"]))
        if choice is None:
            raise InvalidAnswer(gettext("Cliquez sur un élément de la liste."))
        return {"mode": mode, "choice": choice}

    def grade(self, value, answer):
        items = list(value["items"])
        target = items[value["target"] - 1]
        if answer["choice"] == value["target"] - 1:
            return Grade(
                1.0, True, _success(value, gettext("Bravo, vous avez trouvé « %s » !") % target)
            )
        return Grade(
            0.0,
            False,
            gettext(
                "Vous avez cliqué sur « %(chosen)s ». Cherchez « %(target)s » : faites défiler "
                "la liste, doucement."
            )
            % {"chosen": items[answer["choice"]], "target": target},
        )


class RightClickBlock(blocks.StructBlock):
    """Right-click a pretend file and pick the asked action in its menu."""

    instruction = _instruction(help_text=_("Nommez la ligne du menu à choisir, entre « »."))
    file = blocks.CharBlock(label=_("Nom du fichier"), max_length=60)
    kind = blocks.ChoiceBlock(label=_("Dessin"), choices=ICON_KINDS, default="document")
    entries = blocks.ListBlock(
        blocks.CharBlock(label=_("Ligne du menu"), max_length=60),
        min_num=2,
        max_num=8,
        label=_("Lignes du menu"),
    )
    asked = blocks.IntegerBlock(
        label=_("Numéro de la ligne à choisir"),
        min_value=1,
        max_value=8,
        help_text=_("1 pour la première ligne du menu."),
    )
    feedback = _feedback()
    max_attempts = max_attempts_block()

    class Meta:
        icon = "dots-horizontal"
        label = _("Clic droit")
        template = "modules/blocks/right_click.html"
        description = _("Ouvrir le menu du clic droit et choisir. Au clavier : la touche Menu.")
        preview_value = {
            "instruction": "Faites un clic droit sur « Lettre ». Choisissez « Renommer ».",
            "file": "Lettre",
            "kind": "document",
            "entries": ["Ouvrir", "Copier", "Renommer", "Supprimer"],
            "asked": 3,
        }

    def clean(self, value):
        value = super().clean(value)
        _check_one_to_pick(
            value,
            lines="entries",
            number="asked",
            too_few=_("Le menu n'a que %(count)d lignes."),
            twice=_("« %(name)s » est deux fois dans le menu."),
            unnamed=_("Nommez dans la consigne la ligne à choisir : « %(name)s »."),
        )
        return value

    def parse_answer(self, value, data):
        """{"mode", "via": how the menu opened, "choice": the entry picked (0-based)}."""
        mode = _mode(data, default="")
        via = data.get("via", "")
        if via not in ("right_click", "keys", "button"):
            raise _tampered()
        choice = _index(data, "choice", len(value["entries"]))
        if choice is None:
            raise InvalidAnswer(gettext("Ouvrez le menu, puis choisissez une ligne."))
        return {"mode": mode, "via": via, "choice": choice}

    def grade(self, value, answer):
        entries = list(value["entries"])
        asked = entries[value["asked"] - 1]
        if answer["choice"] != value["asked"] - 1:
            return Grade(
                0.0,
                False,
                gettext(
                    "Vous avez choisi « %(chosen)s ». Il faut choisir « %(asked)s ». "
                    "Ouvrez le menu encore une fois."
                )
                % {"chosen": entries[answer["choice"]], "asked": asked},
            )
        praise = _success(value, gettext("Bravo, vous avez choisi « %s » !") % asked)
        if answer["via"] == "button" and answer["mode"] != "keyboard":
            tip = gettext("La prochaine fois, essayez le clic droit : le bouton de droite.")
            return Grade(1.0, True, f"{praise} {tip}")
        return Grade(1.0, True, praise)


# --- Keyboard ---------------------------------------------------------------------------

# Characters that a French keyboard can't type easily, with what to write instead.
HARD_TO_TYPE = {
    "’": "'",
    "‘": "'",
    "“": '"',
    "”": '"',
    "«": '"',
    "»": '"',
    "…": "...",
    "\u00a0": " ",
    "\u202f": " ",
    "\t": " ",
    "–": "-",
    "—": "-",
    "œ": "oe",
    "Œ": "OE",
}

# Where a character is on a French (AZERTY) keyboard, for the tips.
KEY_TIPS = {
    "@": _("Pour écrire @, gardez la touche Alt Gr appuyée, puis tapez la touche à (avec le 0)."),
    "é": _("La lettre é a sa propre touche, en haut du clavier, avec le chiffre 2."),
    "è": _("La lettre è a sa propre touche, en haut du clavier, avec le chiffre 7."),
    "ç": _("La lettre ç a sa propre touche, en haut du clavier, avec le chiffre 9."),
    "à": _("La lettre à a sa propre touche, en haut du clavier, avec le chiffre 0."),
    "ù": _("La lettre ù a sa propre touche, à droite de la lettre M."),
    " ": _("L'espace, c'est la grande barre en bas du clavier."),
    ".": _("Pour le point, gardez la touche Maj appuyée, puis tapez la touche ; (en bas)."),
    ",": _("La virgule a sa propre touche, en bas, à droite de la lettre N."),
    ":": _("Les deux-points ont leur propre touche, en bas, à droite."),
    "?": _("Pour le point d'interrogation, gardez Maj appuyée, puis tapez la touche virgule."),
    "!": _("Le point d'exclamation a sa propre touche, en bas, à droite."),
    "'": _("L'apostrophe est sur la touche du chiffre 4, en haut du clavier."),
    "-": _("Le tiret est sur la touche du chiffre 6, en haut du clavier."),
    "_": _("Le tiret du bas est sur la touche du chiffre 8, en haut du clavier."),
    "\n": _("Pour aller à la ligne, appuyez sur la touche Entrée."),
}
CIRCUMFLEX_TIP = _(
    "Pour un accent chapeau, tapez d'abord la touche ^ (à droite du P), puis la lettre."
)
DIAERESIS_TIP = _(
    "Pour un tréma, gardez Maj appuyée et tapez la touche ^ (à droite du P), puis la lettre."
)
CAPITAL_TIP = _(
    "Pour une majuscule, gardez la touche Maj (la flèche ⇧) appuyée, puis tapez la lettre."
)
CAPS_LOCK_TIP = _("Il faut une minuscule. Regardez si la touche Verr. Maj est allumée.")
DIGIT_TIP = _(
    "Les chiffres sont en haut du clavier : gardez la touche Maj appuyée, puis tapez le chiffre. "
    "Vous pouvez aussi utiliser les chiffres à droite du clavier."
)
MARKS = {
    "\u0301": _("avec un accent aigu"),
    "\u0300": _("avec un accent grave"),
    "\u0302": _("avec un accent chapeau"),
    "\u0308": _("avec un tréma"),
    "\u0327": _("cédille"),
}
CHARACTER_NAMES = {
    " ": _("un espace"),
    "\n": _("un passage à la ligne"),
    "@": _("l'arobase"),
    ".": _("un point"),
    ",": _("une virgule"),
    ":": _("deux-points"),
    ";": _("un point-virgule"),
    "?": _("un point d'interrogation"),
    "!": _("un point d'exclamation"),
    "'": _("une apostrophe"),
    "-": _("un tiret"),
    "_": _("un tiret du bas"),
}


def _base_and_mark(char):
    parts = unicodedata.normalize("NFD", char)
    return parts[0], parts[1:]


def describe_character(char):
    """A character in words: « é » (e avec un accent aigu), « L » (L majuscule)…"""
    if char in (" ", "\n"):
        return str(CHARACTER_NAMES[char])
    base, marks = _base_and_mark(char)
    details = []
    if char.isalpha() and char.isupper():
        details.append(gettext("%s majuscule") % base)
    elif marks and marks[0] in MARKS:
        details.append(f"{base} {MARKS[marks[0]]}")
    elif char.isdigit():
        details.append(gettext("le chiffre %s") % char)
    elif char in CHARACTER_NAMES:
        details.append(str(CHARACTER_NAMES[char]))
    if char.isupper() and marks and marks[0] in MARKS:
        details.append(str(MARKS[marks[0]]))
    described = f"« {char} »"
    return f"{described} ({', '.join(details)})" if details else described


def typing_tip(expected, typed):
    """A small tip about the key the learner missed, or ""."""
    if typed and expected.isupper() and typed == expected.lower():
        return str(CAPITAL_TIP)
    if typed and expected.islower() and typed == expected.upper():
        return str(CAPS_LOCK_TIP)
    if expected.isupper():
        return str(CAPITAL_TIP)
    if expected in KEY_TIPS:
        return str(KEY_TIPS[expected])
    if expected.isdigit():
        return str(DIGIT_TIP)
    _base, marks = _base_and_mark(expected)
    if "\u0302" in marks:
        return str(CIRCUMFLEX_TIP)
    if "\u0308" in marks:
        return str(DIAERESIS_TIP)
    return ""


def _ordinal(number):
    return gettext("1er") if number == 1 else gettext("%de") % number


def _word_at(text, index):
    """The word of `text` around `index` (spaces and line ends separate words), without
    the punctuation that ends it unless the difference is there: « Léa », not « Léa. »."""
    start = max(text.rfind(" ", 0, index), text.rfind("\n", 0, index)) + 1
    ends = [end for end in (text.find(" ", index), text.find("\n", index)) if end != -1]
    end = min(ends) if ends else len(text)
    while end - 1 > index and not text[end - 1].isalnum():
        end -= 1
    return text[start:end]


def typing_difference(expected, typed):
    """Where `typed` first differs from `expected`, in words, with a tip; "" if equal."""
    if typed == expected:
        return ""
    index = next(
        (i for i, (e, t) in enumerate(zip(expected, typed, strict=False)) if e != t),
        min(len(expected), len(typed)),
    )
    if index == len(typed):
        rest = expected[index : index + 30]
        message = gettext("Le texte n'est pas fini. Il manque la fin : « %s ».") % rest
        return f"{message} {typing_tip(expected[index], '')}".strip()
    if index == len(expected):
        return (
            gettext("Il y a des caractères en trop à la fin : « %s ». Effacez-les.")
            % typed[index : index + 30].strip()
        )
    want, got = expected[index], typed[index]
    if index and (want.isspace() or got.isspace()):
        where = gettext("Regardez le %(ordinal)s caractère, après « %(word)s »") % {
            "ordinal": _ordinal(index + 1),
            "word": _word_at(expected, index - 1),
        }
    else:
        where = gettext("Regardez le %(ordinal)s caractère, dans « %(word)s »") % {
            "ordinal": _ordinal(index + 1),
            "word": _word_at(expected, index) or want,
        }
    if typed[index:] == expected[index + 1 :]:
        message = gettext("%(where)s : il manque %(want)s.") % {
            "where": where,
            "want": describe_character(want),
        }
    elif typed[index + 1 :] == expected[index:]:
        message = gettext("%(where)s : il y a %(got)s en trop.") % {
            "where": where,
            "got": describe_character(got),
        }
    else:
        message = gettext("%(where)s : il faut %(want)s, vous avez tapé %(got)s.") % {
            "where": where,
            "want": describe_character(want),
            "got": describe_character(got),
        }
    return f"{message} {typing_tip(want, got)}".strip()


class TypeTextBlock(blocks.StructBlock):
    """Copy a text exactly: capitals, accents, @ and digits."""

    instruction = _instruction(_("Tapez le texte ci-dessous, exactement comme il est écrit."))
    text = blocks.TextBlock(
        label=_("Texte à recopier"),
        max_length=300,
        help_text=_("Avec des majuscules, des accents, un @ ou des chiffres, selon la leçon."),
    )
    feedback = _feedback()
    max_attempts = max_attempts_block()

    class Meta:
        icon = "keyboard"
        label = _("Taper un texte")
        template = "modules/blocks/type_text.html"
        description = _("Recopier un texte au clavier, corrigé lettre par lettre.")
        preview_value = {
            "instruction": "Tapez le texte ci-dessous, exactement comme il est écrit.",
            "text": "Bonjour, je m'appelle Léa. Mon adresse : lea.martin@exemple.fr",
        }

    def clean(self, value):
        value = super().clean(value)
        for char in value["text"]:
            if char in HARD_TO_TYPE:
                raise _block_error(
                    "text",
                    _("« %(char)s » est difficile à taper. Écrivez « %(instead)s » à la place.")
                    % {"char": char, "instead": HARD_TO_TYPE[char]},
                )
        if not normalise(value["text"]).strip():
            raise _block_error("text", _("Écrivez le texte à recopier."))
        return value

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context=parent_context)
        context["multiline"] = "\n" in normalise(value["text"])
        return context

    def parse_answer(self, value, data):
        """{"mode", "typed": the text as typed (NFC, no trailing spaces)}."""
        mode = _mode(data)
        typed = _text(data, "typed")
        if not typed.strip():
            raise InvalidAnswer(gettext("Tapez le texte dans la case, puis validez."))
        return {"mode": mode, "typed": typed}

    def grade(self, value, answer):
        expected = normalise(value["text"])
        typed = answer["typed"]
        if typed == expected:
            return Grade(1.0, True, _success(value, gettext("Bravo, c'est exactement le texte !")))
        score = difflib.SequenceMatcher(None, expected, typed, autojunk=False).ratio()
        return Grade(round(score * 0.9, 4), False, typing_difference(expected, typed))


SHORTCUT_KEYS = ("A", "C", "V", "X", "Z")
SHORTCUT_TASKS = {
    # task: the shortcuts, in order, and what each one does
    "copy_paste": (("C", _("Pour copier")), ("V", _("Pour coller"))),
    "cut_paste": (("X", _("Pour couper")), ("V", _("Pour coller"))),
    "undo": (("Z", _("Pour annuler")),),
}
SHORTCUT_HOW = {
    "C": _("Sélectionnez le mot (par exemple avec Ctrl + A), puis gardez Ctrl appuyée et tapez C."),
    "X": _("Sélectionnez le mot (par exemple avec Ctrl + A), puis gardez Ctrl appuyée et tapez X."),
    "V": _("Cliquez dans la case, puis gardez Ctrl appuyée et tapez V."),
    "Z": _("Gardez Ctrl appuyée et tapez Z."),
}


def shortcut_name(key):
    return f"Ctrl + {key}"


class ShortcutsBlock(blocks.StructBlock):
    """Copy, cut, paste, undo: with real key presses, or by choosing the keys."""

    instruction = _instruction()
    task = blocks.ChoiceBlock(
        label=_("Exercice"),
        choices=[
            ("copy_paste", _("Copier puis coller un mot (Ctrl + C, Ctrl + V)")),
            ("cut_paste", _("Couper puis coller un mot (Ctrl + X, Ctrl + V)")),
            ("undo", _("Annuler ce que l'on vient de taper (Ctrl + Z)")),
        ],
        default="copy_paste",
    )
    word = blocks.CharBlock(
        label=_("Le mot"),
        max_length=60,
        help_text=_("Le mot à copier ou à couper. Pour « Annuler » : le texte déjà dans la case."),
    )
    feedback = _feedback()
    max_attempts = max_attempts_block()

    class Meta:
        icon = "copy"
        label = _("Raccourcis clavier")
        template = "modules/blocks/shortcuts.html"
        description = _(
            "Copier, coller, annuler avec le clavier. Sans clavier : choisir les touches."
        )
        preview_value = {
            "instruction": "Copiez le mot « bonjour » et collez-le dans la case.",
            "task": "copy_paste",
            "word": "bonjour",
        }

    def steps(self, value):
        return SHORTCUT_TASKS[value["task"]]

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context=parent_context)
        selected = context.get("selected")
        chosen = selected.get("choices", []) if isinstance(selected, dict) else []
        context["questions"] = [
            {"index": index, "label": label, "chosen": chosen[index] if index < len(chosen) else ""}
            for index, (_key, label) in enumerate(self.steps(value))
        ]
        context["keys"] = [(key, shortcut_name(key)) for key in SHORTCUT_KEYS]
        context["start_mode"] = selected.get("mode", "") if isinstance(selected, dict) else ""
        return context

    def parse_answer(self, value, data):
        """Choice mode: {"mode": "choice", "choices": a key per step}. Keyboard mode:
        {"mode": "keyboard", "combos": the Ctrl + key presses seen, in order, "text":
        the box, "source": the word's box (cut), "typed": keys typed in the box}."""
        mode = _mode(data, allowed=("keyboard", "choice"), default="choice")
        if mode == "choice":
            choices = [data.get(f"choice-{index}", "") for index in range(len(self.steps(value)))]
            if "" in choices:
                raise InvalidAnswer(gettext("Choisissez les touches pour chaque question."))
            if any(choice not in SHORTCUT_KEYS for choice in choices):
                raise _tampered()
            return {"mode": mode, "choices": choices}
        raw = data.get("combos", "")
        combos = raw.split(",") if raw else []
        if len(combos) > 100 or any(combo not in SHORTCUT_KEYS for combo in combos):
            raise _tampered()
        answer = {
            "mode": mode,
            "combos": combos,
            "text": _text(data, "text", max_length=200),
            "typed": _count(data, "typed"),
        }
        if value["task"] == "cut_paste":
            answer["source"] = _text(data, "source", max_length=200)
        return answer

    def grade(self, value, answer):
        steps = self.steps(value)
        if answer["mode"] == "choice":
            wrong = [
                label
                for (key, label), choice in zip(steps, answer["choices"], strict=True)
                if key != choice
            ]
            if not wrong:
                summary = ", ".join(
                    f"{shortcut_name(key)} {str(label).lower()}" for key, label in steps
                )
                return Grade(1.0, True, _success(value, gettext("Bravo !")) + f" {summary}.")
            message = gettext("%(what)s, ce ne sont pas les bonnes touches.") % {"what": wrong[0]}
            return Grade(
                1 - len(wrong) / len(steps),
                False,
                f"{message} {gettext('Relisez la leçon et essayez encore.')}",
            )
        problems = self._practice_problems(value, answer, [key for key, _label in steps])
        checks = len(steps) + (2 if value["task"] != "copy_paste" else 1)
        if not problems:
            return Grade(1.0, True, _success(value, gettext("Bravo, c'est réussi !")))
        return Grade(max(0.0, 1 - len(problems) / checks), False, problems[0])

    def _practice_problems(self, value, answer, keys):
        """What is not right yet, the first thing to fix first."""
        problems = []
        combos = iter(answer["combos"])
        for key in keys:
            # Required shortcuts in order; others (Ctrl + A to select) may come between.
            if not any(combo == key for combo in combos):
                problems.append(
                    gettext("Nous n'avons pas vu %(keys)s.") % {"keys": shortcut_name(key)}
                    + f" {SHORTCUT_HOW[key]}"
                )
                break
        word, text = normalise(value["word"]).strip(), answer["text"].strip()
        task = value["task"]
        if task == "undo" and not answer["typed"]:
            problems.append(
                gettext("Tapez d'abord une lettre dans la case. Puis annulez avec Ctrl + Z.")
            )
        if task == "cut_paste" and answer.get("source", "").strip():
            problems.append(
                gettext(
                    "Le mot est encore dans la première case. Coupez-le avec Ctrl + X : "
                    "il disparaît, puis il revient quand vous collez."
                )
            )
        if text != word:
            if task == "undo":
                problems.append(
                    gettext(
                        "La case n'est pas revenue comme au début : « %s ». "
                        "Appuyez encore sur Ctrl + Z."
                    )
                    % word
                )
            elif not text:
                problems.append(
                    gettext("La case est vide. Cliquez dans la case, puis tapez Ctrl + V.")
                )
            else:
                problems.append(
                    gettext("La case contient « %(text)s ». Il faut « %(word)s ».")
                    % {"text": text[:60], "word": word}
                )
        return problems


HANDS_ON_BLOCKS = {
    "click_targets": ClickTargetsBlock,
    "double_click": DoubleClickBlock,
    "drag_drop": DragDropBlock,
    "scroll_find": ScrollFindBlock,
    "right_click": RightClickBlock,
    "type_text": TypeTextBlock,
    "shortcuts": ShortcutsBlock,
}
