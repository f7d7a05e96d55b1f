"""Hands-on exercises in lesson Markdown: fenced YAML blocks named in French.

    ```glisser
    key: ranger-documents
    instruction: Rangez chaque document dans le bon dossier.
    zones: [Papiers, Photos]
    items:
      - text: Facture
        zone: Papiers
    ```

Lists are written out (zones, menu entries, list items); what the learner must
pick (an item's zone, the target, the asked entry) is named by its text, and
stored as its number, counting from 1, as editors see it in the admin.
"""

from django.core.exceptions import ValidationError

from ..blocks.hands_on import HANDS_ON_BLOCKS

# Fence name -> exercise block name.
HANDS_ON_FENCES = {
    "clic": "click_targets",
    "double-clic": "double_click",
    "glisser": "drag_drop",
    "defiler": "scroll_find",
    "clic-droit": "right_click",
    "taper": "type_text",
    "raccourci": "shortcuts",
}
COMMON_FIELDS = {"key", "instruction", "feedback", "max_attempts"}
FIELDS = {
    "click_targets": {"count", "start_size", "end_size"},
    "double_click": {"item", "kind", "opens"},
    "drag_drop": {"zones", "items"},
    "scroll_find": {"items", "target"},
    "right_click": {"file", "kind", "entries", "asked"},
    "type_text": {"text"},
    "shortcuts": {"task", "word"},
}
KINDS = ("folder", "picture", "document")
SHORTCUT_TASKS = {"copy-paste": "copy_paste", "cut-paste": "cut_paste", "undo": "undo"}


class HandsOnFences:
    """Mixed into LessonParser: `block_hands_on` reads one fence into a step's exercise."""

    def block_hands_on(self, fence, data, lines, line_no):
        from .parse import KEY_PATTERN, block_id

        name = HANDS_ON_FENCES[fence]
        self.only_fields(data, lines, COMMON_FIELDS | FIELDS[name], line_no)
        if self.step["value"]["exercise"]:
            self.error(line_no, "a step has at most one exercise; start a new '## ' step")
            return
        key = self.text_field(data, lines, "key", line_no)
        if key and not KEY_PATTERN.match(key):
            self.error(lines.get("key", line_no), f"key '{key}' must use a-z, 0-9 and '-' only")
        errors_before = len(self.parser.errors)
        read = getattr(self, f"hands_on_{name}")(data, lines, line_no, key or f"line-{line_no}")
        instruction = self.text_field(data, lines, "instruction", line_no, required=False)
        value = {
            "instruction": instruction or read.pop("default_instruction", ""),
            **{name: item for name, item in read.items() if name != "default_instruction"},
            "feedback": self.text_field(data, lines, "feedback", line_no, required=False),
            "max_attempts": self.max_attempts(data, lines, line_no),
        }
        if len(self.parser.errors) == errors_before:
            self.check_block(name, value, lines, line_no)
        exercise_id = block_id(self.lesson.key, key or f"line-{line_no}")
        self.step["value"]["exercise"].append({"type": name, "id": exercise_id, "value": value})
        self.lesson.exercise_keys.append((key, lines.get("key", line_no)))

    def check_block(self, name, value, lines, line_no):
        """The editors' checks (the block's clean()), reported at the field's line."""
        block = HANDS_ON_BLOCKS[name]()
        try:
            block.clean(block.to_python(value))
        except ValidationError as error:
            for field, child in (getattr(error, "block_errors", None) or {}).items():
                for message in _messages(child):
                    self.error(lines.get(field, line_no), f"'{field}': {message}")
            for child in getattr(error, "non_block_errors", None) or []:
                for message in _messages(child):
                    self.error(line_no, f"'{fence_of(name)}': {message}")
            if not hasattr(error, "block_errors"):
                for message in error.messages:
                    self.error(line_no, f"'{fence_of(name)}': {message}")

    # --- Field readers: each reports its own errors and returns a usable value ------------

    def whole_number(self, data, lines, name, line_no, *, low, high, default):
        value = data.get(name, default)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            self.error(
                lines.get(name, line_no), f"'{name}' must be a whole number from {low} to {high}"
            )
            return default
        return value

    def text_list(self, data, lines, name, line_no, *, low, high, max_length):
        value = data.get(name)
        if value is None:
            self.error(line_no, f"'{name}' is missing")
            return []
        if not isinstance(value, list) or not low <= len(value) <= high:
            self.error(lines.get(name, line_no), f"'{name}' must list {low} to {high} texts")
            return []
        item_lines = lines.get(f"{name}[]", [])
        texts = []
        for index, item in enumerate(value):
            item_line = item_lines[index] if index < len(item_lines) else lines.get(name, line_no)
            if isinstance(item, (int, float)) and not isinstance(item, bool):
                item = str(item)
            if not isinstance(item, str) or not item.strip():
                self.error(item_line, f"each of '{name}' must be a short text")
                continue
            if len(item.strip()) > max_length:
                self.error(item_line, f"'{item.strip()}' is longer than {max_length} characters")
            texts.append(item.strip())
        return texts

    def number_of(self, data, lines, name, line_no, choices, what):
        """The 1-based number of the text `data[name]` among `choices`."""
        text = self.text_field(data, lines, name, line_no)
        return self.find(text, choices, lines.get(name, line_no), what)

    def find(self, text, choices, line, what):
        if not text:
            return 1
        folded = [choice.casefold() for choice in choices]
        if text.casefold() not in folded:
            if choices:
                self.error(line, f"'{text}' is not one of the {what}: {', '.join(choices)}")
            return 1
        return folded.index(text.casefold()) + 1

    def short_text(self, data, lines, name, line_no, max_length):
        text = self.text_field(data, lines, name, line_no)
        if len(text) > max_length:
            self.error(lines.get(name, line_no), f"'{name}' is longer than {max_length} characters")
        return text

    def choice(self, data, lines, name, line_no, choices, default):
        value = data.get(name, default)
        if value not in choices:
            self.error(lines.get(name, line_no), f"'{name}' must be one of: {', '.join(choices)}")
            return default
        return value

    def list_items(self, key, kind, values):
        from .parse import block_id

        return [
            {"type": "item", "id": block_id(self.lesson.key, key, kind, str(index)), "value": value}
            for index, value in enumerate(values)
        ]

    # --- One reader per exercise (its fields are in FIELDS) ---------------------------------

    def hands_on_click_targets(self, data, lines, line_no, key):
        return {
            "default_instruction": "Cliquez sur chaque rond. Il devient de plus en plus petit.",
            "count": self.whole_number(data, lines, "count", line_no, low=3, high=10, default=5),
            "start_size": self.whole_number(
                data, lines, "start_size", line_no, low=24, high=160, default=96
            ),
            "end_size": self.whole_number(
                data, lines, "end_size", line_no, low=24, high=160, default=32
            ),
        }

    def hands_on_double_click(self, data, lines, line_no, key):
        item = self.short_text(data, lines, "item", line_no, 60)
        return {
            "default_instruction": f"Ouvrez « {item} » avec un double-clic : deux clics rapides.",
            "item": item,
            "kind": self.choice(data, lines, "kind", line_no, KINDS, "folder"),
            "opens": self.short_text(data, lines, "opens", line_no, 300),
        }

    def hands_on_drag_drop(self, data, lines, line_no, key):
        zones = self.text_list(data, lines, "zones", line_no, low=2, high=4, max_length=60)
        raw_items = data.get("items")
        item_lines = lines.get("items[]", [])
        items = []
        if not isinstance(raw_items, list) or not 2 <= len(raw_items) <= 8:
            self.error(lines.get("items", line_no), "'items' must list 2 to 8 items")
            raw_items = []
        for index, item in enumerate(raw_items):
            item_line = item_lines[index] if index < len(item_lines) else line_no
            if not isinstance(item, dict) or not isinstance(item.get("text"), str):
                self.error(item_line, "each item needs a 'text' and a 'zone'")
                continue
            unknown = set(item) - {"text", "zone"}
            if unknown:
                self.error(item_line, f"unknown item field '{sorted(unknown)[0]}'")
            if len(item["text"].strip()) > 80:
                self.error(item_line, f"'{item['text'].strip()}' is longer than 80 characters")
            zone = item.get("zone")
            if not isinstance(zone, str):
                self.error(item_line, "each item needs a 'zone': the name of one of the 'zones'")
                zone = ""
            number = self.find(zone.strip(), zones, item_line, "zones")
            items.append({"label": item["text"].strip(), "zone": number})
        return {
            "default_instruction": "Faites glisser chaque objet dans la bonne zone.",
            "zones": self.list_items(key, "zone", zones),
            "items": self.list_items(key, "item", items),
        }

    def hands_on_scroll_find(self, data, lines, line_no, key):
        items = self.text_list(data, lines, "items", line_no, low=6, high=60, max_length=120)
        target = self.number_of(data, lines, "target", line_no, items, "items")
        name = items[target - 1] if items else ""
        return {
            "default_instruction": (
                f"Faites défiler la liste. Trouvez « {name} » et cliquez dessus."
            ),
            "items": self.list_items(key, "entry", items),
            "target": target,
        }

    def hands_on_right_click(self, data, lines, line_no, key):
        file = self.short_text(data, lines, "file", line_no, 60)
        entries = self.text_list(data, lines, "entries", line_no, low=2, high=8, max_length=60)
        asked = self.number_of(data, lines, "asked", line_no, entries, "entries")
        name = entries[asked - 1] if entries else ""
        return {
            "default_instruction": (
                f"Faites un clic droit sur « {file} ». Dans le menu, choisissez « {name} »."
            ),
            "file": file,
            "kind": self.choice(data, lines, "kind", line_no, KINDS, "document"),
            "entries": self.list_items(key, "entry", entries),
            "asked": asked,
        }

    def hands_on_type_text(self, data, lines, line_no, key):
        return {
            "default_instruction": "Tapez le texte ci-dessous, exactement comme il est écrit.",
            "text": self.short_text(data, lines, "text", line_no, 300),
        }

    def hands_on_shortcuts(self, data, lines, line_no, key):
        task = self.choice(data, lines, "task", line_no, list(SHORTCUT_TASKS), "copy-paste")
        word = self.short_text(data, lines, "word", line_no, 60)
        defaults = {
            "copy-paste": f"Copiez le mot « {word} » avec Ctrl + C. "
            "Collez-le dans la case avec Ctrl + V.",
            "cut-paste": f"Coupez le mot « {word} » avec Ctrl + X. "
            "Collez-le dans la case avec Ctrl + V.",
            "undo": "Tapez une lettre à la fin de la case. Puis annulez-la avec Ctrl + Z.",
        }
        return {
            "default_instruction": defaults[task],
            "task": SHORTCUT_TASKS[task],
            "word": word,
        }


def fence_of(name):
    return next(fence for fence, block in HANDS_ON_FENCES.items() if block == name)


def _messages(error):
    """Every message of a block validation error, nested ones (list items) included."""
    children = [
        *(getattr(error, "block_errors", None) or {}).values(),
        *(getattr(error, "non_block_errors", None) or []),
    ]
    if not children:
        return list(error.messages)
    return [message for child in children for message in _messages(child)]
