"""Parse `content/` into plain objects, collecting every error with its file and line."""

import hashlib
import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import markdown
import yaml

from cms.sanitize import clean_html

from ..models import Competence, ParcoursPage
from .hands_on import HANDS_ON_FENCES, HandsOnFences

# Bump when the way files become pages changes, so the next run updates every page.
FORMAT_VERSION = "1"
KEY_NAMESPACE = uuid.UUID("6f1c3a52-3b8e-4a55-9d7e-2f0f6f4b8a10")
KEY_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{1,98}$")
SLUG_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,98}$")
MODULE_INDEX_KEY = "module-index"
MODULE_INDEX_SLUG = "modules"
IMAGE_EXTENSIONS = {".png", ".jpg", ".jpeg", ".webp", ".svg"}
AUDIO_EXTENSIONS = {".mp3", ".ogg", ".m4a"}
VIDEO_EXTENSIONS = {".mp4", ".webm"}
CAPTION_EXTENSIONS = {".vtt"}
BLOCK_TYPES = ("quiz", "retenir", "video", "audio", "simulation", *HANDS_ON_FENCES)
IMAGE_LINE = re.compile(r"^!\[(?P<alt>[^\]]*)\]\((?P<src>[^)\s]+)\)\s*$")
FENCE = re.compile(r"^```\s*(?P<type>[\w-]*)\s*$")


def block_id(*parts: str) -> str:
    """A block id derived from stable keys, so it survives reloads and edits."""
    return str(uuid.uuid5(KEY_NAMESPACE, "/".join(parts)))


@dataclass(frozen=True, order=True)
class ContentError:
    path: str
    line: int
    message: str

    def __str__(self):
        return f"{self.path}:{self.line}: {self.message}"


class ContentErrors(Exception):
    def __init__(self, errors):
        self.errors = sorted(errors)
        super().__init__("\n".join(str(error) for error in self.errors))


# --- Parsed content ---------------------------------------------------------


@dataclass
class Media:
    path: Path  # absolute
    line: int


@dataclass
class Source:
    """Common to every content file: where it is, its key, what it hashes to."""

    path: Path
    rel: str
    key: str
    title: str
    slug: str
    digest: str = ""
    media: list = field(default_factory=list)
    key_line: int = 1
    slug_line: int = 1


@dataclass
class CatalogSource(Source):
    intro: str = ""


@dataclass
class ParcoursSource(Source):
    kind: str = "autre"
    audience: str = ""
    target_hours: int = 0
    intro: str = ""
    module_keys: list = field(default_factory=list)
    module_lines: list = field(default_factory=list)


@dataclass
class ModuleSource(Source):
    summary: str = ""
    objectives: list = field(default_factory=list)
    competences: list = field(default_factory=list)
    competences_line: int = 1
    description: str = ""
    lessons: list = field(default_factory=list)


@dataclass
class LessonSource(Source):
    minutes: int = 10
    trainer_tips: str = ""
    steps: list = field(default_factory=list)  # raw StreamField data, media as Media
    exercise_keys: list = field(default_factory=list)  # (key, line)
    scenario_uses: list = field(default_factory=list)  # (scenario key, goal keys, line)


@dataclass
class ScenarioSource(Source):
    kind: str = ""
    intro: str = ""
    items: list = field(default_factory=list)  # raw StreamField data
    goals: list = field(default_factory=list)


@dataclass(frozen=True)
class ScenarioRef:
    """A lesson's pointer to a scenario by key; the writer turns it into an id."""

    key: str
    line: int


@dataclass
class Content:
    catalog: CatalogSource | None = None
    parcours: list = field(default_factory=list)
    modules: list = field(default_factory=list)
    scenarios: list = field(default_factory=list)
    # (lesson file, line, scenario key, [goal keys]) to check once everything is read
    scenario_uses: list = field(default_factory=list)

    @property
    def lessons(self):
        return [lesson for module in self.modules for lesson in module.lessons]

    @property
    def keys(self):
        sources = [self.catalog, *self.parcours, *self.modules, *self.lessons]
        return {source.key for source in sources if source} | {MODULE_INDEX_KEY}


# --- Parsing ------------------------------------------------------------------


class FileParser:
    """Reads one file; every problem goes to `errors` with its line number."""

    def __init__(self, path: Path, root: Path, errors: list):
        self.path = path
        self.root = root
        self.rel = str(path.relative_to(root.parent))
        self.errors = errors
        self.front = {}
        self.front_lines = {}
        self.body = ""
        self.body_line = 1
        self.media = []

    def error(self, line, message):
        self.errors.append(ContentError(self.rel, line, message))

    def read(self) -> bool:
        try:
            text = self.path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            self.error(1, "the file is not UTF-8 text")
            return False
        lines = text.splitlines()
        if not lines or lines[0].strip() != "---":
            self.error(1, "the file must start with a YAML front matter between '---' lines")
            return False
        try:
            end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
        except StopIteration:
            self.error(1, "the front matter is not closed by a '---' line")
            return False
        self.front, self.front_lines = self.parse_yaml("\n".join(lines[1:end]), first_line=2)
        if self.front is None:
            return False
        if not isinstance(self.front, dict):
            self.error(2, "the front matter must be a list of 'name: value' lines")
            return False
        self.body = "\n".join(lines[end + 1 :])
        self.body_line = end + 2
        return True

    def parse_yaml(self, text, *, first_line):
        """Parse YAML; returns (data, {top-level name: line}) or (None, {})."""
        try:
            node = yaml.compose(text, Loader=yaml.SafeLoader)
            data = yaml.safe_load(text)
        except yaml.MarkedYAMLError as error:
            mark = error.problem_mark or error.context_mark
            line = first_line + (mark.line if mark else 0)
            self.error(line, f"invalid YAML: {error.problem or error.context}")
            return None, {}
        lines = {}
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                lines[key_node.value] = first_line + key_node.start_mark.line
                if isinstance(value_node, yaml.SequenceNode):
                    lines[f"{key_node.value}[]"] = [
                        first_line + item.start_mark.line for item in value_node.value
                    ]
        return data if data is not None else {}, lines

    def line_of(self, name):
        return self.front_lines.get(name, 1)

    def field(self, name, kind=str, *, required=True, default=None):
        value = self.front.get(name, default)
        if value is None:
            if required:
                self.error(1, f"'{name}' is missing from the front matter")
            return default
        if kind is int and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
            self.error(self.line_of(name), f"'{name}' must be a whole number")
            return default
        if kind is str and not isinstance(value, str):
            self.error(self.line_of(name), f"'{name}' must be text")
            return default
        if kind is list and not (
            isinstance(value, list) and all(isinstance(item, (str, int, float)) for item in value)
        ):
            self.error(self.line_of(name), f"'{name}' must be a list of short texts")
            return default
        return value

    def check_fields(self, allowed):
        for name in self.front:
            if name not in allowed:
                self.error(
                    self.line_of(name),
                    f"unknown field '{name}' (expected one of: {', '.join(sorted(allowed))})",
                )

    def common(self, cls, allowed, **extra):
        self.check_fields(allowed)
        key = self.field("key")
        if key is not None and not KEY_PATTERN.match(key):
            self.error(self.line_of("key"), f"key '{key}' must use a-z, 0-9 and '-' only")
        slug = self.field("slug", required=False) or (key or "")
        if not SLUG_PATTERN.match(slug):
            self.error(self.line_of("slug"), f"slug '{slug}' must use a-z, 0-9 and '-' only")
        title = self.field("title") or ""
        if len(title) > 255:
            self.error(self.line_of("title"), "the title is longer than 255 characters")
        return cls(
            path=self.path,
            rel=self.rel,
            key=key or "",
            title=title,
            slug=slug,
            key_line=self.line_of("key"),
            slug_line=self.front_lines.get("slug", self.line_of("key")),
            **extra,
        )

    def media_file(self, src, line, extensions):
        """A media file beside the content file; never outside `content/`."""
        path = (self.path.parent / src).resolve()
        if not path.is_relative_to(self.root.resolve()):
            self.error(line, f"'{src}' is outside the content folder")
            return None
        if path.suffix.lower() not in extensions:
            self.error(line, f"'{src}' must be one of: {', '.join(sorted(extensions))}")
            return None
        if not path.is_file():
            self.error(line, f"file not found: '{src}'")
            return None
        media = Media(path=path, line=line)
        self.media.append(media)
        return media

    def digest(self):
        hasher = hashlib.sha256(FORMAT_VERSION.encode())
        hasher.update(self.path.read_bytes())
        for media in sorted({m.path for m in self.media}):
            hasher.update(str(media.relative_to(self.root.resolve())).encode())
            hasher.update(media.read_bytes())
        return hasher.hexdigest()


def markdown_to_html(text):
    return clean_html(markdown.markdown(text.strip())) if text.strip() else ""


def parse_catalog(parser):
    source = parser.common(CatalogSource, {"key", "title", "slug"})
    source.intro = markdown_to_html(parser.body)
    return source


def parse_parcours(parser):
    source = parser.common(
        ParcoursSource,
        {"key", "title", "slug", "kind", "audience", "target_hours", "modules"},
    )
    kind = parser.field("kind", default="autre")
    if kind not in {choice.value for choice in ParcoursPage.Kind}:
        parser.error(parser.line_of("kind"), f"unknown kind '{kind}'")
    source.kind = kind
    source.audience = parser.field("audience", required=False, default="")
    source.target_hours = parser.field("target_hours", int, required=False, default=0)
    source.module_keys = [str(key) for key in parser.field("modules", list, default=[])]
    source.module_lines = parser.front_lines.get("modules[]", [])
    source.intro = markdown_to_html(parser.body)
    return source


def parse_module(parser):
    source = parser.common(
        ModuleSource, {"key", "title", "slug", "summary", "objectives", "competences"}
    )
    source.summary = parser.field("summary", default="")
    source.objectives = [
        str(o) for o in parser.field("objectives", list, required=False, default=[])
    ]
    source.competences = [
        str(code) for code in parser.field("competences", list, required=False, default=[])
    ]
    source.competences_line = parser.line_of("competences")
    source.description = markdown_to_html(parser.body)
    return source


class LessonParser(HandsOnFences):
    """Turns a lesson's Markdown body into StreamField steps."""

    QUIZ_FIELDS = {"key", "question", "multiple", "options", "hint", "feedback", "max_attempts"}
    OPTION_FIELDS = {"text", "correct", "image"}

    def __init__(self, parser: FileParser, lesson: LessonSource):
        self.parser = parser
        self.lesson = lesson
        self.steps = []
        self.step = None
        self.text_lines = []

    def error(self, line, message):
        self.parser.error(line, message)

    def parse(self):
        lines = self.parser.body.splitlines()
        number = 0
        while number < len(lines):
            line = lines[number]
            line_no = self.parser.body_line + number
            fence = FENCE.match(line)
            if line.startswith("## "):
                self.start_step(line[3:].strip(), line_no)
            elif line.startswith("#"):
                self.error(line_no, "use '## ' for step titles; other headings are not allowed")
            elif self.step is None:
                if line.strip():
                    self.error(line_no, "text before the first step: start with a '## ' title")
            elif fence:
                end = next(
                    (j for j in range(number + 1, len(lines)) if lines[j].strip() == "```"), None
                )
                if end is None:
                    self.error(line_no, "this block is not closed by a ``` line")
                    break
                self.flush_text()
                self.block(fence["type"], "\n".join(lines[number + 1 : end]), line_no)
                number = end
            elif IMAGE_LINE.match(line):
                self.flush_text()
                self.image(IMAGE_LINE.match(line), line_no)
            elif "![" in line:
                self.error(line_no, "an image must be alone on its line: ![description](file)")
            else:
                self.text_lines.append(line)
            number += 1
        self.flush_text()
        if not self.steps:
            self.error(self.parser.body_line, "the lesson has no step: add a '## ' title")
        return self.steps

    def start_step(self, title, line_no):
        self.flush_text()
        if not title:
            self.error(line_no, "the step has no title")
        self.step = {
            "type": "step",
            "id": block_id(self.lesson.key, "step", str(len(self.steps) + 1)),
            "value": {"title": title[:120], "content": [], "exercise": []},
        }
        self.step_line = line_no
        self.steps.append(self.step)

    def add_content(self, kind, value):
        content = self.step["value"]["content"]
        content.append(
            {
                "type": kind,
                "value": value,
                "id": block_id(
                    self.lesson.key, "step", str(len(self.steps)), "content", str(len(content))
                ),
            }
        )

    def flush_text(self):
        text = "\n".join(self.text_lines).strip()
        self.text_lines = []
        if text and self.step is not None:
            self.add_content("text", markdown_to_html(text))

    def image(self, match, line_no):
        alt = match["alt"].strip()
        if not alt:
            self.error(line_no, "the image needs a description: ![description](file)")
        media = self.parser.media_file(match["src"], line_no, IMAGE_EXTENSIONS)
        self.add_content("image", {"image": media, "alt": alt, "caption": ""})

    def block(self, kind, text, line_no):
        if kind not in BLOCK_TYPES:
            self.error(
                line_no,
                f"unknown block type '{kind}' (expected one of: {', '.join(BLOCK_TYPES)})",
            )
            return
        if kind == "retenir":
            if not text.strip():
                self.error(line_no, "the 'retenir' block is empty")
            self.add_content("callout", markdown_to_html(text))
            return
        data, lines = self.parser.parse_yaml(text, first_line=line_no + 1)
        if data is None:
            return
        if not isinstance(data, dict):
            self.error(line_no, f"the '{kind}' block must be a list of 'name: value' lines")
            return
        if kind in HANDS_ON_FENCES:
            self.block_hands_on(kind, data, lines, line_no)
        else:
            getattr(self, f"block_{kind}")(data, lines, line_no)

    def block_video(self, data, lines, line_no):
        self.only_fields(data, lines, {"file", "captions", "transcript"}, line_no)
        transcript = self.text_field(data, lines, "transcript", line_no)
        video = self.media_field(data, lines, "file", VIDEO_EXTENSIONS, line_no)
        captions = None
        if data.get("captions"):
            captions = self.media_field(data, lines, "captions", CAPTION_EXTENSIONS, line_no)
        self.add_content("video", {"file": video, "captions": captions, "transcript": transcript})

    def block_audio(self, data, lines, line_no):
        self.only_fields(data, lines, {"file", "transcript"}, line_no)
        audio = self.media_field(data, lines, "file", AUDIO_EXTENSIONS, line_no)
        transcript = self.text_field(data, lines, "transcript", line_no, required=False)
        self.add_content("audio", {"file": audio, "transcript": transcript})

    def block_quiz(self, data, lines, line_no):
        self.only_fields(data, lines, self.QUIZ_FIELDS, line_no)
        if self.step["value"]["exercise"]:
            self.error(line_no, "a step has at most one exercise; start a new '## ' step")
            return
        key = self.text_field(data, lines, "key", line_no)
        if key and not KEY_PATTERN.match(key):
            self.error(lines.get("key", line_no), f"key '{key}' must use a-z, 0-9 and '-' only")
        question = self.text_field(data, lines, "question", line_no)
        multiple = data.get("multiple", False)
        if not isinstance(multiple, bool):
            self.error(lines.get("multiple", line_no), "'multiple' must be true or false")
            multiple = False
        options = data.get("options")
        option_lines = lines.get("options[]", [])
        if not isinstance(options, list) or not 2 <= len(options) <= 6:
            self.error(lines.get("options", line_no), "'options' must list 2 to 6 answers")
            options = []
        raw_options = []
        for index, option in enumerate(options):
            option_line = option_lines[index] if index < len(option_lines) else line_no
            if not isinstance(option, dict) or not isinstance(option.get("text"), str):
                self.error(option_line, "each option needs a 'text'")
                continue
            unknown = set(option) - self.OPTION_FIELDS
            if unknown:
                self.error(option_line, f"unknown option field '{sorted(unknown)[0]}'")
            correct = option.get("correct", False)
            if not isinstance(correct, bool):
                self.error(option_line, "'correct' must be true or false")
                correct = False
            image = None
            if option.get("image"):
                image = self.parser.media_file(option["image"], option_line, IMAGE_EXTENSIONS)
            raw_options.append(
                {
                    "type": "item",
                    "id": block_id(self.lesson.key, key or "", "option", str(index)),
                    "value": {"text": option["text"][:200], "image": image, "correct": correct},
                }
            )
        right = sum(1 for option in raw_options if option["value"]["correct"])
        if raw_options and right == 0:
            self.error(lines.get("options", line_no), "no option is marked 'correct: true'")
        if right > 1 and not multiple:
            self.error(
                lines.get("options", line_no),
                "several options are correct: add 'multiple: true' or keep one",
            )
        self.step["value"]["exercise"].append(
            {
                "type": "quiz",
                "id": block_id(self.lesson.key, key or f"line-{line_no}"),
                "value": {
                    "question": question,
                    "multiple": multiple,
                    "options": raw_options,
                    "hint": self.text_field(data, lines, "hint", line_no, required=False),
                    "feedback": self.text_field(data, lines, "feedback", line_no, required=False),
                    "max_attempts": self.max_attempts(data, lines, line_no),
                },
            }
        )
        self.lesson.exercise_keys.append((key, lines.get("key", line_no)))

    SIMULATION_FIELDS = {"key", "scenario", "goals", "max_attempts"}

    def block_simulation(self, data, lines, line_no):
        self.only_fields(data, lines, self.SIMULATION_FIELDS, line_no)
        if self.step["value"]["exercise"]:
            self.error(line_no, "a step has at most one exercise; start a new '## ' step")
            return
        key = self.text_field(data, lines, "key", line_no)
        if key and not KEY_PATTERN.match(key):
            self.error(lines.get("key", line_no), f"key '{key}' must use a-z, 0-9 and '-' only")
        scenario = self.text_field(data, lines, "scenario", line_no)
        goals = data.get("goals", [])
        if isinstance(goals, str):
            goals = [goals]
        if not isinstance(goals, list) or not all(isinstance(goal, str) for goal in goals):
            self.error(lines.get("goals", line_no), "'goals' must be a list of goal keys")
            goals = []
        self.lesson.scenario_uses.append((scenario, goals, lines.get("scenario", line_no)))
        self.step["value"]["exercise"].append(
            {
                "type": "simulation",
                "id": block_id(self.lesson.key, key or f"line-{line_no}"),
                "value": {
                    "scenario": ScenarioRef(scenario, lines.get("scenario", line_no)),
                    "goals": ", ".join(goals),
                    "max_attempts": self.max_attempts(data, lines, line_no),
                },
            }
        )
        self.lesson.exercise_keys.append((key, lines.get("key", line_no)))

    def max_attempts(self, data, lines, line_no):
        value = data.get("max_attempts", 3)
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 10:
            self.error(lines.get("max_attempts", line_no), "'max_attempts' must be 1 to 10")
            return 3
        return value

    def only_fields(self, data, lines, allowed, line_no):
        for name in data:
            if name not in allowed:
                self.error(
                    lines.get(name, line_no),
                    f"unknown field '{name}' (expected one of: {', '.join(sorted(allowed))})",
                )

    def text_field(self, data, lines, name, line_no, *, required=True):
        value = data.get(name)
        if value is None:
            if required:
                self.error(line_no, f"'{name}' is missing")
            return ""
        if not isinstance(value, str):
            self.error(lines.get(name, line_no), f"'{name}' must be text")
            return ""
        return value.strip()

    def media_field(self, data, lines, name, extensions, line_no):
        value = self.text_field(data, lines, name, line_no)
        if not value:
            return None
        return self.parser.media_file(value, lines.get(name, line_no), extensions)


def parse_lesson(parser):
    source = parser.common(LessonSource, {"key", "title", "slug", "minutes", "trainer_tips"})
    minutes = parser.field("minutes", int, required=False, default=10)
    if minutes is not None and minutes > 600:
        parser.error(parser.line_of("minutes"), "'minutes' is more than 600")
    source.minutes = minutes
    source.trainer_tips = markdown_to_html(
        parser.field("trainer_tips", required=False, default="") or ""
    )
    source.steps = LessonParser(parser, source).parse()
    return source


def parse_scenario(parser):
    """A simulator scenario: front matter with kind, items and goals; the body is the intro."""

    from ..simulators import KINDS

    source = parser.common(ScenarioSource, {"key", "title", "kind", "items", "goals"})
    source.kind = parser.field("kind") or ""
    kind = KINDS.get(source.kind)
    if kind is None:
        parser.error(
            parser.line_of("kind"),
            f"unknown kind '{source.kind}' (expected one of: {', '.join(KINDS)})",
        )
        return source
    source.intro = parser.body.strip()[:1000]
    source.items = stream_from_yaml(parser, source.key, "items", dict(kind.items), required=False)
    source.goals = stream_from_yaml(parser, source.key, "goals", dict(kind.goals), required=True)
    return source


def stream_from_yaml(parser, key, name, blocks, *, required):
    """A list of `type: ...` entries → raw StreamField data, each checked by its block."""
    entries = parser.front.get(name, [])
    line = parser.line_of(name)
    lines = parser.front_lines.get(f"{name}[]", [])
    if entries is None:
        entries = []
    if not isinstance(entries, list):
        parser.error(line, f"'{name}' must be a list")
        return []
    if required and not entries:
        parser.error(line, f"'{name}' is missing or empty")
    raw = []
    for index, entry in enumerate(entries):
        entry_line = lines[index] if index < len(lines) else line
        if not isinstance(entry, dict) or not isinstance(entry.get("type"), str):
            parser.error(entry_line, f"each entry of '{name}' needs a 'type'")
            continue
        block_type = entry["type"]
        block = blocks.get(block_type)
        if block is None:
            parser.error(
                entry_line,
                f"unknown {name[:-1]} type '{block_type}' "
                f"(expected one of: {', '.join(blocks) or 'none yet'})",
            )
            continue
        value = {field_name: item for field_name, item in entry.items() if field_name != "type"}
        unknown = set(value) - set(block.child_blocks)
        if unknown:
            parser.error(
                entry_line,
                f"unknown field '{sorted(unknown)[0]}' in '{block_type}' "
                f"(expected one of: {', '.join(block.child_blocks)})",
            )
            continue
        try:
            block.clean(block.to_python(value))
        except Exception as error:  # noqa: BLE001  every block error becomes a line of the report
            parser.error(entry_line, f"'{block_type}': {validation_text(error)}")
            continue
        raw.append(
            {
                "type": block_type,
                "id": block_id(key, name, str(value.get("key") or index)),
                "value": value,
            }
        )
    return raw


def validation_text(error):
    """A Wagtail block validation error as one line."""
    parts = []
    block_errors = getattr(error, "block_errors", None)
    if isinstance(block_errors, dict):
        for name, inner in block_errors.items():
            parts.append(f"{name}: {validation_text(inner)}")
    elif isinstance(block_errors, list):
        parts.extend(validation_text(inner) for inner in block_errors if inner)
    for inner in getattr(error, "non_block_errors", None) or []:
        parts.append(validation_text(inner))
    if not parts:
        messages = getattr(error, "messages", None) or [str(error)]
        parts.append(" ".join(str(message) for message in messages))
    return "; ".join(parts)


def parse_file(path, root, errors, parse):
    parser = FileParser(path, root, errors)
    if not parser.read():
        return None
    source = parse(parser)
    source.media = parser.media
    source.digest = parser.digest()
    return source


def parse_content(root: Path) -> Content:
    """Read every file under `root`; raise ContentErrors listing every problem."""
    root = Path(root)
    errors = []
    content = Content()
    if not root.is_dir():
        raise ContentErrors([ContentError(str(root), 0, "the content folder does not exist")])

    catalog_path = root / "catalog.md"
    if catalog_path.is_file():
        content.catalog = parse_file(catalog_path, root, errors, parse_catalog)
    else:
        errors.append(ContentError(str(catalog_path.relative_to(root.parent)), 0, "missing file"))

    for path in sorted((root / "parcours").glob("*.md")):
        source = parse_file(path, root, errors, parse_parcours)
        if source:
            content.parcours.append(source)

    for folder in sorted(p for p in (root / "modules").glob("*") if p.is_dir()):
        module_path = folder / "module.md"
        if not module_path.is_file():
            rel = str(module_path.relative_to(root.parent))
            errors.append(ContentError(rel, 0, "missing file: every module folder needs one"))
            continue
        module = parse_file(module_path, root, errors, parse_module)
        if not module:
            continue
        for path in sorted(folder.glob("*.md")):
            if path.name == "module.md":
                continue
            lesson = parse_file(path, root, errors, parse_lesson)
            if lesson:
                module.lessons.append(lesson)
        content.modules.append(module)

    for path in sorted((root / "simulations").glob("*.md")):
        source = parse_file(path, root, errors, parse_scenario)
        if source:
            content.scenarios.append(source)

    check_references(content, errors)
    check_scenarios(content, errors)
    if errors:
        raise ContentErrors(errors)
    return content


def check_scenarios(content, errors):
    """Scenario keys are unique; lessons name existing scenarios and their goals."""
    scenarios = {}
    for source in content.scenarios:
        if source.key in scenarios:
            errors.append(
                ContentError(
                    source.rel,
                    source.key_line,
                    f"duplicate scenario key '{source.key}' (also in {scenarios[source.key].rel})",
                )
            )
        scenarios[source.key] = source
    for lesson in content.lessons:
        for key, goals, line in lesson.scenario_uses:
            scenario = scenarios.get(key)
            if scenario is None:
                errors.append(ContentError(lesson.rel, line, f"unknown scenario '{key}'"))
                continue
            known = {goal["value"].get("key") for goal in scenario.goals}
            for goal in goals:
                if goal not in known:
                    errors.append(
                        ContentError(lesson.rel, line, f"scenario '{key}' has no goal '{goal}'")
                    )


def check_references(content, errors):
    """Keys are unique everywhere; parcours name existing modules; codes exist."""
    seen = {}

    def claim(key, rel, line, what):
        if not key:
            return
        if key in seen:
            errors.append(
                ContentError(rel, line, f"duplicate {what} key '{key}' (also in {seen[key]})")
            )
        else:
            seen[key] = f"{rel}"

    for source in [content.catalog, *content.parcours, *content.modules, *content.lessons]:
        if source:
            claim(source.key, source.rel, source.key_line, "page")
    for lesson in content.lessons:
        for key, line in lesson.exercise_keys:
            claim(f"exercise:{key}" if key else "", lesson.rel, line, "exercise")

    module_keys = {module.key for module in content.modules}
    for parcours in content.parcours:
        for index, key in enumerate(parcours.module_keys):
            if key not in module_keys:
                line = parcours.module_lines[index] if index < len(parcours.module_lines) else 1
                errors.append(ContentError(parcours.rel, line, f"unknown module '{key}'"))

    codes = set(Competence.objects.values_list("code", flat=True))
    for module in content.modules:
        for code in module.competences:
            if code not in codes:
                errors.append(
                    ContentError(
                        module.rel, module.competences_line, f"unknown competence '{code}'"
                    )
                )

    siblings = [
        [*content.parcours, SlugOnly(MODULE_INDEX_SLUG)],
        content.modules,
        *[module.lessons for module in content.modules],
    ]
    for group in siblings:
        slugs = {}
        for source in group:
            if source.slug in slugs:
                errors.append(
                    ContentError(
                        source.rel,
                        source.slug_line,
                        f"slug '{source.slug}' is already used by {slugs[source.slug]}",
                    )
                )
            slugs[source.slug] = source.rel


@dataclass
class SlugOnly:
    slug: str
    rel: str = "the module index"
    slug_line: int = 0
